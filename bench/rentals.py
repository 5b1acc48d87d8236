"""Rentals at the scale of a busy production centre, as ratios within one run (``bench/run.py``
runs it as its rentals section; ``bench/run.py --section rentals`` runs it alone).

Data: 1,000 published items (1 to 3 units each, 2,000 units) and 200,000 bookings of one unit
each, written with ``bulk_create`` (the pages through the bulk page path, which makes their
private twins): each unit's bookings follow one another (1 to 4 days out, 12 hours of rest,
then 0 to 3 days on the shelf), so that the no-overlap rule holds — the database checks it on
every line written (PostgreSQL's exclusion constraint, SQLite's triggers).

Measured, on whichever database ``DATABASE_URL`` selects:

1. ``rentals.services.availability`` of a random item for a random window of 1 to 7 days within
   the bookings' span (what an item's page and its ``availability.json`` ask): median in ms,
   target 5 ms, and its ratio to the minimal page's render;
2. the catalogue's "free from … to …" for all 1,000 items at once
   (``rentals.catalogue.free_items``), median in ms (reported);
3. the catalogue (first page, 24 of the 1,000 items), the catalogue free for a random window,
   and an item's page (its month view), served by Django's test client with the page cache off:
   ratios of their medians to the minimal Wagtail page's (target ≤ 3×), requests interleaved.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

ITEMS = 1_000
BOOKINGS = 200_000
BUFFER = dt.timedelta(hours=12)
#: Calls of ``availability`` and of the catalogue's batch, and requests per URL.
CALLS = 300
ROUNDS = 60
TARGETS = {"availability_ms": 5.0, "page_ratio": 3.0}
CATEGORIES = ["camera", "lens", "lighting", "sound", "grip", "monitoring", "power"]
FIRST_DAY = dt.date(2027, 1, 4)


def build_inventory(site, items: int = ITEMS, bookings: int = BOOKINGS, seed: int = 7):
    """The items, their units and the bookings; returns ``(pages, last day booked)``."""
    from django.db import connection, transaction

    from rentals.models import Booking, BookingLine, Equipment, EquipmentPage, EquipmentUnit
    from spreadsheets.bulk import pages_bulk_create
    from tests.factories import contact_of, make_person

    rng = random.Random(seed)
    zone = ZoneInfo("America/Toronto")
    borrower = contact_of(make_person(site.people_index, "Emprunteuse Banc d’essai"))
    pages = [
        EquipmentPage(
            title=f"Article {n:04d}",
            category=CATEGORIES[n % len(CATEGORIES)],
            brand="Marque",
            product_model=f"M-{n}",
            summary="Un article du banc d’essai.",
            daily_rate=50 + n % 50,
            member_daily_rate=30 + n % 30,
            weekly_rate=200 + n % 100,
        )
        for n in range(items)
    ]
    with transaction.atomic():
        pages_bulk_create(parent=site.catalogue, pages=pages, publish=True)
    twins = {
        twin.translation_key: twin
        for twin in Equipment.objects.filter(translation_key__in=[p.translation_key for p in pages])
    }
    units = []
    for n, page in enumerate(pages):
        for number in range(n % 3 + 1):
            units.append(
                EquipmentUnit(
                    site=site,
                    equipment=twins[page.translation_key],
                    inventory_number=f"BENCH-{n:04d}-{number}",
                    serial_number=f"SN-{n:04d}-{number}",
                )
            )
    with transaction.atomic():
        EquipmentUnit.objects.bulk_create(units, batch_size=1000)
    per_unit = bookings // len(units)
    start = dt.datetime.combine(FIRST_DAY, dt.time(10), tzinfo=zone)
    last = start
    batch_bookings, batch_lines = [], []

    def flush():
        with transaction.atomic():
            Booking.objects.bulk_create(batch_bookings, batch_size=2000)
            for booking, line in zip(batch_bookings, batch_lines, strict=True):
                line.booking = booking
            BookingLine.objects.bulk_create(batch_lines, batch_size=2000)
        batch_bookings.clear()
        batch_lines.clear()

    for unit in units:
        moment = start + dt.timedelta(hours=rng.randrange(0, 72))
        for _ in range(per_unit):
            pickup = moment + dt.timedelta(hours=rng.randrange(0, 72))
            back = pickup + dt.timedelta(hours=rng.randrange(24, 97))
            batch_bookings.append(
                Booking(
                    site=site,
                    borrower=borrower,
                    pickup_at=pickup,
                    return_at=back,
                    status="confirmed",
                )
            )
            batch_lines.append(
                BookingLine(
                    equipment_id=unit.equipment_id,
                    unit=unit,
                    starts_at=pickup,
                    blocked_until=back + BUFFER,
                )
            )
            moment = back + BUFFER
        last = max(last, moment)
        if len(batch_bookings) >= 20_000:
            flush()
    flush()
    if connection.vendor == "postgresql":
        # What autovacuum would do a moment later, done before timing rather than during it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return pages, last.astimezone(zone).date()


def random_window(rng: random.Random, last_day: dt.date) -> tuple[dt.date, dt.date]:
    span = (last_day - FIRST_DAY).days - 7
    start = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
    return start, start + dt.timedelta(days=rng.randrange(7))


def time_calls(function, count: int) -> float:
    """Median milliseconds of ``count`` calls of ``function(i)``."""
    clock = time.perf_counter_ns
    timings = []
    for index in range(count):
        begin = clock()
        function(index)
        timings.append((clock() - begin) / 1e6)
    return statistics.median(timings)


def time_urls(client, host: str, urls: dict, rounds: int) -> dict[str, float]:
    """Median milliseconds per URL, the URLs interleaved (their order rotated) each round."""
    names = list(urls)
    timings = {name: [] for name in names}
    clock = time.perf_counter_ns
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            url = urls[name](round_) if callable(urls[name]) else urls[name]
            begin = clock()
            response = client.get(url, HTTP_HOST=host)
            elapsed = clock() - begin
            if response.status_code != 200:
                raise SystemExit(f"bench: GET {url} answered {response.status_code}")
            timings[name].append(elapsed / 1e6)
    return {name: statistics.median(values) for name, values in timings.items()}


def query_count(client, host: str, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_HOST=host)
    return len(captured.captured_queries)


def run_section(client, host: str, site, minimal_url: str, rounds: int = ROUNDS) -> bool:
    """Build, measure, print the RATIO lines; ``False`` when a target is missed."""
    from django.db import connection

    from rentals.catalogue import free_items
    from rentals.models import EquipmentPage
    from rentals.services import availability

    started = time.perf_counter()
    pages, last_day = build_inventory(site)
    print(
        f"\nRentals: {ITEMS} items, {BOOKINGS} bookings up to {last_day} built in "
        f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
    )
    rng = random.Random(11)
    windows = [random_window(rng, last_day) for _ in range(CALLS)]
    chosen = [rng.choice(pages) for _ in range(CALLS)]

    def one(index):
        start, end = windows[index]
        availability(chosen[index], start, end, site=site)

    one(0)  # warm what a first call reads once
    availability_ms = time_calls(one, CALLS)

    zone = ZoneInfo("America/Toronto")
    listed = EquipmentPage.objects.published(within=site.catalogue)

    def everything(index):
        start, end = windows[index]
        free_items(listed, start, end, zone)

    everything(0)
    batch_ms = time_calls(everything, CALLS // 3)

    item = pages[len(pages) // 2]
    month = windows[0][0].strftime("%Y-%m")
    urls = {
        "minimal": minimal_url,
        "catalogue": site.catalogue.url,
        "catalogue_dates": lambda n: (
            f"{site.catalogue.url}?from={windows[n][0]}&to={windows[n][1]}"
        ),
        "equipment_page": f"{item.url}?month={month}",
        "availability_json": lambda n: (
            f"{item.url}availability.json?start={windows[n][0]}&end={windows[n][1]}"
        ),
    }
    for url in urls.values():  # renditions, the JSON-LD graph: made once
        client.get(url(0) if callable(url) else url, HTTP_HOST=host)
    queries = {
        name: query_count(client, host, url(1) if callable(url) else url)
        for name, url in urls.items()
    }
    medians = time_urls(client, host, urls, rounds)
    base = medians["minimal"]

    print(
        f"Rentals: availability of one item, random 1-7 day window: median "
        f"{availability_ms:.2f} ms over {CALLS} calls; all {ITEMS} items at once (the "
        f"catalogue's free from … to …): median {batch_ms:.2f} ms"
    )
    for name, median in medians.items():
        print(
            f"Rentals: {name:<18} median {median:7.2f} ms  {median / base:5.2f}x minimal  "
            f"{queries[name]:3d} queries"
        )
    ok = True
    verdict = "OK" if availability_ms <= TARGETS["availability_ms"] else "MISSED"
    ok &= availability_ms <= TARGETS["availability_ms"]
    print(
        f"TIME rentals_availability = {availability_ms:.2f} ms "
        f"(target <= {TARGETS['availability_ms']:g} ms) {verdict}; "
        f"RATIO rentals_availability/minimal = {availability_ms / base:.2f}x"
    )
    for name in ("catalogue", "catalogue_dates", "equipment_page"):
        ratio = medians[name] / base
        verdict = "OK" if ratio <= TARGETS["page_ratio"] else "MISSED"
        ok &= ratio <= TARGETS["page_ratio"]
        print(
            f"RATIO {name}/minimal = {ratio:.2f}x (target <= {TARGETS['page_ratio']:g}x) {verdict}"
        )
    return ok
