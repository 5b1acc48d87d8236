"""What search engines read on a film's page: one graph (read back by extruct from the rendered
page, checked against the schema.org vocabulary and Google's requirements) describing the
film as a ``Movie`` — its people by their public records' ``@id``, duration in ISO 8601,
countries, languages, accessibility of its versions, distributor as publisher, identifiers,
poster and trailer — and its coming screenings as ``ScreeningEvent``s that point at the film,
the version shown and the cinema's ``@id``, with times and offsets of each cinema's zone."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import extruct
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from films.catalogue import film_page_context
from films.models import FilmCredit, FilmVersion
from films.structured_data import GRAPH_SCREENINGS
from organizations.models import OrganizationSettings
from structured_data.graph import build_graph
from structured_data.validation import validate_graph
from tests.factories import (
    join_network,
    make_cinema,
    make_film,
    make_image,
    make_organization_page,
    make_person,
    make_screening,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
TRAILER = "https://www.youtube.com/watch?v=arbres-hiver"


def soon(days=1, hour=19, minute=30, zone=TORONTO) -> dt.datetime:
    # The day counts from Toronto's today whatever the zone of the clock: near midnight UTC, Paris
    # is already tomorrow, and a Paris screening must not drift a day after the Toronto ones.
    day = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def the_graph(client, site, page):
    response = client.get(page.url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, page.url
    html = response.content.decode()
    assert html.count('type="application/ld+json"') == 1
    (graph,) = extruct.extract(html, base_url=page.full_url, syntaxes=["json-ld"], uniform=False)[
        "json-ld"
    ]
    return graph


def built(page, site):
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    with translation.override("fr"):
        return build_graph(page, request)


def assert_valid(graph):
    errors = [issue for issue in validate_graph(graph) if issue.level == "error"]
    assert not errors, [f"{e.node_type}.{e.property}: {e.message}" for e in errors]


def node(graph, node_id):
    (found,) = [n for n in graph["@graph"] if n.get("@id") == node_id]
    return found


def of_type(graph, type_name):
    return [n for n in graph["@graph"] if n.get("@type") == type_name]


@pytest.fixture
def trailer_embed():
    Embed.objects.create(
        hash=get_embed_hash(TRAILER),
        url=TRAILER,
        max_width=None,
        type="video",
        html="<iframe title='Bande-annonce'></iframe>",
        title="Bande-annonce",
        thumbnail_url="https://i.ytimg.example.com/vi/arbres/hqdefault.jpg",
        width=480,
        height=270,
    )


@pytest.fixture
def the_film(org_a, trailer_embed):
    varda = make_person(org_a.people_index, "Agnès Varda")
    distributor = make_organization_page(org_a.organizations_index, "Funfilm", kind="distributor")
    return make_film(
        org_a.films,
        "Les Arbres de l'hiver",
        original_title="Winter Trees",
        duration=95,
        countries=["CA", "FR"],
        original_languages=["en"],
        genres=["drama"],
        age_rating="qc_13",
        release_date=dt.date(2026, 10, 14),
        visa_number="160001",
        quebec_classification="QC-2026-0042",
        imdb_id="tt1234567",
        distributor=distributor,
        poster=make_image("Affiche"),
        poster_credit="© Funfilm",
        synopsis="<p>Un hiver <b>long</b> au bord du fleuve.</p>",
        trailer=json.dumps(
            [
                {
                    "type": "video",
                    "value": {
                        "video": TRAILER,
                        "title": "Bande-annonce",
                        "caption": "",
                        "upload_date": "2026-09-01",
                    },
                }
            ]
        ),
        versions=("VOSTF", "VF", "VF-AD", "VFSTF-SME"),
        credits=[
            FilmCredit(role="director", person=varda),
            FilmCredit(role="actor", name="Marc Labrèche", character="Le passeur"),
        ],
    )


def test_a_film_is_a_movie_with_its_people_versions_poster_and_trailer(client, org_a, the_film):
    """The Movie, main entity of the page: title and original title, duration PT1H35M, year
    and release date, countries by name and ISO code, original language, every subtitle
    language and accessibility feature its versions offer, the director by their record's
    ``@id`` and the actor by name, the distributor as publisher, genre, rating, identifiers,
    IMDb as sameAs, the poster with its credit, the trailer's VideoObject; each version a Movie
    that is an example of the film."""
    film = the_film
    graph = the_graph(client, org_a, film)
    assert graph == built(film, org_a), "extruct reads back exactly what we built"
    assert_valid(graph)
    url = film.full_url
    movie = node(graph, f"{url}#movie")
    assert movie["@type"] == "Movie"
    assert (movie["name"], movie["alternateName"]) == ("Les Arbres de l'hiver", "Winter Trees")
    assert movie["duration"] == "PT1H35M"
    assert (movie["dateCreated"], movie["datePublished"]) == ("2026", "2026-10-14")
    assert movie["countryOfOrigin"] == [
        {"@type": "Country", "name": "Canada", "identifier": "CA"},
        {"@type": "Country", "name": "France", "identifier": "FR"},
    ]
    assert movie["inLanguage"] == "en"
    assert movie["subtitleLanguage"] == "fr"
    assert movie["accessibilityFeature"] == ["audioDescription", "captions"]
    assert movie["genre"] == ["Drame"]
    assert movie["contentRating"] == "13 ans et plus (Québec)"
    assert movie["description"] == "Un hiver long au bord du fleuve."
    (director,) = movie["director"]
    varda = node(graph, director["@id"])
    assert varda["@type"] == "Person" and varda["name"] == "Agnès Varda"
    assert director["@id"].endswith("/agnes-varda/#person")
    assert movie["actor"] == [{"@type": "Person", "name": "Marc Labrèche"}]
    publisher = node(graph, movie["publisher"]["@id"])
    assert (publisher["@type"], publisher["name"]) == ("Corporation", "Funfilm")
    assert {(i["propertyID"], i["value"]) for i in movie["identifier"]} == {
        ("cnc-visa", "160001"),
        ("quebec-classification", "QC-2026-0042"),
        ("imdb", "tt1234567"),
    }
    assert movie["sameAs"] == ["https://www.imdb.com/title/tt1234567/"]
    poster = node(graph, movie["image"]["@id"])
    assert poster["creditText"] == "© Funfilm"
    trailer = node(graph, movie["trailer"]["@id"])
    assert (trailer["@type"], trailer["embedUrl"]) == ("VideoObject", TRAILER)
    (webpage,) = of_type(graph, "WebPage")
    assert webpage["mainEntity"] == {"@id": movie["@id"]}
    versions = {
        node(graph, ref["@id"])["name"]: node(graph, ref["@id"]) for ref in movie["workExample"]
    }
    described = versions["Les Arbres de l'hiver (VF-AD)"]
    assert described["exampleOfWork"] == {"@id": movie["@id"]}
    assert (described["inLanguage"], described["accessibilityFeature"]) == (
        "fr",
        ["audioDescription"],
    )
    original = versions["Les Arbres de l'hiver (VOSTF)"]
    assert (original["inLanguage"], original["subtitleLanguage"]) == ("en", "fr")
    assert "accessibilityFeature" not in original


def test_screenings_are_screening_events_at_their_cinemas(client, org_a, org_b, the_film):
    """Each coming screening: a ScreeningEvent with a stable ``@id``, dates with the offset of
    its cinema's zone, presenting the film and featuring the version shown (whose
    accessibility it carries), at the cinema's record node (the ``@id`` its own page gives it,
    a MovieTheater with its address), organized by its organization; a member cinema's
    screening in Paris points at that organization's node. Cancelled and past screenings are
    not described."""
    film = the_film
    settings_b = OrganizationSettings.for_site(org_b)
    settings_b.kind = "cinema"
    settings_b.street_address, settings_b.locality, settings_b.postal_code = (
        "5 rue des Écoles",
        "Paris",
        "75005",
    )
    settings_b.save()
    parc = make_cinema(
        org_a, "Cinéma du Parc", street_address="3575 av. du Parc", locality="Montréal"
    )
    join_network(org_b, org_a)
    here = make_screening(org_a, film, soon(1, 19, 30), cinema=parc, version="VF-AD")
    there = make_screening(org_b, film, soon(2, 20, 15, zone=PARIS), version="VOSTF")
    make_screening(org_a, film, soon(-1), cinema=parc, room="2")
    make_screening(org_a, film, soon(3), cinema=parc, room="3", status="cancelled")

    graph = the_graph(client, org_a, film)
    assert graph == built(film, org_a)
    assert_valid(graph)
    url = film.full_url
    events = of_type(graph, "ScreeningEvent")
    assert [e["@id"] for e in events] == [
        f"{url}#screening-{here.pk}",
        f"{url}#screening-{there.pk}",
    ]
    first, second = events
    assert first["startDate"] == soon(1, 19, 30).isoformat()
    assert first["endDate"] == (soon(1, 19, 30) + dt.timedelta(minutes=95)).isoformat()
    assert first["workPresented"] == {"@id": f"{url}#movie"}
    version = node(graph, first["workFeatured"]["@id"])
    assert version["accessibilityFeature"] == ["audioDescription"]
    assert (first["inLanguage"], first.get("subtitleLanguage")) == ("fr", None)
    assert first["eventStatus"] == "https://schema.org/EventScheduled"
    assert first["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert first["organizer"] == {"@id": "http://boreal.test/#organization"}
    cinema = node(graph, first["location"]["@id"])
    assert first["location"]["@id"] == f"{parc.full_url}#organization"
    assert cinema["@type"] == "MovieTheater"
    assert cinema["address"]["addressLocality"] == "Montréal"
    assert second["startDate"] == soon(2, 20, 15, zone=PARIS).isoformat()
    assert (second["inLanguage"], second["subtitleLanguage"]) == ("en", "fr")
    assert second["location"] == second["organizer"] == {"@id": "http://reseau.test/#organization"}
    member = node(graph, "http://reseau.test/#organization")
    assert (member["@type"], member["name"]) == ("MovieTheater", "Réseau des cinémas indépendants")
    assert "accessibilityFeature" not in first, "schema.org has no accessibilityFeature on events"


def test_the_graph_describes_a_bounded_number_of_screenings(client, org_a, the_film):
    """Search engines get the first screenings the page lists, not thousands."""
    parc = make_cinema(org_a, "Cinéma du Parc", street_address="1 rue", locality="Montréal")
    for n in range(GRAPH_SCREENINGS + 5):
        make_screening(org_a, the_film, soon(1 + n // 10, 10 + n % 10), cinema=parc, room=str(n))
    graph = the_graph(client, org_a, the_film)
    assert len(of_type(graph, "ScreeningEvent")) == GRAPH_SCREENINGS == 50
    assert len(of_type(graph, "MovieTheater")) == 1
    assert_valid(graph)


def test_people_and_distributor_not_public_are_not_named_by_their_records(
    client, org_a, trailer_embed
):
    """A director whose record is a draft is named only by the name typed on the credit,
    never by the record's title nor given the ``@id`` of a page nobody can see; a distributor
    whose record is a draft is left out."""
    person = make_person(org_a.people_index, "Réalisatrice Brouillon", publish=False)
    distributor = make_organization_page(
        org_a.organizations_index, "Distribution Brouillon", kind="distributor", publish=False
    )
    film = make_film(
        org_a.films,
        "Kairos",
        poster=make_image("Kairos"),
        distributor=distributor,
        credits=[FilmCredit(role="director", person=person, name="Nom tapé")],
    )
    graph = the_graph(client, org_a, film)
    assert_valid(graph)
    movie = node(graph, f"{film.full_url}#movie")
    assert movie["director"] == [{"@type": "Person", "name": "Nom tapé"}]
    assert "publisher" not in movie
    text = json.dumps(graph, ensure_ascii=False)
    assert "Brouillon" not in text and "personnes" not in text


def test_an_editors_preview_with_a_new_version_builds_its_page_and_graph(org_a):
    """An editor previewing a film with a version and a person not saved yet sees the page
    and its graph: the new version is shown, and described once it is saved."""
    film = make_film(org_a.films, "Kairos", poster=make_image("Kairos"))
    film = film.get_latest_revision_as_object()
    film.versions = [*film.versions.all(), FilmVersion(label="VF-AD", audio_description=True)]
    film.credits = [FilmCredit(role="director", name="Nouvelle Réalisatrice")]
    request = RequestFactory().get(film.url, HTTP_HOST=org_a.hostname)
    request._wagtail_site = org_a
    request.user = AnonymousUser()
    with translation.override("fr"):
        context = film_page_context(film, request)
        graph = build_graph(film, request)
    assert [v["label"] for v in context["film_versions"]] == ["VF", "VF-AD"]
    assert context["directors"] == [{"name": "Nouvelle Réalisatrice", "character": "", "url": ""}]
    movie = node(graph, f"{film.full_url}#movie")
    assert movie["director"] == [{"@type": "Person", "name": "Nouvelle Réalisatrice"}]
    assert movie["accessibilityFeature"] == ["audioDescription"]
    assert len(movie["workExample"]) == 1, "the unsaved version has no @id yet"
