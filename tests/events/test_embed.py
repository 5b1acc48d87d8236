"""The agenda on members' and partners' websites: ``events.json`` for developers, ``embed/`` for
an ``<iframe>``, and the code to paste that the admin shows. What a partner site gets: the same
public dates as the agenda, with the same filters, canonical links, clear errors in French, a
framed page that works without JavaScript; never a private detail."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from events.models import EventIndexPage, EventPrivate
from organizations.models import OrganizationSettings
from tests.factories import (
    make_event,
    make_organization_of_kind,
    make_organization_page,
    share_agenda,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DAY = dt.date(2027, 3, 9)


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture
def network(org_b):
    OrganizationSettings.objects.filter(site=org_b).update(kind="network")
    EventIndexPage.objects.filter(pk=org_b.agenda.pk).update(show_network_members=True)
    org_b.agenda.refresh_from_db()
    return org_b


def get(client, site, route, query=""):
    return client.get(f"{site.agenda.url}{route}{query}", HTTP_HOST=site.hostname)


def test_events_json_lists_the_agenda_s_public_dates(client, network):
    """A developer reads each date's title, canonical link, local start and end with their
    offset, venue, accessibility, kind and organization, a member's included."""
    rex = make_organization_of_kind(
        "Le Rex", "le-rex.test", "cinema", language="fr-fr", time_zone="Europe/Paris"
    )
    share_agenda(rex, network)
    salle = make_organization_page(rex.organizations_index, "Salle du Rex")
    make_event(
        rex.agenda,
        "Ciné-goûter",
        kind="screening",
        start_time=dt.time(15, 0),
        end_time=dt.time(17, 0),
        venue=salle,
        audio_description=True,
        deaf_subtitles=True,
    )
    make_event(network.agenda, "Assemblée", start_date=DAY + dt.timedelta(days=1))

    response = get(client, network, "events.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert data["next"] is None and data["previous"] is None
    assert data["agenda"]["url"] == "http://reseau.test/agenda/"
    first, second = data["items"]
    assert first == {
        "title": "Ciné-goûter",
        "url": "http://le-rex.test/agenda/cine-gouter/",
        "start": "2027-03-09T15:00:00+01:00",
        "end": "2027-03-09T17:00:00+01:00",
        "all_day": False,
        "time_zone": "Europe/Paris",
        "kind": "screening",
        "kind_label": "Projection",
        "summary": "",
        "venue": "Salle du Rex",
        "venue_url": salle.get_full_url(),
        "organization": "Le Rex",
        "accessibility": ["audio_description", "deaf_subtitles"],
        "status": "",
        "moved": False,
        "source": "events",
    }
    assert second["title"] == "Assemblée" and second["all_day"] is True
    assert second["url"] == "http://reseau.test/agenda/assemblee/"
    assert (second["start"], second["end"]) == ("2027-03-10", "2027-03-10")


def test_events_json_follows_the_agenda_s_filters(client, network):
    """The same filters as the agenda: one cinema of the network, a kind."""
    rex = make_organization_of_kind("Le Rex", "le-rex.test", "cinema")
    share_agenda(rex, network)
    make_event(rex.agenda, "Séance", kind="screening")
    make_event(network.agenda, "Atelier", kind="workshop")

    one = get(client, network, "events.json", "?cinema=le-rex.test").json()
    kind = get(client, network, "events.json", "?kind=workshop").json()

    assert [i["title"] for i in one["items"]] == ["Séance"]
    assert [i["title"] for i in kind["items"]] == ["Atelier"]


def test_events_json_never_carries_private_details(client, org_a):
    """An event's internal notes, budget and contributor stay in the office: a canary planted
    in each is in no byte of the JSON or the embed."""
    event = make_event(org_a.agenda, "Ciné-club")
    EventPrivate.objects.update_or_create(
        translation_key=event.translation_key,
        defaults={
            "site": org_a,
            "internal_notes": "CANARY-notes",
            "budget": "CANARY-budget",
            "contributor_name": "CANARY-nom",
            "contributor_email": "canary@example.org",
        },
    )

    for route in ("events.json", "embed/"):
        body = get(client, org_a, route).content.decode()
        assert "Ciné-club" in body
        assert "CANARY" not in body and "canary@" not in body


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("?from=demain", "invalid_filter", "«\u00a0demain\u00a0» n’est pas une date"),
        ("?department=7", "invalid_filter", "n’est pas un département français"),
        ("?cinema=inconnu.test", "invalid_filter", "n’est pas une organisation de cet agenda"),
        ("?page=zero", "invalid_page", "«\u00a0page\u00a0» est un numéro de page"),
        ("?page=9", "invalid_page", "Il n’y a pas de page 9\u00a0: la dernière page est la 1."),
    ],
)
def test_events_json_says_what_is_wrong_in_french(client, org_a, query, code, message):
    """A wrong parameter answers 400 with a code and a message in the request's language
    (French by default), and the answer is not kept by caches."""
    make_event(org_a.agenda, "Ciné-club")

    response = get(client, org_a, "events.json", query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"]
    assert "no-store" in response["Cache-Control"]


def test_events_json_answers_only_get(client, org_a):
    """A POST is refused with 405 and a JSON error, not a page."""
    response = client.post(f"{org_a.agenda.url}events.json", HTTP_HOST=org_a.hostname)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_embed_works_without_javascript(client, network):
    """A partner frames the embed: its HTML already holds the dates and their links, which open
    in a new tab; it carries no script and no site header."""
    rex = make_organization_of_kind("Le Rex", "le-rex.test", "cinema")
    share_agenda(rex, network)
    make_event(rex.agenda, "Séance du Rex", kind="screening", sign_language=True)
    make_event(network.agenda, "Assemblée")

    response = get(client, network, "embed/")

    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find("script") is None
    assert soup.find("header") is None
    assert soup.html["lang"] == "fr-FR"
    links = {a.get_text(): a for a in soup.select(".embed-agenda__item a")}
    assert links["Séance du Rex"]["href"] == "http://le-rex.test/agenda/seance-du-rex/"
    assert links["Séance du Rex"]["target"] == "_blank"
    assert links["Assemblée"]["href"] == "http://reseau.test/agenda/assemblee/"
    assert "Langue des signes" in soup.get_text()


def test_the_embed_of_one_cinema(client, network):
    """A member pastes the network's embed narrowed to itself (``?cinema=``): only its dates."""
    rex = make_organization_of_kind("Le Rex", "le-rex.test", "cinema")
    lux = make_organization_of_kind("Le Lux", "le-lux.test", "cinema")
    share_agenda(rex, network)
    share_agenda(lux, network)
    make_event(rex.agenda, "Séance du Rex")
    make_event(lux.agenda, "Séance du Lux")

    soup = BeautifulSoup(
        get(client, network, "embed/", "?cinema=le-rex.test").content.decode(), "html.parser"
    )

    assert [a.get_text() for a in soup.select(".embed-agenda__item a")] == ["Séance du Rex"]


def test_only_the_embed_may_be_framed(client, org_a, settings):
    """Other sites may frame the embed (no X-Frame-Options, CSP frame-ancestors), and it stays
    so when served from the page cache; the agenda itself still refuses to be framed."""
    settings.PAGE_CACHE_TIMEOUT = 600
    make_event(org_a.agenda, "Ciné-club")

    for _visit in range(2):  # rendered, then from the cache
        embed = get(client, org_a, "embed/")
        assert embed.status_code == 200
        assert "X-Frame-Options" not in embed.headers
        assert "frame-ancestors *" in embed["Content-Security-Policy"]
        assert "Ciné-club" in embed.content.decode()
    agenda = get(client, org_a, "")
    assert agenda["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in agenda["Content-Security-Policy"]  # the site's policy


def test_the_admin_shows_the_code_to_paste(admin_client, org_a):
    """An editor opening the agenda in the admin finds the ``<iframe>`` code and the JSON
    address, ready to copy."""
    response = admin_client.get(f"/admin/pages/{org_a.agenda.pk}/edit/", HTTP_HOST=org_a.hostname)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    code = soup.select_one("textarea.events-embed-snippet__code").get_text()
    assert code.startswith('<iframe src="http://boreal.test/agenda/embed/"')
    json_url = soup.select_one("input[id^=embed-json]")["value"]
    assert json_url == "http://boreal.test/agenda/events.json"
