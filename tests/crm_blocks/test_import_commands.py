"""Operators import and export records from the command line, through the same code path as the
admin: real awkward files, French headers, all-or-nothing, clear messages."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from crm_blocks.models import Contact, PersonPage
from spreadsheets.exports import export_bytes as records_export
from spreadsheets.files import read_table
from spreadsheets.pipeline import spreadsheet_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def import_file(site, name, **options):
    return spreadsheet_import(
        site=site, kind="people", data=(SAMPLES / name).read_bytes(), filename=name, **options
    )


@pytest.mark.parametrize(
    "name",
    ["people_cp1252_semicolon.csv", "people_utf8_bom.csv", "people.xlsx", "people.ods"],
)
def test_awkward_real_files_import_with_their_accents(org_a, name):
    report = import_file(org_a, name)
    assert report.ok, report.errors
    assert report.new >= 3
    assert Contact.objects.filter(site=org_a).count() == report.new
    names = set(PersonPage.objects.values_list("title", flat=True))
    assert any("é" in title or "ç" in title or "É" in title for title in names), names


def test_french_cp1252_file_keeps_quebec_and_semicolons_inside_cells(org_a):
    import_file(org_a, "people_cp1252_semicolon.csv")
    contact = Contact.objects.get(email="jean-francois.cote@example.org")
    assert contact.notes == "Bénévole; projection du 12 mai"
    assert contact.phone == "+1 514 555 0100"
    assert PersonPage.objects.filter(title="Jean-François Côté").exists()


def test_one_bad_row_in_the_middle_writes_nothing_and_names_row_and_field(org_a):
    report = import_file(org_a, "people_bad_row.csv")
    assert not report.ok
    assert [(error.row, error.field) for error in report.errors] == [(4, "email")]
    assert Contact.objects.count() == 0 and PersonPage.objects.count() == 0


def test_same_file_twice_creates_no_duplicates(org_a):
    first = import_file(org_a, "people_utf8_bom.csv")
    second = import_file(org_a, "people_utf8_bom.csv")
    assert second.new == 0 and second.unchanged == first.new
    assert Contact.objects.count() == first.new


def test_unknown_columns_are_listed_not_refused(org_a):
    report = import_file(org_a, "people_unknown_columns.txt")
    assert report.ok, report.errors
    assert report.unknown_columns


def test_command_imports_and_reports_in_french(org_a, capsys):
    with translation.override("fr"):
        call_command(
            "import_records",
            "people",
            str(SAMPLES / "people_utf8_bom.csv"),
            "--organization",
            org_a.hostname,
            "--publish",
        )
    out = capsys.readouterr().out
    assert "nouvelles" in out or "nouveau" in out or "new" in out
    assert PersonPage.objects.filter(live=True).count() == Contact.objects.count() > 0


def test_command_dry_run_writes_nothing(org_a):
    call_command(
        "import_records",
        "people",
        str(SAMPLES / "people_utf8_bom.csv"),
        "--organization",
        org_a.hostname,
        "--dry-run",
    )
    assert Contact.objects.count() == 0


def test_command_rejects_a_bad_file_naming_row_and_field(org_a):
    with pytest.raises(CommandError) as error:
        call_command(
            "import_records",
            "people",
            str(SAMPLES / "people_bad_row.csv"),
            "--organization",
            org_a.hostname,
        )
    assert "4" in str(error.value) and "email" in str(error.value)
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organization", "inconnue.test"], "inconnue.test"),
        (["--organization", "boreal.test", "--format", "csv"], None),
    ],
)
def test_command_errors_are_clear(org_a, tmp_path, args, message):
    if message:
        with pytest.raises(CommandError, match=message):
            call_command("import_records", "people", str(SAMPLES / "empty.csv"), *args[:2])
    with pytest.raises(CommandError):
        call_command("import_records", "people", str(SAMPLES / "empty.csv"), *args[:2])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_export_import_export_round_trip_is_identical(org_a, fmt):
    import_file(org_a, "people_cp1252_semicolon.csv")
    first = records_export(site=org_a, kind="people", fmt=fmt)
    report = spreadsheet_import(site=org_a, kind="people", data=first, filename=f"export.{fmt}")
    assert report.ok and report.new == 0 and report.updated == 0
    assert records_export(site=org_a, kind="people", fmt=fmt) == first or fmt != "csv"
    again = read_table(records_export(site=org_a, kind="people", fmt=fmt), f"x.{fmt}")
    assert again.dataset.dict == read_table(first, f"x.{fmt}").dataset.dict


def test_export_command_writes_a_csv_with_bom_for_excel(org_a, tmp_path):
    import_file(org_a, "people_cp1252_semicolon.csv")
    output = tmp_path / "membres.csv"
    call_command(
        "export_records", "people", "--organization", org_a.hostname, "--output", str(output)
    )
    content = output.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Côté".encode() in content


def test_exported_formulas_are_neutralised_and_phone_numbers_survive(org_a):
    import_file(org_a, "people_cp1252_semicolon.csv")
    Contact.objects.filter(email="marie.tremblay@example.org").update(notes="=HYPERLINK(1)")
    content = records_export(site=org_a, kind="people", fmt="csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content
    assert "+1 514 555 0100" in content and "'+1 514" not in content
    report = spreadsheet_import(site=org_a, kind="people", data=content.encode(), filename="x.csv")
    assert report.ok and report.updated == 0
    assert Contact.objects.get(email="marie.tremblay@example.org").notes == "=HYPERLINK(1)"
