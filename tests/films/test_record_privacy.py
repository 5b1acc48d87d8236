"""A film's public pages never name a CRM record the public may not see: a credited person's
record or a distributor's record that is a draft (or restricted to members) lends neither its
title nor its link to the film's page, its JSON-LD or the film database's index — the name
typed on the credit stands in, or nothing."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from films.models import FilmCredit
from organizations.models import OrganizationKind
from tests.factories import make_film, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARIES = ("Canari-personne-0001", "Canari-personne-0002", "Canari-distributeur-0001")


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture
def film(org_a):
    draft_person = make_person(org_a.people_index, "Canari-personne-0001", publish=False)
    restricted_person = make_person(org_a.people_index, "Canari-personne-0002")
    PageViewRestriction.objects.create(
        page=restricted_person, restriction_type=PageViewRestriction.LOGIN
    )
    distributor = make_organization_page(
        org_a.organizations_index,
        "Canari-distributeur-0001",
        kind=OrganizationKind.DISTRIBUTOR,
        publish=False,
    )
    return make_film(
        org_a.films,
        "Le Film témoin",
        distributor=distributor,
        credits=[
            FilmCredit(role="director", person=draft_person),
            FilmCredit(role="director", person=restricted_person, name="Nom sur le générique"),
            FilmCredit(role="actor", person=draft_person, character="Canari-rôle"),
            FilmCredit(role="actor", name="Actrice tapée"),
        ],
    )


def get(client, site, url):
    response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, url
    return response.content.decode()


def test_private_records_never_appear_on_the_film_page_or_its_json_ld(org_a, film):
    """The film page (its JSON-LD included) shows the typed names « Nom sur le générique » and
    « Actrice tapée », and neither the draft or restricted person records' titles nor the draft
    distributor's; no « Distributeur » line at all."""
    html = get(Client(), org_a, film.url)
    assert "Le Film témoin" in html and 'type="application/ld+json"' in html
    assert "Nom sur le générique" in html and "Actrice tapée" in html
    for canary in CANARIES:
        assert canary not in html
    assert "Distributeur" not in html


def test_private_records_never_appear_on_the_film_index(org_a, film):
    """The film database's index, even filtered by the draft distributor's id, shows the film
    with the typed director's name and offers no private record's title."""
    client = Client()
    index = get(client, org_a, org_a.films.url)
    assert "Le Film témoin" in index and "Nom sur le générique" in index
    filtered = get(client, org_a, f"{org_a.films.url}?distributor={film.distributor_id}")
    assert "Le Film témoin" in filtered
    for html in (index, filtered):
        for canary in CANARIES:
            assert canary not in html


def test_public_records_are_still_named_and_linked(org_a):
    """Once published, the person's and distributor's records are named and linked."""
    person = make_person(org_a.people_index, "Personne publique")
    distributor = make_organization_page(
        org_a.organizations_index, "Distributeur public", kind=OrganizationKind.DISTRIBUTOR
    )
    film = make_film(
        org_a.films,
        "Le Film public",
        distributor=distributor,
        credits=[FilmCredit(role="director", person=person)],
    )
    client = Client()
    html = get(client, org_a, film.url)
    assert f'href="{person.url}"' in html or person.url in html
    assert "Personne publique" in html and "Distributeur public" in html
    index = get(client, org_a, org_a.films.url)
    assert "Personne publique" in index and "Distributeur public" in index
