"""The public website of each organization: search, sitemap, robots, errors, languages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def people(org_a, org_b):
    return {
        "public": make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse."),
        "draft": make_person(org_a.people_index, "Élodie Brouillon", publish=False),
        "other": make_person(org_b.people_index, "Élise Dupont-Réseau"),
    }


def get(client, site, url, **params):
    return client.get(url, params, HTTP_HOST=site.hostname)


def test_search_finds_public_pages_of_this_organization_only(client, org_a, people):
    html = get(client, org_a, reverse("search"), q="Élise").content.decode()
    assert "Élise Tremblay" in html
    assert "Élise Dupont-Réseau" not in html, "another organization's page"
    assert "Élodie" not in get(client, org_a, reverse("search"), q="Brouillon").content.decode()


def test_search_without_query_shows_the_form(client, org_a, people):
    response = get(client, org_a, reverse("search"))
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_search_with_a_huge_query_still_answers(client, org_a, people):
    assert get(client, org_a, reverse("search"), q="x" * 5000).status_code == 200


def test_sitemap_lists_public_pages_of_this_site_only(client, org_a, people):
    xml = get(client, org_a, "/sitemap.xml").content.decode()
    assert people["public"].slug in xml
    assert people["draft"].slug not in xml
    assert "dupont-reseau" not in xml
    assert "http://boreal.test/" in xml


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client, org_a):
    text = get(client, org_a, "/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://boreal.test/sitemap.xml" in text


def test_draft_records_are_not_public(client, org_a, people):
    assert get(client, org_a, "/personnes/elodie-brouillon/").status_code == 404


def test_another_organizations_page_is_not_served_on_this_host(client, org_a, people):
    other_path = "/personnes/" + people["other"].slug + "/"
    assert get(client, org_a, other_path).status_code == 404


def test_404_page_helps_the_visitor(client, org_a):
    response = get(client, org_a, "/rien-ici/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="/"' in html and 'name="q"' in html


def test_home_page_uses_the_organizations_regional_language(client, org_a, org_b):
    assert '<html lang="fr-CA"' in get(client, org_a, "/").content.decode()
    assert '<html lang="fr-FR"' in get(client, org_b, "/").content.decode()


def test_public_pages_have_landmarks_and_one_h1(client, org_a, people):
    for url in ["/", people["public"].url, org_a.people_index.url]:
        html = get(client, org_a, url).content.decode()
        for landmark in ("<header", "<main", "<footer", "<nav"):
            assert landmark in html, (url, landmark)
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html, "skip link"


def test_organization_page_shows_public_address_and_map_link(client, org_a):
    cinema = make_organization_page(
        org_a.organizations_index,
        "Cinéma du Rift",
        kind="cinema",
        street_address="42 rue Principale",
        locality="Ville-Marie",
        latitude="47.333300",
        longitude="-79.433300",
    )
    html = get(client, org_a, cinema.url).content.decode()
    assert "42 rue Principale" in html and "<address" in html
    assert "openstreetmap.org" in html


def test_search_answers_in_the_visitors_language(client, org_a):
    from wagtail.models import Locale

    person = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")
    english = Locale.objects.create(language_code="en")
    org_a.root_page.copy_for_translation(english).save_revision().publish()
    org_a.people_index.copy_for_translation(english).save_revision().publish()
    translated = person.copy_for_translation(english)
    translated.summary = "Film editor."
    translated.save_revision().publish()
    french = get(client, org_a, "/search/", q="Tremblay").content.decode()
    assert "Monteuse." in french and "Film editor." not in french
    english_html = get(client, org_a, "/en/search/", q="Tremblay").content.decode()
    assert "Film editor." in english_html and "Monteuse." not in english_html


def test_translated_pages_announce_each_other(client, org_a):
    from wagtail.models import Locale

    person = make_person(org_a.people_index, "Élise Tremblay")
    english = Locale.objects.create(language_code="en")
    org_a.root_page.copy_for_translation(english).save_revision().publish()
    org_a.people_index.copy_for_translation(english).save_revision().publish()
    person.copy_for_translation(english).save_revision().publish()
    html = get(client, org_a, person.url).content.decode()
    assert '<link rel="alternate" hreflang="fr"' in html
    assert 'hreflang="en" href="http://boreal.test/en/personnes/elise-tremblay/"' in html
    english_html = get(client, org_a, "/en/personnes/elise-tremblay/").content.decode()
    assert '<html lang="en"' in english_html
    assert '<link rel="canonical" href="http://boreal.test/en/personnes/elise-tremblay/">' in (
        english_html
    )


def test_the_500_page_needs_neither_database_nor_context(rf, django_assert_num_queries):
    from home.views import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<html" in html and "<h1" in html


def test_every_page_names_its_icon_and_browsers_asking_for_favicon_ico_get_it(client, org_a):
    home = get(client, org_a, "/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in home
    response = get(client, org_a, "/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
    icon = Path(settings.STATICFILES_DIRS[0]) / "img" / "favicon.svg"
    assert icon.read_text(encoding="utf-8").startswith("<svg")
