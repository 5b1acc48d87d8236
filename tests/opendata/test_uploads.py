"""Uploaded tables, as staff and operators bring them: spreadsheets as French software writes
them become typed columns (guessed, then editable), every row is checked before anything is
stored, a bad file leaves the old table as it was, and a dataset keeps its identifiers through
re-uploads — in the admin (for the dataset's own organization only) and with
``import_dataset``."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from opendata.access import Audience
from opendata.fields import Field, FieldType
from opendata.inference import (
    GEO_PAIR_NAME,
    UploadRefused,
    check_table,
    column_name,
    dataset_upload,
    propose_columns,
    read_upload,
)
from opendata.models import DatasetPage, DatasetRow, DatasetTable
from opendata.query import Query
from opendata.tables import all_fields, table_for
from public_cache.generations import site_generation
from spreadsheets.models import ImportJob
from tests.factories import make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "fixtures" / "opendata"
IMPORTS = ROOT / "fixtures" / "imports"
STAFF = Audience(site_id=0, members=True, staff=True)


def read(name: str, folder: Path = SAMPLES):
    return read_upload((folder / name).read_bytes(), name)


def types_of(columns) -> dict[str, str]:
    return {c.name: c.type for c in columns}


# --- Inference on real files ----------------------------------------------------------------------


def test_french_csv_types_and_coordinates():
    """A French CSV (BOM, ``;``, decimal comma, dd/mm/yyyy, « oui/non », a latitude and a
    longitude column) gets ASCII names, its headers as labels, numbers, dates, yes/no, a web
    address and one geo point; the postal codes keep their leading zero as text."""
    table = read("salles_fr.csv")
    columns = propose_columns(table)
    assert [(c.name, c.label) for c in columns][:3] == [
        ("nom_de_la_salle", "Nom de la salle"),
        ("code_postal", "Code postal"),
        ("ecrans", "Écrans"),
    ]
    assert types_of(columns) == {
        "nom_de_la_salle": FieldType.TEXT,
        "code_postal": FieldType.TEXT,
        "ecrans": FieldType.INTEGER,
        "fauteuils_moyenne": FieldType.DECIMAL,
        "ouverture": FieldType.DATE,
        "art_et_essai": FieldType.BOOLEAN,
        "site_web": FieldType.URL,
        GEO_PAIR_NAME: FieldType.GEO_POINT,
    }
    check = check_table(table, columns)
    assert check.ok and check.row_count == 4
    first, second, _third, zola = check.preview
    assert first["code_postal"] == "01000"
    assert first["fauteuils_moyenne"] == 152.5
    assert first["ouverture"] == "1984-05-12"  # 12 May: the day first
    assert first["art_et_essai"] is True
    assert first[GEO_PAIR_NAME] == {"lat": 46.2052, "lon": 5.2255}
    assert second["ecrans"] == 1204  # "1 204"
    assert "site_web" not in second  # an empty cell is left out
    assert GEO_PAIR_NAME not in zola and zola["art_et_essai"] is False


def test_xlsx_typed_cells_and_a_column_of_points():
    """An XLSX keeps its cells' types: dates, date-times (in the organization's time zone),
    whole and decimal numbers, booleans; a column of "lat, lon" text is a geo point; the empty
    row is skipped and errors would name the rows as the spreadsheet does."""
    table = read("seances.xlsx")
    columns = propose_columns(table)
    assert types_of(columns) == {
        "film": FieldType.TEXT,
        "date": FieldType.DATE,
        "debut": FieldType.DATETIME,
        "entrees": FieldType.INTEGER,
        "recette": FieldType.DECIMAL,
        "vost": FieldType.BOOLEAN,
        "coordonnees": FieldType.GEO_POINT,
    }
    assert table.row_numbers == (2, 3, 5)
    check = check_table(table, columns)
    assert check.ok
    assert check.preview[0]["debut"] == "2024-03-01T20:30:00+00:00"
    assert check.preview[0]["coordonnees"] == {"lat": 45.5017, "lon": -73.5673}
    assert check.preview[2]["recette"] == 259.75


def test_ods_by_libreoffice_and_a_type_changed_by_the_editor(org_a):
    """LibreOffice's ODS stores the yes/no column as 1 and 0: it is guessed a whole number, and
    the editor's choice of yes/no converts it; times are read in the organization's zone
    (America/Toronto: 20:30 there is 01:30 UTC the next day)."""
    table = read("seances.ods")
    columns = propose_columns(table)
    assert types_of(columns)["vost"] == FieldType.INTEGER
    chosen = [
        c if c.name != "vost" else c.__class__(**{**c.to_dict(), "type": "boolean"})
        for c in columns
    ]
    check = check_table(table, chosen, site=org_a)
    assert check.ok
    assert [row["vost"] for row in check.preview] == [True, False, True]
    assert check.preview[0]["debut"] == "2024-03-02T01:30:00+00:00"


def test_kit_samples_and_names():
    """The kit's awkward files (cp1252 with ``;``, UTF-16 tab text) give unique ASCII names;
    e-mails and phones stay text."""
    columns = propose_columns(read("people_cp1252_semicolon.csv", IMPORTS))
    assert [c.name for c in columns] == [
        "courriel",
        "prenom",
        "nom",
        "telephone",
        "notes",
        "biographie",
    ]
    assert set(types_of(columns).values()) == {FieldType.TEXT}
    columns = propose_columns(read("people_excel_unicode.txt", IMPORTS))
    assert all(c.name.isascii() for c in columns)
    taken: set[str] = set()
    assert [column_name(h, taken, n) for n, h in enumerate(["Été", "ete", "", "2024"], 1)] == [
        "ete",
        "ete_2",
        "column_3",
        "c_2024",
    ]


# --- Checking and storing -------------------------------------------------------------------------


def good_columns():
    return propose_columns(read("salles_fr.csv"))


def test_dry_run_writes_nothing(org_a):
    """Checking a file stores no row and makes no table."""
    dataset = make_dataset(org_a.data, "Salles")
    check = check_table(read("salles_fr.csv"), good_columns(), site=org_a)
    assert check.ok
    assert not DatasetTable.objects.filter(dataset=dataset).exists()
    assert not DatasetRow.objects.exists()


def test_invalid_rows_write_nothing_and_the_old_table_stays(org_a):
    """A re-upload whose rows 4 and 5 do not fit the columns' types (a 31 February, a word among
    numbers) is refused with those rows named; the table staff published is untouched."""
    dataset = make_dataset(org_a.data, "Salles")
    dataset_upload(dataset, read("salles_fr.csv"), good_columns(), filename="salles_fr.csv")
    before = list(DatasetRow.objects.filter(table__dataset=dataset).values_list("data", flat=True))
    bad = read("salles_fr_bad.csv")
    # The re-upload keeps the published columns' types.
    columns = propose_columns(bad, all_fields(dataset))
    assert types_of(columns)["ouverture"] == FieldType.DATE
    with translation.override("fr"), pytest.raises(UploadRefused) as refused:
        dataset_upload(dataset, bad, columns, filename="salles_fr_bad.csv")
    errors = refused.value.check.errors
    assert [(e.row, e.column, e.value) for e in errors] == [
        (4, "Ouverture", "31/02/2001"),
        (5, "Écrans", "deux"),
    ]
    assert "n’est pas une vraie date" in errors[0].message
    assert "nombre entier" in errors[1].message
    after = list(DatasetRow.objects.filter(table__dataset=dataset).values_list("data", flat=True))
    assert after == before
    assert DatasetTable.objects.get(dataset=dataset).filename == "salles_fr.csv"


def test_reupload_keeps_the_ids_and_forgets_cached_pages(org_a):
    """Replacing the table keeps dataset_id and CKAN's package and resource ids; readers see
    the new rows; the organization's cached pages are forgotten."""
    dataset = make_dataset(org_a.data, "Séances", fields=[("film", "text")], rows=[{"film": "A"}])
    ids = (dataset.dataset_id, dataset.package_uuid, dataset.resource_uuid)
    generation = site_generation(org_a.pk)
    table = read("seances.xlsx")
    stored = dataset_upload(dataset, table, propose_columns(table), filename="seances.xlsx")
    dataset = DatasetPage.objects.get(pk=dataset.pk)
    assert (dataset.dataset_id, dataset.package_uuid, dataset.resource_uuid) == ids
    assert stored.row_count == 3
    records = table_for(dataset, STAFF).records(Query())
    assert [r["film"] for r in records] == ["Les Glaneurs", "Mon oncle Antoine", "Jeune Juliette"]
    assert site_generation(org_a.pk) != generation


