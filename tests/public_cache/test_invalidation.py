"""Whatever changes a public page reaches the one rule (``invalidate_sites``), for the
organization that changed only: its visitors see the change at once, while the other
organizations sharing the installation keep their pages cached (a visit costs them no query).
"""

import json

import pytest
import tablib
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from crm_blocks.models import PersonIndexPage, PersonPage
from home.models import StandardPage
from organizations.models import OrganizationContactPoint, OrganizationSettings
from spreadsheets.files import write_table
from spreadsheets.pipeline import spreadsheet_import
from tests.factories import make_image, make_organization, make_person

from .helpers import visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def people(org_a, org_b):
    """A published person in each organization, a team page in A with a card of one of its
    people, and each organization's people index, all cached."""
    elise = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")
    marc = make_person(org_a.people_index, "Marc Roy", summary="Directeur photo.")
    other = make_person(org_b.people_index, "Agnès Réseau")
    team = StandardPage(title="Notre équipe", slug="equipe")
    team.body = json.dumps([{"type": "person_card", "value": {"page": marc.pk, "note": "Régie"}}])
    org_a.root_page.add_child(instance=team)
    team.save_revision().publish()
    people = {"elise": elise, "marc": marc, "other": other, "team": team}
    for site, url in cached_urls(org_a, org_b, people):
        visit(Client(), site, url)
        assert visit(Client(), site, url).queries == 0
    return people


def cached_urls(org_a, org_b, people):
    return [
        (org_a, people["elise"].url),
        (org_a, people["team"].url),
        (org_a, org_a.people_index.url),
        (org_b, people["other"].url),
        (org_b, org_b.people_index.url),
    ]


def still_cached(site, url) -> bool:
    return visit(Client(), site, url).queries == 0


def test_publishing_shows_at_once_and_keeps_the_other_organization_cached(org_a, org_b, people):
    index = PersonIndexPage.objects.get(pk=org_a.people_index.pk)
    index.title = "Membres"
    index.save_revision().publish()
    response = visit(Client(), org_a, people["elise"].url)
    assert response.queries > 0
    assert ">Membres</a>" in response.html  # the menu
    assert still_cached(org_b, people["other"].url)
    assert still_cached(org_b, org_b.people_index.url)


def test_a_person_unpublished_leaves_the_cards_and_lists_of_their_site_only(org_a, org_b, people):
    PersonPage.objects.get(pk=people["marc"].pk).unpublish()
    assert "Marc Roy" not in visit(Client(), org_a, people["team"].url).html
    assert "Marc Roy" not in visit(Client(), org_a, org_a.people_index.url).html
    assert visit(Client(), org_a, people["marc"].url).status_code == 404
    assert still_cached(org_b, people["other"].url)


def test_a_deleted_page_leaves_its_site(org_a, org_b, people):
    Page.objects.get(pk=people["marc"].pk).delete()
    assert "Marc Roy" not in visit(Client(), org_a, org_a.people_index.url).html
    assert still_cached(org_b, org_b.people_index.url)


def test_a_page_made_private_leaves_its_sites_lists_and_cards(org_a, org_b, people):
    PageViewRestriction.objects.create(
        page=people["marc"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert "Marc Roy" not in visit(Client(), org_a, people["team"].url).html
    assert "Marc Roy" not in visit(Client(), org_a, org_a.people_index.url).html
    assert still_cached(org_b, org_b.people_index.url)


def test_a_page_moved_between_organizations_leaves_one_and_joins_the_other(org_a, org_b, people):
    org_c = make_organization("Cinéma Paraloeil", "paraloeil.test")
    anne = make_person(org_c.people_index, "Anne Côté")
    visit(Client(), org_c, anne.url)
    PersonPage.objects.get(pk=people["elise"].pk).move(
        PersonIndexPage.objects.get(pk=org_b.people_index.pk), pos="last-child"
    )
    assert "Élise Tremblay" not in visit(Client(), org_a, org_a.people_index.url).html
    assert "Élise Tremblay" in visit(Client(), org_b, org_b.people_index.url).html
    assert still_cached(org_c, anne.url)


def test_the_organizations_settings_show_at_once_on_its_pages_only(org_a, org_b, people):
    """The footer shows the legal name and the contact points, saved together or one by one."""
    settings = OrganizationSettings.for_site(org_a)
    settings.legal_name = "Centre Images Boréales inc."
    settings.save()
    assert "Centre Images Boréales inc." in visit(Client(), org_a, people["elise"].url).html
    assert still_cached(org_b, people["other"].url)
    assert still_cached(org_a, people["elise"].url)

    OrganizationContactPoint.objects.create(
        settings=settings, label="Location d'équipement", email="location@boreal.test"
    )
    assert "location@boreal.test" in visit(Client(), org_a, people["elise"].url).html
    assert still_cached(org_b, people["other"].url)


def test_a_site_renamed_or_moved_to_another_host_is_served_afresh(org_a, org_b, people):
    """The site's name shows on its pages; its host name decides which organization answers
    (the old one now falls back to the default organization, A)."""
    org_b.site_name = "Réseau"
    org_b.save()
    assert visit(Client(), org_b, people["other"].url).queries > 0
    assert still_cached(org_a, people["elise"].url)

    org_b.hostname = "reseau-cinemas.test"
    org_b.save()
    moved = visit(Client(), org_b, org_b.people_index.url)
    assert moved.status_code == 200 and "Agnès Réseau" in moved.html
    assert still_cached(org_b, org_b.people_index.url)  # the new host is known at once
    old_host = Client().get(org_b.people_index.url, HTTP_HOST="reseau.test").content.decode()
    assert "Agnès Réseau" not in old_host and "Élise Tremblay" in old_host
    assert still_cached(org_a, people["elise"].url)


def test_an_import_shows_its_records_on_its_organizations_pages_only(org_a, org_b, people):
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
    assert "Luc Gagnon" in visit(Client(), org_a, org_a.people_index.url).html
    assert still_cached(org_b, org_b.people_index.url)


def test_an_image_changed_in_the_library_shows_on_the_pages_using_it(org_a, org_b, people):
    """A new focal point gives the photo new renditions (the old ones may be deleted): the
    pages showing it are rendered again, and only theirs."""
    photo = make_image("Portrait d'Élise")
    person = PersonPage.objects.get(pk=people["elise"].pk)
    person.photo = photo
    person.save_revision().publish()
    before = visit(Client(), org_a, person.url).html
    assert still_cached(org_a, person.url)
    photo.focal_point_x, photo.focal_point_y = 40, 40
    photo.focal_point_width, photo.focal_point_height = 20, 20
    photo.save()
    after = visit(Client(), org_a, person.url)
    assert after.queries > 0 and after.html != before
    assert still_cached(org_b, people["other"].url)
