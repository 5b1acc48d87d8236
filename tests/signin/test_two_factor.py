"""Two-step sign-in: CRM staff and superusers cannot open the admin until they enrol an
authenticator app and type its code; editors may choose to; whoever has a device types a code
(or a recovery code, good once) before any admin page; public pages never ask."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}
REQUIRED = ["superusers", "crm_staff"]


@pytest.fixture
def required(settings):
    settings.SIGNIN_2FA_REQUIRED_ROLES = REQUIRED


def code_of(device: TOTPDevice) -> str:
    """The code the phone's app shows now, computed from the device's key."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def page_code(html: str) -> str:
    """The code the phone's app shows now, from the key the enrolment page prints."""
    secret = re.search(r"data-signin-secret>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def enrol(client, user) -> list[str]:
    """Sign in and enrol through the real pages; the recovery codes shown once."""
    client.force_login(user)
    page = client.get(reverse("signin_enrol"), **A)
    assert page.status_code == 200
    answer = client.post(
        reverse("signin_enrol"), {"code": page_code(page.content.decode()), "next": "/admin/"}, **A
    )
    assert answer.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", answer.content.decode())


def test_crm_staff_without_a_device_cannot_open_the_admin_nor_a_crm_listing(
    client, crm_a, required
):
    client.force_login(crm_a)
    for path in ("/admin/", reverse("crm_contact:index"), "/admin/pages/"):
        response = client.get(path, **A)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("signin_enrol") + "?next="), path


def test_enrolment_shows_a_qr_code_drawn_here_and_the_key_then_opens_the_admin(
    client, crm_a, required
):
    """The enrolment page carries the QR code as inline SVG (no image from elsewhere) and the
    key in text; a real code from the key confirms the app, shows ten recovery codes once, and
    the admin and the CRM listing open."""
    client.force_login(crm_a)
    page = client.get(reverse("signin_enrol") + "?next=/admin/", **A)
    html = page.content.decode()
    assert "<svg" in html and "<img" not in html.split('id="main"')[1]
    assert not TOTPDevice.objects.exists()  # nothing saved before a code checks out
    assert "no-store" in page["Cache-Control"]
    assert (
        client.get(reverse("signin_enrol"), **A)
        .content.decode()
        .count(re.search(r"data-signin-secret>([A-Z2-7 ]+)<", html).group(1))
        == 1
    ), "the same key however often the page is reloaded"

    wrong = "000000" if page_code(html) != "000000" else "111111"
    refused = client.post(reverse("signin_enrol"), {"code": wrong}, **A)
    assert "Ce code ne correspond pas" in refused.content.decode()
    assert client.get("/admin/", **A).status_code == 302
    assert not TOTPDevice.objects.exists()

    codes = enrol(client, crm_a)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=crm_a).count() == 10
    assert client.get("/admin/", **A).status_code == 200
    assert client.get(reverse("crm_contact:index"), **A).status_code == 200
    assert ModelLogEntry.objects.filter(action="signin.enrol", object_id=str(crm_a.pk)).exists()


def test_a_new_session_asks_for_a_code_and_a_recovery_code_works_once(client, crm_a, required):
    codes = enrol(client, crm_a)

    again = Client()
    again.force_login(crm_a)
    asked = again.get(reverse("crm_contact:index"), **A)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("signin_verify") + "?next=")
    used = again.post(
        reverse("signin_verify"),
        {"code": codes[0].upper(), "next": reverse("crm_contact:index")},
        **A,
    )
    assert used.status_code == 302 and used["Location"] == reverse("crm_contact:index")
    assert again.get(reverse("crm_contact:index"), **A).status_code == 200
    assert StaticToken.objects.filter(device__user=crm_a).count() == 9

    third = Client()
    third.force_login(crm_a)
    refused = third.post(reverse("signin_verify"), {"code": codes[0], "next": "/admin/"}, **A)
    assert refused.status_code == 200
    assert "Ce code ne fonctionne pas" in refused.content.decode()
    assert third.get("/admin/", **A).status_code == 302


