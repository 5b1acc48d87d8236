"""Access and erasure through the registry of personal data (``privacy.personal_data``).

A person of the organization is planted with a unique value in every place the CRM keeps about
them: their page (two revisions, a photo, links), its private twin, consents, timeline notes,
memberships, a role in an organization, a member-space login, an import whose file and report
quote them, log entries, a task result, a request they made. The copy they get holds those
values; after their erasure, a dump of every table of the database and every file of the media
folder holds none of them — but the membership whose fee is an accounting record, kept without
their identity — and the proof of the erasure remains.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult
from wagtail.log_actions import log
from wagtail.models import PageLogEntry

from crm_blocks.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ContactNote,
    MemberAccount,
    Membership,
    MembershipType,
)
from crm_blocks.models.records import PersonLink
from privacy.erasure import erase_subject, erasure_plan
from privacy.models import ErasureProof, PrivacyRequest
from privacy.models.requests import subject_reference
from privacy.personal_data import DataSubject
from privacy.portability import export_subject
from spreadsheets.models import ImportJob
from tests.factories import contact_of, make_image, make_organization_page, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

EMAIL = "zelphine.quorbax@canari.test"
#: Every value planted about the person; none may survive the erasure.
CANARIES = {
    "name": "Zelphine Quorbax",
    "given": "Zelphine",
    "family": "Quorbax",
    "email": EMAIL,
    "secondary": "zq.seconde@canari.test",
    "phone": "438-555-0143",
    "mobile": "438-555-0199",
    "street": "4321 rue Canari-Adresse",
    "external": "CANARI-EXT-77",
    "notes": "Canari-Éphémère-privée",
    "summary": "Canari-résumé-4412",
    "draft": "Canari-brouillon-9981",
    "link": "canari-lien-zq",
    "photo": "canari-photo-zq",
    "timeline": "Canari-chronologie-5510",
    "role": "Canari-rôle-directrice",
    "request": "Canari-demande-3307",
}


def plant_person(site, staff):
    person = make_person(site.people_index, CANARIES["name"], given_name="Zelphine")
    person.family_name = CANARIES["family"]
    person.summary = CANARIES["summary"]
    person.photo = make_image(CANARIES["photo"])
    person.links.add(PersonLink(url=f"https://{CANARIES['link']}.test/", label="Portfolio"))
    person.save_revision(user=staff).publish(user=staff)
    person.summary = CANARIES["draft"]
    person.save_revision(user=staff)  # a draft newer than the published version
    contact = contact_of(person)
    contact.email = EMAIL
    contact.secondary_email = CANARIES["secondary"]
    contact.phone = CANARIES["phone"]
    contact.mobile_phone = CANARIES["mobile"]
    contact.street_address = CANARIES["street"]
    contact.external_id = CANARIES["external"]
    contact.notes = CANARIES["notes"]
    contact.birth_date = datetime.date(1987, 3, 14)
    contact.save()
    log(instance=contact, action="wagtail.edit", user=staff)
    ConsentRecord.objects.create(
        contact=contact,
        given_on=datetime.date(2026, 1, 5),
        purpose="Infolettre",
        wording="J’accepte de recevoir l’infolettre.",
        source=ConsentRecord.Source.FORM,
    )
    ContactNote.objects.create(contact=contact, author=staff, body=CANARIES["timeline"])
    kind = MembershipType.objects.create(site=site, name="Membre actif")
    paid = Membership.objects.create(
        contact=contact,
        membership_type=kind,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        fee=Decimal("45.00"),
    )
    Membership.objects.create(
        contact=contact,
        membership_type=kind,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        fee=Decimal("0"),
    )
    studio = contact_of(make_organization_page(site.organizations_index, "Studio Témoin"))
    Affiliation.objects.create(person=contact, organization=studio, role=CANARIES["role"])
    user = make_user(username=EMAIL, first_name="Zelphine", last_name="Quorbax")
    MemberAccount.objects.create(user=user, contact=contact, site=site)
    ImportJob.objects.create(
        site=site,
        user=staff,
        kind="people",
        filename="membres-2026.csv",
        format="csv",
        data=(
            f"nom,courriel\n{CANARIES['name']},{EMAIL}\nTémoin Ordinaire,temoin@example.org\n"
        ).encode(),
        report={"rows": [{"row": 2, "title": CANARIES["name"]}, {"row": 3, "title": "Témoin"}]},
        status="done",
    )
    DBTaskResult.objects.create(
        task_path="spreadsheets.tasks.run_import",
        args_kwargs={"args": [], "kwargs": {"email": EMAIL}},
        queue_name="default",
        backend_name="default",
        priority=0,
        status="SUCCESSFUL",
        return_value={"summary": f"1 record updated: {CANARIES['name']}"},
    )
    PrivacyRequest.objects.create(
        site=site,
        kind=PrivacyRequest.Kind.ERASURE,
        email=EMAIL,
        name=CANARIES["name"],
        details=CANARIES["request"],
    )
    # Two failed sign-ins under her login, as django-axes keeps them.
    AccessAttempt.objects.create(
        username=EMAIL,
        ip_address="203.0.113.9",
        user_agent="Firefox",
        http_accept="text/html",
        path_info="/espace-membre/connexion/",
        get_data="",
        post_data=f"username={EMAIL}",
        failures_since_start=2,
    )
    return person, contact, paid


def database_dump() -> str:
    """Every row of every table, as text (binary columns decoded)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    parts.append(str(value))
    return "\n".join(parts)


