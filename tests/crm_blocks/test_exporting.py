"""Staff export their records to CSV, XLSX or ODS and import the file back unchanged.

What a user would see or lose: headers in their language; accents intact in Excel (BOM);
nothing a spreadsheet would run as a formula, yet phone numbers as typed; what they last saved
(drafts included); only the rows of the listing they filtered, never another organization's;
typed dates and amounts; a blank template to fill in; a command that never leaves a
half-written file. Exports read the database a chunk at a time: the number of queries does not
grow with the number of records. (A little over 600 lines: one module per output keeps each
round trip next to its export.)
"""

import datetime as dt
import io
import json
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from crm_blocks.models import (
    Affiliation,
    Contact,
    Membership,
    MembershipStatus,
    MembershipType,
    PersonPage,
)
from organizations.models import OrganizationKind
from spreadsheets.exports import export_bytes as records_export
from spreadsheets.exports import (
    export_file,
    export_filename,
    export_response,
    template_filename,
    template_response,
)
from spreadsheets.files import SpreadsheetError, match_headers, read_table, restore
from spreadsheets.pipeline import resource_class_for, spreadsheet_import
from spreadsheets.resources import paragraphs_to_stream
from tests.factories import contact_of, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FORMATS = ["csv", "xlsx", "ods"]
KINDS = ["people", "organizations", "memberships"]
BIO = "Monteuse et réalisatrice à Rouyn-Noranda.\n\nAteliers « cinéma direct »\net projections."


# --- Data ----------------------------------------------------------------------------------------


def person(site, title, *, email="", phone="", notes="", external_id="", publish=True, **fields):
    page = make_person(site.people_index, title, publish=publish, **fields)
    contact = contact_of(page)
    Contact.objects.filter(pk=contact.pk).update(
        email=email, phone=phone, notes=notes, external_id=external_id
    )
    contact.refresh_from_db()
    return page, contact


def organization(site, title, **private):
    page = make_organization_page(
        site.organizations_index,
        title,
        kind=OrganizationKind.CINEMA,
        website="https://cinema.example.org/",
        street_address="12, rue Principale",
        postal_code="J9X 1A1",
        locality="Rouyn-Noranda",
    )
    contact = contact_of(page)
    Contact.objects.filter(pk=contact.pk).update(**private)
    return page, contact


@pytest.fixture
def records(org_a):
    """People with accents, a biography, affiliations, a draft and a formula-like note (with a
    formula after a ";" too); organizations; memberships."""
    cinema, cinema_contact = organization(
        org_a, "Cinéma Paramount", email="info@paramount.example.org", phone="819 555-0199"
    )
    _centre, centre_contact = organization(org_a, "Centre Images Boréales")
    elise, elise_contact = person(
        org_a,
        "Élise Tremblay",
        given_name="Élise",
        family_name="Tremblay",
        bio=paragraphs_to_stream(BIO),
        email="elise@example.org",
        phone="+1 514 555 0100",
        notes='=HYPERLINK("http://evil.example")\nBénévole; projection du 12 mai;=1+2',
        external_id="M-001",
    )
    _francois, francois_contact = person(
        org_a,
        "Jean-François Côté",
        given_name="Jean-François",
        family_name="Côté",
        email="jf.cote@example.org",
        phone="-12",
        notes="@liensmutuels",
    )
    Affiliation.objects.create(person=elise_contact, organization=cinema_contact, role="monteuse")
    Affiliation.objects.create(person=elise_contact, organization=centre_contact, role="")
    individual = MembershipType.objects.create(site=org_a, name="Individuelle", default_fee=25)
    Membership.objects.create(
        contact=elise_contact,
        membership_type=individual,
        start_date=dt.date(2026, 1, 15),
        end_date=dt.date(2026, 12, 31),
        fee=Decimal("25.50"),
        status=MembershipStatus.ACTIVE,
    )
    Membership.objects.create(
        contact=francois_contact,
        membership_type=individual,
        start_date=dt.date(2025, 9, 1),
        end_date=None,
        fee=Decimal("0"),
        status=MembershipStatus.PENDING,
    )
    return {"elise": elise, "elise_contact": elise_contact, "cinema": cinema}


