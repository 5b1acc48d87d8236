"""The film database in and out of spreadsheets: the network's editors bring a distributor's
catalogue in from a CSV or XLSX file (English or French headers), with versions read from the
codes cinemas write; an unknown code or distributor writes nothing and names what is wrong;
importing the same file again changes nothing; a corrected file updates the films it names
(by external id, visa, or title and year) instead of adding copies; the export reads back."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from crm_blocks.models import OrganizationPage
from films.distributors import distributor_access_grant
from films.models import FilmPage
from organizations.models import OrganizationKind
from spreadsheets.exports import export_bytes
from spreadsheets.files import read_table, write_file
from spreadsheets.pipeline import spreadsheet_import
from tests.factories import make_film, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

HEADERS = [
    "external_id",
    "visa",
    "title",
    "original_title",
    "year",
    "duration",
    "countries",
    "languages",
    "directors",
    "cast",
    "distributor",
    "release_date",
    "genres",
    "synopsis",
    "versions",
]
FRENCH_HEADERS = [
    "Identifiant externe",
    "Visa",
    "Titre",
    "Titre original",
    "Année",
    "Durée",
    "Pays",
    "Langues",
    "Réalisation",
    "Distribution",
    "Distributeur",
    "Date de sortie",
    "Genres",
    "Synopsis",
    "Versions",
]
ROWS = [
    {
        "external_id": "FLV-001",
        "visa": "158 245",
        "title": "Les Arbres de l'hiver",
        "original_title": "",
        "year": "2026",
        "duration": "104",
        "countries": "CA; FR",
        "languages": "fr",
        "directors": "Chloé Robichaud",
        "cast": "Anne Dorval; Théodore Pellerin",
        "distributor": "Films du Fleuve",
        "release_date": "14/10/2026",
        "genres": "Drame; comedy",
        "synopsis": "Un hiver au bord du fleuve.\n\nDeux sœurs se retrouvent.",
        "versions": "VF; VOSTFR; VF-AD; VFSTF-SME; LSF",
    },
    {
        "external_id": "FLV-002",
        "visa": "",
        "title": "Northern Lights",
        "original_title": "Northern Lights",
        "year": "2025",
        "duration": "88",
        "countries": "ca",
        "languages": "en; iu",
        "directors": "Zacharias Kunuk",
        "cast": "",
        "distributor": "",
        "release_date": "2025-09-05",
        "genres": "Documentaire",
        "synopsis": "",
        "versions": "VOSTFR",
    },
]


def csv_bytes(rows, headers=HEADERS, sep=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, headers=HEADERS):
    output = io.BytesIO()
    write_file(
        output, [[row.get(h, "") for h in HEADERS] for row in rows], fmt="xlsx", headers=headers
    )
    return output.getvalue()


def films_import(site, data, *, filename="films.csv", user=None, publish=False):
    return spreadsheet_import(
        site=site, kind="films", data=data, filename=filename, user=user, publish=publish
    )


@pytest.fixture
def fleuve(org_a):
    distributor = make_organization_page(
        org_a.organizations_index, "Films du Fleuve", kind=OrganizationKind.DISTRIBUTOR
    )
    return distributor_access_grant(site=org_a, distributor=distributor)


def site_films(site):
    return FilmPage.objects.descendant_of(site.films).order_by("external_id")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_catalogue_in_french_creates_the_films_with_every_column(org_a, editor_a, fleuve, fmt):
    """A catalogue with French headers: every column lands in its field, the versions carry
    their accessibility features, the director with a person record is linked to it, and the
    distributor's film goes into its folder."""
    director = make_person(org_a.people_index, "Chloé Robichaud")
    data = xlsx_bytes(ROWS, FRENCH_HEADERS) if fmt == "xlsx" else csv_bytes(ROWS, FRENCH_HEADERS)
    report = films_import(org_a, data, filename=f"films.{fmt}", user=editor_a, publish=True)
    assert report.ok, report.errors
    assert (report.new, report.updated) == (2, 0)
    arbres, lights = site_films(org_a)
    assert arbres.live and arbres.get_parent().pk == fleuve.folder.pk
    assert lights.get_parent().pk == org_a.films.pk
    assert (arbres.visa_number, arbres.year, arbres.duration) == ("158 245", 2026, 104)
    assert arbres.countries == ["CA", "FR"] and lights.original_languages == ["en", "iu"]
    assert arbres.genres == ["drama", "comedy"] and lights.genres == ["documentary"]
    assert arbres.release_date.isoformat() == "2026-10-14"
    assert arbres.distributor_id == fleuve.distributor_id
    assert "<p>Deux sœurs se retrouvent.</p>" in arbres.synopsis
    assert [c.person_id for c in arbres.directors()] == [director.pk]
    assert [c.display_name for c in arbres.cast()] == ["Anne Dorval", "Théodore Pellerin"]
    versions = {v.label: v for v in arbres.versions.all()}
    assert list(versions) == ["VF", "VOSTFR", "VF-AD", "VFSTF-SME", "LSF"]
    assert versions["VF-AD"].audio_description
    assert versions["VFSTF-SME"].sdh_subtitles and versions["VFSTF-SME"].subtitle_language == "fr"
    assert versions["LSF"].sign_language
    assert [v.label for v in lights.versions.all()] == ["VOSTFR"]


def test_an_unknown_version_code_or_distributor_writes_nothing_and_names_it(
    org_a, editor_a, fleuve
):
    """One row with the code « VXQ » and one naming an unknown distributor: no film at all,
    and the errors name the code and the distributor, on their rows."""
    bad = [
        ROWS[0],
        dict(ROWS[1], versions="VF; VXQ"),
        dict(ROWS[1], external_id="FLV-3", distributor="Inconnus SA"),
    ]
    report = films_import(org_a, csv_bytes(bad), user=editor_a)
    assert not report.ok
    messages = {(error.row, error.field): error.message for error in report.errors}
    assert "VXQ" in messages[(3, "versions")]
    assert "Inconnus SA" in messages[(4, "distributor")]
    assert not site_films(org_a).exists()


