"""A site's cached graphs are keyed by its generation counter. The counter may be lost (culled,
evicted, the cache restarted) while graphs cached under its values live on: it then starts again
from a value never used, so a change is never hidden behind a graph cached before it."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from crm_blocks.models import PersonIndexPage, PersonPage
from public_cache.generations import generation_key
from structured_data.graph import cached_graph
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def graph_of(site, page) -> dict:
    page = PersonPage.objects.get(pk=page.pk)
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    return cached_graph(page, request)


def breadcrumb_names(graph) -> list[str]:
    (breadcrumb,) = [n for n in graph["@graph"] if n["@type"] == "BreadcrumbList"]
    return [item["name"] for item in breadcrumb["itemListElement"]]


def rename(index_page, title):
    """A change the person's graph shows (its breadcrumb) without a new revision of the person."""
    index = PersonIndexPage.objects.get(pk=index_page.pk)
    index.title = title
    index.save_revision().publish()


@pytest.fixture
def person(org_a):
    """A person whose graph is cached under the first value of a fresh counter: the value a
    counter lost later would start from again, were it a fixed one."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    cache.delete(generation_key(org_a.pk))
    assert "Membres" not in breadcrumb_names(graph_of(org_a, person))  # now cached
    assert cache.get(generation_key(org_a.pk)) is not None
    return person


def test_a_counter_lost_after_a_change_does_not_bring_back_the_graph_from_before(org_a, person):
    rename(org_a.people_index, "Membres")
    cache.delete(generation_key(org_a.pk))
    assert "Membres" in breadcrumb_names(graph_of(org_a, person))


def test_a_counter_lost_before_a_change_does_not_hide_it(org_a, person):
    rename(org_a.people_index, "Membres")
    assert "Membres" in breadcrumb_names(graph_of(org_a, person))  # cached after one change
    cache.delete(generation_key(org_a.pk))
    rename(org_a.people_index, "Adhérents")
    names = breadcrumb_names(graph_of(org_a, person))
    assert "Adhérents" in names
    assert "Membres" not in names
