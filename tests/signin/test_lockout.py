"""Failed logins (django-axes): after five wrong passwords for one login from one address, even
the right password is refused there for fifteen minutes, with a page in French (English by
language) saying when to try again; another login, or the same from another address, is not
affected; once the wait is over, the right password works."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}
PASSWORD = "motdepasse-test"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True


def admin_login(client, username, password, **extra):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password, "next": "/admin/"},
        **A,
        **extra,
    )


def fail(client, username, times=5, **extra):
    answers = [admin_login(client, username, "devine", **extra) for _ in range(times)]
    return answers[-1]


def test_five_wrong_passwords_lock_the_login_and_the_page_says_when_in_french(client, crm_a):
    for _attempt in range(4):
        assert admin_login(client, crm_a.username, "devine").status_code == 200
    fifth = admin_login(client, crm_a.username, "devine")
    assert fifth.status_code == 429
    refused = admin_login(client, crm_a.username, PASSWORD)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion manquées" in html
    assert "15\u00a0minutes" in html or "15 minutes" in html
    assert "Vous pourrez réessayer à partir de" in html
    assert refused["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_english_on_the_english_pages(client, org_a):
    """The page speaks the language of the login form it answers: the member space in
    English here."""
    make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    with translation.override("en"):
        url = reverse("member_login")
    assert url.startswith("/en/")
    for _attempt in range(5):
        client.post(url, {"username": "maude@exemple.org", "password": "devine"}, **A)
    refused = client.post(url, {"username": "maude@exemple.org", "password": PASSWORD}, **A)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.content.decode()


def test_another_login_or_another_address_is_not_affected(client, crm_a, editor_a):
    fail(client, crm_a.username)
    assert admin_login(Client(), editor_a.username, PASSWORD).status_code == 302
    elsewhere = admin_login(Client(), crm_a.username, PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 302


def test_after_the_wait_the_right_password_works(client, crm_a):
    fail(client, crm_a.username)
    assert admin_login(client, crm_a.username, PASSWORD).status_code == 429
    # Fifteen minutes and a second pass: the failures are that old.
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=15, seconds=1)
    )
    assert admin_login(client, crm_a.username, PASSWORD).status_code == 302


def test_the_member_space_login_is_locked_too(client, org_a):
    make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    url = reverse("member_login")
    for _attempt in range(5):
        client.post(url, {"username": "maude@exemple.org", "password": "devine"}, **A)
    refused = client.post(url, {"username": "maude@exemple.org", "password": PASSWORD}, **A)
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion manquées" in refused.content.decode()
    assert "_auth_user_id" not in client.session
