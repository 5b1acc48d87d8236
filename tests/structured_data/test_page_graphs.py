"""Every page type and every contributing block emits one graph that search engines can read:
extruct reads back exactly what we built, hostile text cannot break out of the script, and the
cached graph costs no query."""

import datetime
import json

import extruct
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from home.models import StandardPage
from organizations.models import (
    OrganizationContactPoint,
    OrganizationSettings,
    OrganizationSocialProfile,
)
from structured_data.graph import build_graph
from structured_data.validation import validate_graph
from tests.factories import make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

HOSTILE = "Élise </script><script>alert('x')</script> <!-- \u2028\u2029 & “guillemets”"


def raw_stream(*blocks):
    """StreamField content as the editor saves it (JSON), so every block parses its value."""
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def fetch(client, site, url):
    response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, url
    return response.content.decode()


def graphs_in(html, url="http://boreal.test/"):
    return extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]


def the_graph(client, site, page):
    html = fetch(client, site, page.url)
    found = graphs_in(html)
    assert len(found) == 1, f"{len(found)} JSON-LD scripts on {page.url}"
    assert html.count('type="application/ld+json"') == 1
    return found[0]


def nodes_of_type(graph, schema_type):
    return [node for node in graph["@graph"] if node["@type"] == schema_type]


def assert_valid(graph):
    """No error: known types and properties, every @id reference resolved, Google's required
    properties present."""
    errors = [issue for issue in validate_graph(graph) if issue.level == "error"]
    assert not errors, [f"{e.node_type}.{e.property}: {e.message}" for e in errors]


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


@pytest.fixture
def settings_a(org_a):
    settings = OrganizationSettings.for_site(org_a)
    settings.kind = "production_centre"
    settings.description = "Centre d'artistes en cinéma et vidéo."
    settings.street_address = "150 avenue du Lac"
    settings.locality = "Rouyn-Noranda"
    settings.region = "QC"
    settings.postal_code = "J9X 4N7"
    settings.country = "CA"
    settings.logo = make_image("Logo")
    settings.social_profiles.add(
        OrganizationSocialProfile(label="Instagram", url="https://instagram.com/boreal.example")
    )
    settings.contact_points.add(
        OrganizationContactPoint(label="Accueil", email="info@boreal.example.org")
    )
    settings.save()
    return settings


def test_person_page_is_a_profile_page_about_a_person(client, org_a, settings_a):
    person = make_person(
        org_a.people_index,
        "Élise Tremblay",
        given_name="Élise",
        family_name="Tremblay",
        summary="Monteuse.",
        roles=["filmmaker"],
        photo=make_image("Élise"),
    )
    graph = the_graph(client, org_a, person)
    with translation.override("fr"):
        built = build_graph(person, _request_for(org_a, person))
    assert graph == built, "extruct reads back exactly what we built"
    assert_valid(graph)
    (profile,) = nodes_of_type(graph, "ProfilePage")
    (person_node,) = nodes_of_type(graph, "Person")
    assert profile["mainEntity"] == {"@id": person_node["@id"]}
    assert profile["inLanguage"] == "fr-CA"
    assert person_node["givenName"] == "Élise" and person_node["image"]["@id"].endswith(
        "#primaryimage"
    )
    (organization,) = nodes_of_type(graph, "NGO")
    assert organization["address"]["addressLocality"] == "Rouyn-Noranda"
    assert organization["sameAs"] == ["https://instagram.com/boreal.example"]
    (breadcrumb,) = nodes_of_type(graph, "BreadcrumbList")
    assert [item["name"] for item in breadcrumb["itemListElement"]] == [
        "Centre Images Boréales",
        "Personnes",
        "Élise Tremblay",
    ]


def _request_for(site, page):
    from django.test import RequestFactory

    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    return request


