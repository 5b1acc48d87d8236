"""What Google Dataset Search reads on a dataset's page: one valid graph (read back by extruct
from the rendered page) with a ``Dataset`` — its downloads, licence, creator, coverage, the
columns the public may read — and, for a members-only dataset, that it is not free, without a
column or a download. The editor is told when Google's required properties are missing."""

import datetime as dt
import json

import extruct
import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation

from opendata.fields import Field, FieldType
from opendata.models import DatasetAccess, DatasetPage, Licence
from structured_data.graph import build_graph
from structured_data.panels import StructuredDataPanel
from structured_data.validation import MESSAGES, validate_graph
from tests.factories import make_dataset, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARY = "xylocanari-jsonld"
FIELDS = [
    Field("nom", "Nom de la salle", FieldType.TEXT, description="Le nom d'usage."),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("entrees_membres", "Entrées", FieldType.INTEGER, members_only=True),
    Field("note_membres", "Note", FieldType.TEXT, members_only=True),
]
ROWS = [
    {"nom": "Le Clap", "position": (46.78, -71.28), "entrees_membres": 4242, "note_membres": CANARY}
]
DESCRIPTION = (
    "Les salles de cinéma indépendantes du réseau, avec leur position et leurs écrans, "
    "mises à jour chaque mois."
)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    cache.clear()


@pytest.fixture
def cinemas(org_a):
    return make_dataset(
        org_a.data,
        "Salles de cinéma",
        fields=FIELDS,
        rows=ROWS,
        description=DESCRIPTION,
        dataset_id="salles",
        keywords="cinéma, salles",
        licence=Licence.CC_BY_4,
        spatial_coverage="Québec",
        temporal_start=dt.date(2020, 1, 1),
    )


@pytest.fixture
def barometer(org_a):
    return make_dataset(
        org_a.data,
        "Baromètre des entrées",
        fields=[("semaine", FieldType.TEXT), ("entrees", FieldType.INTEGER)],
        rows=[{"semaine": CANARY, "entrees": 4242}],
        description=DESCRIPTION,
        access=DatasetAccess.MEMBERS,
    )


def the_graph(client, site, page):
    response = client.get(page.url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, page.url
    html = response.content.decode()
    assert html.count('type="application/ld+json"') == 1
    (graph,) = extruct.extract(html, base_url=page.full_url, syntaxes=["json-ld"], uniform=False)[
        "json-ld"
    ]
    return graph


def node(graph, node_id):
    (found,) = [n for n in graph["@graph"] if n.get("@id") == node_id]
    return found


def assert_valid(graph):
    errors = [issue for issue in validate_graph(graph) if issue.level == "error"]
    assert not errors, [f"{e.node_type}.{e.property}: {e.message}" for e in errors]


def test_a_public_dataset_as_google_reads_it(client, org_a, cinemas):
    """Name, description, page, identifier, keywords, licence, the organization as creator and
    publisher, the portal as catalogue, coverage, the public columns and one download per
    format — and the page's main entity is the dataset."""
    graph = the_graph(client, org_a, cinemas)
    assert_valid(graph)
    dataset = node(graph, f"{cinemas.full_url}#dataset")
    assert dataset["@type"] == "Dataset"
    assert dataset["name"] == "Salles de cinéma"
    assert dataset["description"] == DESCRIPTION
    assert dataset["url"] == cinemas.full_url
    assert dataset["identifier"] == "salles"
    assert dataset["keywords"] == ["cinéma", "salles"]
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    organization = {"@id": f"{org_a.root_url}/#organization"}
    assert dataset["creator"] == organization and dataset["publisher"] == organization
    assert node(graph, organization["@id"])["name"] == "Centre Images Boréales"
    catalogue = node(graph, dataset["includedInDataCatalog"]["@id"])
    assert catalogue["@type"] == "DataCatalog" and catalogue["url"] == org_a.data.full_url
    assert dataset["spatialCoverage"] == {"@type": "Place", "name": "Québec"}
    assert dataset["temporalCoverage"] == "2020-01-01/.."
    assert dataset["isAccessibleForFree"] is True
    assert [v["propertyID"] for v in dataset["variableMeasured"]] == ["nom", "position"]
    assert dataset["variableMeasured"][0]["name"] == "Nom de la salle"
    downloads = {d["contentUrl"]: d["encodingFormat"] for d in dataset["distribution"]}
    assert downloads[f"{cinemas.full_url}exports/csv/"] == "text/csv"
    assert downloads[f"{cinemas.full_url}exports/geojson/"] == "application/geo+json"
    assert all(d["@type"] == "DataDownload" for d in dataset["distribution"])
    webpage = node(graph, f"{cinemas.full_url}#webpage")
    assert webpage["mainEntity"] == {"@id": dataset["@id"]}


def test_a_members_only_dataset_is_not_free_and_shows_nothing_of_its_data(client, org_a, barometer):
    """Listed for search with its name and description, not free, its conditions said, and
    no column, download or value."""
    graph = the_graph(client, org_a, barometer)
    assert_valid(graph)
    dataset = node(graph, f"{barometer.full_url}#dataset")
    assert dataset["isAccessibleForFree"] is False
    assert dataset["conditionsOfAccess"]
    assert "distribution" not in dataset and "variableMeasured" not in dataset
    text = json.dumps(graph, ensure_ascii=False)
    assert CANARY not in text and "4242" not in text and "semaine" not in text


def test_members_only_columns_stay_out_even_for_a_member(client, org_a, cinemas, barometer):
    """The graph is the public's, whoever asks first: a member's visit does not put a
    members-only column or value in it, for them or for the next visitor."""
    user, _contact = make_member(org_a)
    client.force_login(user)
    for page in (cinemas, barometer):
        text = json.dumps(the_graph(client, org_a, page), ensure_ascii=False)
        for secret in (CANARY, "4242", "entrees_membres", "note_membres"):
            assert secret not in text, (page.title, secret)
    client.logout()
    text = json.dumps(the_graph(client, org_a, cinemas), ensure_ascii=False)
    assert "entrees_membres" not in text


def test_the_editor_is_told_what_google_requires(org_a, cinemas):
    """Without a description, the report says so in the editor's words and points at the
    description field; the name comes from the title."""
    page = DatasetPage.objects.get(pk=cinemas.pk)
    page.description = ""
    request = RequestFactory().get(page.url, HTTP_HOST=org_a.hostname)
    request._wagtail_site = org_a
    with translation.override("fr"):
        issues = validate_graph(build_graph(page, request))
        errors = [i for i in issues if i.level == "error"]
        assert [(i.node_type, i.property) for i in errors] == [("Dataset", "description")]
        assert str(errors[0].message) == str(MESSAGES["dataset.description"])
        field = StructuredDataPanel.BoundPanel._field(
            page, DatasetPage.structured_data_fields, errors[0]
        )
    assert field["name"] == "description"


def test_a_dataset_without_data_yet_is_described_without_downloads(client, org_a):
    """A dataset whose table is not uploaded yet is still described, with nothing to
    download."""
    empty = make_dataset(org_a.data, "À venir", description=DESCRIPTION)
    graph = the_graph(client, org_a, empty)
    assert_valid(graph)
    dataset = node(graph, f"{empty.full_url}#dataset")
    assert "distribution" not in dataset and dataset["isAccessibleForFree"] is True