def export(site=None, kind="people", fmt="csv", **options) -> bytes:
    return records_export(site=site, kind=kind, fmt=fmt, **options)


def table(data: bytes, fmt: str):
    return read_table(data, f"export.{fmt}")


def restored_rows(data: bytes, fmt: str) -> list[tuple]:
    """What an import sees: cells read back, our anti-formula prefix removed."""
    return [tuple(restore(value) for value in row) for row in table(data, fmt).dataset]


# --- Headers, BOM, formulas ----------------------------------------------------------------------


def test_headers_are_canonical_names_by_default_and_labels_in_the_language_asked(records, org_a):
    canonical = table(export(org_a), "csv").headers
    french = table(export(org_a, language="fr"), "csv").headers
    english = table(export(org_a, language="en", fmt="xlsx"), "xlsx").headers

    assert canonical == [
        "email",
        "first_name",
        "last_name",
        "phone",
        "notes",
        "bio",
        "external_id",
        "affiliations",
    ]
    assert english == [
        "email",
        "first name",
        "last name",
        "phone",
        "notes",
        "biography",
        "external id",
        "affiliations",
    ]
    assert french[:2] == ["courriel", "prénom"] and french[5] == "biographie"
    spellings = resource_class_for("people").header_spellings()
    assert match_headers(french, spellings).mapping == dict(zip(french, canonical, strict=True))


def test_values_follow_the_language_asked_too(records, org_a):
    french = restored_rows(export(org_a, kind="memberships", language="fr"), "csv")
    english = restored_rows(export(org_a, kind="memberships", language="en"), "csv")

    assert [row[-1] for row in english] == ["Active", "Pending"]
    assert [row[-1] for row in french] != [row[-1] for row in english]


def test_csv_starts_with_a_bom_so_that_excel_shows_accents(records, org_a):
    data = export(org_a)

    assert data.startswith(b"\xef\xbb\xbf")
    assert '"Jean-François","Côté"'.encode() in data


@pytest.mark.parametrize("fmt", FORMATS)
def test_formulas_are_neutralised_and_phone_numbers_survive_the_round_trip(records, org_a, fmt):
    data = export(org_a, fmt=fmt)

    elise, francois = table(data, fmt).dataset
    assert elise[4].startswith("'=HYPERLINK(")
    # In CSV, so is each piece another separator could make a cell of.
    assert elise[4].endswith(";'=1+2" if fmt == "csv" else ";=1+2")
    assert (francois[3], francois[4]) == ("-12", "'@liensmutuels")
    assert elise[3] == "+1 514 555 0100"
    report = spreadsheet_import(site=org_a, kind="people", data=data, filename=f"x.{fmt}")
    assert report.ok, report.errors
    assert (report.new, report.updated) == (0, 0)
    elise_contact = Contact.objects.get(email="elise@example.org")
    assert elise_contact.notes.startswith('=HYPERLINK("http://evil.example")\n')
    assert elise_contact.notes.endswith("projection du 12 mai;=1+2")
    assert elise_contact.phone == "+1 514 555 0100"


# --- Export → import → export --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_export_import_export_is_identical(records, org_a, kind, fmt):
    first = export(org_a, kind=kind, fmt=fmt, language="fr")

    report = spreadsheet_import(site=org_a, kind=kind, data=first, filename=f"export.{fmt}")

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    second = export(org_a, kind=kind, fmt=fmt, language="fr")
    if fmt == "xlsx":  # the workbook's properties carry the time it was written
        assert restored_rows(second, fmt) == restored_rows(first, fmt)
    else:
        assert second == first


