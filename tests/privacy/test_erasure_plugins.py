"""Access and erasure of what the plugins hold about a person (events, rentals, films, opendata),
through the registry of personal data (``privacy.personal_data``).

A member of the organization is planted with a unique value in every place the plugins keep
about them: an event they proposed, an event and a film that credit their record, a booking they
borrowed (its title, notes, message, condition notes of the unit, a photo of its damage), a
training, a private calendar link, their listing as a distributor's contact, an API key, a
dataset that gives them as its contact point. Their copy holds each value under its source;
after their erasure, a dump of every table and of the media folder holds none of them, the
booking stays (accounting) with its dates and total, tied to the anonymized record, and another
organization's records under the same e-mail are untouched.
"""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.documents import get_document_model

from crm_blocks.models import Contact, PersonPage
from events.models import EventPage, EventPerformer, EventPrivate
from films.models import DistributorContact, FilmCredit, FilmPage
from opendata.models import ApiKey, DatasetPage
from privacy.erasure import erase_subject, erasure_plan
from privacy.personal_data import DataSubject
from privacy.portability import export_subject
from privacy.services import private_twin_for_page
from rentals.desk import store_photos
from rentals.feeds import calendar_link_create
from rentals.models import (
    Booking,
    BookingLine,
    BookingLinePhoto,
    BookingStatus,
    CalendarToken,
    CalendarTokenKind,
    PhotoMoment,
    Qualification,
    Training,
)
from rentals.services import change_status, request_booking
from tests.factories import (
    make_dataset,
    make_equipment,
    make_event,
    make_film,
    make_member,
    make_organization_page,
)
from tests.privacy.test_erasure import database_dump, media_dump, spellings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")
EMAIL = "zephyrin.calbacor@canari.test"
#: Every value planted about the person, by the source that covers it.
CANARIES = {
    "events.proposals": {
        "contributor": "Canari-Proposeur-Zéphyrin",
        "consent": "Canari-consentement-7781",
    },
    "events.performances": {"stage_role": "Canari-rôle-scène-4410"},
    "rentals.bookings": {
        "production": "Canari-production-5521",
        "notes": "Canari-notes-6632",
        "message": "Canari-message-7743",
        "departure": "Canari-départ-8854",
        "return": "Canari-retour-9965",
        "pending": "Canari-demande-en-attente-8080",
    },
    "rentals.photos": {"photo": "Canari-image-1357"},
    "rentals.qualifications": {"training_note": "Canari-formation-2468"},
    "rentals.calendar_links": {"calendar": "Canari-téléphone-3579"},
    "films.distributor_contacts": {
        "listed_name": "Canari-Distrib-Zéphyrin",
        "listed_role": "Canari-rôle-distrib-1122",
        "listed_phone": "514-555-0177",
        "listed_consent": "Canari-accord-2233",
    },
    "films.credits": {"character": "Canari-personnage-3344"},
    "opendata.api_keys": {"key_name": "Canari-clé-5566"},
    "opendata.contact_points": {"contact_point": "Canari-point-contact-6677"},
}
#: What the copy shows but the photo's value, which lives in the file (its comment).
IN_THE_COPY = {source: values for source, values in CANARIES.items() if source != "rentals.photos"}
ALL = {name: value for values in CANARIES.values() for name, value in values.items()}


def found_in(text: str) -> list[str]:
    lowered = text.lower()
    return sorted(
        name
        for name, value in ALL.items()
        if any(form.lower() in lowered for form in spellings(value))
    )


