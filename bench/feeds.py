"""The agenda's iCal feed of 10,000 events, as ratios within one run (``bench/run.py`` runs it
as its feeds section; ``bench/run.py --section feeds`` runs it alone).

1. Our build (``GET {agenda}/feed.ics`` with the feed cache empty: routing, the query, writing
   the text) against ``icalendar`` building the same events naively from the same query: one
   ``icalendar.Event`` each with its rule, dates and moved or cancelled dates, aware datetimes,
   a VTIMEZONE per zone from ``Timezone.from_tzinfo``, then ``to_ical()``. Target: no slower.
2. The cached feed served (the same GET, built already) against the cold build: at least 20
   times faster.
3. A conditional GET of a current copy: a 304, with no query of the feed's own tables.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from zoneinfo import ZoneInfo

EVENTS = 10_000
ROUNDS = 3
TARGETS = {"build": 1.0, "cached": 1 / 20}
FEED_TABLES = ("events_eventpage", "events_eventpublication", "events_eventoccurrencechange")


def build_events(site, count: int = EVENTS):
    """``count`` published events below the site's agenda through the bulk path, with their
    publication rows; a mix of single, weekly, monthly and all-day events, some moved or
    cancelled dates, two venues and two time zones."""
    from django.db import transaction

    from events.models import EventOccurrenceChange, EventPage, EventPublication
    from spreadsheets.bulk import pages_bulk_create
    from tests.factories import make_organization_page

    venues = [
        make_organization_page(site.organizations_index, "Cinéma Paraloeil", locality="Rimouski"),
        make_organization_page(site.organizations_index, "Salle Bouchard", locality="Montréal"),
    ]
    kinds = ["screening", "workshop", "talk", "festival", "exhibition", "meeting"]
    pages = []
    for n in range(count):
        start = dt.date(2027, 1, 4) + dt.timedelta(days=n % 700)
        fields = {
            "title": f"Événement {n:05d}, projection; débat",
            "summary": f"Une soirée de cinéma numéro {n}, suivie d'une discussion.",
            "kind": kinds[n % len(kinds)],
            "start_date": start,
            "start_time": dt.time(19) if n % 5 else None,
            "end_time": dt.time(21) if n % 5 else None,
            "venue": venues[n % 2] if n % 3 else None,
            "place_name": "" if n % 3 else "Parc du Bic",
            "time_zone": "Europe/Paris" if n % 10 == 7 else "",
        }
        if n % 4 == 1:
            fields["recurrence"] = "FREQ=WEEKLY;COUNT=8"
            fields["exceptions"] = (start + dt.timedelta(weeks=2)).isoformat()
        elif n % 4 == 2:
            fields["recurrence"] = "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20281231"
        pages.append(EventPage(**fields))
    with transaction.atomic():
        pages_bulk_create(parent=site.agenda, pages=pages, publish=True)
        EventPublication.objects.bulk_create(
            [EventPublication(page=page, sequence=n % 3) for n, page in enumerate(pages)]
        )
        changes = []
        for n, page in enumerate(pages):
            if n % 4 == 1 and n % 8 == 1:
                changes.append(
                    EventOccurrenceChange(
                        page=page,
                        original_date=page.start_date + dt.timedelta(weeks=1),
                        action="move",
                        new_date=page.start_date + dt.timedelta(weeks=1, days=1),
                        note="Dans la grande salle.",
                    )
                )
                changes.append(
                    EventOccurrenceChange(
                        page=page,
                        original_date=page.start_date + dt.timedelta(weeks=3),
                        action="cancel",
                    )
                )
        EventOccurrenceChange.objects.bulk_create(changes)
    return pages


def naive_icalendar_feed(agenda) -> bytes:
    """The same events, built the way one would with ``icalendar``'s objects."""
    import icalendar

    from events.feeds import feed_events
    from organizations.models import OrganizationSettings

    site = agenda.get_site()
    default_zone = OrganizationSettings.for_site(site).time_zone
    base = agenda.get_full_url()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Naive//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    zones = set()
    now = dt.datetime.now(dt.UTC)
    for page in feed_events(agenda, {}):
        tzid = page.time_zone or default_zone
        tz = ZoneInfo(tzid)
        zones.add(tzid)
        timing = page.timing(time_zone=tzid)
        first = timing.local_start()

        def when(local, timing=timing, tz=tz):
            return local.date() if timing.all_day else local.replace(tzinfo=tz)

        def base_event(page=page):
            event = icalendar.Event()
            event.add("uid", f"{page.translation_key}@liens-mutuels")
            event.add("dtstamp", now)
            event.add("summary", page.title)
            event.add("url", base + page.url_path[len(agenda.url_path) :])
            event.add("categories", [page.kind])
            if page.place_name or page.venue_id:
                event.add("location", page.place_name or page.venue.title)
            return event

        event = base_event()
        event.add("dtstart", when(first))
        if timing.has_end():
            event.add("dtend", when(first + timing.duration()))
        if page.recurrence:
            event.add("rrule", icalendar.vRecur.from_ical(page.recurrence))
        for day in timing.exceptions:
            event.add("exdate", when(dt.datetime.combine(day, first.time())))
        for day in timing.dates:
            event.add("rdate", when(dt.datetime.combine(day, first.time())))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
        for change in page.occurrence_changes.all():
            original = dt.datetime.combine(change.original_date, first.time())
            override = base_event()
            override.add("recurrence-id", when(original))
            if change.action == "move":
                start, end = change.moved_to(timing, original)
                override.add("dtstart", when(start))
                override.add("dtend", when(end))
                override.add("status", "CONFIRMED")
            else:
                override.add("dtstart", when(original))
                override.add("status", "CANCELLED")
            calendar.add_component(override)
    for tzid in sorted(zones):
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                ZoneInfo(tzid), first_date=dt.date(2027, 1, 1), last_date=dt.date(2029, 1, 1)
            )
        )
    return calendar.to_ical()


