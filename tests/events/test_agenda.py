"""The agenda as a visitor reads it: coming dates by day, filters that work without JavaScript,
a month grid, past events, pages of results; only the public events of this organization, at a
cost that does not grow with the number of events."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events.agenda import PAGE_SIZE, this_weekend
from events.models import EventOccurrenceChange
from tests.factories import make_event, make_image, make_organization_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DAY = dt.date(2027, 3, 9)  # a Tuesday, ahead of the clock


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    """What the agenda costs to render: the page cache would answer a second visit."""
    settings.PAGE_CACHE_TIMEOUT = 0


def visit(client, site, query="", page=None):
    response = client.get(f"{(page or site.agenda).url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def titles(soup):
    return [link.get_text(strip=True) for link in soup.select(".agenda-item__title a")]


def test_a_visitor_sees_coming_dates_by_day_in_french(client, org_a):
    """Each day is a heading written in French, its events below with their time, place and
    price: what a visitor planning an evening needs at a glance."""
    venue = make_organization_page(org_a.organizations_index, "Cinéma du Parc")
    make_event(
        org_a.agenda,
        "Ciné-club",
        kind="screening",
        start_time=dt.time(19, 30),
        venue=venue,
        is_free=True,
        summary="Un film, une discussion.",
    )
    make_event(org_a.agenda, "Atelier de montage", start_date=DAY + dt.timedelta(days=1), price=12)

    soup = visit(client, org_a)

    days = [h.get_text(strip=True) for h in soup.select("h2.agenda-day__title")]
    assert days == ["mardi 9 mars 2027", "mercredi 10 mars 2027"]
    first = soup.select(".agenda-item")[0]
    assert first.select_one("time").get_text() == "19:30"
    assert "Cinéma du Parc" in first.get_text()
    assert "Gratuit" in first.get_text()
    assert "Un film, une discussion." in first.get_text()
    assert first.select_one(".agenda-item__title a")["href"] == "/agenda/cine-club/"
    second = soup.select(".agenda-item")[1]
    assert "12,00\u00a0$" in second.get_text()
    assert "Toute la journée" in second.get_text()


def test_markup_is_accessible(client, org_a):
    """One h1, the page's language, every filter field labelled, a submit button: the form is
    usable with a screen reader and without JavaScript."""
    make_event(org_a.agenda, "Projection", kind="screening", wheelchair_accessible=True)
    make_event(org_a.agenda, "Atelier", kind="workshop", hearing_loop=True, is_free=True)

    soup = visit(client, org_a)

    assert soup.html["lang"].startswith("fr")
    assert len(soup.find_all("h1")) == 1
    form = soup.select_one("form.agenda__filters")
    assert form["method"] == "get"
    fields = form.select("input:not([type=hidden]), select")
    assert {f["name"] for f in fields} >= {"from", "to", "kind", "access", "free"}
    for field in fields:
        assert form.select_one(f'label[for="{field["id"]}"]').get_text(strip=True)
    assert form.select_one("button[type=submit]")
    assert soup.select_one(".subscribe a")["href"].startswith("webcal://boreal.test/agenda/")
    features = [tag.get_text(" ", strip=True) for tag in soup.select(".tags--access li")]
    assert features == ["♿ Accès en fauteuil roulant", "⦾ Boucle magnétique"]


def test_filters_only_offer_choices_that_list_something(client, org_a):
    """A kind nobody uses is not offered; a filter with one choice is left out."""
    make_event(org_a.agenda, "Projection", kind="screening")
    make_event(org_a.agenda, "Atelier", kind="workshop")

    soup = visit(client, org_a)

    kinds = [o["value"] for o in soup.select("#agenda-kind option")]
    assert kinds == ["", "screening", "workshop"]
    assert soup.select_one("#agenda-audience") is None  # everyone, only one choice
    assert soup.select_one("#agenda-free") is None  # nothing free


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=workshop", ["Atelier"]),
        ("?venue=cinema-du-parc", ["Projection"]),
        ("?audience=children", ["Conte"]),
        ("?access=sign_language", ["Conte"]),
        ("?free=1", ["Atelier", "Conte"]),
        ("?from=2027-03-10&to=2027-03-10", ["Atelier"]),
        ("?from=2027-03-11", ["Conte"]),
        ("?to=2027-03-09", ["Projection"]),
        ("?kind=workshop&free=1", ["Atelier"]),
    ],
)
def test_each_filter_narrows_the_list(client, org_a, query, expected):
    """What the visitor picked in the form is what they get, alone or combined."""
    venue = make_organization_page(org_a.organizations_index, "Cinéma du Parc")
    make_event(org_a.agenda, "Projection", kind="screening", venue=venue, price=10)
    make_event(
        org_a.agenda, "Atelier", kind="workshop", is_free=True, start_date=DAY + dt.timedelta(1)
    )
    make_event(
        org_a.agenda,
        "Conte",
        audience="children",
        sign_language=True,
        is_free=True,
        start_date=DAY + dt.timedelta(2),
    )

    soup = visit(client, org_a, query)

    assert titles(soup) == expected
    assert "Tout afficher" in soup.select_one("form.agenda__filters").get_text()


def test_this_weekend_lists_saturday_and_sunday(client, org_a):
    """« Cette fin de semaine » lists what happens this Saturday and Sunday, nothing after."""
    today = timezone.now().astimezone(ZoneInfo("America/Toronto")).date()
    _saturday, sunday = this_weekend(today)
    make_event(org_a.agenda, "Dimanche", start_date=sunday, start_time=dt.time(23, 0))
    make_event(org_a.agenda, "Lundi", start_date=sunday + dt.timedelta(days=1))

    soup = visit(client, org_a, "?when=weekend")

    assert titles(soup) == ["Dimanche"]
    assert (
        soup.select_one('.agenda__views a[aria-current="page"]').get_text()
        == "Cette fin de semaine"
    )


def test_a_wrong_date_gets_a_message_not_an_error(client, org_a):
    """A mistyped date in the address is explained; the rest of the agenda still shows."""
    make_event(org_a.agenda, "Projection")

    soup = visit(client, org_a, "?from=09/03/2027&month=2027-13")

    alert = soup.select_one('[role="alert"]').get_text()
    assert "«\u00a009/03/2027\u00a0» n’est pas une date" in alert
    assert "2027-13" in alert
    assert titles(soup) == ["Projection"]


def test_month_view_is_a_grid_with_links_to_days(client, org_a):
    """``?month=2027-03`` shows March as a table of weeks; a day with events links to its list,
    a day without is plain text."""
    make_event(org_a.agenda, "Projection", recurrence="FREQ=WEEKLY;COUNT=2")
    make_event(org_a.agenda, "Avril", start_date=dt.date(2027, 4, 2))

    soup = visit(client, org_a, "?month=2027-03")

    table = soup.select_one("table.agenda-month__grid")
    assert table.select_one("caption").get_text(strip=True) == "Événements de mars 2027, par jour"
    assert len(table.select("thead th")) == 7
    links = table.select("td a")
    assert [a.select_one(".agenda-month__day").get_text() for a in links] == ["9", "16"]
    assert links[0]["href"] == "?from=2027-03-09&to=2027-03-09"
    spoken = links[0].select_one(".visually-hidden").get_text()
    assert spoken == "mardi 9 mars 2027\u00a0: 1 événement"
    assert titles(soup) == ["Projection", "Projection"]
    assert soup.select_one('a[rel="next"]')["href"] == "?month=2027-04"
    day = visit(client, org_a, links[1]["href"])
    assert [t.get_text() for t in day.select("h2.agenda-day__title")] == ["mardi 16 mars 2027"]


def test_past_events_are_listed_most_recent_first(client, org_a):
    """``?past=1`` shows what already happened, the latest first; the default view does not."""
    today = timezone.localdate()
    make_event(org_a.agenda, "L'an dernier", start_date=today - dt.timedelta(days=300))
    make_event(org_a.agenda, "Le mois dernier", start_date=today - dt.timedelta(days=30))
    make_event(org_a.agenda, "À venir")

    assert titles(visit(client, org_a)) == ["À venir"]
    past = visit(client, org_a, "?past=1")
    assert titles(past) == ["Le mois dernier", "L'an dernier"]
    assert "2 dates passées" in past.select_one(".index__count").get_text()


def test_long_agendas_are_split_into_pages(client, org_a):
    """Past one page of dates, the next ones are a link away, filters kept."""
    make_event(
        org_a.agenda, "Hebdo", kind="screening", recurrence=f"FREQ=DAILY;COUNT={PAGE_SIZE + 5}"
    )

    first = visit(client, org_a, "?kind=screening")
    assert len(first.select(".agenda-item")) == PAGE_SIZE
    assert first.select_one('.pagination a[rel="next"]')["href"] == "?kind=screening&page=2"
    second = visit(client, org_a, "?kind=screening&page=2")
    assert len(second.select(".agenda-item")) == 5


def test_a_cancelled_date_is_left_out_and_a_cancelled_event_is_marked(client, org_a):
    """One date cancelled on its own disappears; a whole event cancelled stays, marked
    « Annulé » so that people who planned to come learn it. A moved date says so."""
    make_event(
        org_a.agenda,
        "Hebdo",
        recurrence="FREQ=WEEKLY;COUNT=3",
        changes=[
            EventOccurrenceChange(original_date=DAY + dt.timedelta(7), action="cancel"),
            EventOccurrenceChange(
                original_date=DAY + dt.timedelta(14),
                action="move",
                new_date=DAY + dt.timedelta(15),
                note="Dans la grande salle.",
            ),
        ],
    )
    make_event(org_a.agenda, "Annulé", status="cancelled", start_date=DAY + dt.timedelta(1))
    make_event(org_a.agenda, "Complet", status="full", start_date=DAY + dt.timedelta(2))

    soup = visit(client, org_a)

    days = [h.get_text() for h in soup.select("h2.agenda-day__title")]
    assert "mardi 16 mars 2027" not in days
    assert "mercredi 24 mars 2027" in days
    items = {i.select_one(".agenda-item__title").get_text(): i for i in soup.select(".agenda-item")}
    assert "Annulé" in items["Annulé"].select_one(".status").get_text()
    assert "Complet" in items["Complet"].select_one(".status").get_text()
    moved = soup.select(".agenda-item")[-1]
    assert "Nouvelle date" in moved.get_text() and "Dans la grande salle." in moved.get_text()


def test_drafts_and_restricted_events_are_never_listed(client, org_a):
    """A draft is a private record, a restricted event is for some visitors only: neither
    reaches the agenda, its filters nor its month grid."""
    make_event(org_a.agenda, "Brouillon secret", kind="meeting", publish=False)
    private = make_event(org_a.agenda, "Réunion des membres", kind="talk")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    make_event(org_a.agenda, "Projection publique", kind="screening")

    for query in ("", "?month=2027-03", "?kind=talk"):
        html = str(visit(client, org_a, query))
        assert "Brouillon secret" not in html
        assert "Réunion des membres" not in html
    assert 'value="talk"' not in str(visit(client, org_a))


def test_a_draft_venue_is_never_named(client, org_a):
    """A venue whose record is a draft is private: its name is not shown nor offered."""
    draft = make_organization_page(org_a.organizations_index, "Lieu confidentiel", publish=False)
    public = make_organization_page(org_a.organizations_index, "Salle publique")
    make_event(org_a.agenda, "Un", venue=draft)
    make_event(org_a.agenda, "Deux", venue=public)

    html = str(visit(client, org_a))
    assert "Lieu confidentiel" not in html
    assert "Salle publique" in html


def test_another_organizations_events_are_not_in_this_agenda(client, org_a, org_b):
    """Each organization's agenda lists its own events only."""
    make_event(org_a.agenda, "Chez A")
    make_event(org_b.agenda, "Chez B")

    assert titles(visit(client, org_a)) == ["Chez A"]
    assert titles(visit(client, org_b)) == ["Chez B"]
    assert "Chez B" not in str(visit(client, org_a, "?month=2027-03"))


def add_events(site, count, start=0):
    image = make_image("Affiche")
    venue = make_organization_page(site.organizations_index, f"Salle {start}")
    for n in range(start, start + count):
        make_event(
            site.agenda,
            f"Événement {n:03d}",
            kind=["screening", "workshop", "talk"][n % 3],
            start_date=DAY + dt.timedelta(days=n % 20),
            start_time=dt.time(18 + n % 4),
            image=image if n % 2 else None,
            venue=venue if n % 3 else None,
            is_free=bool(n % 2),
            wheelchair_accessible=bool(n % 4),
        )


def queries_for(client, site, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{site.agenda.url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", ["", "?month=2027-03&free=1"])
def test_the_agenda_costs_the_same_for_10_or_50_events(client, org_a, query):
    """The agenda reads a fixed number of queries however many events it lists: a busy season
    does not slow the page down."""
    add_events(org_a, 10)
    queries_for(client, org_a, query)  # warm caches (site root paths, renditions)
    few = queries_for(client, org_a, query)
    add_events(org_a, 40, start=10)
    queries_for(client, org_a, query)
    many = queries_for(client, org_a, query)
    assert many == few, f"{few} queries for 10 events, {many} for 50"
