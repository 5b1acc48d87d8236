"""The DCAT-AP catalogue harvesters read (``/catalog.ttl``, ``.rdf``, ``.jsonld``, Explore's
``catalog/exports/dcat``): valid against the DCAT-AP 3.0.0 SHACL shapes, read back with
rdflib, paged with Hydra, one organization's published datasets only, and nothing of a
members-only dataset or column but that it exists."""

import datetime as dt
import functools
import warnings
from pathlib import Path

import pyshacl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS
from wagtail import hooks
from wagtail.models import PageViewRestriction

import structured_data
from opendata import dcat
from opendata.fields import Field, FieldType
from opendata.models import DatasetAccess, Frequency, Licence
from opendata.sources import HOOK, LiveSource
from organizations.models import OrganizationContactPoint, OrganizationSettings
from tests.factories import make_dataset, make_member, make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

SHAPES = Path(structured_data.__file__).parent / "data/reference/dcat-ap-3.0.0-SHACL.ttl"
HYDRA = dcat.HYDRA
VCARD = dcat.VCARD
EU = "http://publications.europa.eu/resource/authority/"
#: Planted in members-only columns and a members-only dataset: no serialization may carry it.
CANARY = "xylocanari-dcat"
CANARY_NUMBER = 918273645

CINEMAS = [
    Field("nom", "Nom", FieldType.TEXT),
    Field("ville", "Ville", FieldType.TEXT),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("classement_membres", "Classement", FieldType.TEXT, members_only=True),
    Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
]
CINEMA_ROWS = [
    {
        "nom": "Le Clap",
        "ville": "Québec",
        "position": (46.78, -71.28),
        "classement_membres": CANARY,
        "entrees": CANARY_NUMBER,
    },
    {"nom": "Cinéma du Parc", "ville": "Montréal", "position": (45.51, -73.57)},
]


def festival_records(site):
    yield {"_id": "1", "titre": "Festival du court", "debut": dt.date(2027, 5, 1)}


FESTIVALS = LiveSource(
    "tests.festivals",
    "Festivals",
    fields=(Field("titre", "Titre"), Field("debut", "Début", FieldType.DATE)),
    records=festival_records,
    modified=lambda site: dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC),
)


@pytest.fixture(autouse=True)
def live_festivals():
    """A small live source, as the events and films plugins register theirs."""
    cache.clear()
    with hooks.register_temporarily(HOOK, lambda: [FESTIVALS]):
        yield


@pytest.fixture
def portal(org_a, org_b):
    """Org A publishes a geo table with members-only columns, a members-only table and a live
    dataset, and keeps a draft; org B publishes a dataset of its own."""
    cinemas = make_dataset(
        org_a.data,
        "Salles de cinéma",
        fields=CINEMAS,
        rows=CINEMA_ROWS,
        dataset_id="salles",
        keywords="cinéma, salles, Québec",
        themes=["EDUC", "REGI"],
        licence=Licence.ETALAB_2,
        contact_name="Service des données",
        contact_email="donnees@boreal.test",
        frequency=Frequency.MONTHLY,
        spatial_coverage="Québec",
        temporal_start=dt.date(2020, 1, 1),
        temporal_end=dt.date(2026, 12, 31),
    )
    barometer = make_dataset(
        org_a.data,
        "Baromètre des entrées",
        fields=[("semaine", FieldType.TEXT), ("entrees_secretes", FieldType.INTEGER)],
        rows=[{"semaine": CANARY, "entrees_secretes": CANARY_NUMBER}],
        access=DatasetAccess.MEMBERS,
        licence=Licence.ODBL,
        frequency=Frequency.WEEKLY,
    )
    festivals = make_dataset(
        org_a.data,
        "Festivals",
        live_source="tests.festivals",
        frequency=Frequency.CONTINUOUS,
        themes=["EDUC"],
    )
    draft = make_dataset(org_a.data, "Brouillon secret", fields=CINEMAS[:1], publish=False)
    other = make_dataset(org_b.data, "Salles du réseau", fields=CINEMAS[:1], rows=[{"nom": "X"}])
    return {
        "cinemas": cinemas,
        "barometer": barometer,
        "festivals": festivals,
        "draft": draft,
        "other": other,
    }