def test_importing_again_changes_nothing_and_a_correction_updates(org_a, editor_a, fleuve):
    """The same file twice: the second time every row is unchanged and no film is added. A
    corrected file finds each film again — by external id, by visa, by title and year — and
    updates it."""
    assert films_import(org_a, csv_bytes(ROWS), user=editor_a, publish=True).ok
    again = films_import(org_a, csv_bytes(ROWS), user=editor_a, publish=True)
    assert again.ok, again.errors
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert site_films(org_a).count() == 2

    by_visa = dict(ROWS[0], external_id="", duration="106", versions="VF; VF-AD")
    by_title = dict(ROWS[1], external_id="", title="NORTHERN LIGHTS", cast="Lucie Idlout")
    report = films_import(org_a, csv_bytes([by_visa, by_title]), user=editor_a, publish=True)
    assert report.ok, report.errors
    assert (report.new, report.updated) == (0, 2)
    arbres, lights = site_films(org_a)
    assert arbres.duration == 106
    assert [v.label for v in arbres.versions.all()] == ["VF", "VF-AD"]
    assert [c.display_name for c in arbres.directors()] == ["Chloé Robichaud"]
    assert [c.display_name for c in lights.cast()] == ["Lucie Idlout"]
    assert [c.display_name for c in lights.directors()] == ["Zacharias Kunuk"]
    assert FilmPage.objects.count() == 2


def test_an_existing_film_is_matched_by_title_and_year(org_a, editor_a):
    """A film staff typed by hand is updated by a row without identifiers, when title (case
    and accents aside) and year agree; another year is another film."""
    film = make_film(org_a.films, "Les Arbres de l'hiver", year=2026)
    row = dict(ROWS[0], external_id="", visa="", distributor="", title="les arbres de l’hiver")
    other_year = dict(row, year="1999")
    report = films_import(org_a, csv_bytes([row, other_year]), user=editor_a)
    assert report.ok, report.errors
    assert (report.new, report.updated) == (1, 1)
    film.refresh_from_db()
    assert film.get_latest_revision_as_object().duration == 104
    assert film.get_latest_revision_as_object().external_id == ""

    # A catalogue's identifiers attach to the film typed by hand; a homonym with another
    # identifier stays another film.
    identified = dict(row, external_id="FLV-001", visa="158 245")
    report = films_import(org_a, csv_bytes([identified]), user=editor_a)
    assert (report.new, report.updated) == (0, 1), report.errors
    film.refresh_from_db()
    assert film.get_latest_revision_as_object().external_id == "FLV-001"
    homonym = dict(row, external_id="AUTRE-9", visa="")
    report = films_import(org_a, csv_bytes([homonym]), user=editor_a)
    assert (report.new, report.updated) == (1, 0), report.errors


def test_the_export_reads_back_unchanged(org_a, editor_a, fleuve):
    """What the export writes, imported again, changes nothing."""
    assert films_import(org_a, csv_bytes(ROWS), user=editor_a, publish=True).ok
    exported = export_bytes(kind="films", fmt="xlsx", site=org_a)
    table = read_table(exported, "films.xlsx").dataset
    assert list(table.headers) == HEADERS
    rows = table.dict
    assert rows[0]["versions"] == "VF; VOSTFR; VF-AD; VFSTF-SME; LSF"
    assert rows[0]["distributor"] == "Films du Fleuve"
    assert rows[0]["cast"] == "Anne Dorval; Théodore Pellerin"
    report = films_import(org_a, exported, filename="films.xlsx", user=editor_a, publish=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)


def test_the_command_imports_a_file(org_a, fleuve, tmp_path):
    """``import_records films FILE --organization HOST`` as operators run it."""
    path = tmp_path / "catalogue.csv"
    path.write_bytes(csv_bytes(ROWS, FRENCH_HEADERS, sep=";"))
    call_command("import_records", "films", str(path), organization=org_a.hostname)
    assert site_films(org_a).count() == 2
    path.write_bytes(csv_bytes([dict(ROWS[0], versions="VZZ")]))
    with pytest.raises(CommandError):
        call_command("import_records", "films", str(path), organization=org_a.hostname)
    assert OrganizationPage.objects.filter(title="Films du Fleuve").count() == 1


def test_editors_import_from_the_films_listing_and_distributors_do_not(org_a, editor_a, fleuve):
    """The « Films » listing of the admin has the import and export buttons for the network's
    editors; a distributor's login lists its own films without them."""
    from django.test import Client

    from films.distributors import distributor_user_add

    make_film(fleuve.folder, "Notre film", publish=False)
    make_film(org_a.films, "Film du réseau", publish=False)
    client = Client()
    client.force_login(editor_a)
    listing = client.get("/admin/films/").content.decode()
    assert "/admin/films/import/" in listing and "Film du réseau" in listing
    export = client.get("/admin/films/?export=films.csv")
    assert export.status_code == 200 and b"Film du r" in b"".join(export.streaming_content)

    distributor = distributor_user_add(access=fleuve, email="ana@fleuve.example", invite=False)
    client.force_login(distributor)
    listing = client.get("/admin/films/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Notre film" in text and "Film du réseau" not in text
    assert "/admin/films/import/" not in text
    assert client.get("/admin/films/import/").status_code in (302, 403, 404)
    refused = client.get("/admin/films/?export=films.csv")
    assert not getattr(refused, "streaming", False)
    assert "Film du réseau" not in refused.content.decode()
