"""Screenings in the agendas: a cinema's agenda lists its screenings beside its events, and the
network's agenda those of the members that share their events with it — linked to the film's
page, filterable by film and accessibility, never from a member that did not opt in, never with
admissions or receipts, at a cost that does not grow with the number of screenings."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventIndexPage
from organizations.models import OrganizationSettings
from tests.factories import (
    make_cinema,
    make_event,
    make_film,
    make_organization_of_kind,
    make_screening,
    share_agenda,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

UTC = dt.UTC
START = dt.datetime(2027, 3, 9, 19, tzinfo=UTC)


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture
def network(org_b):
    OrganizationSettings.objects.filter(site=org_b).update(kind="network")
    EventIndexPage.objects.filter(pk=org_b.agenda.pk).update(show_network_members=True)
    org_b.agenda.refresh_from_db()
    return org_b


def member(name, host, network=None, share=True):
    site = make_organization_of_kind(
        name, host, "cinema", language="fr-fr", time_zone="Europe/Paris"
    )
    if network is not None:
        share_agenda(site, network, share=share)
    return site


def titles(response) -> dict[str, str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {a.get_text(strip=True): a["href"] for a in soup.select(".agenda-item__title a")}


def visit(client, site, query=""):
    response = client.get(f"{site.agenda.url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return response


def test_a_cinema_s_agenda_lists_its_screenings_linked_to_the_film(client, network):
    """A visitor of a cinema's agenda sees tonight's film beside the cinema's own events, linked
    to the film's page on the network's site; its admissions and receipts are nowhere."""
    lumiere = member("Cinéma Lumière", "lumiere.test", network)
    film = make_film(network.films, "Les Heures claires", versions=("VF", "VF-AD"))
    screening = make_screening(
        lumiere, film, START, version="VF-AD", admissions=8731017, gross_receipts="98765.43"
    )
    make_event(lumiere.agenda, "Ciné-débat", start_date=START.date())

    response = visit(client, lumiere)
    found = titles(response)

    assert found["Ciné-débat"] == "/agenda/cine-debat/"
    assert found["Les Heures claires"] == f"{film.full_url}#screening-{screening.pk}"
    text = response.content.decode()
    assert "Audiodescription" in text
    assert "8731017" not in text and "8 731 017" not in text and "98765" not in text


def test_the_network_agenda_shows_screenings_of_sharing_members_only(client, network):
    """The network's agenda lists the screenings of a member that shares its events; a member
    that did not opt in, or shares with another network, never appears."""
    film = make_film(network.films, "Les Heures claires")
    rex = member("Le Rex", "rex.test", network)
    hidden = member("Cinéma discret", "discret.test", network, share=False)
    other = make_organization_of_kind("Autre réseau", "autre.test", "network")
    elsewhere = member("Salle d'ailleurs", "ailleurs.test", other)
    canary = make_film(network.films, "Canari-film-0001")
    make_screening(rex, film, START)
    make_screening(hidden, canary, START)
    make_screening(elsewhere, canary, START + dt.timedelta(hours=1))

    found = titles(visit(client, network))

    assert "Les Heures claires" in found
    assert "Canari-film-0001" not in found
    payload = json.loads(
        client.get(f"{network.agenda.url}events.json", HTTP_HOST=network.hostname).content
    )
    assert [item["title"] for item in payload["items"]] == ["Les Heures claires"]
    assert payload["items"][0]["kind"] == "screening"


def test_filters_by_film_accessibility_and_kind(client, network):
    """The film filter keeps one film's screenings; « audio description » keeps the
    audio-described versions; asking for workshops hides the screenings."""
    lumiere = member("Cinéma Lumière", "lumiere.test", network)
    first = make_film(network.films, "Les Heures claires", versions=("VF", "VF-AD"))
    second = make_film(network.films, "Orbite basse")
    make_screening(lumiere, first, START, version="VF", room="1")
    make_screening(lumiere, first, START, version="VF-AD", room="2")
    make_screening(lumiere, second, START, room="3")

    by_film = visit(client, network, f"?film={second.pk}")
    assert set(titles(by_film)) == {"Orbite basse"}
    soup = BeautifulSoup(by_film.content.decode(), "html.parser")
    assert soup.select_one("select[name=film] option[selected]").get_text() == "Orbite basse"

    described = BeautifulSoup(
        visit(client, network, "?access=audio_description").content.decode(), "html.parser"
    )
    assert len(described.select(".agenda-item")) == 1
    assert "VF-AD" in described.select_one(".agenda-item").get_text()

    assert titles(visit(client, network, "?kind=workshop")) == {}


def test_a_cinema_record_s_screenings_follow_its_publication(client, network):
    """Screenings the association lists at a cinema record it has not published stay out."""
    film = make_film(network.films, "Les Heures claires")
    draft = make_cinema(network, "Salle en projet", publish=False)
    public = make_cinema(network, "Cinéma du Parc")
    make_screening(network, film, START, cinema=draft, room="A")
    make_screening(network, film, START, cinema=public, room="B")

    soup = BeautifulSoup(visit(client, network).content.decode(), "html.parser")
    lines = soup.select(".agenda-item")
    assert len(lines) == 1
    assert "Cinéma du Parc" in lines[0].get_text()


def test_the_agenda_costs_the_same_for_3_or_30_screenings(client, network):
    """The number of queries of the network's agenda does not grow with its screenings."""
    rex = member("Le Rex", "rex.test", network)
    films = [make_film(network.films, f"Film {n}") for n in range(3)]

    def count():
        with CaptureQueriesContext(connection) as queries:
            visit(client, network)
        return len(queries)

    for n in range(3):
        make_screening(rex, films[n], START + dt.timedelta(days=n))
    count()  # the first visit reads what later ones find cached (the members' map)
    few = count()
    for n in range(27):
        make_screening(rex, films[n % 3], START + dt.timedelta(days=3 + n))
    assert count() == few
