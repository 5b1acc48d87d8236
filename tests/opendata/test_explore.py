"""The Explore API v2.1 as Opendatasoft clients see it: the organization's catalogue and
records in Opendatasoft's documented shapes, ODSQL filters, groups and pages, exports, and
what members only may read never reaching anyone else."""

import csv
import datetime
import io
import json
import random

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from wagtail import hooks

from opendata.fields import Field, FieldType
from opendata.models import ApiKey, DatasetTheme
from opendata.sources import LiveSource
from tests.factories import make_dataset, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

API = "/api/explore/v2.1/"
HOST_A, HOST_B = "boreal.test", "reseau.test"
#: Planted in the members-only columns: it must reach members and nobody else.
CANARY_TEXT = "CANARI-ART-ESSAI-7731"
CANARY_NUMBER = 987654321

FIELDS = [
    Field("nom", "Nom", FieldType.TEXT),
    Field("ville", "Ville", FieldType.TEXT, facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("tarif", "Tarif", FieldType.DECIMAL),
    Field("ouverture", "Ouverture", FieldType.DATE),
    Field("derniere_seance", "Dernière séance", FieldType.DATETIME),
    Field("accessible", "Accessible", FieldType.BOOLEAN),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("classement", "Classement Art et Essai", FieldType.TEXT, members_only=True, facet=True),
    Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
]
ROWS = [
    {
        "nom": "Le Clap",
        "ville": "Québec",
        "ecrans": 5,
        "tarif": 12.5,
        "ouverture": "1984-05-01",
        "derniere_seance": "2026-03-01T23:30:00+00:00",
        "accessible": True,
        "position": (46.78, -71.28),
        "classement": CANARY_TEXT,
        "entrees": CANARY_NUMBER,
    },
    {
        "nom": "Cinéma Beaubien",
        "ville": "Montréal",
        "ecrans": 5,
        "tarif": 11.0,
        "ouverture": "1937-02-12",
        "derniere_seance": "2026-03-01T12:00:00+00:00",
        "accessible": True,
        "position": (45.54, -73.60),
        "classement": "Recherche",
        "entrees": 210000,
    },
    {
        "nom": "Cinéma du Parc",
        "ville": "Montréal",
        "ecrans": 3,
        "tarif": 10.0,
        "ouverture": None,
        "accessible": False,
        "position": (45.51, -73.57),
        "classement": "Jeune public",
        "entrees": 99999,
    },
    {
        "nom": "La Maison du cinéma",
        "ville": "Sherbrooke",
        "ecrans": 9,
        "tarif": None,
        "ouverture": "1990-01-01",
        "accessible": True,
        "position": None,
        "classement": None,
        "entrees": None,
    },
]
#: Every key of a dataset object in Opendatasoft's documented example (v2.1).
DATASET_KEYS = {
    "dataset_id",
    "dataset_uid",
    "attachments",
    "has_records",
    "data_visible",
    "fields",
    "metas",
    "features",
}
METAS_KEYS = {
    "title",
    "description",
    "keyword",
    "theme",
    "license",
    "license_url",
    "modified",
    "publisher",
    "records_count",
    "language",
    "data_processed",
    "metadata_processed",
    "territory",
    "timezone",
    "references",
    "attributions",
}


@pytest.fixture
def cinemas(org_a):
    return make_dataset(
        org_a.data,
        "Salles de cinéma",
        fields=FIELDS,
        rows=ROWS,
        dataset_id="salles",
        keywords="cinéma, salles",
        themes=["EDUC"],
        spatial_coverage="Québec",
    )


@pytest.fixture
def barometer(org_a):
    """A members-only dataset of the same organization."""
    return make_dataset(
        org_a.data,
        "Baromètre des entrées",
        fields=[("semaine", FieldType.TEXT), ("entrees", FieldType.INTEGER)],
        rows=[{"semaine": "2026-W09", "entrees": CANARY_NUMBER}],
        dataset_id="barometre",
        access="members",
    )


@pytest.fixture
def elsewhere(org_b):
    """Another organization's dataset: never in org_a's answers."""
    return make_dataset(
        org_b.data,
        "Écrans du réseau voisin",
        fields=[("nom", FieldType.TEXT)],
        rows=[{"nom": "Salle voisine"}],
        dataset_id="ecrans-voisins",
    )


def get(client, path, host=HOST_A, **params):
    return client.get(API + path, params, HTTP_HOST=host)


def body(response):
    return json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the catalogue -------------------------------------------------------------------------------


def test_catalog_lists_the_organizations_public_datasets_in_opendatasoft_shape(
    client, cinemas, barometer, elsewhere
):
    """A client listing the catalogue gets Opendatasoft's shape, field by field: the public
    datasets of this organization only (not the members-only one, not the neighbour's)."""
    response = get(client, "catalog/datasets")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = body(response)
    assert set(data) == {"total_count", "results"}
    assert data["total_count"] == 1
    [dataset] = data["results"]
    assert set(dataset) == DATASET_KEYS
    assert dataset["dataset_id"] == "salles"
    assert dataset["dataset_uid"].startswith("da_")
    assert dataset["has_records"] is True
    assert dataset["attachments"] == []
    assert set(dataset["features"]) == {"analyze", "geo", "timeserie"}
    metas = dataset["metas"]["default"]
    assert set(metas) >= METAS_KEYS
    assert metas["title"] == "Salles de cinéma"
    assert metas["keyword"] == ["cinéma", "salles"]
    assert metas["records_count"] == 4
    assert metas["publisher"] == "Centre Images Boréales"
    assert metas["license_url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert metas["territory"] == ["Québec"]
    assert metas["modified"].endswith("+00:00")
    assert [(f["name"], f["type"]) for f in dataset["fields"]] == [
        ("nom", "text"),
        ("ville", "text"),
        ("ecrans", "int"),
        ("tarif", "double"),
        ("ouverture", "date"),
        ("derniere_seance", "datetime"),
        ("accessible", "boolean"),
        ("position", "geo_point_2d"),
    ]
    assert all(
        set(f) == {"name", "label", "type", "description", "annotations"} for f in dataset["fields"]
    )
    assert "Salle voisine" not in response.content.decode()
    assert "barometre" not in response.content.decode()


def test_catalog_where_refine_and_order_by_filter_datasets(client, cinemas, org_a):
    """The catalogue answers ODSQL over datasets: keywords, themes, counts."""
    make_dataset(
        org_a.data,
        "Écoles avec option cinéma",
        fields=[("ecole", FieldType.TEXT)],
        rows=[{"ecole": f"École {n}"} for n in range(7)],
        dataset_id="ecoles",
        keywords="éducation",
    )
    ids = lambda data: [d["dataset_id"] for d in data["results"]]  # noqa: E731
    assert ids(body(get(client, "catalog/datasets", order_by="records_count desc"))) == [
        "ecoles",
        "salles",
    ]
    assert ids(body(get(client, "catalog/datasets", where='keyword = "salles"'))) == ["salles"]
    assert ids(body(get(client, "catalog/datasets", where="records_count > 5"))) == ["ecoles"]
    assert ids(body(get(client, "catalog/datasets", refine="keyword:éducation"))) == ["ecoles"]
    assert ids(body(get(client, "catalog/datasets", exclude="keyword:éducation"))) == ["salles"]
    assert ids(body(get(client, "catalog/datasets", where='"option"'))) == ["ecoles"]
    page = body(get(client, "catalog/datasets", limit=1, offset=1, order_by="records_count"))
    assert page["total_count"] == 2 and ids(page) == ["ecoles"]


def test_dataset_detail_and_its_labels_in_the_language_asked(client, cinemas):
    """``catalog/datasets/{id}`` is one dataset object; ``lang`` picks the language of the
    labels (themes here) and of the messages; an unknown language is a parameter error."""
    for language in ("en", "fr"):
        data = body(get(client, "catalog/datasets/salles", lang=language))
        assert set(data) == DATASET_KEYS
        with translation.override(language):
            assert data["metas"]["default"]["theme"] == [str(DatasetTheme.EDUC.label)]
    english = body(get(client, "catalog/datasets/inconnu", lang="en"))["message"]
    french = body(get(client, "catalog/datasets/inconnu", lang="fr"))["message"]
    assert english == "Unknown dataset: inconnu."
    assert french == "Jeu de données inconnu\u00a0: inconnu."
    refused = get(client, "catalog/datasets/salles", lang="xx")
    assert refused.status_code == 400
    assert body(refused)["error_code"] == "InvalidRESTParameterError"


def test_unknown_and_members_only_datasets_answer_the_same_not_found(client, barometer):
    """A visitor cannot tell a members-only dataset from one that does not exist."""
    for path in (
        "catalog/datasets/barometre",
        "catalog/datasets/barometre/records",
        "catalog/datasets/barometre/exports/csv",
        "catalog/datasets/barometre/facets",
        "catalog/datasets/nexiste-pas",
        "catalog/datasets/nexiste-pas/records",
    ):
        response = get(client, path)
        assert response.status_code == 404, path
        data = body(response)
        assert set(data) == {"error_code", "message"}
        assert data["error_code"] == "NotFound"
        assert str(CANARY_NUMBER) not in response.content.decode()


def test_another_organizations_datasets_are_not_found(client, cinemas, elsewhere):
    """The neighbour's dataset id answers 404 on this organization's host, and this one's on
    the neighbour's."""
    assert get(client, "catalog/datasets/ecrans-voisins").status_code == 404
    assert get(client, "catalog/datasets/salles", host=HOST_B).status_code == 404
    assert get(client, "catalog/datasets/ecrans-voisins", host=HOST_B).status_code == 200


# --- records -------------------------------------------------------------------------------------


def test_records_where_on_two_fields_with_order_and_page(client, cinemas):
    """The query a partner's dashboard sends: a filter on two fields, a sort, a page, with
    the total of all matching records."""
    data = body(
        get(
            client,
            "catalog/datasets/salles/records",
            where='ecrans >= 5 and ville != "Sherbrooke"',
            order_by="nom desc",
            limit=1,
        )
    )
    assert set(data) == {"total_count", "results"}
    assert data["total_count"] == 2
    [record] = data["results"]
    assert record == {
        "nom": "Le Clap",
        "ville": "Québec",
        "ecrans": 5,
        "tarif": 12.5,
        "ouverture": "1984-05-01",
        "derniere_seance": "2026-03-01T23:30:00+00:00",
        "accessible": True,
        "position": {"lon": -71.28, "lat": 46.78},
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"where": 'ville = "Montréal"'}, ["Cinéma Beaubien", "Cinéma du Parc"]),
        ({"where": 'ville IN ("Québec", "Sherbrooke")'}, ["Le Clap", "La Maison du cinéma"]),
        ({"where": "ouverture IS NULL"}, ["Cinéma du Parc"]),
        ({"where": "ouverture < date'1950'"}, ["Cinéma Beaubien"]),
        ({"where": "not accessible"}, ["Cinéma du Parc"]),
        ({"where": '"maison"'}, ["La Maison du cinéma"]),
        ({"where": 'search(nom, "parc")'}, ["Cinéma du Parc"]),
        ({"where": 'startswith(nom, "Cinéma")'}, ["Cinéma Beaubien", "Cinéma du Parc"]),
        (
            {"where": "within_distance(position, geom'POINT(-73.58 45.52)', 5km)"},
            ["Cinéma Beaubien", "Cinéma du Parc"],
        ),
        ({"refine": "ville:Montréal"}, ["Cinéma Beaubien", "Cinéma du Parc"]),
        ({"refine": ["ville:Montréal", "ecrans:3"]}, ["Cinéma du Parc"]),
        ({"exclude": "ville:Montréal"}, ["Le Clap", "La Maison du cinéma"]),
        ({"refine": "ouverture:1984"}, ["Le Clap"]),
        ({"refine": "ouverture:1937/02"}, ["Cinéma Beaubien"]),
        (
            {"order_by": "tarif"},
            ["Cinéma du Parc", "Cinéma Beaubien", "Le Clap", "La Maison du cinéma"],
        ),
    ],
)
def test_records_filters(client, cinemas, params, names):
    """ODSQL functions, refine and exclude select the records they name."""
    data = body(get(client, "catalog/datasets/salles/records", **params))
    found = [r["nom"] for r in data["results"]]
    if "order_by" in params:
        assert found == names
    else:
        assert sorted(found) == sorted(names)
    assert data["total_count"] == len(names)


