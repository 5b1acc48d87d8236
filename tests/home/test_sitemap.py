"""The sitemap names every public page in every language, and each page's translations, as
search engines expect (``xhtml:link rel="alternate" hreflang``, with an ``x-default``): lost
otherwise, the English pages (missing altogether from Wagtail's own sitemap) and the pairing
that shows an English reader the English page rather than the French one."""

import pytest
from lxml import etree
from wagtail.models import Locale

from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def translate(page, language="en", slug=None, publish=True):
    locale, _created = Locale.objects.get_or_create(language_code=language)
    translated = page.copy_for_translation(locale, copy_parents=True, alias=False)
    if slug:
        translated.slug = slug
        translated.save()
    if publish:
        translated.save_revision().publish()
    return translated


def read_sitemap(client, site) -> dict[str, dict[str, str]]:
    """``{loc: {hreflang: href}}`` of the sitemap of ``site``, parsed as XML."""
    response = client.get("/sitemap.xml", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    urls = {}
    for url in root.iter(f"{SITEMAP}url"):
        links = {
            link.get("hreflang"): link.get("href")
            for link in url.iter(f"{XHTML}link")
            if link.get("rel") == "alternate"
        }
        urls[url.findtext(f"{SITEMAP}loc")] = links
    return urls


@pytest.fixture
def bilingual():
    site = make_organization("Centre Images Boréales", "boreal.test", language="fr-ca")
    person = make_person(site.people_index, "Élise Tremblay")
    translate(site.root_page, slug="en")
    translate(site.people_index, slug="people")
    translate(person, slug="elise-tremblay")
    only_french = make_person(site.people_index, "Marc Dubé")
    return site, person, only_french


def test_translations_are_listed_with_their_alternates_and_x_default(client, bilingual):
    site, _person, _only_french = bilingual
    urls = read_sitemap(client, site)
    french = "http://boreal.test/personnes/elise-tremblay/"
    english = "http://boreal.test/en/people/elise-tremblay/"
    assert english in urls, "the English page is in the sitemap"
    expected = {"fr": french, "en": english, "x-default": french}
    assert urls[french] == expected
    assert urls[english] == expected
    assert urls["http://boreal.test/"] == {
        "fr": "http://boreal.test/",
        "en": "http://boreal.test/en/",
        "x-default": "http://boreal.test/",
    }


def test_a_page_in_one_language_has_no_alternates(client, bilingual):
    site, _person, _only_french = bilingual
    urls = read_sitemap(client, site)
    assert urls["http://boreal.test/personnes/marc-dube/"] == {}


def test_unpublished_translations_and_other_organizations_stay_out(client, bilingual):
    site, person, _only_french = bilingual
    other = make_organization("Réseau des cinémas", "reseau.test", language="fr-fr")
    make_person(other.people_index, "Claire Dumont")
    draft = make_person(site.people_index, "Brouillon Caché", publish=False)
    translate(draft, slug="hidden-draft", publish=False)
    urls = read_sitemap(client, site)
    assert not any("hidden-draft" in loc or "brouillon" in loc for loc in urls)
    assert not any("claire-dumont" in loc or "reseau.test" in loc for loc in urls)


def test_x_default_is_the_organizations_own_language(client):
    """An English-speaking organization whose pages are also in French points x-default at the
    English version."""
    site = make_organization("Northern Lights Film Centre", "northern.test", language="en")
    person = make_person(site.people_index, "Ada Moore")
    translate(site.root_page, language="fr", slug="fr")
    translate(site.people_index, language="fr", slug="personnes")
    translate(person, language="fr", slug="ada-moore")
    urls = read_sitemap(client, site)
    english = f"http://northern.test{person.url}"
    assert urls[english]["x-default"] == english


def test_page_head_names_the_same_alternates(client, bilingual):
    import lxml.html

    site, person, _only_french = bilingual
    html = client.get(person.url, HTTP_HOST=site.hostname).content.decode()
    links = {
        link.get("hreflang"): link.get("href")
        for link in lxml.html.fromstring(html).xpath("//link[@rel='alternate'][@hreflang]")
    }
    assert links == read_sitemap(client, site)["http://boreal.test/personnes/elise-tremblay/"]