# --- The admin ------------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, dataset, name: str, folder: Path = SAMPLES):
    return client.post(
        reverse("opendata_upload:upload", args=[dataset.pk]),
        {"file": SimpleUploadedFile(name, (folder / name).read_bytes())},
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def columns_post(response, **changes) -> dict:
    """The preview form as the editor submits it: every select and checkbox as shown."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name.startswith("type_"):
            data[name] = value
        elif value:
            data[name] = "on"
    data.update(changes)
    return data


def test_editor_uploads_checks_changes_a_type_and_confirms(org_a, editor_a):
    """The dataset's editor finds « Téléverser un tableau » in the page editor, uploads the
    French CSV, sees the first rows as they will be stored and each column's type; marks a
    column members only and confirms: the rows are stored, the message gives their count."""
    dataset = make_dataset(org_a.data, "Salles de cinéma")
    client = client_for(editor_a)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[dataset.pk]))
    assert reverse("opendata_upload:upload", args=[dataset.pk]) in edit.content.decode()
    listing = client.get(reverse("wagtailadmin_explore", args=[org_a.data.pk]))
    assert reverse("opendata_upload:upload", args=[dataset.pk]) in listing.content.decode()

    response = upload(client, dataset, "salles_fr.csv")
    assert response.status_code == 302
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    html = preview.content.decode()
    assert "Cinéma « Le Club »" in html and "1984-05-12" in html and "46.2052, 5.2255" in html
    form = preview.context["form"]
    assert [c.name for c in form.columns][-1] == GEO_PAIR_NAME
    assert not DatasetRow.objects.exists()  # the dry run wrote nothing

    ecrans = next(n for n, c in enumerate(form.columns) if c.name == "ecrans")
    done = client.post(
        response["Location"],
        {**columns_post(preview, **{f"members_{ecrans}": "on"}), "action": "confirm"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("wagtailadmin_pages:edit", args=[dataset.pk])
    page = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "4\u00a0lignes enregistrées dans «\u00a0Salles de cinéma\u00a0»" in page
    table = DatasetTable.objects.get(dataset=dataset)
    assert table.row_count == 4 and table.uploaded_by == editor_a
    assert {f.name for f in table.fields() if f.members_only} == {"ecrans"}
    assert ImportJob.objects.get(kind="opendata_dataset").data == b""


def test_preview_lists_row_errors_and_offers_no_confirmation(org_a, editor_a):
    """A type the values do not fit (the editor chose « Date » for the names): each row is
    listed with its number and nothing can be stored."""
    dataset = make_dataset(org_a.data, "Salles")
    client = client_for(editor_a)
    response = upload(client, dataset, "salles_fr.csv")
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    again = client.post(
        response["Location"],
        {**columns_post(preview, type_0="date"), "action": "check"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    shown = client.get(again["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ligne 2, Nom de la salle\u00a0:" in shown and "Ligne 5, Nom de la salle" in shown
    assert 'value="confirm"' not in shown
    forced = client.post(
        response["Location"],
        {**columns_post(preview, type_0="date"), "action": "confirm"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert forced.status_code == 302
    assert not DatasetRow.objects.exists()


def test_a_bad_file_is_refused_with_the_kits_message(org_a, editor_a):
    """A cut-short XLSX gets the kit's message on the form, not an error page."""
    dataset = make_dataset(org_a.data, "Salles")
    response = upload(client_for(editor_a), dataset, "corrupt.xlsx", IMPORTS)
    assert response.status_code == 200
    assert "endommagé" in response.content.decode()


def test_another_organizations_dataset_is_not_found(org_a, org_b, editor_a):
    """An editor of organization A gets a 404 for B's dataset, whether uploading or
    previewing, and B's table is untouched; B's listing shows A's editor no button."""
    theirs = make_dataset(org_b.data, "Leurs salles", fields=[("nom", "text")], rows=[{"nom": "B"}])
    client = client_for(editor_a)
    assert client.get(reverse("opendata_upload:upload", args=[theirs.pk])).status_code == 404
    assert upload(client, theirs, "salles_fr.csv").status_code == 404
    mine = make_dataset(org_a.data, "Salles")
    response = upload(client, mine, "salles_fr.csv")
    job = ImportJob.objects.get(kind="opendata_dataset")
    url = reverse("opendata_upload:preview", args=[theirs.pk, job.pk])
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert response.status_code == 302
    assert DatasetTable.objects.get(dataset=theirs).row_count == 1


# --- import_dataset -------------------------------------------------------------------------------


def run(*args):
    with translation.override("fr"):
        out, err = StringIO(), StringIO()
        call_command("import_dataset", *map(str, args), stdout=out, stderr=err)
        return out.getvalue().strip(), err.getvalue()


def test_command_creates_then_replaces_keeping_the_ids(org_a):
    """The operator's import makes a published dataset of the file and prints its id; run again
    on the same slug it replaces the table and keeps every identifier."""
    dataset_id, said = run(
        SAMPLES / "salles_fr.csv",
        "--organization", org_a.hostname,
        "--title", "Salles de cinéma",
        "--members-fields", "ecrans,art_et_essai",
        "--publish",
    )  # fmt: skip
    assert dataset_id == "salles-de-cinema"
    assert "4\u00a0lignes" in said
    dataset = DatasetPage.objects.get(dataset_id=dataset_id)
    assert dataset.live and dataset.get_parent().pk == org_a.data.pk
    hidden = {f.name for f in all_fields(dataset) if f.members_only}
    assert hidden == {"ecrans", "art_et_essai"}
    ids = (dataset.package_uuid, dataset.resource_uuid)
    again, _said = run(
        SAMPLES / "seances.xlsx",
        "--organization", org_a.hostname,
        "--title", "Salles de cinéma",
        "--access", "members",
    )  # fmt: skip
    assert again == dataset_id
    dataset.refresh_from_db()
    assert (dataset.package_uuid, dataset.resource_uuid) == ids
    assert dataset.members_only and dataset.table.row_count == 3
    assert DatasetPage.objects.filter(dataset_id=dataset_id).count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("--organization", "inconnue.test"), "Aucune organisation n’a le nom d’hôte"),
        (("--file", "corrupt.xlsx"), "endommagé"),
        (("--members-fields", "ecrans,recettes"), "Aucune colonne ne s’appelle recettes"),
        (("--file", "salles_fr_bad.csv"), "Ligne 4, Ouverture"),
    ],
)
def test_command_errors_write_nothing(org_a, args, message):
    """Unknown organization, a damaged file, an unknown members column, rows that do not fit
    the published types: a message in French, a failure, and the dataset as it was."""
    run(SAMPLES / "salles_fr.csv", "--organization", org_a.hostname, "--title", "Salles")
    options = {"--organization": org_a.hostname, "--file": "salles_fr.csv", "--members-fields": ""}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    name = options.pop("--file")
    path = (IMPORTS if name == "corrupt.xlsx" else SAMPLES) / name
    before = list(DatasetRow.objects.values_list("pk", flat=True))
    pages = DatasetPage.objects.count()
    with pytest.raises(CommandError) as failed:
        run(path, "--title", "Salles", *[x for pair in options.items() for x in pair])
    assert message in str(failed.value)
    assert list(DatasetRow.objects.values_list("pk", flat=True)) == before
    assert DatasetPage.objects.count() == pages


