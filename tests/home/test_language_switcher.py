"""The language switcher stays on every page of a site with several languages: a page without a
translation sends the visitor to the home page of the other language, and tells search engines
only of its real translations."""

import pytest
from wagtail.models import Locale

from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def bilingual(org_a):
    english = Locale.objects.create(language_code="en")
    org_a.root_page.copy_for_translation(english).save_revision().publish()
    org_a.people_index.copy_for_translation(english).save_revision().publish()
    translated = make_person(org_a.people_index, "Élise Tremblay")
    translated.copy_for_translation(english).save_revision().publish()
    untranslated = make_person(org_a.people_index, "Samuel Morin")
    return {"translated": translated, "untranslated": untranslated, "english": english}


def switcher(html: str) -> str:
    start = html.index('class="language-switcher"')
    return html[start : html.index("</nav>", start)]


def test_a_page_without_translation_offers_the_other_languages_home_page(client, bilingual):
    html = client.get(bilingual["untranslated"].url, HTTP_HOST="boreal.test").content.decode()
    links = switcher(html)
    assert 'href="/personnes/samuel-morin/"' in links and 'aria-current="true"' in links
    assert 'href="/en/" lang="en"' in links
    assert 'hreflang="en" href="http://boreal.test/en/"' not in html, "not a translation"


def test_a_translated_page_offers_its_translation(client, bilingual):
    html = client.get(bilingual["translated"].url, HTTP_HOST="boreal.test").content.decode()
    assert 'href="/en/personnes/elise-tremblay/"' in switcher(html)
    assert '<link rel="alternate" hreflang="en"' in html


def test_the_english_side_leads_back_to_the_french_home_when_untranslated(client, bilingual):
    english_only = make_person(
        bilingual["translated"].get_parent().get_translation(bilingual["english"]),
        "Only In English",
    )
    html = client.get(english_only.url, HTTP_HOST="boreal.test").content.decode()
    assert 'href="/" lang="fr"' in switcher(html)


def test_a_draft_home_page_is_not_offered(client, org_a, bilingual):
    english_home = org_a.root_page.get_translation(bilingual["english"])
    english_home.unpublish()
    html = client.get(bilingual["untranslated"].url, HTTP_HOST="boreal.test").content.decode()
    assert 'class="language-switcher"' not in html, "French only now"


def test_the_switcher_costs_one_query(rf, bilingual, django_assert_num_queries):
    from django.template import Context, Template
    from wagtail.models import Site

    page = bilingual["untranslated"]
    request = rf.get(page.url, HTTP_HOST="boreal.test")
    Site.find_for_request(request)
    Site.get_site_root_paths()
    template = Template(
        "{% load home_tags %}{% page_languages as languages %}{{ languages|length }}"
    )
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request, "page": page})) == "2"