@pytest.mark.parametrize("fmt", FORMATS)
def test_people_exported_with_biography_and_affiliations_recreate_them_elsewhere(
    records, org_a, org_b, fmt
):
    organizations = export(org_a, kind="organizations", fmt=fmt)
    people = export(org_a, kind="people", fmt=fmt)

    for kind, data in (("organizations", organizations), ("people", people)):
        report = spreadsheet_import(site=org_b, kind=kind, data=data, filename=f"x.{fmt}")
        assert report.ok, report.errors
        assert report.new == 2

    assert restored_rows(export(org_b, kind="people", fmt=fmt), fmt) == restored_rows(people, fmt)
    elise = next(row for row in restored_rows(people, fmt) if row[0] == "elise@example.org")
    assert elise[5] == BIO
    assert elise[7] == "Cinéma Paramount (monteuse); Centre Images Boréales"
    copy = PersonPage.objects.get(
        translation_key=Contact.objects.get(site=org_b, email="elise@example.org").translation_key
    )
    assert [block.block_type for block in copy.bio] == ["text"]


# --- What is exported ----------------------------------------------------------------------------


def test_a_record_with_unpublished_changes_is_exported_as_last_saved(records, org_a):
    page = PersonPage.objects.get(pk=records["elise"].pk)
    page.family_name = "Tremblay-Gagnon"
    page.title = "Élise Tremblay-Gagnon"
    page.bio = paragraphs_to_stream("Nouvelle biographie.")
    page.save_revision()  # a draft: the live page still says Tremblay

    elise = restored_rows(export(org_a), "csv")[0]

    assert PersonPage.objects.get(pk=page.pk).family_name == "Tremblay"
    assert (elise[1], elise[2], elise[5]) == ("Élise", "Tremblay-Gagnon", "Nouvelle biographie.")


def test_a_biography_written_in_the_editor_is_exported_as_plain_paragraphs(org_a):
    html = (
        '<p data-block-key="k1">Monteuse &amp; <b>réalisatrice</b> d&#x27;ici, '
        '<a href="https://example.org">voir le site</a></p>'
        '<p data-block-key="k2">Première ligne<br/>deuxième  ligne &lt;3</p>'
    )
    bio = [{"type": "text", "value": {"text": html}}, {"type": "video", "value": {}}]
    person(org_a, "Élise Tremblay", bio=json.dumps(bio), email="elise@example.org")

    elise = restored_rows(export(org_a), "csv")[0]

    assert elise[5] == (
        "Monteuse & réalisatrice d'ici, voir le site\n\nPremière ligne\ndeuxième  ligne <3"
    )


def test_rows_are_what_an_import_compares_against(records, org_a):
    """The export's fast path gives, column for column, the values the importer reads from the
    same records (``current_values``), drafts and translations included."""
    page = PersonPage.objects.get(pk=records["elise"].pk)
    page.given_name = "Élisabeth"
    page.save_revision()
    page.copy_for_translation(_english_locale(), copy_parents=True).save_revision()
    person(org_a, "Prénom Seulement Nom", email="nom@example.org")  # a full name only
    resource = resource_class_for("people")(site=org_a)
    contacts = list(resource.export_queryset())
    pages = resource.load_pages({c.translation_key for c in contacts})
    resource.prepare_records(contacts)
    expected = []
    for contact in contacts:
        contact._record_page = pages.get(contact.translation_key)
        resource.after_init_instance(contact, False, None)
        expected.append([contact._before[c.name] for c in resource.sheet_columns])

    rows = list(resource.iter_export_rows())

    assert rows == expected
    assert rows[0][1] == "Élisabeth"
    assert rows[-1][1:3] == ["Prénom Seulement", "Nom"]


def _english_locale():
    from wagtail.models import Locale

    return Locale.objects.get_or_create(language_code="en")[0]


def test_a_filtered_listing_exports_only_its_rows(records, org_a):
    listing = Contact.objects.filter(site=org_a, email__startswith="elise")

    rows = restored_rows(export(queryset=listing), "csv")

    assert [row[0] for row in rows] == ["elise@example.org"]


def test_a_listing_of_organizations_exports_no_people_and_the_reverse(records, org_a):
    everyone = Contact.objects.filter(site=org_a)

    people = restored_rows(export(queryset=everyone, kind="people"), "csv")
    organizations = restored_rows(export(queryset=everyone, kind="organizations"), "csv")

    assert {row[0] for row in people} == {"elise@example.org", "jf.cote@example.org"}
    assert {row[1] for row in organizations} == {"Cinéma Paramount", "Centre Images Boréales"}