# --- The CSV export of an uploaded table ----------------------------------------------------------


def test_csv_export_writes_what_the_kits_writer_writes(org_a):
    """The export's fast path (texts made per column) gives the very bytes the spreadsheet
    kit's writer gives for the same records: formulas neutralised, negative numbers and
    exponents as numbers, yes/no in the reader's language, points as "lat, lon", empty cells."""
    from opendata.exports import export_response, rows_of
    from spreadsheets.files import iter_csv

    rows = [
        {"t": "=HYPERLINK(1)", "i": -12, "d": 1e-05, "b": True, "g": (45.5, -73.6), "u": None},
        {"t": "Bénévole;+33 1", "i": 3, "d": 152.5, "b": False, "g": None, "u": "https://a.b/"},
        {"t": None, "i": None, "d": -840.0, "b": None, "g": (0, 0), "u": "@x"},
    ]
    fields = [
        ("t", "text"),
        ("i", "integer"),
        ("d", "decimal"),
        ("b", "boolean"),
        ("g", "geo_point"),
        ("u", "url"),
    ]
    dataset = make_dataset(org_a.data, "Formules", fields=fields, rows=rows)
    table = table_for(dataset, STAFF)
    with translation.override("fr"):
        response = export_response(table, "csv", filename="formules")
        exported = b"".join(response.streaming_content)
        expected = b"".join(
            iter_csv(rows_of(table, table.iterate()), headers=table.names, delimiter=";")
        )
    assert exported == expected
    assert "'=HYPERLINK(1)" in exported.decode() and '"oui"' in exported.decode()
    assert '"0.00001"' in exported.decode()


