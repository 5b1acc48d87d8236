"""What visitors see of the records beyond each one's own fields: index filters that offer only
what is listed, the organizations on a map over their list, and the affiliations staff made
public on person and organization pages — never a private one, never another organization's
or an unpublished page."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from crm_blocks.models import Affiliation
from tests.factories import contact_of, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def get(client, site, url) -> str:
    response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return response.content.decode()


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="filter-{name}" name="{name}">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="(\w*)"', select.group(1)) if select else []


# --- Filters ------------------------------------------------------------------------------------


def test_people_filter_offers_only_the_roles_of_the_people_listed(client, org_a, org_b):
    make_person(org_a.people_index, "Élise Tremblay", roles=["filmmaker"])
    make_person(org_a.people_index, "Samuel Morin", roles=["technician", "filmmaker"])
    make_person(org_a.people_index, "Brouillon Bénévole", roles=["volunteer"], publish=False)
    make_person(org_b.people_index, "Agnès Varda", roles=["artist"])
    html = get(client, org_a, org_a.people_index.url)
    assert options(html, "role") == ["", "filmmaker", "technician"]


def test_organizations_filter_offers_only_the_kinds_listed(client, org_a, org_b):
    make_organization_page(org_a.organizations_index, "Ciné Rift", kind="cinema")
    make_organization_page(org_a.organizations_index, "École de l'image", kind="school")
    make_organization_page(org_a.organizations_index, "Fonds privé", kind="funder", publish=False)
    make_organization_page(org_b.organizations_index, "Média B", kind="media")
    html = get(client, org_a, org_a.organizations_index.url)
    assert options(html, "kind") == ["", "cinema", "school"]
    filtered = get(client, org_a, org_a.organizations_index.url + "?kind=school")
    assert "École de l" in filtered and "Ciné Rift" not in filtered
    assert 'value="school" selected' in filtered


def test_a_list_with_a_single_kind_has_nothing_to_filter(client, org_a):
    make_organization_page(org_a.organizations_index, "Ciné Rift", kind="cinema")
    make_organization_page(org_a.organizations_index, "Ciné Nord", kind="cinema")
    assert 'class="filter-form"' not in get(client, org_a, org_a.organizations_index.url)


# --- Map ----------------------------------------------------------------------------------------


def map_data(html: str) -> list[dict]:
    island = re.search(
        r'<script id="places-map-data-1" type="application/json">(.*?)</script>', html
    )
    return json.loads(island.group(1)) if island else []


def test_organizations_with_coordinates_are_on_a_map_over_their_list(client, org_a):
    make_organization_page(
        org_a.organizations_index,
        "Ciné Rift",
        kind="cinema",
        locality="Ville-Marie",
        latitude="47.333300",
        longitude="-79.433300",
    )
    make_organization_page(org_a.organizations_index, "Sans Adresse", kind="funder")
    html = get(client, org_a, org_a.organizations_index.url)
    assert map_data(html) == [
        {
            "lat": 47.3333,
            "lng": -79.4333,
            "label": "Ciné Rift",
            "url": "/organismes/cine-rift/",
            "description": "Ville-Marie",
        }
    ]
    # The list stays, and the map names it; Leaflet is served from our own static files.
    assert 'aria-describedby="organization-list"' in html and 'id="organization-list"' in html
    assert "Sans Adresse" in html
    assert '<script src="/static/organizations/vendor/leaflet/leaflet.js" defer>' in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "OpenStreetMap&lt;/a&gt; contributors" in html


def test_no_map_without_coordinates(client, org_a):
    make_organization_page(org_a.organizations_index, "Sans Adresse", kind="funder")
    html = get(client, org_a, org_a.organizations_index.url)
    assert "places-map" not in html and "leaflet" not in html


def test_the_tile_server_is_a_setting(client, org_a, settings):
    settings.MAP_TILE_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Tuiles de l’exemple"
    make_organization_page(
        org_a.organizations_index, "Ciné Rift", latitude="47.3333", longitude="-79.4333"
    )
    html = get(client, org_a, org_a.organizations_index.url)
    assert 'data-tile-url="https://tuiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="© Tuiles de l’exemple"' in html


def test_the_map_costs_no_query_per_organization(client, org_a):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            get(client, org_a, org_a.organizations_index.url)
        return len(captured)

    for n in range(2):
        make_organization_page(
            org_a.organizations_index, f"Ciné {n}", latitude="47.3", longitude=f"-79.{n}"
        )
    queries()
    few = queries()
    for n in range(2, 12):
        make_organization_page(
            org_a.organizations_index, f"Ciné {n}", latitude="47.3", longitude=f"-79.{n}"
        )
    queries()
    assert queries() == few


# --- Affiliations -------------------------------------------------------------------------------


@pytest.fixture
def affiliated(org_a):
    person = make_person(org_a.people_index, "Élise Tremblay")
    studio = make_organization_page(org_a.organizations_index, "Productions du Nord")
    jury = make_organization_page(org_a.organizations_index, "Fondation Harricana")
    draft = make_organization_page(org_a.organizations_index, "Projet Secret", publish=False)
    ended = make_organization_page(org_a.organizations_index, "Ancien Studio")

    def affiliate(organization, role, **fields):
        return Affiliation.objects.create(
            person=contact_of(person), organization=contact_of(organization), role=role, **fields
        )

    affiliate(studio, "Monteuse associée", public=True)
    affiliate(jury, "Jurée canari-privé")  # kept in the CRM
    affiliate(draft, "Conseillère canari-brouillon", public=True)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    affiliate(ended, "Stagiaire canari-passé", public=True, end_date=yesterday)
    return {"person": person, "studio": studio, "jury": jury}


def test_a_person_page_shows_the_public_affiliations_to_public_pages(client, org_a, affiliated):
    html = get(client, org_a, affiliated["person"].url)
    assert 'href="/organismes/productions-du-nord/">Productions du Nord</a> — Monteuse' in html
    assert "canari" not in html, "private, draft or ended affiliations stay in the CRM"
    page = get(client, org_a, affiliated["studio"].url)
    assert 'href="/personnes/elise-tremblay/">Élise Tremblay</a> — Monteuse associée' in page
    assert "canari" not in get(client, org_a, affiliated["jury"].url)


def test_an_affiliation_disappears_with_its_pages_publicity(client, org_a, affiliated):
    PageViewRestriction.objects.create(
        page=affiliated["studio"], restriction_type=PageViewRestriction.LOGIN
    )
    assert "Monteuse associée" not in get(client, org_a, affiliated["person"].url)


def test_another_organizations_pages_never_show(client, org_a, org_b, affiliated):
    # The same record names in another organization are other records: nothing crosses.
    make_person(org_b.people_index, "Élise Tremblay")
    other = get(client, org_b, "/personnes/elise-tremblay/")
    assert "Monteuse associée" not in other and "Productions du Nord" not in other