def test_select_with_labels_and_group_by_aggregates(client, cinemas):
    """``select`` chooses and renames fields; with ``group_by``, results are the groups with
    their aggregates (Opendatasoft's ``results`` without records), sorted by a label."""
    plain = body(
        get(client, "catalog/datasets/salles/records", select="nom as salle, ecrans", limit=2)
    )
    assert plain["results"] == [
        {"salle": "Le Clap", "ecrans": 5},
        {"salle": "Cinéma Beaubien", "ecrans": 5},
    ]
    grouped = body(
        get(
            client,
            "catalog/datasets/salles/records",
            select="ville, count(*) as n, sum(ecrans) as ecrans",
            group_by="ville",
            order_by="n desc, ville",
        )
    )
    assert grouped == {
        "results": [
            {"ville": "Montréal", "n": 2, "ecrans": 8},
            {"ville": "Québec", "n": 1, "ecrans": 5},
            {"ville": "Sherbrooke", "n": 1, "ecrans": 9},
        ]
    }
    whole = body(
        get(client, "catalog/datasets/salles/records", select="count(*), avg(tarif) as moyenne")
    )
    assert whole == {"results": [{"count(*)": 4, "moyenne": pytest.approx(33.5 / 3)}]}


def test_limit_and_offset_bounds(client, cinemas):
    """``limit`` at most 100, ``limit + offset`` at most 10,000: beyond, Opendatasoft's
    parameter error; ``limit=0`` counts without records."""
    for params in ({"limit": 101}, {"limit": "dix"}, {"offset": -1}, {"limit": 10, "offset": 9995}):
        response = get(client, "catalog/datasets/salles/records", **params)
        assert response.status_code == 400, params
        data = body(response)
        assert data["error_code"] == "InvalidRESTParameterError"
        assert "limit" in data["message"] or "offset" in data["message"]
    counted = body(get(client, "catalog/datasets/salles/records", limit=0))
    assert counted == {"total_count": 4, "results": []}
    last = body(get(client, "catalog/datasets/salles/records", limit=100, offset=3))
    assert len(last["results"]) == 1
    assert get(client, "catalog/datasets/salles/records", limit=100, offset=9900).status_code == 200