def test_cinema_page_is_a_movie_theater_with_geo_and_opening_hours(client, org_a, settings_a):
    cinema = make_organization_page(
        org_a.organizations_index,
        "Cinéma du Rift",
        kind="cinema",
        summary="Salle indépendante.",
        street_address="42 rue Principale",
        locality="Ville-Marie",
        latitude="47.333300",
        longitude="-79.433300",
        website="https://rift.example.org",
        logo=make_image("Rift"),
    )
    cinema.description = raw_stream(
        (
            "opening_hours",
            {
                "title": "Heures d’ouverture",
                "rows": [{"days": ["Friday", "Saturday"], "opens": "18:00", "closes": "23:00"}],
            },
        )
    )
    cinema.save_revision().publish()
    graph = the_graph(client, org_a, cinema)
    assert_valid(graph)
    (theater,) = nodes_of_type(graph, "MovieTheater")
    assert theater["geo"] == {"@type": "GeoCoordinates", "latitude": 47.3333, "longitude": -79.4333}
    (hours,) = theater["openingHoursSpecification"]
    assert hours["dayOfWeek"] == ["https://schema.org/Friday", "https://schema.org/Saturday"]
    assert (hours["opens"], hours["closes"]) == ("18:00", "23:00")
    html = fetch(client, org_a, cinema.url)
    assert "18:00" in html and "Heures d’ouverture" in html


def test_standard_page_blocks_contribute_faq_cards_place_image_and_video(
    client, org_a, settings_a
):
    person = make_person(org_a.people_index, "Élise Tremblay")
    partner = make_organization_page(org_a.organizations_index, "Productions du Nord")
    video_url = "https://www.youtube.com/watch?v=liens-mutuels"
    Embed.objects.create(
        hash=get_embed_hash(video_url),
        url=video_url,
        max_width=None,
        type="video",
        html="<iframe title='Bande-annonce'></iframe>",
        title="Bande-annonce",
        thumbnail_url="https://i.ytimg.example.com/vi/liens/hqdefault.jpg",
        width=480,
        height=270,
    )
    page = StandardPage(title="Location d'équipement", slug="location")
    page.body = raw_stream(
            ("faq", {"title": "Questions", "items": [
                {"question": "Qui peut louer ?", "answer": "<p>Les membres.</p>"},
                {"question": "Combien ?", "answer": "<p>Selon la grille.</p>"},
            ]}),
            ("person_card", {"page": person.pk, "note": "Responsable"}),
            ("organization_card", {"page": partner.pk, "note": ""}),
            ("place", {"name": "Studio", "street_address": "150 avenue du Lac",
                       "locality": "Rouyn-Noranda", "latitude": "48.24", "longitude": "-79.02"}),
            ("image", {"image": {"image": make_image("Plateau").pk, "decorative": False,
                                 "alt_text": "Le plateau"},
                       "caption": "Le plateau", "credit": "Photo : Ana Roy",
                       "copyright_holder": "Ana Roy", "holder_kind": "person",
                       "licence": "https://creativecommons.org/licenses/by/4.0/"}),
            ("embed", {"video": video_url, "title": "Bande-annonce",
                       "caption": "Notre bande-annonce", "upload_date": "2026-03-01"}),
    )
    org_a.root_page.add_child(instance=page)
    page.save_revision().publish()
    graph = the_graph(client, org_a, page)
    assert_valid(graph)
    (faq_page,) = nodes_of_type(graph, "FAQPage")
    questions = nodes_of_type(graph, "Question")
    assert [q["name"] for q in questions] == ["Qui peut louer ?", "Combien ?"]
    assert questions[0]["acceptedAnswer"] == {"@type": "Answer", "text": "Les membres."}
    assert faq_page["mainEntity"] == [{"@id": q["@id"]} for q in questions]
    mentioned = {ref["@id"] for ref in faq_page["mentions"]}
    assert person.full_url + "#person" in mentioned
    assert partner.full_url + "#organization" in mentioned
    (place,) = nodes_of_type(graph, "Place")
    assert place["@id"] in mentioned and place["geo"]["latitude"] == 48.24
    (image,) = [n for n in nodes_of_type(graph, "ImageObject") if "creditText" in n]
    assert image["creditText"] == "Photo : Ana Roy"
    assert image["copyrightHolder"] == {"@type": "Person", "name": "Ana Roy"}
    assert image["license"] == "https://creativecommons.org/licenses/by/4.0/"
    (video,) = nodes_of_type(graph, "VideoObject")
    assert video["thumbnailUrl"] == "https://i.ytimg.example.com/vi/liens/hqdefault.jpg"
    assert video["uploadDate"] == "2026-03-01"
    assert faq_page["video"] == [{"@id": video["@id"]}]


