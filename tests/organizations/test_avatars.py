"""The admin never sends a user's e-mail hash to Gravatar: avatars are circles with initials,
drawn in the page itself."""

import hashlib
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from organizations.avatars import (
    MIN_CONTRAST,
    WHITE,
    avatar_colour,
    contrast_ratio,
    initials,
    initials_avatar_url,
)
from tests.factories import make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DATA_URL_RE = re.compile(r"data:image/svg\+xml,([^\"'\s\\]+)")


def avatars_in(html: str) -> list[str]:
    """The SVG of every initials avatar on the page (in <img src> or in the sidebar's JSON)."""
    return [unquote(match) for match in DATA_URL_RE.findall(html)]


def assert_nothing_for_gravatar(html: str, user) -> None:
    lowered = html.lower()
    assert "gravatar.com" not in lowered
    for digest in (hashlib.md5, hashlib.sha256):  # Gravatar takes either
        assert digest(user.email.strip().lower().encode()).hexdigest() not in lowered


@pytest.fixture
def elise(org_a):
    return make_user(org_a, "editors", username="elise", first_name="Élise", last_name="Tremblay")


def test_the_dashboard_shows_initials_and_asks_gravatar_nothing(client, elise):
    client.force_login(elise)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert_nothing_for_gravatar(html, elise)
    svgs = avatars_in(html)
    assert svgs, "the account menu and summary show an avatar"
    assert all(">ÉT</text>" in svg for svg in svgs)


def test_a_page_history_lists_its_editors_with_initials(client, org_a, elise, editor_a):
    """The history of a page names who edited it, each with their own initials avatar."""
    page = make_person(org_a.people_index, "Marc Côté")
    page.save_revision(user=editor_a, log_action=True)
    page.save_revision(user=elise, log_action=True)
    client.force_login(elise)
    html = client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    assert_nothing_for_gravatar(html, elise)
    assert_nothing_for_gravatar(html, editor_a)
    svgs = avatars_in(html)
    assert any(">ÉT</text>" in svg for svg in svgs)
    # "editors-boreal.test" has no name: the first and last pieces of the user name.
    assert any(">ET</text>" in svg for svg in svgs)


def test_initials_are_escaped_and_fall_back_on_the_user_name(org_a):
    sneaky = make_user(username="x", first_name="<script>", last_name="&co")
    assert initials(sneaky) == "<&"
    svg = unquote(initials_avatar_url(sneaky))
    assert ">&lt;&amp;</text>" in svg and "<script" not in svg
    assert initials(make_user(username="jean_paul")) == "JP"
    assert initials(make_user(username="admin")) == "A"
    assert initials(make_user(username="___")) == "?"


def test_every_colour_keeps_white_initials_readable():
    """WCAG AA: white text on each user's colour has a contrast ratio of at least 4.5:1 —
    computed, for the first thousand ids; and neighbours get different colours."""
    assert round(contrast_ratio(WHITE, (0, 0, 0)), 2) == 21.0
    assert round(contrast_ratio(WHITE, (118, 118, 118)), 2) == 4.54  # WCAG's own example grey
    colours = [avatar_colour(user_id) for user_id in range(1000)]
    worst = min(contrast_ratio(WHITE, colour) for colour in colours)
    assert worst >= MIN_CONTRAST
    assert len(set(colours[:20])) == 20