def fetch(client, site, address="/catalog.ttl", **extra):
    response = client.get(address, HTTP_HOST=site.hostname, **extra)
    assert response.status_code == 200, response.content[:500]
    return response


def parsed(response, fmt="turtle"):
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which rdflib deprecates.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.content, format=fmt)


def titles(graph):
    return {str(graph.value(d, DCTERMS.title)) for d in graph.subjects(RDF.type, DCAT.Dataset)}


def dataset_node(page):
    return URIRef(f"{page.full_url}#dataset")


@functools.cache
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def shacl_results(graph):
    conforms, _results, text = pyshacl.validate(graph, shacl_graph=shapes(), inference="none")
    return conforms, text


def test_the_catalogue_conforms_to_the_dcat_ap_shapes(client, org_a, portal):
    """A national portal's validator accepts the catalogue as it is harvested: zero results
    from the DCAT-AP 3.0.0 SHACL shapes, with public, members-only, geo and live datasets."""
    graph = parsed(fetch(client, org_a))
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 3
    conforms, report = shacl_results(graph)
    assert conforms, report


def test_the_shapes_catch_a_broken_catalogue(client, org_a, portal):
    """The validation can fail: a dataset without a title, a licence not typed as a licence
    document are violations (so the previous test proves something)."""
    graph = parsed(fetch(client, org_a))
    cinemas = dataset_node(portal["cinemas"])
    graph.remove((cinemas, DCTERMS.title, None))
    licence = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    graph.remove((licence, RDF.type, None))
    conforms, report = shacl_results(graph)
    assert not conforms
    assert "title" in report and "LicenseDocument" in report


def test_three_serializations_say_the_same(client, org_a, portal):
    """Turtle, RDF/XML, JSON-LD and Explore's DCAT export are the same graph, each with its
    media type."""
    turtle = fetch(client, org_a, "/catalog.ttl")
    rdf = fetch(client, org_a, "/catalog.rdf")
    jsonld = fetch(client, org_a, "/catalog.jsonld")
    explore = fetch(client, org_a, "/api/explore/v2.1/catalog/exports/dcat")
    negotiated = fetch(client, org_a, "/catalog?format=jsonld")
    assert turtle["Content-Type"].startswith("text/turtle")
    assert rdf["Content-Type"].startswith("application/rdf+xml")
    assert jsonld["Content-Type"].startswith("application/ld+json")
    assert explore["Content-Type"].startswith("application/rdf+xml")
    assert "X-RateLimit-Limit" in turtle
    graphs = [
        parsed(turtle),
        parsed(rdf, "xml"),
        parsed(jsonld, "json-ld"),
        parsed(explore, "xml"),
        parsed(negotiated, "json-ld"),
    ]
    sizes = {len(g) for g in graphs}
    assert len(sizes) == 1, sizes
    titles = [
        {str(t) for t in g.objects(dataset_node(portal["cinemas"]), DCTERMS.title)} for g in graphs
    ]
    assert all(t == {"Salles de cinéma"} for t in titles)


