"""Visitors and staff find pages whatever the form of the word they type: plural or singular,
with or without accents, in French and in English, on SQLite and on PostgreSQL (the suite runs
on both: ``DATABASE_URL`` selects PostgreSQL). Through the real backend, with real pages."""

import html
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry
from wagtail.search.query import And, Not, Or, Phrase, PlainText

from home.models import StandardPage
from organizations.services import organization_collection
from tests.factories import make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

RESULT_TITLE = re.compile(r'class="search-results__title"><a href="[^"]*">([^<]*)</a>')


def add_page(parent, title, publish=True, **fields):
    page = parent.add_child(instance=StandardPage(title=title, live=publish, **fields))
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def pages(org_a, org_b):
    home = org_a.root_page
    return {
        "cameras": add_page(home, "Location de caméras"),
        "cafe": add_page(home, "Café des cinéastes"),
        "film": add_page(home, "Film", introduction="Un court métrage tourné en Abitibi."),
        "oeuvres": add_page(home, "Œuvres primées"),
        "camille": add_page(home, "Camille au festival"),
        "draft": add_page(home, "Caméras en préparation", publish=False),
        "other_draft": make_organization_page(
            org_b.organizations_index, "Caméras privées du Réseau", publish=False
        ),
        "other_cafe": make_organization_page(org_b.organizations_index, "Café du Réseau"),
    }


def public_titles(client, site, query, path="/search/"):
    response = client.get(path, {"q": query}, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return {html.unescape(title) for title in RESULT_TITLE.findall(response.content.decode())}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("caméra", "Location de caméras"),
        ("cameras", "Location de caméras"),
        ("cafe", "Café des cinéastes"),
        ("CAFÉS", "Café des cinéastes"),
        # The organization's film database (its « Films » section) holds the word too.
        ("films", {"Film", "Films"}),
        ("oeuvre", "Œuvres primées"),
        ("courts métrages", "Film"),
    ],
)
def test_public_search_finds_other_forms_of_a_word(client, org_a, pages, query, expected):
    """A visitor who types the singular, the plural, no accent or « oe » finds the page, and
    only the pages holding that word."""
    expected = expected if isinstance(expected, set) else {expected}
    assert public_titles(client, org_a, query) == expected


def test_public_search_still_shows_only_this_organizations_published_pages(
    client, org_a, org_b, pages
):
    """Stemming finds more forms of a word, never more pages than the visitor may see: drafts
    (this organization's or another's) and another organization's pages stay out."""
    assert public_titles(client, org_a, "caméra") == {"Location de caméras"}
    assert public_titles(client, org_b, "caméras") == set(), "a private draft of org B"
    assert public_titles(client, org_a, "cafés") == {"Café des cinéastes"}
    assert public_titles(client, org_b, "cafés") == {"Café du Réseau"}


def test_english_pages_are_found_by_their_english_forms(client, org_a, pages):
    """An English page is stemmed in English: « cameras » finds « Camera rental », and the
    English search lists no French page (nor the French search this English one)."""
    english = Locale.objects.create(language_code="en")
    home = org_a.root_page.copy_for_translation(english)
    home.save_revision().publish()
    home.refresh_from_db()
    add_page(home, "Camera rental", introduction="Screenings every Friday.")
    assert public_titles(client, org_a, "cameras", path="/en/search/") == {"Camera rental"}
    assert public_titles(client, org_a, "screening", path="/en/search/") == {"Camera rental"}
    assert public_titles(client, org_a, "cameras") == {"Location de caméras"}


def test_a_query_without_words_answers_with_no_result(client, org_a, pages):
    assert public_titles(client, org_a, "?! --") == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("caméra", "Location de caméras"),
        ("cafe", "Café des cinéastes"),
        ("films", "Film"),
        ("oeuvre", "Œuvres primées"),
        ("camé", "Location de caméras"),  # a word being typed
    ],
)
def test_admin_page_search_finds_other_forms_of_a_word(client, editor_a, pages, query, expected):
    """Editors search the admin (which autocompletes) as visitors search the site; another
    organization's pages stay out."""
    client.force_login(editor_a)
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": query})
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert expected in text
    assert "Réseau" not in text
    assert "Camille" not in text, "the stem of a word being typed (« camé » → « cam »)"