def measure(client, host: str, agenda, rounds: int = ROUNDS) -> dict:
    """Medians in seconds of the three builds, interleaved; the 304's queries."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = agenda.url + "feed.ics"
    clock = time.perf_counter
    ours, naive, cached = [], [], []
    size = naive_size = 0
    for _ in range(rounds):
        cache.clear()
        start = clock()
        response = client.get(url, HTTP_HOST=host)
        ours.append(clock() - start)
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {url} answered {response.status_code}")
        size = len(response.content)
        for _ in range(20):
            start = clock()
            client.get(url, HTTP_HOST=host)
            cached.append(clock() - start)
        start = clock()
        naive_size = len(naive_icalendar_feed(agenda))
        naive.append(clock() - start)
    etag = client.get(url, HTTP_HOST=host)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        not_modified = client.get(url, HTTP_HOST=host, HTTP_IF_NONE_MATCH=etag)
    feed_queries = [
        q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in FEED_TABLES)
    ]
    return {
        "ours": statistics.median(ours),
        "naive": statistics.median(naive),
        "cached": statistics.median(cached),
        "size": size,
        "naive_size": naive_size,
        "status_304": not_modified.status_code,
        "queries_304": len(queries.captured_queries),
        "feed_queries_304": len(feed_queries),
    }


def run_section(client, host: str, site) -> bool:
    """Build the events, measure, print the RATIO lines; ``False`` when a target is missed."""
    started = time.perf_counter()
    build_events(site)
    print(f"\nFeeds: {EVENTS} events built in {time.perf_counter() - started:.1f}s")
    result = measure(client, host, site.agenda)
    print(
        f"Feeds: our build {result['ours']:.2f}s ({result['size'] / 1e6:.1f} MB), naive "
        f"icalendar {result['naive']:.2f}s ({result['naive_size'] / 1e6:.1f} MB), cached feed "
        f"served {result['cached'] * 1000:.1f} ms (medians of {ROUNDS} rounds)"
    )
    ok = True
    build = result["ours"] / result["naive"]
    verdict = "OK" if build <= TARGETS["build"] else "MISSED"
    ok &= build <= TARGETS["build"]
    print(f"RATIO feed_build/naive_icalendar = {build:.2f}x (target <= 1x) {verdict}")
    cached = result["cached"] / result["ours"]
    verdict = "OK" if cached <= TARGETS["cached"] else "MISSED"
    ok &= cached <= TARGETS["cached"]
    print(
        f"RATIO feed_cached/feed_build = {cached:.4f}x ({1 / cached:.0f} times faster, "
        f"target >= 20) {verdict}"
    )
    fine = result["status_304"] == 304 and result["feed_queries_304"] == 0
    ok &= fine
    print(
        f"QUERIES feed_304 status={result['status_304']} queries={result['queries_304']} "
        f"(routing only), of the feed's tables={result['feed_queries_304']} "
        f"{'OK' if fine else 'MISSED'}"
    )
    return ok
