"""An event's public page, and the coming events on the pages of its venue, organizer and
performers: what a visitor learns, and nothing of what is private."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events.models import EventOccurrenceChange, EventPerformer
from tests.factories import make_event, make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DAY = dt.date(2027, 3, 9)


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def visit(client, site, page):
    response = client.get(page.url, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def path(page):
    return urlparse(page.url).path


def full_event(site, **fields):
    venue = make_organization_page(
        site.organizations_index,
        "Cinéma du Parc",
        street_address="3575, avenue du Parc",
        locality="Montréal",
        region="QC",
        postal_code="H2X 3P9",
    )
    organizer = make_organization_page(site.organizations_index, "Productions du Nord")
    person = make_person(site.people_index, "Léa Roy")
    hidden = make_person(site.people_index, "Personne brouillon", publish=False)
    event = make_event(
        site.agenda,
        "Ciné-club",
        kind="screening",
        summary="Un film, une discussion.",
        image=make_image("Affiche"),
        image_credit="Photo : Jean Dupont",
        start_time=dt.time(19, 0),
        end_time=dt.time(21, 30),
        recurrence="FREQ=WEEKLY;COUNT=3",
        changes=[
            EventOccurrenceChange(
                original_date=DAY + dt.timedelta(7),
                action="move",
                new_date=DAY + dt.timedelta(8),
                note="Dans la grande salle.",
            )
        ],
        venue=venue,
        organizer=organizer,
        audience="children",
        age_min=8,
        age_max=12,
        sign_language=True,
        language="fr",
        price=12,
        member_price=8,
        ticket_url="https://billets.example.org/cine-club",
        **fields,
    )
    event.performers = [
        EventPerformer(person=person, role="animatrice"),
        EventPerformer(person=hidden, role="invitée"),
        EventPerformer(name="Marc Côté", role="invité"),
    ]
    event.save_revision().publish()
    event.refresh_from_db()
    return event, venue, organizer, person


def test_a_visitor_learns_when_where_for_whom_and_how_much(client, org_a):
    """The event page says it all in French: its coming dates (a moved one marked, with its
    note), its venue with a link and address, its organizer, who performs, the audience and
    ages, accessibility, language, price in the organization's currency and where to buy."""
    event, venue, organizer, person = full_event(org_a)

    soup = visit(client, org_a, event)
    text = soup.get_text(" ", strip=True)

    assert len(soup.find_all("h1")) == 1
    assert soup.select_one("figcaption").get_text() == "Photo : Jean Dupont"
    dates = [li.get_text(" ", strip=True) for li in soup.select(".event-dates li")]
    assert dates[0] == "mardi 9 mars 2027 , 19:00 – 21:30"
    assert dates[1].startswith("mercredi 17 mars 2027") and "Nouvelle date" in dates[1]
    assert "Dans la grande salle." in dates[1]
    assert len(dates) == 3
    assert soup.find("a", string="Cinéma du Parc")["href"] == path(venue)
    assert "3575, avenue du Parc" in text
    assert soup.find("a", string="Productions du Nord")["href"] == path(organizer)
    assert soup.find("a", string="Léa Roy")["href"] == path(person)
    assert "Marc Côté — invité" in text
    assert "Enfants — de 8 à 12 ans" in text
    assert "Langue des signes" in text
    assert "Langue Français" in text
    assert "12,00\u00a0$ (8,00\u00a0$ pour les membres)" in text
    assert soup.find("a", href="https://billets.example.org/cine-club")
    calendar_links = [a["href"] for a in soup.select(".add-to-calendar a")]
    assert calendar_links[0].endswith("/agenda/cine-club/calendar.ics")
    assert len(calendar_links) == 3  # the file, Google Calendar, Outlook.com
    headings = [h.name for h in soup.select("main h1, main h2, main h3, main h4")]
    assert headings[0] == "h1" and "h4" not in headings  # no level skipped


def test_a_private_performer_is_never_named(client, org_a):
    """A person whose record is a draft is private: the event page neither names nor links
    them."""
    event, *_ = full_event(org_a)

    assert "Personne brouillon" not in str(visit(client, org_a, event))


def test_a_free_event_says_so_and_the_site_organizes_by_default(client, org_a):
    """« Gratuit », and without an organizer record the organization itself is named."""
    event = make_event(org_a.agenda, "Pique-nique", is_free=True, place_name="Parc Lafontaine")

    text = visit(client, org_a, event).get_text(" ", strip=True)

    assert "Gratuit" in text
    assert "Parc Lafontaine" in text
    assert "Organisateur Centre Images Boréales" in text


def test_a_cancelled_event_is_marked(client, org_a):
    """A cancelled event says « Annulé » under its title."""
    event = make_event(org_a.agenda, "Annulé pour cause de neige", status="cancelled")

    status = visit(client, org_a, event).select_one(".event__status").get_text(strip=True)

    assert status == "Annulé"


def test_the_venue_organizer_and_performer_pages_list_coming_events(client, org_a, org_b):
    """A venue's page lists the coming events held there, an organizer's those it organizes, a
    person's those they take part in; a draft or restricted event and another organization's
    events are never listed."""
    event, venue, organizer, person = full_event(org_a)
    make_event(org_a.agenda, "Brouillon", venue=venue, publish=False)
    private = make_event(org_a.agenda, "Réservé aux membres", venue=venue)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    make_event(org_b.agenda, "Ailleurs", venue=venue)

    for page in (venue, organizer, person):
        soup = visit(client, org_a, page)
        section = soup.select_one("section.record__events")
        assert section.select_one("h2").get_text() == "Événements à venir"
        assert [a.get_text() for a in section.select("a")] == ["Ciné-club"] * 3
        assert section.select_one("a")["href"] == path(event)
        html = str(soup)
        assert "Brouillon" not in html
        assert "Réservé aux membres" not in html
        assert "Ailleurs" not in html


def test_a_record_without_coming_events_has_no_such_section(client, org_a):
    venue = make_organization_page(org_a.organizations_index, "Salle vide")
    make_event(org_a.agenda, "Passé", venue=venue, start_date=dt.date(2020, 1, 1))

    assert visit(client, org_a, venue).select_one("section.record__events") is None


def test_the_venue_page_costs_the_same_for_2_or_12_events(client, org_a):
    """Listing a venue's coming events costs a fixed number of queries."""
    venue = make_organization_page(org_a.organizations_index, "Cinéma du Parc")

    def count():
        with CaptureQueriesContext(connection) as captured:
            visit(client, org_a, venue)
        return len(captured.captured_queries)

    for n in range(2):
        make_event(org_a.agenda, f"Soirée {n}", venue=venue, start_date=DAY + dt.timedelta(n))
    count()
    few = count()
    for n in range(2, 12):
        make_event(org_a.agenda, f"Soirée {n}", venue=venue, start_date=DAY + dt.timedelta(n))
    count()
    assert count() == few


def test_the_preview_shows_the_dates_this_version_would_publish(client, org_a):
    """An editor who moves the first date sees the new date in the preview before publishing;
    the public page keeps the published one until then."""
    event = make_event(org_a.agenda, "Atelier", start_time=dt.time(19, 0))
    event.start_date = DAY + dt.timedelta(days=1)

    response = event.make_preview_request()

    soup = BeautifulSoup(response.content.decode(), "html.parser")
    dates = [li.get_text(" ", strip=True) for li in soup.select(".event-dates li")]
    assert dates == ["mercredi 10 mars 2027 , 19:00"]
    public = visit(client, org_a, event).select_one(".event-dates li").get_text(" ", strip=True)
    assert public == "mardi 9 mars 2027 , 19:00"
