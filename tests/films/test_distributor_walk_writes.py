"""The POST half of the distributor's admin walk (``test_distributor_walk``): every admin URL
sent a form as a distributor's login changes nothing and shows nothing it should not. A module
of its own, with its own copy of the walk's organizations, so that the two halves run side by
side."""

import pytest

from tests.films.test_distributor_walk import house, walk  # noqa: F401 - the module's fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def test_a_distributors_login_changes_nothing_through_any_admin_url(house):  # noqa: F811
    """Every admin URL, POST, with the other organization's ids and with another distributor's
    film: no canary, no server error, no write."""
    findings, walked = walk(house, "post")
    assert walked > 400, "the walk reached too few URLs to prove anything"
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
