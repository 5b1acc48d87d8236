"""The people and organizations lists: filters, pagination, and a cost that does not grow with
the number of records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    """What a list costs to render: the page cache (``public_cache``) would answer a second
    visit at no query."""
    settings.PAGE_CACHE_TIMEOUT = 0


def add_people(site, count, start=0):
    photo = make_image("Portrait")
    for n in range(start, start + count):
        make_person(
            site.people_index,
            f"Personne {n:03d}",
            family_name=f"Nom{n:03d}",
            summary=f"Résumé {n}",
            roles=["filmmaker", "technician"] if n % 2 else ["volunteer"],
            photo=photo if n % 3 else None,
        )


def queries_for(client, site, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_people_index_costs_the_same_for_5_or_50_people(client, org_a):
    url = org_a.people_index.url
    add_people(org_a, 5)
    queries_for(client, org_a, url)  # warm caches (site root paths, renditions)
    few, html_few = queries_for(client, org_a, url)
    add_people(org_a, 45, start=5)
    queries_for(client, org_a, url)
    many, html_many = queries_for(client, org_a, url)
    assert html_few.count('class="card') >= 5
    assert html_many.count("Personne 0") >= 24  # a full page of 24 cards
    assert many == few, f"{few} queries for 5 people, {many} for 50"
    assert many <= 20


def test_organizations_index_costs_the_same_for_3_or_30(client, org_a):
    url = org_a.organizations_index.url
    logo = make_image("Logo")
    for n in range(3):
        make_organization_page(org_a.organizations_index, f"Cinéma {n:02d}", logo=logo)
    queries_for(client, org_a, url)
    few, _ = queries_for(client, org_a, url)
    for n in range(3, 30):
        make_organization_page(org_a.organizations_index, f"Cinéma {n:02d}", logo=logo)
    queries_for(client, org_a, url)
    many, html = queries_for(client, org_a, url)
    assert "Cinéma 23" in html
    assert many == few


def test_filter_by_role_and_pagination(client, org_a):
    add_people(org_a, 30)
    _, html = queries_for(client, org_a, org_a.people_index.url + "?role=volunteer")
    assert "Personne 000" in html and "Personne 001" not in html
    _, page_two = queries_for(client, org_a, org_a.people_index.url + "?page=2")
    assert "Personne 029" in page_two and "Personne 000" not in page_two
    _, bogus = queries_for(client, org_a, org_a.people_index.url + "?role=<script>&page=999")
    assert "<script>" not in bogus


def test_person_page_has_a_bounded_number_of_queries(client, org_a):
    person = make_person(
        org_a.people_index, "Élise Tremblay", roles=["filmmaker"], photo=make_image("Élise")
    )
    queries_for(client, org_a, person.url)
    count, html = queries_for(client, org_a, person.url)
    assert "Élise Tremblay" in html
    # 18 for the profile, and 3 for the plugins' sections (the events she takes part in).
    assert count <= 21, count


def test_private_pages_are_hidden_and_other_organizations_restrictions_cost_nothing(
    client, org_a, org_b
):
    from wagtail.models import PageViewRestriction

    add_people(org_a, 3)
    hidden = make_person(org_a.people_index, "Zoé Cachée")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    queries_for(client, org_a, org_a.people_index.url)
    before, html = queries_for(client, org_a, org_a.people_index.url)
    assert "Zoé Cachée" not in html and "Personne 000" in html
    sql_before = longest_query(client, org_a)
    for n in range(20):
        other = make_person(org_b.people_index, f"Privé {n}")
        PageViewRestriction.objects.create(page=other, restriction_type="login")
    queries_for(client, org_a, org_a.people_index.url)  # publishing dropped the cached graph
    after, _ = queries_for(client, org_a, org_a.people_index.url)
    assert after == before
    assert longest_query(client, org_a) == sql_before, (
        "another organization's view restrictions made this organization's query longer"
    )


def longest_query(client, site):
    with CaptureQueriesContext(connection) as ctx:
        client.get(site.people_index.url, HTTP_HOST=site.hostname)
    return max(len(q["sql"]) for q in ctx.captured_queries)


def test_people_are_listed_in_french_alphabetical_order(client, org_a):
    for given, family in [("Zoé", "Zamor"), ("Élise", "Émond"), ("Marc", "Dubé"), ("Ève", "Aubé")]:
        make_person(org_a.people_index, f"{given} {family}", given_name=given, family_name=family)
    _, html = queries_for(client, org_a, org_a.people_index.url)
    positions = [html.index(name) for name in ("Ève Aubé", "Marc Dubé", "Élise Émond", "Zoé Zamor")]
    assert positions == sorted(positions)