def damage_photo() -> SimpleUploadedFile:
    """A real JPEG whose comment carries the photo's canary, so that the file itself is hunted."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(
        buffer, format="JPEG", comment=CANARIES["rentals.photos"]["photo"].encode()
    )
    return SimpleUploadedFile("rayure.jpg", buffer.getvalue(), content_type="image/jpeg")


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=TORONTO)


def plant(site, staff):
    """The person (a member with a login) and everything the plugins keep about them."""
    user, contact = make_member(site, "Zéphyrin Calbacor", email=EMAIL)
    person = PersonPage.objects.get(translation_key=contact.translation_key)

    proposed = make_event(site.agenda, "Ciné-club du quartier", publish=False)
    twin = private_twin_for_page(proposed)
    twin.contributor_name = CANARIES["events.proposals"]["contributor"]
    twin.contributor_email = EMAIL.upper()
    twin.contributor_consent = CANARIES["events.proposals"]["consent"]
    twin.contributed_at = at("2026-11-02")
    twin.save()

    performed = make_event(site.agenda, "Soirée de courts métrages", publish=False)
    performed.performers = [
        EventPerformer(person=person, role=CANARIES["events.performances"]["stage_role"])
    ]
    performed.save_revision(user=staff).publish(user=staff)

    camera = make_equipment(site.catalogue, "Caméra Sony FX6", units=1)
    booking = request_booking(
        site,
        contact,
        [(camera, 1)],
        at("2027-04-02"),
        at("2027-04-05"),
        user=user,
        online=True,
        production_title=CANARIES["rentals.bookings"]["production"],
        notes=CANARIES["rentals.bookings"]["notes"],
    )
    change_status(
        booking, BookingStatus.CONFIRMED, user=staff, note=CANARIES["rentals.bookings"]["message"]
    )
    booking.refresh_from_db()
    line = booking.lines.get()
    line.condition_out_note = CANARIES["rentals.bookings"]["departure"]
    line.condition_in_note = CANARIES["rentals.bookings"]["return"]
    line.save()
    store_photos(line, [damage_photo()], PhotoMoment.RETURN, user=staff)
    # A request never confirmed: no invoice, nothing to keep.
    pending = request_booking(
        site,
        contact,
        [(camera, 1)],
        at("2027-06-02"),
        at("2027-06-04"),
        production_title=CANARIES["rentals.bookings"]["pending"],
    )

    training = Training.objects.create(site=site, name="Formation caméra cinéma")
    Qualification.objects.create(
        contact=contact,
        training=training,
        obtained_on=dt.date(2026, 5, 1),
        note=CANARIES["rentals.qualifications"]["training_note"],
    )
    calendar_link_create(
        site=site,
        kind=CalendarTokenKind.MEMBER,
        contact=contact,
        label=CANARIES["rentals.calendar_links"]["calendar"],
    )

    distributor = make_organization_page(site.organizations_index, "Films du Canal")
    listed = CANARIES["films.distributor_contacts"]
    DistributorContact.objects.create(
        site=site,
        distributor=distributor,
        name=listed["listed_name"],
        role=listed["listed_role"],
        email=EMAIL,
        phone=listed["listed_phone"],
        consent_at=at("2026-10-01"),
        consent_text=listed["listed_consent"],
    )
    film = make_film(site.films, "Les Rives du fleuve", publish=False)
    film.credits = [
        FilmCredit(
            role=FilmCredit.Role.ACTOR,
            person=person,
            character=CANARIES["films.credits"]["character"],
        )
    ]
    film.save_revision(user=staff).publish(user=staff)

    ApiKey.issue(user.member_account, CANARIES["opendata.api_keys"]["key_name"])
    make_dataset(
        site.data,
        "Salles partenaires",
        contact_name=CANARIES["opendata.contact_points"]["contact_point"],
        contact_email=EMAIL,
    )
    return contact, booking, pending, proposed, performed, film


def test_the_persons_copy_holds_what_each_plugin_keeps(org_a, crm_a):
    """The member's copy lists, under each plugin's source, the event they proposed, the events
    and films that credit them, their bookings (with equipment, amounts and notes), the photos
    of what they borrowed, their trainings, calendar links, distributor listing, API keys and the
    datasets that give them as contact point."""
    plant(org_a, crm_a)

    archive = zipfile.ZipFile(io.BytesIO(export_subject(DataSubject(org_a, EMAIL), language="fr")))
    data = json.loads(archive.read("data.json"))
    assert set(CANARIES) <= set(data["sources"])
    for source, values in IN_THE_COPY.items():
        text = json.dumps(data["sources"][source], ensure_ascii=False)
        for name, value in values.items():
            assert value in text, f"{name} missing from {source}"
    booking = data["sources"]["rentals.bookings"]["items"][0]
    assert booking["matériel"][0].startswith("Caméra Sony FX6 (")
    assert Decimal(booking["total"]) > 0
    photo = data["sources"]["rentals.photos"]["items"][0]
    assert photo["nom du fichier"].endswith(".jpg")
    assert data["sources"]["rentals.bookings"]["label"] == "Vos réservations de matériel"
    assert "csv/rentals-bookings.csv" in archive.namelist()


def test_erasure_leaves_none_of_the_plugins_values_and_keeps_the_booking(
    org_a, crm_a, django_capture_on_commit_callbacks, settings, tmp_path
):
    """After the erasure, no planted value is left in any table nor in the media folder (the
    photo's file is gone); the booking stays, same dates and total, borrowed by the anonymized
    record; the events, the film and the dataset stay, without the person."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    contact, booking, pending, proposed, performed, film = plant(org_a, crm_a)
    assert booking.requested_by is not None
    assert found_in(database_dump()) == sorted(set(ALL) - {"photo"})
    assert found_in(media_dump()) == ["photo"]
    plan = {line.source.key: line for line in erasure_plan(DataSubject(org_a, EMAIL))}
    assert (plan["rentals.bookings"].anonymized, plan["rentals.bookings"].deleted) == (1, 1)
    assert plan["rentals.photos"].deleted == 1
    assert plan["events.proposals"].anonymized == 1
    assert "six ans" in str(plan["rentals.bookings"].reason)

    with django_capture_on_commit_callbacks(execute=True):
        proof = erase_subject(DataSubject(org_a, EMAIL), user=crm_a)

    assert found_in(database_dump()) == []
    assert found_in(media_dump()) == []

    kept = Booking.objects.get(pk=booking.pk)
    assert (kept.pickup_at, kept.return_at, kept.total) == (
        booking.pickup_at,
        booking.return_at,
        booking.total,
    )
    assert kept.total > 0 and kept.status == BookingStatus.CONFIRMED
    assert kept.borrower_id == contact.pk
    assert Contact.objects.get(pk=contact.pk).anonymized_at is not None
    assert kept.requested_by is None, "the member's login went with their account"
    assert not Booking.objects.filter(pk=pending.pk).exists()
    assert BookingLine.objects.filter(booking=kept).count() == 1
    assert not BookingLinePhoto.objects.exists()
    assert not get_document_model().objects.filter(title__contains=kept.number).exists()
    assert not Qualification.objects.exists()
    assert not CalendarToken.objects.filter(kind=CalendarTokenKind.MEMBER).exists()
    assert not DistributorContact.objects.exists()
    assert not ApiKey.objects.exists()

    twin = EventPrivate.objects.get(translation_key=proposed.translation_key)
    assert (twin.contributor_name, twin.contributor_email) == ("", "")
    assert twin.contributed_at == at("2026-11-02"), "when it was proposed stays, naming no one"
    assert EventPage.objects.filter(pk=proposed.pk).exists()
    assert EventPage.objects.get(pk=performed.pk).live
    assert not EventPerformer.objects.filter(page_id=performed.pk).exists()
    assert performed.revisions.order_by("-pk").first().as_object().performers.count() == 0
    assert FilmPage.objects.get(pk=film.pk).live
    assert not FilmCredit.objects.filter(film_id=film.pk).exists()
    dataset = DatasetPage.objects.get(title="Salles partenaires")
    assert dataset.live and (dataset.contact_name, dataset.contact_email) == ("", "")

    summary = {line["source"]: line for line in proof.summary}
    assert (summary["rentals.bookings"]["anonymized"], summary["rentals.bookings"]["deleted"]) == (
        1,
        1,
    )
    assert summary["rentals.photos"]["deleted"] == 1
    assert summary["films.credits"]["deleted"] == 1
    assert summary["opendata.api_keys"]["deleted"] == 1


def test_another_organization_under_the_same_address_is_untouched(org_a, org_b, crm_a):
    """An erasure asked of one organization leaves what another holds under the same address (a
    member with a booking and an API key, a proposal, a distributor listing), and the copy of one
    shows nothing of the other."""
    plant(org_a, crm_a)
    user, parisian = make_member(org_b, "Zéphyrin Calbacor", email=EMAIL)
    paris_camera = make_equipment(org_b.catalogue, "Caméra Canon C70", units=1)
    paris_booking = request_booking(
        org_b,
        parisian,
        [(paris_camera, 1)],
        dt.datetime(2027, 4, 2, 10, tzinfo=ZoneInfo("Europe/Paris")),
        dt.datetime(2027, 4, 5, 10, tzinfo=ZoneInfo("Europe/Paris")),
        production_title="Tournage à Paris",
    )
    change_status(paris_booking, BookingStatus.CONFIRMED)
    paris_key, _secret = ApiKey.issue(user.member_accounts.get(site=org_b), "Clé de Paris")
    paris_event = make_event(org_b.agenda, "Rencontre à Paris", publish=False)
    twin = private_twin_for_page(paris_event)
    twin.contributor_name = "Proposeur de Paris"
    twin.contributor_email = EMAIL
    twin.save()
    paris_distributor = make_organization_page(org_b.organizations_index, "Films de la Seine")
    listing = DistributorContact.objects.create(
        site=org_b, distributor=paris_distributor, name="Contact de Paris", email=EMAIL
    )

    copy = zipfile.ZipFile(io.BytesIO(export_subject(DataSubject(org_a, EMAIL), language="fr")))
    text = copy.read("data.json").decode()
    for theirs in ("Proposeur de Paris", "Contact de Paris", "Tournage à Paris", "Clé de Paris"):
        assert theirs not in text

    erase_subject(DataSubject(org_a, EMAIL), user=crm_a)
    twin.refresh_from_db()
    assert (twin.contributor_name, twin.contributor_email) == ("Proposeur de Paris", EMAIL)
    listing.refresh_from_db()
    assert listing.email == EMAIL
    assert not DistributorContact.objects.filter(site=org_a).exists()
    paris_booking.refresh_from_db()
    assert paris_booking.production_title == "Tournage à Paris"
    assert Contact.objects.get(pk=parisian.pk).email == EMAIL
    assert ApiKey.objects.filter(pk=paris_key.pk).exists()
    assert user.member_accounts.filter(site=org_b).exists()