def test_a_public_dataset_as_harvesters_read_it(client, org_a, portal):
    """Title, identifier, keywords, EU themes and frequency, contact point, coverage, landing
    page, public access, and one distribution per export format with its download address,
    media type, file type and licence — GeoJSON since the table has coordinates."""
    graph = parsed(fetch(client, org_a))
    page = portal["cinemas"]
    node = dataset_node(page)
    assert (node, DCTERMS.identifier, Literal("salles")) in graph
    assert {str(k) for k in graph.objects(node, DCAT.keyword)} == {"cinéma", "salles", "Québec"}
    assert set(graph.objects(node, DCAT.theme)) == {
        URIRef(EU + "data-theme/EDUC"),
        URIRef(EU + "data-theme/REGI"),
    }
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/MONTHLY")
    assert graph.value(node, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert graph.value(node, DCAT.landingPage) == URIRef(page.full_url)
    assert graph.value(node, DCTERMS.publisher) == URIRef(f"{org_a.root_url}/#organization")
    contact = graph.value(node, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert str(graph.value(contact, VCARD.fn)) == "Service des données"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:donnees@boreal.test")
    period = graph.value(node, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate).toPython() == dt.date(2020, 1, 1)
    assert graph.value(period, DCAT.endDate).toPython() == dt.date(2026, 12, 31)
    assert "Québec" in {str(v) for v in graph.objects(graph.value(node, DCTERMS.spatial), None)}
    assert graph.value(node, DCTERMS.modified) is not None
    downloads = {}
    for distribution in graph.objects(node, DCAT.distribution):
        downloads[str(graph.value(distribution, DCAT.downloadURL))] = distribution
        assert graph.value(distribution, DCTERMS.license) == URIRef(page.licence_url)
    assert set(downloads) == {
        f"{page.full_url}exports/{fmt}/" for fmt in ("csv", "xlsx", "json", "jsonl", "geojson")
    }
    geojson = downloads[f"{page.full_url}exports/geojson/"]
    assert graph.value(geojson, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/geo+json"
    )
    assert graph.value(geojson, DCTERMS.format) == URIRef(EU + "file-type/GEOJSON")


def test_a_members_only_dataset_is_listed_as_restricted(client, org_a, portal):
    """The barometer is listed, restricted, pointing at its page for members: no download
    address, no media type, nothing of its data."""
    graph = parsed(fetch(client, org_a))
    node = dataset_node(portal["barometer"])
    assert str(graph.value(node, DCTERMS.title)) == "Baromètre des entrées"
    assert graph.value(node, DCTERMS.accessRights) == URIRef(EU + "access-right/RESTRICTED")
    (distribution,) = graph.objects(node, DCAT.distribution)
    assert graph.value(distribution, DCAT.downloadURL) is None
    assert graph.value(distribution, DCAT.mediaType) is None
    assert graph.value(distribution, DCAT.accessURL) == URIRef(portal["barometer"].full_url)


def test_a_live_dataset_is_listed_with_its_records_date(client, org_a, portal):
    """A live dataset is updated continuously, modified when its records last changed, and
    exported like any other (no GeoJSON: it has no coordinates)."""
    graph = parsed(fetch(client, org_a))
    node = dataset_node(portal["festivals"])
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/UPDATE_CONT")
    modified = graph.value(node, DCTERMS.modified).toPython()
    assert modified >= dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)
    formats = {
        str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(node, DCAT.distribution)
    }
    assert f"{portal['festivals'].full_url}exports/csv/" in formats
    assert not any(f.endswith("geojson/") for f in formats)


def test_the_catalogue_its_publisher_and_its_services(client, org_a, portal):
    """The catalogue names its publisher (an agent with a name and a type), its home page,
    language, themes taxonomy and the two APIs, which serve its datasets."""
    graph = parsed(fetch(client, org_a))
    (catalogue,) = graph.subjects(RDF.type, DCAT.Catalog)
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "Centre Images Boréales"
    assert graph.value(publisher, DCTERMS.type) is not None
    assert graph.value(catalogue, FOAF.homepage) == URIRef(org_a.data.full_url)
    assert graph.value(catalogue, DCTERMS.language) == URIRef(EU + "language/FRA")
    assert graph.value(catalogue, DCAT.themeTaxonomy) == URIRef(EU + "data-theme")
    services = set(graph.objects(catalogue, DCAT.service))
    assert {str(graph.value(s, DCAT.endpointURL)) for s in services} == {
        f"{org_a.root_url}/api/explore/v2.1/",
        f"{org_a.root_url}/api/3/action/",
    }
    for service in services:
        assert len(set(graph.objects(service, DCAT.servesDataset))) == 3


def test_drafts_and_other_organizations_never_appear(client, org_a, org_b, portal):
    """Org A's catalogue lists its three published datasets, not its draft nor org B's;
    org B's lists only its own."""
    graph_a = parsed(fetch(client, org_a))
    titles_a = {
        str(graph_a.value(d, DCTERMS.title)) for d in graph_a.subjects(RDF.type, DCAT.Dataset)
    }
    assert titles_a == {"Salles de cinéma", "Baromètre des entrées", "Festivals"}
    graph_b = parsed(fetch(client, org_b))
    titles_b = {
        str(graph_b.value(d, DCTERMS.title)) for d in graph_b.subjects(RDF.type, DCAT.Dataset)
    }
    assert titles_b == {"Salles du réseau"}
    assert org_a.hostname not in fetch(client, org_b).content.decode()


def test_the_canary_of_members_only_data_is_in_no_serialization(client, org_a, portal):
    """A members-only column's value and name, and a members-only dataset's values, are in
    none of the serializations — not even for a logged-in member (the catalogue is public)."""
    user, _contact = make_member(org_a)
    client.force_login(user)
    for address in (
        "/catalog.ttl",
        "/catalog.rdf",
        "/catalog.jsonld",
        "/api/explore/v2.1/catalog/exports/dcat",
    ):
        body = fetch(client, org_a, address).content.decode()
        for secret in (CANARY, str(CANARY_NUMBER), "classement_membres", "entrees_secretes"):
            assert secret not in body, (address, secret)
        assert "Baromètre des entrées" in body


def test_large_catalogues_are_paged_with_hydra(client, org_a, portal, monkeypatch):
    """With two datasets a page, the three datasets are on two pages linked by Hydra's first,
    next, previous and last (both vocabularies); the last page has no next one."""
    monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
    first = parsed(fetch(client, org_a, "/catalog.ttl"))
    assert len(list(first.subjects(RDF.type, DCAT.Dataset))) == 2
    (view,) = first.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert (view, RDF.type, HYDRA.PagedCollection) in first
    assert first.value(view, HYDRA.totalItems).toPython() == 3
    assert first.value(view, HYDRA.itemsPerPage).toPython() == 2
    base = f"{org_a.root_url}/catalog.ttl?page="
    assert str(first.value(view, HYDRA.next)) == base + "2"
    assert str(first.value(view, HYDRA.nextPage)) == base + "2"
    assert str(first.value(view, HYDRA.last)) == base + "2"
    assert first.value(view, HYDRA.previous) is None

    second = parsed(fetch(client, org_a, str(first.value(view, HYDRA.next))))
    (view,) = second.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert str(second.value(view, HYDRA.previousPage)) == base + "1"
    assert str(second.value(view, HYDRA.first)) == base + "1"
    assert second.value(view, HYDRA.next) is None
    titles = {
        str(g.value(d, DCTERMS.title))
        for g in (first, second)
        for d in g.subjects(RDF.type, DCAT.Dataset)
    }
    assert titles == {"Salles de cinéma", "Baromètre des entrées", "Festivals"}
    conforms, report = shacl_results(second)
    assert conforms, report


def test_a_single_page_catalogue_has_no_paging(client, org_a, portal):
    graph = parsed(fetch(client, org_a))
    assert not list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/catalog.ttl?page=9", 404),
        ("/catalog.ttl?page=0", 404),
        ("/catalog.ttl?page=deux", 400),
        ("/catalog?format=pdf", 400),
    ],
)
def test_bad_paging_or_format_gets_a_clear_answer(client, org_a, portal, address, status):
    """A page beyond the last, a page that is no number and an unknown format are refused
    with a message, never a server error."""
    response = client.get(address, HTTP_HOST=org_a.hostname)
    assert response.status_code == status
    if status == 400:
        assert response.content.decode().strip()