def spellings(value: str) -> set[str]:
    """``value`` as stored text may spell it: as is, lower-cased, and JSON-escaped."""
    escaped = json.dumps(value)[1:-1]
    return {value, value.lower(), escaped, escaped.lower()}


def found_in(text: str) -> list[str]:
    lowered = text.lower()
    return sorted(
        name
        for name, value in CANARIES.items()
        if any(form.lower() in lowered for form in spellings(value))
    )


def media_files() -> list[Path]:
    return [path for path in Path(django_settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def media_dump() -> str:
    return "\n".join(
        f"{path}\n{path.read_bytes().decode('utf-8', 'replace')}" for path in media_files()
    )


def test_the_persons_copy_holds_every_registered_source(org_a, crm_a):
    """The person's copy (access and portability): a readable summary in their language, the
    data as JSON and CSV; every planted value is there, and nothing of another person."""
    plant_person(org_a, crm_a)
    make_person(org_a.people_index, "Témoin Ordinaire")

    archive = zipfile.ZipFile(io.BytesIO(export_subject(DataSubject(org_a, EMAIL), language="fr")))
    names = archive.namelist()
    assert {"summary.html", "data.json"} <= set(names)
    data = json.loads(archive.read("data.json"))
    assert {
        "crm_blocks.record",
        "crm_blocks.consents",
        "crm_blocks.notes",
        "crm_blocks.memberships",
        "crm_blocks.affiliations",
        "crm_blocks.member_account",
        "spreadsheets.import_reports",
        "privacy.requests",
    } <= set(data["sources"])
    everything = archive.read("data.json").decode() + archive.read("summary.html").decode()
    missing = set(CANARIES) - set(found_in(everything))
    assert not missing, missing
    summary = archive.read("summary.html").decode()
    assert '<html lang="fr">' in summary
    assert "Vos renseignements personnels détenus par Centre Images Boréales" in summary
    assert "Témoin Ordinaire" not in everything
    record_csv = archive.read("csv/crm_blocks-record.csv").decode("utf-8-sig")
    assert "courriel" in record_csv.splitlines()[0]
    assert EMAIL in record_csv


def test_erasure_leaves_no_planted_value_in_the_database_nor_the_media_folder(
    org_a, crm_a, client, django_capture_on_commit_callbacks, settings, tmp_path
):
    """After the erasure, a dump of every table and every media file holds none of the person's
    values; the paid membership stays (accounting), tied to an anonymized record; another person
    of the organization is untouched; the proof names no one but can be checked."""
    settings.MEDIA_ROOT = str(tmp_path / "media")  # this test's files only
    person, contact, paid = plant_person(org_a, crm_a)
    witness = make_person(org_a.people_index, "Témoin Ordinaire")
    # The public page is cached, as visitors would have seen it.
    assert client.get(person.url, HTTP_HOST=org_a.hostname).status_code == 200
    assert found_in(database_dump()), "the planting itself failed"
    assert found_in(media_dump()) == ["photo"]

    with django_capture_on_commit_callbacks(execute=True):
        proof = erase_subject(DataSubject(org_a, EMAIL), user=crm_a)

    assert found_in(database_dump()) == []
    assert found_in(media_dump()) == []
    for alias in settings.CACHES:
        assert found_in(str(getattr(caches[alias], "_cache", {}))) == []

    kept = Membership.objects.get(pk=paid.pk)
    assert kept.fee == Decimal("45.00")
    shell = Contact.objects.get(pk=kept.contact_id)
    assert shell.anonymized_at is not None
    assert str(shell) == "Personne anonymisée"
    assert Membership.objects.filter(contact=shell).count() == 1
    assert not PersonLink.objects.filter(page_id=person.pk).exists()
    assert PageLogEntry.objects.filter(page_id=witness.pk).exists()
    assert contact_of(witness).pk

    assert proof.reference == subject_reference(org_a.pk, EMAIL)
    assert proof.erased_by == crm_a
    summary = {line["source"]: line for line in proof.summary}
    assert summary["crm_blocks.memberships"]["anonymized"] == 1
    assert summary["crm_blocks.memberships"]["deleted"] == 1
    assert summary["crm_blocks.record"]["anonymized"] == 1
    assert "Loi sur l’administration fiscale" in summary["crm_blocks.record"]["reason"]
    assert ErasureProof.objects.filter(reference=subject_reference(org_a.pk, EMAIL)).exists()
    request = PrivacyRequest.objects.get(site=org_a)
    assert request.email == "" and request.subject_reference == proof.reference
    job = ImportJob.objects.get(site=org_a)
    assert bytes(job.data) == b"" and job.report["rows"][1]["title"] == "Témoin"


def test_a_person_without_accounting_records_is_deleted_outright(org_a, crm_a):
    """Nothing keeps a person who paid nothing: their record goes, not just its details."""
    person = make_person(org_a.people_index, "Ombeline Vasque")
    contact = contact_of(person)
    contact.email = "ombeline@canari.test"
    contact.save()
    plan = erasure_plan(DataSubject(org_a, "OMBELINE@canari.test "))
    # Her page was published with her consent to a public profile (``make_person``).
    assert [(line.source.key, line.deleted, line.anonymized) for line in plan] == [
        ("crm_blocks.consents", 1, 0),
        ("crm_blocks.record", 1, 0),
    ]
    erase_subject(DataSubject(org_a, "ombeline@canari.test"), user=crm_a)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not type(person).objects.filter(pk=person.pk).exists()


def test_the_same_address_in_another_organization_is_not_touched(org_a, org_b, crm_a):
    """An erasure asked of one organization erases nothing another organization holds under the
    same address, and the copy of one holds nothing of the other."""
    plant_person(org_a, crm_a)
    theirs = make_person(org_b.people_index, "Zelphine Quorbax de Paris")
    contact = contact_of(theirs)
    contact.email = EMAIL
    contact.notes = "Note du réseau"
    contact.save()

    copy = export_subject(DataSubject(org_a, EMAIL), language="fr")
    assert b"Note du r" not in zipfile.ZipFile(io.BytesIO(copy)).read("data.json")
    erase_subject(DataSubject(org_a, EMAIL), user=crm_a)
    contact.refresh_from_db()
    assert contact.email == EMAIL and contact.notes == "Note du réseau"
    assert type(theirs).objects.get(pk=theirs.pk).live


def test_an_erasure_that_fails_erases_nothing(org_a, crm_a, monkeypatch):
    """One transaction: if a source fails midway, every record is still there."""
    person, contact, _paid = plant_person(org_a, crm_a)
    import crm_blocks.personal_data as crm_data

    def broken(contact, context):
        raise RuntimeError("disk full")

    monkeypatch.setattr(crm_data, "_erase_record", broken)
    with pytest.raises(RuntimeError):
        erase_subject(DataSubject(org_a, EMAIL), user=crm_a)
    assert ContactNote.objects.filter(contact=contact).exists()
    assert MemberAccount.objects.filter(contact=contact).exists()
    assert not ErasureProof.objects.exists()


def test_the_commands_export_and_erase_with_a_dry_run_first(org_a, crm_a, tmp_path):
    """``privacy_export`` writes the copy; ``privacy_erase --dry-run`` lists what would be
    deleted, anonymized and kept, and why, erasing nothing; without it, the person is erased."""
    plant_person(org_a, crm_a)
    output = tmp_path / "copie.zip"
    call_command("privacy_export", organization=org_a.hostname, email=EMAIL, output=str(output))
    assert "data.json" in zipfile.ZipFile(output).namelist()

    out = io.StringIO()
    call_command(
        "privacy_erase", organization=org_a.hostname, email=EMAIL, dry_run=True, stdout=out
    )
    listing = out.getvalue()
    assert "Adhésions — supprimés\u00a0: 1; anonymisés\u00a0: 1; conservés\u00a0: 0" in listing
    assert "Tax Administration Act" in listing or "Loi sur l’administration fiscale" in listing
    assert "rien n’a été effacé" in listing
    assert Contact.objects.filter(email=EMAIL).exists()

    out = io.StringIO()
    call_command("privacy_erase", organization=org_a.hostname, email=EMAIL, stdout=out)
    assert subject_reference(org_a.pk, EMAIL) in out.getvalue()
    assert not Contact.objects.filter(email=EMAIL).exists()


def test_the_commands_refuse_bad_input_in_french(org_a, tmp_path):
    """An unknown organization, a malformed address, nobody under it, a missing folder: a clear
    message, and no file written."""
    with pytest.raises(CommandError, match="Aucune organisation n’a le nom d’hôte"):
        call_command("privacy_erase", organization="inconnu.test", email=EMAIL)
    with pytest.raises(CommandError, match="n’est pas une adresse courriel"):
        call_command("privacy_erase", organization=org_a.hostname, email="pas-une-adresse")
    with pytest.raises(CommandError, match="ne détient rien"):
        call_command("privacy_erase", organization=org_a.hostname, email="personne@canari.test")
    with pytest.raises(CommandError, match="n’existe pas"):
        call_command(
            "privacy_export",
            organization=org_a.hostname,
            email=EMAIL,
            output=str(tmp_path / "absent" / "copie.zip"),
        )
    assert list(tmp_path.iterdir()) == []