def test_record_by_id_and_links(client, cinemas):
    """With ``include_links``, records carry their id and address, which answers that record
    alone; an unknown id is not found."""
    data = body(
        get(
            client, "catalog/datasets/salles/records", include_links="true", order_by="nom", limit=1
        )
    )
    assert {link["rel"] for link in data["_links"]} >= {"self", "first", "last", "next"}
    [record] = data["results"]
    address = record["_links"][0]["href"]
    assert address.endswith(f"/catalog/datasets/salles/records/{record['_id']}")
    alone = body(get(client, f"catalog/datasets/salles/records/{record['_id']}"))
    assert alone["nom"] == record["nom"] == "Cinéma Beaubien"
    assert "_id" not in alone
    assert get(client, "catalog/datasets/salles/records/999").status_code == 404


def test_timezone_converts_datetimes(client, cinemas):
    """Date-times come in UTC, or in the ``timezone`` asked for."""
    utc = body(get(client, "catalog/datasets/salles/records", where='nom = "Le Clap"'))
    assert utc["results"][0]["derniere_seance"] == "2026-03-01T23:30:00+00:00"
    local = body(
        get(
            client,
            "catalog/datasets/salles/records",
            where='nom = "Le Clap"',
            timezone="America/Montreal",
        )
    )
    assert local["results"][0]["derniere_seance"] == "2026-03-01T18:30:00-05:00"
    assert (
        get(client, "catalog/datasets/salles/records", timezone="Mars/Olympus").status_code == 400
    )


