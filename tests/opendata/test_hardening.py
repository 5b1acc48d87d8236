"""Faults a review of the open-data plugin found, each kept as a test: bad input answered as a
server error, answers for members kept by shared caches, members-only settings that silently
did nothing, a command that published a draft nobody approved."""

import json

import pytest
from django.test import Client

from opendata.fields import Field, FieldType
from tests.factories import make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIELDS = [
    Field("nom", "Nom", FieldType.TEXT, facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("part", "Part de marché", FieldType.DECIMAL),
    Field("classement", "Classement", FieldType.TEXT, members_only=True, facet=True),
]
ROWS = [
    {"nom": "Le Clap", "ecrans": 5, "part": 1.5, "classement": "Secret-A"},
    {"nom": "Beaubien", "ecrans": 4, "part": 2.5, "classement": "Secret-B"},
]


@pytest.fixture
def halls(org_a):
    return make_dataset(org_a.data, "Salles", fields=FIELDS, rows=ROWS)


def anonymous() -> Client:
    return Client(raise_request_exception=False)


def test_record_page_with_a_superscript_digit_is_not_a_server_error(org_a, halls):
    """A visitor who follows `records/²/` (a mistyped or crafted link) sees « not found », not
    the server's error page: « ² ».isdigit() is true but int() refuses it
    (opendata/tables.py UploadedTable.record)."""
    response = anonymous().get(f"{halls.url}records/%C2%B2/", HTTP_HOST=org_a.hostname)
    assert response.status_code == 404


def test_explore_record_with_a_superscript_digit_is_not_a_server_error(org_a, halls):
    """An Explore client asking for record « ² » gets the API's NotFound, not a 500."""
    response = anonymous().get(
        f"/api/explore/v2.1/catalog/datasets/{halls.identifier}/records/%C2%B2",
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code == 404


def test_explore_where_with_a_huge_integer_is_not_a_server_error(org_a, halls):
    """ODSQL `ecrans > 999…` answers 200 with no record or a 400, never a 500 (SQLite:
    OverflowError, « Python int too large to convert to SQLite INTEGER »)."""
    response = anonymous().get(
        f"/api/explore/v2.1/catalog/datasets/{halls.identifier}/records",
        {"where": f"ecrans > {'9' * 30}"},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code < 500


def test_datastore_search_with_a_huge_offset_is_not_a_server_error(org_a, halls):
    """CKAN's datastore_search caps `limit` but not `offset`: a huge one reaches the database
    (opendata/api/ckan_datastore.py: params.integer("offset", 0))."""
    response = anonymous().get(
        "/api/3/action/datastore_search",
        {"resource_id": str(halls.resource_uuid), "offset": "9" * 30},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")


def test_dcat_catalogue_page_with_a_superscript_digit_is_a_bad_request(org_a, halls):
    """`/catalog.ttl?page=²` passes `isdigit()` and fails in int() (opendata/dcat.py)."""
    response = anonymous().get("/catalog.ttl", {"page": "²"}, HTTP_HOST=org_a.hostname)
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["nan", "inf", "1e999"])
def test_page_filter_with_a_non_finite_decimal_is_not_a_server_error(org_a, halls, value):
    """`f.part=nan` (or `inf`): Decimal reads it, the filter sends NaN/Infinity to the
    database; the visitor must get a message, not a 500 (opendata/fields.py _decimal)."""
    response = anonymous().get(f"{halls.url}?f.part={value}", HTTP_HOST=org_a.hostname)
    assert response.status_code < 500


@pytest.mark.parametrize("clause", ["part = 1e999", "part = 'nan'", "ecrans = 1e999"])
def test_explore_where_with_an_infinite_number_is_not_a_server_error(org_a, halls, clause):
    """ODSQL `part = 1e999` or `part = 'nan'` (a non-finite float) is a 400 or no record:
    NaN/Infinity reach the database as JSON (« malformed JSON »); `ecrans = 1e999` makes
    coerce (opendata/query/ast.py) call int(inf), an OverflowError it does not catch."""
    response = anonymous().get(
        f"/api/explore/v2.1/catalog/datasets/{halls.identifier}/records",
        {"where": clause},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code < 500


def test_datastore_search_filter_with_nan_is_not_a_server_error(org_a, halls):
    """CKAN `filters={"part": "NaN"}` is a Validation Error or no record, never a 500."""
    response = anonymous().get(
        "/api/3/action/datastore_search",
        {"resource_id": str(halls.resource_uuid), "filters": json.dumps({"part": "NaN"})},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code < 500


def test_ckan_answer_read_with_a_members_key_is_not_kept_by_shared_caches(org_a, halls):
    """A member's datastore_search with CKAN's bare `Authorization: KEY` carries the
    members-only column; a CDN or proxy in front of the site must not keep it under the same
    address for the public. Explore marks such answers private and varies on Authorization
    (opendata/api/explore.py explore_view); the CKAN views (opendata/api/ckan.py _answer,
    dump_view) say nothing."""
    from opendata.models.keys import ApiKey
    from tests.factories import make_member

    member, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(member.member_account)
    for path in (
        f"/api/3/action/datastore_search?resource_id={halls.resource_uuid}",
        f"/datastore/dump/{halls.resource_uuid}",
    ):
        response = anonymous().get(path, HTTP_HOST=org_a.hostname, HTTP_AUTHORIZATION=secret)
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Secret-A" in data, path  # the member reads the column
        vary = response.get("Vary", "")
        cache_control = response.get("Cache-Control", "")
        assert (
            "Authorization" in vary or "private" in cache_control or "no-store" in (cache_control)
        ), path


def test_ckan_post_with_deeply_nested_json_is_a_json_error(org_a, halls):
    """A POST body nested 100,000 deep makes json.loads raise RecursionError, which
    request_parameters (opendata/api/ckan_catalogue.py) does not catch: a 500 instead of
    CKAN's JSON error."""
    response = anonymous().post(
        "/api/3/action/package_search",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code == 400


@pytest.mark.parametrize("zone", ["Europe", "America", "a" * 300])
def test_explore_timezone_naming_a_folder_or_too_long_is_a_parameter_error(org_a, halls, zone):
    """`timezone=Europe` makes ZoneInfo open a directory (IsADirectoryError) and a 300-letter
    name a path too long (OSError): neither is caught by opendata/api/explore.py _zone, which
    catches ZoneInfoNotFoundError and ValueError only."""
    response = anonymous().get(
        f"/api/explore/v2.1/catalog/datasets/{halls.identifier}/records",
        {"timezone": zone},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "InvalidRESTParameterError"


def test_explore_csv_export_converts_date_times_to_the_time_zone_asked(org_a):
    """`exports/csv?timezone=America/Montreal` writes date-times in Montreal time as the JSON
    export does: the CSV export reads `table.rows()`, which `_InZone` (opendata/api/explore.py)
    does not wrap (its __getattr__ hands out the inner table's rows), so the CSV stays in UTC."""
    shows = make_dataset(
        org_a.data,
        "Séances",
        fields=[Field("debut", "Début", FieldType.DATETIME)],
        rows=[{"debut": "2026-01-15T20:00:00+00:00"}],
    )
    base = f"/api/explore/v2.1/catalog/datasets/{shows.identifier}/exports"
    params = {"timezone": "America/Montreal"}
    as_json = anonymous().get(f"{base}/json", params, HTTP_HOST=org_a.hostname)
    assert "2026-01-15T15:00:00-05:00" in b"".join(as_json.streaming_content).decode()
    as_csv = anonymous().get(f"{base}/csv", params, HTTP_HOST=org_a.hostname)
    assert "2026-01-15T15:00:00-05:00" in b"".join(as_csv.streaming_content).decode("utf-8-sig")


def test_ckan_date_math_out_of_range_is_a_search_query_error(org_a, halls):
    """`q=metadata_modified:[NOW-99999999999999DAY TO *]`: timedelta overflows
    (opendata/api/ckan_query.py, dt.timedelta(**{unit: …})), a 500 instead of CKAN's Search
    Query Error."""
    response = anonymous().get(
        "/api/3/action/package_search",
        {"q": "metadata_modified:[NOW-99999999999999DAY TO *]"},
        HTTP_HOST=org_a.hostname,
    )
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Search Query Error"


def test_members_only_columns_naming_no_column_are_refused_by_the_editor(org_a):
    """An editor who types the column's label « Classement » (or a typo) in « members-only
    columns » believes the column is kept for members; the name matches no column
    (DatasetTable.fields compares exact names, opendata/models/tables.py) and
    DatasetPage.clean (opendata/models/pages.py) accepts it, so the public keeps reading the
    column. The editor must be told."""
    from django.core.exceptions import ValidationError

    page = make_dataset(
        org_a.data,
        "Salles classées",
        fields=[Field("nom", "Nom"), Field("classement", "Classement")],
        rows=[{"nom": "Le Clap", "classement": "Secret-A"}],
    )
    page.members_fields = "Classement"
    with pytest.raises(ValidationError):
        page.full_clean()


def test_import_dataset_does_not_publish_an_editors_pending_draft(org_a):
    """A members-only dataset is live; an editor saved a draft that makes it public, not yet
    approved. The operator re-imports its file with a new title (no --access): the command
    (opendata/management/commands/import_dataset.py, ``dataset()``) takes the latest draft
    as its base and publishes it, so the members-only dataset becomes public without anyone
    publishing that change."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    from opendata.models import DatasetAccess, DatasetPage
    from tests.opendata.test_uploads import SAMPLES

    page = make_dataset(
        org_a.data,
        "Baromètre",
        fields=[Field("semaine", "Semaine")],
        rows=[{"semaine": "S1"}],
        access=DatasetAccess.MEMBERS,
    )
    draft = page.get_latest_revision_as_object()
    draft.access = DatasetAccess.PUBLIC
    draft.save_revision()
    with pytest.raises(CommandError, match="en attente|changes waiting"):
        call_command(
            "import_dataset",
            str(SAMPLES / "salles_fr.csv"),
            "--organization", org_a.hostname,
            "--title", "Baromètre hebdomadaire",
            "--slug", page.slug,
            stdout=StringIO(),
            stderr=StringIO(),
        )  # fmt: skip
    live = DatasetPage.objects.get(pk=page.pk)
    assert live.access == DatasetAccess.MEMBERS and live.title == "Baromètre"
