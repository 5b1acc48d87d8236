"""A change in one organization forgets that organization's cached graphs, and only theirs: its
visitors and search engines see the change at once, while the other organizations sharing the
installation keep their graphs cached (no rebuild of every site's pages at each publish)."""

import pytest
import tablib
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from crm_blocks.models import PersonIndexPage, PersonPage
from organizations.models import OrganizationSettings
from spreadsheets.files import write_table
from spreadsheets.pipeline import spreadsheet_import
from structured_data.graph import cached_graph
from tests.factories import make_organization, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def cached(site, page) -> tuple[dict, int]:
    """The page's graph as a visitor gets it, and how many queries it took (0: from the cache)."""
    page = PersonPage.objects.get(pk=page.pk)
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    with CaptureQueriesContext(connection) as queries:
        graph = cached_graph(page, request)
    return graph, len(queries)


def breadcrumb_names(graph) -> list[str]:
    (breadcrumb,) = [n for n in graph["@graph"] if n["@type"] == "BreadcrumbList"]
    return [item["name"] for item in breadcrumb["itemListElement"]]


@pytest.fixture
def people(org_a, org_b):
    """One published person per organization, their graphs cached."""
    person_a = make_person(org_a.people_index, "Élise Tremblay")
    person_b = make_person(org_b.people_index, "Marc Roy")
    for site, person in [(org_a, person_a), (org_b, person_b)]:
        cached(site, person)
        assert cached(site, person)[1] == 0
    return person_a, person_b


def test_publishing_in_one_organization_rebuilds_its_graphs_and_keeps_the_others(
    org_a, org_b, people
):
    person_a, person_b = people
    index = PersonIndexPage.objects.get(pk=org_a.people_index.pk)
    index.title = "Membres"
    index.save_revision().publish()

    graph_a, queries_a = cached(org_a, person_a)
    assert queries_a > 0
    assert "Membres" in breadcrumb_names(graph_a)
    _graph_b, queries_b = cached(org_b, person_b)
    assert queries_b == 0


def test_unpublishing_in_one_organization_keeps_the_others(org_a, org_b, people):
    person_a, person_b = people
    other = make_person(org_a.people_index, "Luc Gagnon")
    cached(org_a, person_a)
    PersonPage.objects.get(pk=other.pk).unpublish()
    assert cached(org_a, person_a)[1] > 0
    assert cached(org_b, person_b)[1] == 0


def test_a_page_moved_between_organizations_rebuilds_both_and_no_other(org_a, org_b, people):
    person_a, person_b = people
    org_c = make_organization("Cinéma Paraloeil", "paraloeil.test")
    person_c = make_person(org_c.people_index, "Anne Côté")
    cached(org_c, person_c)
    leaving = make_person(org_a.people_index, "Luc Gagnon")
    cached(org_a, person_a)
    PersonPage.objects.get(pk=leaving.pk).move(
        PersonIndexPage.objects.get(pk=org_b.people_index.pk), pos="last-child"
    )
    assert cached(org_a, person_a)[1] > 0
    assert cached(org_b, person_b)[1] > 0
    assert cached(org_c, person_c)[1] == 0


def test_settings_or_site_of_one_organization_rebuild_only_its_graphs(org_a, org_b, people):
    person_a, person_b = people
    settings = OrganizationSettings.for_site(org_a)
    settings.legal_name = "Centre Images Boréales inc."
    settings.save()
    graph_a, queries_a = cached(org_a, person_a)
    assert queries_a > 0
    (organization,) = [n for n in graph_a["@graph"] if n["@id"].endswith("/#organization")]
    assert organization["legalName"] == "Centre Images Boréales inc."
    assert cached(org_b, person_b)[1] == 0

    org_b.site_name = "Réseau"
    org_b.save()
    assert cached(org_b, person_b)[1] > 0
    assert cached(org_a, person_a)[1] == 0


def test_an_import_rebuilds_its_organizations_graphs_only(org_a, org_b, people):
    person_a, person_b = people
    dataset = tablib.Dataset(headers=["email", "first_name", "last_name"])
    dataset.append(["luc@example.org", "Luc", "Gagnon"])
    report = spreadsheet_import(
        site=org_a,
        kind="people",
        data=write_table(dataset, "csv"),
        filename="membres.csv",
        publish=True,
    )
    assert report.new == 1
    assert cached(org_a, person_a)[1] > 0
    assert cached(org_b, person_b)[1] == 0