def test_the_catalogue_reads_a_bounded_number_of_queries(client, org_a, portal, settings):
    """Ten more datasets cost no more queries: the tables and columns are read in bulk."""
    settings.OPENDATA_CATALOGUE_CACHE_SECONDS = 0
    fetch(client, org_a)  # warm the site and settings caches
    with CaptureQueriesContext(connection) as before:
        fetch(client, org_a)
    assert any("opendata_" in q["sql"] for q in before.captured_queries)
    for number in range(10):
        make_dataset(org_a.data, f"Table {number}", fields=CINEMAS[:2], rows=CINEMA_ROWS[:1])
    with CaptureQueriesContext(connection) as after:
        fetch(client, org_a)
    assert len(after) <= len(before) + 2, [q["sql"] for q in after.captured_queries]


def test_unpublished_changes_and_restricted_pages_stay_out(client, org_a, portal):
    """A draft change of a published dataset's title is not harvested until published, and a
    dataset page behind a password is not listed at all."""
    cinemas = portal["cinemas"]
    cinemas.title = "Titre en préparation"
    cinemas.save_revision()
    festivals = portal["festivals"]
    PageViewRestriction.objects.create(
        page=festivals, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    graph = parsed(fetch(client, org_a))
    assert titles(graph) == {"Salles de cinéma", "Baromètre des entrées"}


def test_an_english_organization_s_catalogue_is_in_english(client, portal):
    """The catalogue speaks the organization's language: its language, its literals' tags and
    its labels."""
    site = make_organization("Northern Images", "northern.test", language="en")
    make_dataset(site.data, "Cinemas", fields=CINEMAS[:1], rows=[{"nom": "A"}], themes=["EDUC"])
    graph = parsed(fetch(client, site))
    (catalogue,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert graph.value(catalogue, DCTERMS.language) == URIRef(EU + "language/ENG")
    assert graph.value(catalogue, DCTERMS.description).language == "en"
    theme = URIRef(EU + "data-theme/EDUC")
    assert str(graph.value(theme, SKOS.prefLabel)) == "Education, culture and sport"


def test_formats_are_negotiated_and_requests_counted(client, org_a, portal, settings):
    """``/catalog`` answers the format a harvester accepts; past the rate limit, a clear
    refusal with the time to wait."""
    response = fetch(client, org_a, "/catalog", HTTP_ACCEPT="application/rdf+xml")
    assert response["Content-Type"].startswith("application/rdf+xml")
    assert titles(parsed(response, "xml"))
    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 1
    cache.clear()
    fetch(client, org_a)
    refused = client.get("/catalog.ttl", HTTP_HOST=org_a.hostname)
    assert refused.status_code == 429
    assert refused["Retry-After"] and refused.content.decode().strip()


def test_a_dataset_without_a_contact_gives_the_organization_s(client, org_a, portal):
    """Harvesters need someone to write to: a dataset naming no contact point gives the
    organization's first public e-mail."""
    settings = OrganizationSettings.for_site(org_a)
    OrganizationContactPoint.objects.create(settings=settings, label="Téléphone", phone="555")
    OrganizationContactPoint.objects.create(
        settings=settings, label="Accueil", email="accueil@boreal.test"
    )
    graph = parsed(fetch(client, org_a))
    contact = graph.value(dataset_node(portal["festivals"]), DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:accueil@boreal.test")
    assert str(graph.value(contact, VCARD.fn)) == "Centre Images Boréales"
    own = graph.value(dataset_node(portal["cinemas"]), DCAT.contactPoint)
    assert graph.value(own, VCARD.hasEmail) == URIRef("mailto:donnees@boreal.test")


def test_the_catalogue_is_kept_until_something_is_published(client, org_a, portal):
    """Harvesters asking again get the kept document without the datasets being read again;
    publishing a dataset shows in the next answer."""
    fetch(client, org_a)
    with CaptureQueriesContext(connection) as again:
        fetch(client, org_a)
    assert not [q for q in again.captured_queries if "opendata_" in q["sql"]]
    make_dataset(org_a.data, "Nouveautés", fields=CINEMAS[:1], rows=[{"nom": "N"}])
    assert "Nouveautés" in titles(parsed(fetch(client, org_a)))
