"""Admin sessions end: after SIGNIN_ADMIN_IDLE_SECONDS without a request, and
SIGNIN_ADMIN_SESSION_SECONDS after they began; the user signs in again, told why. Public pages
do not end anyone's session."""

import time

import pytest
from django.urls import reverse

from signin.middleware import SEEN_KEY, STARTED_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}


@pytest.fixture
def limits(settings):
    settings.SIGNIN_ADMIN_IDLE_SECONDS = 30 * 60
    settings.SIGNIN_ADMIN_SESSION_SECONDS = 8 * 60 * 60


def age(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_an_idle_admin_session_ends_with_a_message(client, editor_a, limits):
    client.force_login(editor_a)
    assert client.get("/admin/", **A).status_code == 200
    age(client, **{SEEN_KEY: 29 * 60})
    assert client.get("/admin/", **A).status_code == 200  # still within the idle time
    age(client, **{SEEN_KEY: 30 * 60 + 1})
    ended = client.get("/admin/pages/", **A)
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("wagtailadmin_login") + "?next=")
    assert "_auth_user_id" not in client.session
    login = client.get(ended["Location"], **A).content.decode()
    assert "30\u00a0minutes sans activité" in login or "30 minutes sans activité" in login


def test_an_admin_session_ends_after_eight_hours_even_when_busy(client, editor_a, limits):
    client.force_login(editor_a)
    assert client.get("/admin/", **A).status_code == 200
    age(client, **{STARTED_KEY: 8 * 60 * 60, SEEN_KEY: 10})
    assert client.get("/admin/", **A).status_code == 302
    assert "_auth_user_id" not in client.session


def test_public_pages_do_not_end_a_session(client, editor_a, org_a, limits):
    client.force_login(editor_a)
    client.get("/admin/", **A)
    age(client, **{SEEN_KEY: 31 * 60})
    assert client.get(org_a.root_page.url, **A).status_code == 200
    assert "_auth_user_id" in client.session