def test_the_app_code_opens_the_admin_and_next_stays_on_this_site(client, crm_a, required):
    enrol(client, crm_a)
    device = TOTPDevice.objects.get(user=crm_a, confirmed=True)
    device.last_t = -1  # the enrolment's code was this period's: the next period's app code
    device.save()
    other = Client()
    other.force_login(crm_a)
    answer = other.post(
        reverse("signin_verify"),
        {"code": code_of(device), "next": "https://attaquant.example/"},
        **A,
    )
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert other.get("/admin/", **A).status_code == 200


def test_wrong_codes_are_throttled(client, crm_a, required, settings):
    """After a wrong code, the device refuses to check another one for a while (django-otp
    doubles the wait after each failure): guessing six digits is out of reach."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # a wait no slow machine outlasts (1 s by default)
    enrol(client, crm_a)
    other = Client()
    other.force_login(crm_a)
    device = TOTPDevice.objects.get(user=crm_a, confirmed=True)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    other.post(reverse("signin_verify"), {"code": wrong}, **A)
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    answer = other.post(reverse("signin_verify"), {"code": code_of(device)}, **A)
    assert answer.status_code == 200
    assert "Trop de codes erronés" in answer.content.decode()


def test_an_editor_is_not_forced_but_may_enrol_from_their_account(client, editor_a, required):
    client.force_login(editor_a)
    assert client.get("/admin/", **A).status_code == 200
    account = client.get(reverse("wagtailadmin_account"), **A).content.decode()
    assert reverse("signin_manage") in account
    assert "Connexion en deux étapes" in account
    assert client.get(reverse("signin_manage"), **A)["Location"].startswith(reverse("signin_enrol"))
    enrol(client, editor_a)
    assert "codes de secours" in client.get(reverse("signin_manage"), **A).content.decode()

    later = Client()
    later.force_login(editor_a)
    assert later.get("/admin/", **A)["Location"].startswith(reverse("signin_verify"))


def test_superusers_must_enrol_and_public_pages_never_ask(client, org_a, required):
    boss = make_user(username="direction", is_superuser=True, is_staff=True)
    client.force_login(boss)
    assert client.get("/admin/", **A)["Location"].startswith(reverse("signin_enrol"))
    assert client.get(org_a.root_page.url, **A).status_code == 200


def test_nothing_is_required_when_the_setting_is_empty(client, crm_a, settings):
    settings.SIGNIN_2FA_REQUIRED_ROLES = []
    client.force_login(crm_a)
    assert client.get("/admin/", **A).status_code == 200


def test_a_device_being_enrolled_cannot_skip_the_code_of_a_confirmed_one(client, crm_a, required):
    """Someone with the password but not the phone cannot enrol a second app instead of
    typing the first one's code."""
    enrol(client, crm_a)
    thief = Client()
    thief.force_login(crm_a)
    answer = thief.get(reverse("signin_enrol"), **A)
    assert answer.status_code == 302 and answer["Location"] == reverse("signin_verify")
    assert TOTPDevice.objects.filter(user=crm_a).count() == 1


def test_a_superuser_resets_a_colleagues_device_and_it_is_logged(client, crm_a, editor_a):
    enrol(client, crm_a)
    boss = make_user(username="direction", is_superuser=True, is_staff=True)
    admin = Client()
    admin.force_login(boss)
    listing = admin.get(reverse("wagtailusers_users:index"), **A).content.decode()
    assert reverse("signin_reset", args=[crm_a.pk]) in listing
    assert reverse("signin_reset", args=[editor_a.pk]) not in listing  # no device to reset
    assert admin.get(reverse("signin_reset", args=[crm_a.pk]), **A).status_code == 200
    done = admin.post(reverse("signin_reset", args=[crm_a.pk]), **A)
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=crm_a).exists()
    assert not StaticDevice.objects.filter(user=crm_a).exists()
    entry = ModelLogEntry.objects.get(action="signin.reset", object_id=str(crm_a.pk))
    assert entry.user_id == boss.pk


def test_staff_without_user_management_cannot_reset(client, crm_a, editor_a):
    """An editor cannot remove a colleague's second factor: Wagtail sends them back to the
    dashboard, and the device stays."""
    enrol(client, crm_a)
    client.force_login(editor_a)
    for answer in (
        client.get(reverse("signin_reset", args=[crm_a.pk]), **A),
        client.post(reverse("signin_reset", args=[crm_a.pk]), **A),
    ):
        assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=crm_a, confirmed=True).exists()
    assert not ModelLogEntry.objects.filter(action="signin.reset").exists()
