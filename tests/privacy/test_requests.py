"""Requests about personal information: recorded by staff or made from the member space, handled
step by step in the admin (identity, copy, erasure, cessation, answer), recalled before they are
late — within one organization only."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm_blocks.models import Contact
from privacy.models import ErasureProof, PrivacyRequest, PrivacyRequestEvent
from privacy.reminders import send_reminders
from tests.factories import contact_of, make_member, make_person
from tests.privacy.test_erasure import database_dump

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

Action = PrivacyRequestEvent.Action


def admin_url(name, request):
    return reverse(f"privacy_request:{name}", args=[request.pk])


def planted_person(site, name="Zelphine Quorbax", email="zelphine@canari.test"):
    page = make_person(site.people_index, name)
    contact = contact_of(page)
    contact.email = email
    contact.notes = "Canari-note-8812"
    contact.save()
    return page, contact


def test_staff_record_check_and_complete_an_erasure_with_its_proof(client, org_a, crm_a):
    """The person in charge records the request (due 30 days later), checks the identity,
    reviews what the erasure will delete, anonymize and keep (in French), erases; the record
    is gone, the request completed, its history full, and the proof shown without the name."""
    page, contact = planted_person(org_a)
    client.force_login(crm_a)
    response = client.post(
        reverse("privacy_request:add"),
        {
            "site": org_a.pk,
            "kind": "erasure",
            "email": "Zelphine@Canari.test",
            "name": "Zelphine Quorbax",
            "language": "fr",
            "channel": "email",
            "received_on": "2026-11-20",
            "details": "Effacez tout, merci.",
            "answer": "",
        },
        HTTP_HOST=org_a.hostname,
    )
    request = PrivacyRequest.objects.get(site=org_a)
    assert response.status_code == 302 and response["Location"] == admin_url("handle", request)
    assert request.due_on == datetime.date(2026, 12, 20)

    handle = client.get(admin_url("handle", request), HTTP_HOST=org_a.hostname).content.decode()
    assert "Vérifier l’identité de la personne" in handle
    assert admin_url("erase", request) not in handle  # not before the identity is checked
    client.post(admin_url("identity", request), {"how": "Pièce d’identité montrée à l’accueil"})
    review = client.get(admin_url("erase", request), HTTP_HOST=org_a.hostname).content.decode()
    assert "Votre fiche et votre profil public" in review
    assert "Effacer définitivement" in review

    response = client.post(admin_url("erase", request), HTTP_HOST=org_a.hostname)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    request.refresh_from_db()
    assert request.status == "completed" and request.email == ""
    proof = ErasureProof.objects.get(request=request)
    assert [event.action for event in request.events.all()] == [
        Action.RECORDED,
        Action.IDENTITY_CHECKED,
        Action.ERASED,
        Action.COMPLETED,
    ]
    handle = client.get(admin_url("handle", request), HTTP_HOST=org_a.hostname).content.decode()
    assert proof.reference in handle
    assert "Zelphine" not in handle
    # Nothing names her any more: not the access log of the screens just used, nor anything else.
    dump = database_dump().lower()
    assert "zelphine" not in dump and "canari-note-8812" not in dump


def test_an_access_request_gets_its_copy_and_the_history_says_so(client, org_a, crm_a):
    """A request of access: once the identity is checked, the copy is prepared by the worker and
    downloaded as a ZIP holding the person's data; each step is in the history."""
    _page, _contact = planted_person(org_a)
    client.force_login(crm_a)
    request = PrivacyRequest.objects.create(
        site=org_a,
        kind="access",
        email="zelphine@canari.test",
        identity_check="Courriel au dossier",
        identity_checked_at=timezone.now(),
    )
    client.post(admin_url("copy", request), HTTP_HOST=org_a.hostname)
    response = client.get(admin_url("download", request), HTTP_HOST=org_a.hostname)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "Canari-note-8812" in archive.read("data.json").decode()
    assert [event.action for event in request.events.all()] == [
        Action.EXPORT_BUILT,
        Action.EXPORT_DOWNLOADED,
    ]


def test_a_refusal_needs_its_reasons(client, org_a, crm_a):
    """Refusing without reasons is refused, in French; with them, the request is closed."""
    request = PrivacyRequest.objects.create(site=org_a, kind="rectification", email="a@canari.test")
    client.force_login(crm_a)
    response = client.post(
        admin_url("close", request),
        {"action": "refuse", "answer": ""},
        follow=True,
        HTTP_HOST=org_a.hostname,
    )
    assert "Donnez les motifs du refus" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "received"
    client.post(
        admin_url("close", request), {"action": "refuse", "answer": "Identité non établie."}
    )
    request.refresh_from_db()
    assert request.status == "refused" and request.completed_at is not None