def test_a_large_file_is_stored_by_the_worker_with_progress(org_a, editor_a, settings, monkeypatch):
    """Above SPREADSHEET_IMPORT_BACKGROUND_ROWS rows the store is a task (the tests' immediate
    backend runs it inline): progress goes from 0 to checked-and-stored, never backwards; while
    it runs the screen shows a progress bar that reloads itself."""
    settings.SPREADSHEET_IMPORT_BACKGROUND_ROWS = 2
    published = []
    original = ImportJob.publish_progress

    def spy(job, done, total):
        published.append((done, total))
        original(job, done, total)

    monkeypatch.setattr(ImportJob, "publish_progress", spy)
    dataset = make_dataset(org_a.data, "Salles")
    client = client_for(editor_a)
    response = upload(client, dataset, "salles_fr.csv")
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    done = client.post(
        response["Location"],
        {**columns_post(preview), "action": "confirm"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    job = ImportJob.objects.get(kind="opendata_dataset")
    assert job.status == ImportJob.Status.DONE and job.task_result_id
    assert done["Location"] == reverse("wagtailadmin_pages:edit", args=[dataset.pk])
    assert published[0] == (0, 8) and published[-1] == (8, 8) and published == sorted(published)
    assert DatasetTable.objects.get(dataset=dataset).row_count == 4

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    running = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "data-upload-progress" in running and 'http-equiv="refresh"' in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    shown = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "4\u00a0lignes enregistrées" in shown


def test_the_worker_reports_rows_that_do_not_fit(org_a, editor_a):
    """A job whose rows no longer fit when the worker stores it (types changed meanwhile) ends
    failed with each row named in the uploader's language, and nothing is written."""
    from opendata.tasks import upload_job_run

    dataset = make_dataset(org_a.data, "Salles")
    client = client_for(editor_a)
    response = upload(client, dataset, "salles_fr.csv")
    job = ImportJob.objects.get(kind="opendata_dataset")
    columns = job.plan["columns"]
    columns[0]["type"] = "integer"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, plan={**job.plan, "columns": columns}
    )
    with translation.override("en"):
        upload_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and bytes(job.data) == b""
    assert job.report["error_count"] == 4
    assert job.report["errors"][0][:2] == [2, "Nom de la salle"]
    assert "nombre entier" in job.report["errors"][0][3]
    shown = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ligne 2, Nom de la salle" in shown
    assert not DatasetRow.objects.exists()


# --- The dataset page's form ----------------------------------------------------------------------


def test_live_records_are_chosen_from_a_list(org_a, editor_a):
    """In the dataset's editor, « live records » is a list of the registered sources (and an
    empty choice), with a help text saying it only matters for live data."""
    from wagtail import hooks

    from opendata.sources import LiveSource

    def sources():
        return [LiveSource("test.salles", "Salles du réseau", (Field("nom", "Nom"),), list)]

    dataset = make_dataset(org_a.data, "Salles")
    client = client_for(editor_a)
    with hooks.register_temporarily("register_dataset_sources", sources):
        html = client.get(
            reverse("wagtailadmin_pages:edit", args=[dataset.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
    select = html[
        html.index('name="live_source"') : html.index("</select>", html.index('name="live_source"'))
    ]
    assert '<option value="" selected>---------</option>' in select
    assert '<option value="test.salles">Salles du réseau</option>' in select
    assert "Seulement quand les données sont des fiches en direct" in html


def test_repeated_headers_stay_two_columns():
    """Two columns headed alike (« Nom » twice, as exports of joined tables have) keep their
    own values under two names."""
    data = "Nom;Ville;Nom\r\nLe Clap;Québec;Clap\r\nLe Zola;Villeurbanne;Zola\r\n".encode()
    table = read_upload(data, "doublons.csv")
    columns = propose_columns(table)
    assert [c.name for c in columns] == ["nom", "ville", "nom_2"]
    check = check_table(table, columns)
    assert check.preview[0] == {"nom": "Le Clap", "ville": "Québec", "nom_2": "Clap"}


def test_command_refuses_an_identifier_another_dataset_has(org_a):
    """A new dataset whose identifier another dataset of the organization already has is
    refused with the page's own message: no page, no rows."""
    make_dataset(org_a.data, "Anciennes salles", slug="anciennes", dataset_id="salles")
    pages = DatasetPage.objects.count()
    with pytest.raises(CommandError) as failed:
        run(SAMPLES / "salles_fr.csv", "--organization", org_a.hostname, "--title", "Salles")
    assert "identifi" in str(failed.value)
    assert DatasetPage.objects.count() == pages and not DatasetRow.objects.exists()


def test_columns_the_page_keeps_for_members_stay_ticked(org_a, editor_a):
    """A column the page's « members-only columns » names is shown ticked and cannot be
    unticked in the preview: it stays members only once stored."""
    dataset = make_dataset(org_a.data, "Salles", members_fields="ecrans")
    client = client_for(editor_a)
    response = upload(client, dataset, "salles_fr.csv")
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    form = preview.context["form"]
    ecrans = next(n for n, c in enumerate(form.columns) if c.name == "ecrans")
    assert form.fields[f"members_{ecrans}"].disabled
    data = columns_post(preview)
    data.pop(f"members_{ecrans}", None)  # what a tampered form would send
    client.post(response["Location"], {**data, "action": "confirm"}, HTTP_ACCEPT_LANGUAGE="fr")
    columns = DatasetTable.objects.get(dataset=dataset).columns.all()
    assert {c.name for c in columns if c.members_only} == {"ecrans"}