def test_another_organizations_records_never_leak(records, org_a, org_b, crm_a):
    person(org_b, "Autre Personne", email="autre@reseau.example.org")
    member_b = contact_of(make_person(org_b.people_index, "Membre Réseau"))
    Membership.objects.create(
        contact=member_b,
        membership_type=MembershipType.objects.create(site=org_b, name="Réseau"),
        start_date=dt.date(2026, 1, 1),
    )

    for_staff = Contact.objects.for_user(crm_a)
    whole_table = Contact.objects.all()
    all_memberships = Membership.objects.all()

    assert "autre@" not in export(queryset=for_staff).decode("utf-8-sig")
    assert "autre@" not in export(org_a, queryset=whole_table).decode("utf-8-sig")
    memberships = export(org_a, kind="memberships", queryset=all_memberships)
    assert "Réseau" not in memberships.decode("utf-8-sig")
    assert "autre@" in export(org_b).decode("utf-8-sig")  # the check above can fail


def test_a_queryset_of_the_wrong_model_or_no_scope_is_refused(org_a):
    with pytest.raises(ValueError, match="Membership"):
        export(kind="memberships", queryset=Contact.objects.filter(site=org_a))
    with pytest.raises(ValueError, match="site or a queryset"):
        export()
    with pytest.raises(ValueError, match="pdf"):
        export(org_a, fmt="pdf")


def test_ods_reads_back_with_typed_dates_and_amounts(records, org_a):
    data = export(org_a, kind="memberships", fmt="ods", language="en")

    rows = restored_rows(data, "ods")

    assert rows[0][3:6] == (dt.date(2026, 1, 15), dt.date(2026, 12, 31), Decimal("25.50"))
    assert rows[1][3:6] == (dt.date(2025, 9, 1), "", 0)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert b'office:date-value="2026-01-15"' in archive.read("content.xml")


def test_xlsx_keeps_dates_and_amounts_typed_and_the_header_frozen(records, org_a):
    data = export(org_a, kind="memberships", fmt="xlsx")

    sheet = load_workbook(io.BytesIO(data)).active

    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet["D2"].is_date and sheet["F2"].value == Decimal("25.5")


# --- Queries -------------------------------------------------------------------------------------


def _people(site, numbers: range, organization_contact) -> None:
    for n in numbers:
        page, contact = person(
            site,
            f"Personne {n}",
            given_name="Personne",
            family_name=str(n),
            email=f"p{n}@example.org",
            bio=paragraphs_to_stream(f"Biographie {n}."),
        )
        Affiliation.objects.create(person=contact, organization=organization_contact, role="x")
        if n % 3 == 0:
            page.family_name = f"{n} (brouillon)"
            page.save_revision()
        Membership.objects.create(
            contact=contact,
            membership_type=MembershipType.objects.get_or_create(site=site, name="Type")[0],
            start_date=dt.date(2026, 1, 1),
        )