MALFORMED = [
    ("where", "ville ="),
    ("where", 'ville = "Montréal" and'),
    ("where", "ecrans >> 3"),
    ("where", "inconnu = 3"),
    ("where", "ecrans > 'beaucoup'"),
    ("select", "nom,"),
    ("select", "median(ecrans)"),
    ("group_by", "ville as"),
    ("order_by", "nom sideways"),
]


@pytest.mark.parametrize(("parameter", "text"), MALFORMED)
def test_malformed_odsql_is_a_400_with_the_position(client, cinemas, parameter, text):
    """A malformed clause gets Opendatasoft's error shape, HTTP 400 with ``ODSQLError`` and a
    message naming the clause and the position, never a server error."""
    response = get(client, "catalog/datasets/salles/records", **{parameter: text})
    assert response.status_code == 400
    data = body(response)
    assert set(data) == {"error_code", "message"}
    assert data["error_code"] == "ODSQLError"
    assert parameter in data["message"]
    assert "position" in data["message"]
    assert response["X-RateLimit-Limit"]


def test_random_junk_parameters_never_make_a_server_error(client, cinemas, settings):
    """A seeded fuzz of junk in every parameter: each answer is 200 or 400 JSON."""
    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 10_000
    rng = random.Random(2026)
    alphabet = "abnomvilecrs()'\"`=<>!*,.:;-_ 0123456789éç/\\%"
    parameters = ("where", "select", "group_by", "order_by", "refine", "exclude", "limit")
    for _n in range(60):
        parameter = rng.choice(parameters)
        junk = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        response = get(client, "catalog/datasets/salles/records", **{parameter: junk})
        assert response.status_code in (200, 400), (parameter, junk)
        data = body(response)
        if response.status_code == 400:
            assert data["error_code"] in ("ODSQLError", "InvalidRESTParameterError")