def test_home_and_index_pages_have_their_graph(client, org_a, settings_a):
    make_person(org_a.people_index, "Élise Tremblay")
    home = the_graph(client, org_a, org_a.root_page)
    assert_valid(home)
    (webpage,) = nodes_of_type(home, "WebPage")
    assert webpage["mainEntity"] == {"@id": "http://boreal.test/#organization"}
    index = the_graph(client, org_a, org_a.people_index)
    assert_valid(index)
    assert nodes_of_type(index, "CollectionPage")


@pytest.mark.parametrize("field", ["title", "summary"])
def test_hostile_text_round_trips_without_breaking_the_script(client, org_a, field):
    values = {"title": "Élise Tremblay", "summary": "Monteuse."}
    values[field] = HOSTILE
    person = make_person(org_a.people_index, values["title"], summary=values["summary"])
    if field == "title":
        person.title = HOSTILE
        person.save_revision().publish()
    html = fetch(client, org_a, person.url)
    assert "<script>alert(" not in html.split("</head>")[0].replace("&lt;script&gt;", "")
    graph = graphs_in(html)[0]
    (person_node,) = nodes_of_type(graph, "Person")
    key = "name" if field == "title" else "description"
    assert person_node[key] == HOSTILE


def test_hostile_organization_name_round_trips(client, org_a):
    settings = OrganizationSettings.for_site(org_a)
    settings.legal_name = HOSTILE
    settings.save()
    graph = graphs_in(fetch(client, org_a, "/"))[0]
    (organization,) = [n for n in graph["@graph"] if n["@id"].endswith("/#organization")]
    assert organization["legalName"] == HOSTILE


def test_cached_graph_adds_no_query_and_follows_publishing(client, org_a, settings):
    settings.PAGE_CACHE_TIMEOUT = 0  # the page rendered each time, its graph from the cache
    person = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")
    fetch(client, org_a, person.url)  # builds and caches the graph

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            html = fetch(client, org_a, person.url)
        return len(ctx.captured_queries), html

    with_graph, _ = queries()
    from django.template import engines

    template = engines["django"].from_string("{% load structured_data_tags %}{% structured_data %}")
    from django.test import RequestFactory

    request = RequestFactory().get(person.url, HTTP_HOST=org_a.hostname)
    request._wagtail_site = org_a
    with CaptureQueriesContext(connection) as ctx:
        template.render({"page": person, "request": request})
    assert len(ctx.captured_queries) == 0, [q["sql"] for q in ctx.captured_queries]
    person.summary = "Monteuse et réalisatrice."
    person.save_revision().publish()
    graph = graphs_in(fetch(client, org_a, person.url))[0]
    (person_node,) = nodes_of_type(graph, "Person")
    assert person_node["description"] == "Monteuse et réalisatrice."
    assert with_graph > 0


def test_settings_change_reaches_cached_graphs(client, org_a):
    fetch(client, org_a, "/")
    settings = OrganizationSettings.for_site(org_a)
    settings.legal_name = "Centre Images Boréales inc."
    settings.save()
    graph = graphs_in(fetch(client, org_a, "/"))[0]
    (organization,) = [n for n in graph["@graph"] if n["@id"].endswith("/#organization")]
    assert organization["legalName"] == "Centre Images Boréales inc."


def test_head_metadata_comes_from_the_same_graph(client, org_a, settings_a):
    person = make_person(
        org_a.people_index, "Élise Tremblay", summary="Monteuse.", photo=make_image("É")
    )
    html = fetch(client, org_a, person.url)
    assert '<meta property="og:type" content="profile">' in html
    assert '<meta property="og:title" content="Élise Tremblay">' in html
    assert '<meta property="og:description" content="Monteuse.">' in html
    assert 'property="og:image" content="http://boreal.test/media/images/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<link rel="canonical" href="http://boreal.test{person.url}">' in html or (
        f'<link rel="canonical" href="{person.full_url}">' in html
    )


def test_private_details_never_reach_the_graph(client, org_a):
    from tests.factories import contact_of

    person = make_person(org_a.people_index, "Élise Tremblay")
    contact = contact_of(person)
    contact.email = "canari-jsonld@example.org"
    contact.phone = "+1 819 555 0142"
    contact.birth_date = datetime.date(1901, 2, 3)
    contact.notes = "CANARI-JSONLD"
    contact.save()
    graph = str(graphs_in(fetch(client, org_a, person.url)))
    for value in ("canari-jsonld", "555 0142", "1901", "CANARI-JSONLD"):
        assert value not in graph
