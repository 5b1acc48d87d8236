"""Another plugin's items in the agenda (``events.sources``), as the films plugin will add its
screenings: merged with the events by date in the list, the JSON and the embed, paginated
together, filtered by the source's own parameter, at a cost that does not grow with the rows.
Tested with a small source of this module (an "open day" per organization), not with films."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.db.models import BooleanField, CharField, DateField, DateTimeField, F, Q, Value
from django.test.utils import CaptureQueriesContext
from wagtail import hooks
from wagtail.models import Site

from events.models import EventIndexPage
from events.sources import HOOK, AgendaItem, AgendaSource
from organizations.models import OrganizationSettings
from tests.factories import make_event, make_organization_of_kind, share_agenda

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DAY = dt.date(2027, 3, 9)
OPEN_DAY = dt.datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("America/Toronto"))


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def open_day_rows(scope):
    """One "open day" per organization listed, on the film asked for if any."""
    film = scope.query.extra.get("work", "")
    rows = Site.objects.filter(pk__in=scope.site_ids).annotate(
        start=Value(OPEN_DAY, output_field=DateTimeField()),
        end=Value(None, output_field=DateTimeField()),
        local_date=Value(OPEN_DAY.date(), output_field=DateField()),
        all_day=Value(False, output_field=BooleanField()),
        region=Value("", output_field=CharField()),
        postal_code=Value("", output_field=CharField()),
        site_id=F("pk"),
    )
    # An empty answer keeps its columns (``.none()`` of the annotated rows).
    return rows.none() if film and film != "nosferatu" else rows


def open_day_items(ids, scope):
    return {
        site.pk: AgendaItem(
            title=f"Portes ouvertes — {site.site_name}",
            url=f"http://{site.hostname}/portes-ouvertes/",
            start=OPEN_DAY,
            time_zone="America/Toronto",
            kind="other",
            organization=site.site_name,
            organization_host=site.hostname,
        )
        for site in Site.objects.filter(pk__in=ids)
    }


def film_fields(scope):
    return [
        {
            "name": "work",
            "label": "Film",
            "all_label": "Tous les films",
            "selected": scope.query.extra.get("work", ""),
            "choices": [("nosferatu", "Nosferatu"), ("metropolis", "Metropolis")],
        }
    ]


def open_days(event_filter=True):
    return lambda: [
        AgendaSource(
            "tests.open_days",
            rows=open_day_rows,
            items=open_day_items,
            params=("work",),
            filter_fields=film_fields,
            event_filter=(
                (lambda query: Q(event__title__icontains=query.extra["work"]))
                if event_filter
                else None
            ),
        )
    ]


def titles(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [a.get_text(strip=True) for a in soup.select(".agenda-item__title a")]


def test_a_source_s_items_are_merged_with_the_events_by_date(client, org_a):
    """A visitor sees the plugin's item between the events of the day before and the day
    after, linked to its own page, in the list, the JSON and the embed."""
    make_event(org_a.agenda, "Ciné-club", start_date=DAY)
    make_event(org_a.agenda, "Atelier", start_date=DAY + dt.timedelta(days=2))

    with hooks.register_temporarily(HOOK, open_days()):
        page = client.get(org_a.agenda.url, HTTP_HOST=org_a.hostname)
        data = client.get(f"{org_a.agenda.url}events.json", HTTP_HOST=org_a.hostname).json()
        embed = client.get(f"{org_a.agenda.url}embed/", HTTP_HOST=org_a.hostname)

    expected = ["Ciné-club", "Portes ouvertes — Centre Images Boréales", "Atelier"]
    assert titles(page) == expected
    assert [item["title"] for item in data["items"]] == expected
    assert data["items"][1]["url"] == "http://boreal.test/portes-ouvertes/"
    assert data["items"][1]["source"] == "tests.open_days"
    assert data["items"][1]["start"] == "2027-03-10T10:00:00-05:00"
    soup = BeautifulSoup(embed.content.decode(), "html.parser")
    assert [a.get_text() for a in soup.select(".embed-agenda__item a")] == expected


def test_pages_count_every_source(client, org_a, monkeypatch):
    """Pages of the list hold the merged items: the plugin's item takes its place on page 1 and
    pushes the last event to page 2."""
    monkeypatch.setattr("events.embed.JSON_PAGE_SIZE", 2)
    make_event(org_a.agenda, "Ciné-club", start_date=DAY)
    make_event(org_a.agenda, "Atelier", start_date=DAY + dt.timedelta(days=2))
    url = f"{org_a.agenda.url}events.json"

    with hooks.register_temporarily(HOOK, open_days()):
        first = client.get(url, HTTP_HOST=org_a.hostname).json()
        second = client.get(f"{url}?page=2", HTTP_HOST=org_a.hostname).json()

    assert first["count"] == 3 and first["pages"] == 2
    assert [i["title"] for i in first["items"]] == [
        "Ciné-club",
        "Portes ouvertes — Centre Images Boréales",
    ]
    assert [i["title"] for i in second["items"]] == ["Atelier"]
    assert first["next"].endswith("events.json?page=2")


def test_a_source_s_parameter_filters_events_through_its_owner(client, org_a):
    """``?work=`` (a work shown, say a film) belongs to the source: it offers the field,
    narrows its own items, and
    narrows the events only as its ``event_filter`` says; without one, events are left out
    while the film is chosen (an event cannot tell which film it shows)."""
    make_event(org_a.agenda, "Nosferatu en ciné-concert", start_date=DAY)
    make_event(org_a.agenda, "Atelier", start_date=DAY)

    with hooks.register_temporarily(HOOK, open_days()):
        chosen = client.get(f"{org_a.agenda.url}?work=nosferatu", HTTP_HOST=org_a.hostname)
        other = client.get(f"{org_a.agenda.url}?work=metropolis", HTTP_HOST=org_a.hostname)
        assert "work" in EventIndexPage.objects.get(pk=org_a.agenda.pk).public_cache_query_params
    with hooks.register_temporarily(HOOK, open_days(event_filter=False)):
        without = client.get(f"{org_a.agenda.url}?work=nosferatu", HTTP_HOST=org_a.hostname)

    assert titles(chosen) == [
        "Nosferatu en ciné-concert",
        "Portes ouvertes — Centre Images Boréales",
    ]
    assert titles(other) == []
    assert titles(without) == ["Portes ouvertes — Centre Images Boréales"]
    soup = BeautifulSoup(chosen.content.decode(), "html.parser")
    assert soup.select_one("select[name=work] option[selected]")["value"] == "nosferatu"


def test_the_cost_with_a_source_does_not_grow_with_members(client, org_b):
    """A network's agenda with a plugin's items costs as many queries with six members as with
    two: the sources are one query together, and each decorates its page of items at once."""
    OrganizationSettings.objects.filter(site=org_b).update(kind="network")
    EventIndexPage.objects.filter(pk=org_b.agenda.pk).update(show_network_members=True)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(org_b.agenda.url, HTTP_HOST=org_b.hostname)
        assert response.status_code == 200
        return len(captured.captured_queries), titles(response)

    members = []
    with hooks.register_temporarily(HOOK, open_days()):
        for n in range(6):
            site = make_organization_of_kind(f"Cinéma {n}", f"cinema{n}.test", "cinema")
            share_agenda(site, org_b)
            make_event(site.agenda, f"Séance {n}", start_date=DAY)
            members.append(site)
            if n == 1:
                few, listed = count()
                assert len(listed) == 2 + 3  # two events, three open days (the network's too)
        many, listed = count()

    assert len(listed) == 6 + 7
    assert many == few