def queries_to_export(site, kind: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        export_file(kind=kind, fmt="csv", site=site, output=io.BytesIO())
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_records(org_a):
    """Every kind, on the same records: building a hundred people is most of the test's time."""
    _cinema, cinema_contact = organization(org_a, "Cinéma")
    _people(org_a, range(10), cinema_contact)
    with_10 = {kind: queries_to_export(org_a, kind) for kind in KINDS}

    _people(org_a, range(10, 100), cinema_contact)
    for n in range(9):
        organization(org_a, f"Organisme {n}")

    assert {kind: queries_to_export(org_a, kind) for kind in KINDS} == with_10
    assert max(with_10.values()) <= 6, with_10


# --- Downloads and templates ---------------------------------------------------------------------


def downloaded(response) -> bytes:
    """The body of a streamed response, then closed (which deletes a temporary file), as the
    server would; without Django closing the test's database connection at "request end"."""
    request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(response.streaming_content)
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return content


def test_csv_download_is_streamed_with_a_dated_filename(records, org_a):
    response = export_response(kind="people", fmt="csv", site=org_a, language="fr")

    assert isinstance(response, StreamingHttpResponse)
    content = downloaded(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{export_filename("people", "csv")}"'
    )
    assert export_filename("people", "csv").startswith("people-20")
    assert content == export(org_a, language="fr")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_xlsx_and_ods_downloads_are_files_sent_from_a_temporary_file(
    records, org_a, fmt, content_type
):
    listing = Contact.objects.filter(site=org_a)

    response = export_response(
        kind="organizations", fmt=fmt, queryset=listing, filename=f"organismes.{fmt}"
    )

    assert isinstance(response, FileResponse)
    content = downloaded(response)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="organismes.{fmt}"'
    assert int(response["Content-Length"]) == len(content)
    assert {row[1] for row in restored_rows(content, fmt)} == {
        "Cinéma Paramount",
        "Centre Images Boréales",
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_template_holds_only_the_headers_in_the_users_language(kind, fmt):
    response = template_response(kind=kind, fmt=fmt, language="fr")

    data = response.content
    assert response["Content-Type"].split(";")[0] in {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
    assert template_filename(kind, fmt) in response["Content-Disposition"]
    with pytest.raises(SpreadsheetError) as error:
        read_table(data, f"modele.{fmt}")
    assert error.value.code == "no_rows"  # "has column headings but no rows"
    resource = resource_class_for(kind)(site=None)
    assert _only_rows(data, fmt) == [resource.export_headers("fr")]


def _only_rows(data: bytes, fmt: str) -> list[list]:
    """Every row of the file, read without our reader (which refuses a file without rows)."""
    if fmt == "csv":
        import csv

        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    from odf import opendocument, table, teletype

    sheet = opendocument.load(io.BytesIO(data)).spreadsheet.getElementsByType(table.Table)[0]
    return [
        [teletype.extractText(cell) for cell in row.getElementsByType(table.TableCell)]
        for row in sheet.getElementsByType(table.TableRow)
    ]


# --- The command ---------------------------------------------------------------------------------


def test_command_writes_the_file_with_canonical_or_translated_headers(records, org_a, tmp_path):
    output = tmp_path / "membres.ods"
    out = io.StringIO()

    with translation.override("en"):
        call_command(
            "export_records",
            "people",
            "--organization",
            org_a.hostname,
            "--output",
            output,
            stdout=out,
        )
        call_command(
            "export_records",
            "memberships",
            "--organization",
            org_a.hostname,
            "--output",
            tmp_path / "adhesions.csv",
            "--language",
            "fr",
            "--format",
            "csv",
            stdout=out,
        )

    assert table(output.read_bytes(), "ods").headers[:3] == ["email", "first_name", "last_name"]
    assert table(output.read_bytes(), "ods").format == "ods"  # from the file's extension
    assert table((tmp_path / "adhesions.csv").read_bytes(), "csv").headers == resource_class_for(
        "memberships"
    )(site=None).export_headers("fr")
    assert "2 rows written" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adhesions.csv", "membres.ods"]
    assert os.stat(output).st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_command_refuses_an_unknown_organization(org_a, tmp_path):
    with pytest.raises(CommandError, match="inconnue.test"):
        call_command(
            "export_records",
            "people",
            "--organization",
            "inconnue.test",
            "--output",
            tmp_path / "x.csv",
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing/x.csv", "."])
def test_command_refuses_a_path_it_cannot_write(org_a, tmp_path, where):
    with translation.override("en"), pytest.raises(CommandError, match="Cannot write|folder"):
        call_command(
            "export_records",
            "people",
            "--organization",
            org_a.hostname,
            "--output",
            tmp_path / where,
        )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_no_partial_file_and_keeps_the_old_one(
    records, org_a, tmp_path, monkeypatch
):
    output = tmp_path / "membres.csv"
    output.write_bytes(b"previous export")

    def broken(self, queryset=None, chunk_size=2000):
        yield ["a@example.org"] + [""] * 7
        raise RuntimeError("database went away")

    monkeypatch.setattr(resource_class_for("people"), "iter_export_rows", broken)
    with pytest.raises(RuntimeError):
        call_command(
            "export_records", "people", "--organization", org_a.hostname, "--output", output
        )

    assert [p.name for p in tmp_path.iterdir()] == ["membres.csv"]
    assert output.read_bytes() == b"previous export"