def test_cessation_unpublishes_the_person_and_keeps_the_record(client, org_a, crm_a):
    """Cessation of dissemination: the person's page leaves the site (and its sitemap), their
    record and page stay in the CRM."""
    page, contact = planted_person(org_a)
    assert client.get(page.url, HTTP_HOST=org_a.hostname).status_code == 200
    request = PrivacyRequest.objects.create(
        site=org_a,
        kind="cessation",
        email="zelphine@canari.test",
        identity_check="Appel au numéro du dossier",
        identity_checked_at=timezone.now(),
    )
    client.force_login(crm_a)
    client.post(admin_url("stop", request), HTTP_HOST=org_a.hostname)
    client.logout()
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url or page.url_path, HTTP_HOST=org_a.hostname).status_code == 404
    assert "zelphine" not in client.get("/sitemap.xml", HTTP_HOST=org_a.hostname).content.decode()
    assert Contact.objects.get(pk=contact.pk).notes == "Canari-note-8812"


def test_another_organizations_staff_cannot_reach_a_request(client, org_a, crm_b):
    """org_b's person in charge gets "not found" on every screen of org_a's request, and erases
    nothing."""
    _page, contact = planted_person(org_a)
    request = PrivacyRequest.objects.create(
        site=org_a,
        kind="erasure",
        email="zelphine@canari.test",
        identity_check="x",
        identity_checked_at=timezone.now(),
    )
    client.force_login(crm_b)
    for name in ("handle", "erase", "download"):
        assert client.get(admin_url(name, request), HTTP_HOST=org_a.hostname).status_code == 404
    assert client.post(admin_url("erase", request), HTTP_HOST=org_a.hostname).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()
    listing = client.get(reverse("privacy_request:index"), HTTP_HOST=org_a.hostname)
    assert admin_url("handle", request) not in listing.content.decode()


def test_a_member_gets_their_copy_and_asks_for_erasure_from_the_member_space(client, org_a):
    """From the member space: the copy is prepared and downloaded (their data only); another
    member cannot download it; an erasure request needs the box ticked, then waits for the
    person in charge, the identity checked by the login."""
    user, contact = make_member(org_a, "Maude Gagnon")
    other, _other_contact = make_member(org_a, "Paul Roy")
    client.force_login(user)
    client.post("/espace-membre/mes-renseignements/copie/", HTTP_HOST=org_a.hostname)
    request = PrivacyRequest.objects.get(site=org_a, kind="access")
    assert request.identity_checked and request.channel == "member_space"
    home = client.get("/espace-membre/", HTTP_HOST=org_a.hostname).content.decode()
    assert "Télécharger ma copie (ZIP)" in home
    download = f"/espace-membre/mes-renseignements/copie/{request.pk}/"
    response = client.get(download, HTTP_HOST=org_a.hostname)
    data = zipfile.ZipFile(io.BytesIO(response.content)).read("data.json").decode()
    assert contact.email in data and "Paul Roy" not in data

    response = client.post(
        "/espace-membre/mes-renseignements/effacement/", {}, follow=True, HTTP_HOST=org_a.hostname
    )
    assert "Cochez la case pour confirmer votre demande." in response.content.decode()
    assert not PrivacyRequest.objects.filter(kind="erasure").exists()
    client.post(
        "/espace-membre/mes-renseignements/effacement/", {"confirm": "on"}, HTTP_HOST=org_a.hostname
    )
    erasure = PrivacyRequest.objects.get(kind="erasure")
    assert erasure.is_open and erasure.identity_checked
    assert Contact.objects.filter(pk=contact.pk).exists()  # the person in charge erases

    client.force_login(other)
    assert client.get(download, HTTP_HOST=org_a.hostname).status_code == 404


def test_the_people_in_charge_are_reminded_once_a_day_before_the_deadline(
    org_a, org_b, crm_a, crm_b
):
    """A request due within a week (or late) is recalled to the organization's people in charge,
    in French, once a day; a request due later, or closed, is not; org_b's staff hear nothing of
    org_a's requests."""
    now = timezone.make_aware(datetime.datetime(2026, 12, 4, 9, 0))
    today = now.date()
    due_soon = PrivacyRequest.objects.create(
        site=org_a,
        kind="access",
        email="a@canari.test",
        received_on=today - datetime.timedelta(days=27),
    )
    PrivacyRequest.objects.create(
        site=org_a, kind="access", email="b@canari.test", received_on=today
    )
    PrivacyRequest.objects.create(
        site=org_a,
        kind="access",
        email="c@canari.test",
        received_on=today - datetime.timedelta(days=40),
        status="completed",
    )
    assert send_reminders(now=now) == 1
    (message,) = mail.outbox
    assert message.to == [crm_a.email]
    assert "Centre Images Boréales" in message.subject
    assert "Accès aux renseignements personnels" in message.body
    assert admin_url("handle", due_soon) in message.body
    assert send_reminders(now=now) == 0
    assert due_soon.events.filter(action=Action.REMINDED).count() == 1