# --- exports and facets --------------------------------------------------------------------------


def test_csv_export_with_filter_and_delimiter(client, cinemas):
    """The CSV export is the whole filtered dataset (``;``, BOM), ``,`` when asked."""
    response = get(
        client, "catalog/datasets/salles/exports/csv", where='ville = "Montréal"', order_by="nom"
    )
    assert response.status_code == 200
    raw = content(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["nom", "ville", "ecrans"]
    assert [row[0] for row in rows[1:]] == ["Cinéma Beaubien", "Cinéma du Parc"]
    comma = content(get(client, "catalog/datasets/salles/exports/csv", delimiter=","))
    assert comma.decode("utf-8-sig").splitlines()[0].startswith('"nom","ville"')
    assert get(client, "catalog/datasets/salles/exports/csv", delimiter="x").status_code == 400
    zoned = content(
        get(
            client,
            "catalog/datasets/salles/exports/jsonl",
            where='nom = "Le Clap"',
            timezone="America/Montreal",
        )
    )
    assert json.loads(zoned)["derniere_seance"] == "2026-03-01T18:30:00-05:00"
    assert get(client, "catalog/datasets/salles/exports/pdf").status_code == 400


def test_exports_are_not_limited_to_a_page(client, org_a):
    """Exports carry every record, well past the records endpoint's 100."""
    make_dataset(
        org_a.data,
        "Grand tableau",
        fields=[("n", FieldType.INTEGER)],
        rows=[{"n": n} for n in range(250)],
        dataset_id="grand",
    )
    lines = content(get(client, "catalog/datasets/grand/exports/jsonl")).decode().splitlines()
    assert len(lines) == 250
    listed = body(get(client, "catalog/datasets/grand/exports"))
    assert {link["rel"] for link in listed["links"]} == {"csv", "xlsx", "json", "jsonl"}


def test_dataset_facets(client, cinemas):
    """Facets count the matching records per value, in Opendatasoft's shape."""
    data = body(get(client, "catalog/datasets/salles/facets", refine="ecrans:5"))
    assert data["links"] == []
    [ville] = data["facets"]
    assert ville["name"] == "ville"
    assert ville["facets"] == [
        {"count": 1, "state": "displayed", "name": "Montréal", "value": "Montréal"},
        {"count": 1, "state": "displayed", "name": "Québec", "value": "Québec"},
    ]
    refined = body(get(client, "catalog/datasets/salles/facets", refine="ville:Québec"))
    assert refined["facets"][0]["facets"] == [
        {"count": 1, "state": "refined", "name": "Québec", "value": "Québec"}
    ]


def test_catalog_facets_and_exports(client, cinemas, barometer):
    """The catalogue's facets and exports list what the reader may see."""
    facets = {f["name"]: f["facets"] for f in body(get(client, "catalog/facets"))["facets"]}
    assert {v["value"]: v["count"] for v in facets["keyword"]} == {"cinéma": 1, "salles": 1}
    exported = body(get(client, "catalog/exports/json"))
    assert [d["dataset_id"] for d in exported] == ["salles"]
    rows = list(
        csv.reader(
            io.StringIO(content(get(client, "catalog/exports/csv")).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0][0] == "dataset_id" and [r[0] for r in rows[1:]] == ["salles"]


# --- members only --------------------------------------------------------------------------------

READS = [
    ("catalog/datasets/salles/records", {"limit": 100}),
    ("catalog/datasets/salles/records", {"select": "*", "limit": 100}),
    ("catalog/datasets/salles/records/1", {}),
    ("catalog/datasets/salles/exports/csv", {}),
    ("catalog/datasets/salles/exports/json", {}),
    ("catalog/datasets/salles/exports/jsonl", {}),
    ("catalog/datasets/salles/exports/geojson", {}),
    ("catalog/datasets/salles/facets", {}),
    ("catalog/datasets", {}),
    ("catalog/datasets/salles", {}),
    ("catalog/exports/json", {}),
    ("catalog/exports/csv", {}),
]
PROBES = [
    ("catalog/datasets/salles/records", {"where": f'classement = "{CANARY_TEXT}"'}),
    ("catalog/datasets/salles/records", {"select": "classement"}),
    ("catalog/datasets/salles/records", {"group_by": "classement", "select": "count(*)"}),
    ("catalog/datasets/salles/records", {"order_by": "entrees desc"}),
    ("catalog/datasets/salles/records", {"refine": f"classement:{CANARY_TEXT}"}),
    ("catalog/datasets/salles/facets", {"facet": "classement"}),
    ("catalog/datasets/salles/exports/csv", {"where": "entrees > 0"}),
]


def xlsx_text(response) -> str:
    book = load_workbook(io.BytesIO(content(response)), read_only=True)
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def assert_canary_absent(client, **headers):
    for path, params in READS:
        response = client.get(API + path, params, HTTP_HOST=HOST_A, **headers)
        assert response.status_code == 200, path
        text = content(response).decode("utf-8-sig")
        assert CANARY_TEXT not in text, path
        assert str(CANARY_NUMBER) not in text, path
        assert "classement" not in text and "entrees" not in text, path
    xlsx = client.get(API + "catalog/datasets/salles/exports/xlsx", HTTP_HOST=HOST_A, **headers)
    assert CANARY_TEXT not in xlsx_text(xlsx)
    for path, params in PROBES:
        response = client.get(API + path, params, HTTP_HOST=HOST_A, **headers)
        assert response.status_code == 400, (path, params)
        assert CANARY_TEXT not in response.content.decode()
    assert (
        client.get(API + "catalog/datasets/barometre", HTTP_HOST=HOST_A, **headers).status_code
        == 404
    )


def test_members_only_columns_reach_no_anonymous_reader(client, cinemas, barometer):
    """An anonymous client finds the canary in no answer, and every attempt to filter, select,
    group, sort or facet by a members-only column is an unknown field."""
    assert_canary_absent(client)


def test_members_only_columns_reach_no_member_of_another_organization(
    client, cinemas, barometer, org_b
):
    """A member of another organization, logged in, reads the public part only."""
    user, _contact = make_member(org_b, "Jeanne Autre", email="jeanne@example.org")
    client.force_login(user)
    assert_canary_absent(client)


def test_members_only_columns_reach_no_logged_in_non_member(
    client, cinemas, barometer, django_user_model
):
    """A logged-in account without a membership reads the public part only."""
    client.force_login(django_user_model.objects.create_user("passant", password="x"))
    assert_canary_absent(client)


def test_a_member_reads_the_members_only_columns_by_session_and_by_key(
    client, cinemas, barometer, org_a
):
    """A current member sees the canary in records, exports, facets and groups, logged in or
    with their API key (header or ``apikey`` parameter), and the members-only dataset."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(user.member_account, "tableau de bord")
    session = Client()
    session.force_login(user)
    for reader, headers, extra in (
        (session, {}, {}),
        (Client(), {"HTTP_AUTHORIZATION": f"Apikey {secret}"}, {}),
        (Client(), {}, {"apikey": secret}),
    ):

        def read(path, reader=reader, headers=headers, extra=extra, **params):
            response = reader.get(API + path, {**params, **extra}, HTTP_HOST=HOST_A, **headers)
            assert response.status_code == 200, (path, params, response.content[:300])
            return content(response).decode("utf-8-sig")

        assert CANARY_TEXT in read("catalog/datasets/salles/records")
        assert CANARY_TEXT in read(
            "catalog/datasets/salles/records", where=f'classement = "{CANARY_TEXT}"'
        )
        assert str(CANARY_NUMBER) in read("catalog/datasets/salles/exports/csv")
        assert CANARY_TEXT in read("catalog/datasets/salles/facets", facet="classement")
        assert CANARY_TEXT in read(
            "catalog/datasets/salles/records", select="classement, count(*)", group_by="classement"
        )
        assert str(CANARY_NUMBER) in read("catalog/datasets/barometre/records")
        assert "barometre" in read("catalog/datasets")


def test_a_revoked_or_foreign_key_gets_401_with_rate_headers(client, cinemas, org_b):
    """A key that stopped working is refused (never silently downgraded to public data), in
    the API's error shape, with the rate-limit headers."""
    user, _contact = make_member(org_b, "Jeanne Autre", email="jeanne@example.org")
    key, secret = ApiKey.issue(user.member_account, "ancien")
    foreign = get(client, "catalog/datasets", apikey=secret)
    assert foreign.status_code == 401
    key.revoke()
    for response in (
        get(client, "catalog/datasets/salles/records", HOST_B, apikey=secret),
        client.get(
            API + "catalog/datasets", HTTP_HOST=HOST_B, HTTP_AUTHORIZATION=f"Apikey {secret}"
        ),
        get(client, "catalog/datasets", apikey="pas-une-cle"),
    ):
        assert response.status_code == 401
        data = body(response)
        assert set(data) == {"error_code", "message"}
        assert response["X-RateLimit-Remaining"]
        assert response["Access-Control-Allow-Origin"] == "*"


def test_every_answer_carries_rate_and_cors_headers_and_the_limit_is_enforced(
    client, cinemas, settings
):
    """Answers of every kind carry the rate-limit and CORS headers; past the limit, 429 in
    Opendatasoft's quota shape."""
    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 5
    answers = [
        get(client, "catalog/datasets"),
        get(client, "catalog/datasets/salles/records", where="ville ="),
        get(client, "catalog/datasets/inconnu"),
        get(client, "catalog/datasets/salles/exports/csv"),
        get(client, "catalog/facets"),
    ]
    assert [r.status_code for r in answers] == [200, 400, 404, 200, 200]
    for response in answers:
        assert response["X-RateLimit-Limit"] == "5"
        assert response["Access-Control-Allow-Origin"] == "*"
    over = get(client, "catalog/datasets")
    assert over.status_code == 429
    assert set(body(over)) == {"errorcode", "reset_time", "limit_time_unit", "call_limit", "error"}
    assert over["Retry-After"]


def test_a_live_dataset_is_served_alike_without_its_members_column(client, org_a):
    """A live source's records come through the same API: labels in the language asked, the
    record by its id, date-times in the time zone asked, and its members-only field absent for
    the public."""
    source = LiveSource(
        "test.salles",
        gettext_lazy("Cinemas"),
        fields=(
            Field("nom", gettext_lazy("Name")),
            Field("seance", gettext_lazy("Date and time"), FieldType.DATETIME),
            Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
        ),
        records=lambda site: [
            {
                "_id": "clap",
                "nom": "Le Clap",
                "seance": datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC),
                "entrees": CANARY_NUMBER,
            },
            {"_id": "parc", "nom": "Cinéma du Parc", "seance": None, "entrees": 5},
        ],
    )
    with hooks.register_temporarily("register_dataset_sources", lambda: [source]):
        make_dataset(org_a.data, "Salles en direct", live_source="test.salles", dataset_id="direct")
        for language in ("en", "fr"):
            fields = body(get(client, "catalog/datasets/direct", lang=language))["fields"]
            with translation.override(language):
                assert [(f["name"], f["label"]) for f in fields] == [
                    ("nom", str(gettext_lazy("Name"))),
                    ("seance", str(gettext_lazy("Date and time"))),
                ]
        data = body(
            get(
                client,
                "catalog/datasets/direct/records",
                where="seance is not null",
                timezone="Europe/Paris",
            )
        )
        assert data == {
            "total_count": 1,
            "results": [{"nom": "Le Clap", "seance": "2026-03-02T00:30:00+01:00"}],
        }
        assert body(get(client, "catalog/datasets/direct/records/parc")) == {
            "nom": "Cinéma du Parc",
            "seance": None,
        }
        assert (
            get(client, "catalog/datasets/direct/records", where="entrees > 0").status_code == 400
        )
        exported = content(get(client, "catalog/datasets/direct/exports/json")).decode()
        assert str(CANARY_NUMBER) not in exported and "Le Clap" in exported


def test_other_methods_are_refused_in_the_apis_shape(client, cinemas):
    """The API is read-only: a POST gets a JSON 405, not a form error page."""
    response = client.post(API + "catalog/datasets", {}, HTTP_HOST=HOST_A)
    assert response.status_code == 405
    assert body(response)["error_code"] == "MethodNotAllowed"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_members_answer_is_kept_by_no_shared_cache(client, cinemas, org_a):
    """A member's answer (their key or session) is private: a proxy may not serve it to the
    next visitor."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(user.member_account, "tableau de bord")
    member = get(client, "catalog/datasets/salles/records", apikey=secret)
    assert "no-store" in member["Cache-Control"]
    public = get(client, "catalog/datasets/salles/records")
    assert "Authorization" in public["Vary"] and "Cookie" in public["Vary"]


def test_the_canary_disappears_the_day_the_membership_ends(client, cinemas, org_a):
    """When the membership ends, the member's key is refused and their session reads the
    public part only: access follows the membership the day it changes."""
    from crm_blocks.models import Membership

    user, contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(user.member_account, "tableau de bord")
    client.force_login(user)
    assert CANARY_TEXT in content(get(client, "catalog/datasets/salles/records")).decode()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Membership.objects.filter(contact=contact).update(end_date=yesterday)
    assert CANARY_TEXT not in content(get(client, "catalog/datasets/salles/records")).decode()
    refused = Client().get(
        API + "catalog/datasets/salles/records",
        HTTP_HOST=HOST_A,
        HTTP_AUTHORIZATION=f"Apikey {secret}",
    )
    assert refused.status_code == 401
    assert CANARY_TEXT not in refused.content.decode()