def test_admin_image_search_finds_other_forms_of_a_word(client, editor_a, org_a):
    """An image has no language: its title is read in the site's default language (French),
    and a query in French or English reaches it."""
    make_image("Caméra numérique", collection=organization_collection(org_a))
    make_image("Portrait de l'équipe", collection=organization_collection(org_a))
    client.force_login(editor_a)
    for query in ("cameras", "numeriques"):
        response = client.get(reverse("wagtailimages:index"), {"q": query})
        text = html.unescape(response.content.decode())
        assert "Caméra numérique" in text and "Portrait" not in text, query


def test_crm_listing_search_ignores_accents_and_plurals(client, crm_a, org_a):
    """CRM staff find « Bruno Échu » by typing « echu », and « Cinéma Beaubien » by
    « cinémas »; the other words still narrow the list."""
    make_person(org_a.people_index, "Bruno Échu")
    make_person(org_a.people_index, "Camille Dubé", publish=False)
    make_organization_page(org_a.organizations_index, "Cinéma Beaubien")
    client.force_login(crm_a)

    def listed(query):
        response = client.get(reverse("crm_contact:index"), {"q": query})
        text = html.unescape(response.content.decode())
        return {name for name in ("Bruno Échu", "Camille Dubé", "Cinéma Beaubien") if name in text}

    assert listed("echu") == {"Bruno Échu"}
    assert listed("ÉCHU bruno") == {"Bruno Échu"}
    assert listed("cinémas") == {"Cinéma Beaubien"}
    assert listed("dube") == {"Camille Dubé"}
    assert listed("caméras") == set(), "« cam » alone would have found Camille"


def search_titles(query, backend_method="search"):
    backend = get_search_backend()
    results = getattr(backend, backend_method)(query, Page.objects.all())
    return {page.title for page in results}


def test_queries_combine_words_phrases_and_exclusions(pages):
    """Wagtail's query language (every word, a phrase, « but not ») keeps its meaning once
    each part is read in two languages."""
    assert search_titles(PlainText("cafés cinéaste")) == {"Café des cinéastes"}
    assert search_titles(PlainText("cafés cinéaste", operator="or")) == {
        "Café des cinéastes",
        "Café du Réseau",
    }
    assert search_titles(Phrase("cafés des cinéastes")) == {"Café des cinéastes"}
    assert search_titles(Phrase("cinéastes des cafés")) == set()
    assert search_titles(And([PlainText("café"), Not(PlainText("réseaux"))])) == {
        "Café des cinéastes"
    }
    assert search_titles(Or([PlainText("films"), Phrase("oeuvre primée")])) == {
        "Film",
        "Films",  # the film database's section page
        "Œuvres primées",
    }
    assert search_titles(And([PlainText("caméras"), PlainText("préparations")])) == {
        "Caméras en préparation"
    }


def test_a_search_limited_to_some_fields_reads_them_in_both_languages(pages):
    """``fields=`` (what an admin listing may pass) still stems and unaccents."""
    results = get_search_backend().search("camera", StandardPage, fields=["title"])
    assert {page.title for page in results} == {"Location de caméras", "Caméras en préparation"}


def test_the_index_is_rebuilt_by_update_index(pages):
    """``manage.py update_index`` (after an upgrade, or to repair) rebuilds an index that
    finds the same pages."""
    IndexEntry.objects.all().delete()
    assert search_titles("caméra") == set()
    call_command("update_index", stdout=io.StringIO(), stderr=io.StringIO())
    assert search_titles("caméra") == {
        "Location de caméras",
        "Caméras en préparation",
        "Caméras privées du Réseau",
    }
    assert "Location de caméras" in search_titles("camé", backend_method="autocomplete")
