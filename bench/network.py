"""A cinema network's agenda and a busy film's page, as ratios within one run (``bench/run.py``
runs it as its network section; ``bench/run.py --section network`` runs it alone).

Data, on whichever database ``DATABASE_URL`` selects:

- a network organization (``OrganizationSettings.kind = "network"``, its agenda with
  ``show_network_members``), with its minimal Wagtail page (a ``StandardPage`` with an empty
  body), six films with posters and versions (VF, VOSTFR, VF-AD), and four cinema records;
- 20 member organizations of kind cinema that share their agenda with it
  (``share_agenda``): each has a cinema record, 25 published events of 10 weekly dates from
  tomorrow on, written through the bulk page path (``pages_bulk_create``) then given their
  dates (``event_occurrences_sync_many``) — 5,000 coming ``EventOccurrence`` rows in all, one
  event in five audio-described — and 40 screenings of the network's films
  (``Screening.objects.bulk_create``), which reach the agenda through its sources (films'
  ``register_agenda_sources``);
- a film of the network with 200 coming screenings at ten cinemas: the network's four records
  and six members (as themselves).

Measured with Django's test client, page cache off, requests interleaved (their order rotated
each round), medians:

1. the network agenda's first page, the same filtered ``?access=audio_description`` and its
   ``events.json``: ratio to the minimal page, target ≤ 5× each; and the queries of each with 5
   members (1,250 dates) and with 20 (5,000 dates): target the same;
2. the film's page with its 200 screenings: ratio to the minimal page, target ≤ 3×.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
from zoneinfo import ZoneInfo

MEMBERS = 20
#: The members the agenda has when its queries are counted the first time.
FEW_MEMBERS = 5
EVENTS_PER_MEMBER = 25
DATES = 10  # weekly dates of each event: 20 × 25 × 10 = 5,000 coming occurrences
SCREENINGS_PER_MEMBER = 40
NETWORK_FILMS = 6
FILM_SCREENINGS = 200
NETWORK_CINEMAS = 4
SCREENING_MEMBERS = 6  # members that screen the measured film as themselves
ROUNDS = 60
WARMUP = 5
TARGETS = {"agenda": 5.0, "agenda_access": 5.0, "events_json": 5.0, "film_page": 3.0}
OPENING_KINDS = ("event", "event_plain", "screening_self", "screening_record", "event_described")
KINDS = ["workshop", "talk", "screening", "exhibition", "meeting"]
SLOTS = ((13, 30), (16, 0), (18, 30), (21, 0))
TOWNS = [
    ("Lyon", "69003", "Auvergne-Rhône-Alpes"),
    ("Marseille", "13001", "Provence-Alpes-Côte d’Azur"),
    ("Rennes", "35000", "Bretagne"),
    ("Ajaccio", "20000", "Corse"),
    ("Lille", "59000", "Hauts-de-France"),
]


def first_day() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=1)


def build_network():
    """The network, its minimal page, films and cinema records."""
    from events.models import EventIndexPage
    from home.models import StandardPage
    from tests.factories import make_cinema, make_film, make_image, make_organization_of_kind

    network = make_organization_of_kind(
        "Réseau des cinémas du banc d’essai", "reseau-bench.test", "network", language="fr-ca"
    )
    EventIndexPage.objects.filter(pk=network.agenda.pk).update(show_network_members=True)
    network.agenda.refresh_from_db()
    minimal = network.root_page.specific.add_child(
        instance=StandardPage(title="À propos", slug="a-propos")
    )
    minimal.save_revision().publish()
    minimal.refresh_from_db()
    posters = [make_image(f"Affiche {n}", colour=(30 * n, 90, 160)) for n in range(NETWORK_FILMS)]
    films = [
        make_film(
            network.films,
            f"Film du réseau n° {n}",
            versions=("VF", "VOSTFR", "VF-AD"),
            poster=posters[n],
            duration=85 + n * 5,
        )
        for n in range(NETWORK_FILMS)
    ]
    cinemas = [
        make_cinema(
            network,
            f"Cinéma associé {n}",
            locality=TOWNS[n % len(TOWNS)][0],
            postal_code=TOWNS[n % len(TOWNS)][1],
            region=TOWNS[n % len(TOWNS)][2],
        )
        for n in range(NETWORK_CINEMAS)
    ]
    return network, minimal, films, cinemas


def build_member(network, number: int, films: list, images: list):
    """A member cinema sharing its agenda: its events, their dates, its screenings."""
    from django.db import transaction

    from events.models import EventPage
    from events.services import event_occurrences_sync_many
    from films.models import Screening
    from organizations.models import OrganizationSettings
    from spreadsheets.bulk import pages_bulk_create
    from tests.factories import make_cinema, make_organization_of_kind, share_agenda

    town, postal_code, region = TOWNS[number % len(TOWNS)]
    member = make_organization_of_kind(
        f"Cinéma membre {number:02d}", f"membre-{number:02d}.bench.test", "cinema", language="fr-ca"
    )
    OrganizationSettings.objects.filter(site=member).update(
        locality=town, postal_code=postal_code, region=region
    )
    share_agenda(member, network)
    room = make_cinema(
        member, f"Salle des fêtes {number:02d}", locality=town, postal_code=postal_code
    )
    start = first_day()
    # The first item of each member, tomorrow at 9:00, is one of five kinds in turn (an event
    # with a venue and an image, an audio-described one without either, a screening at the
    # member itself or at its cinema record, in an audio-described version, an audio-described
    # event with a venue): with 5 members as with 20, the agenda's first page and its
    # audio-described one show every kind, so that their queries compare like with like.
    opening = OPENING_KINDS[number % len(OPENING_KINDS)]
    pages = []
    for n in range(EVENTS_PER_MEMBER):
        fields = {
            "start_date": start + dt.timedelta(days=n % 7),
            "start_time": dt.time(10 + n % 11, 30),
            "end_time": dt.time(10 + n % 11 + 2, 0),
            "venue": room if n % 3 else None,
            "image": images[n % len(images)] if n % 2 else None,
            "audio_description": not n % 5,
        }
        if n == 0 and opening.startswith("event"):
            fields.update(
                start_date=start,
                start_time=dt.time(9),
                end_time=dt.time(11),
                venue=None if opening == "event_plain" else room,
                image=None if opening == "event_plain" else images[0],
                audio_description=opening != "event",
            )
        pages.append(
            EventPage(
                title=f"Rendez-vous {number:02d}-{n:02d}",
                summary="Une rencontre autour d’un film, suivie d’une discussion.",
                kind=KINDS[n % len(KINDS)],
                recurrence=f"FREQ=WEEKLY;COUNT={DATES}",
                wheelchair_accessible=bool(n % 2),
                is_free=not n % 4,
                **fields,
            )
        )
    zone = ZoneInfo(OrganizationSettings.for_site(member).time_zone)
    screenings = []
    for n in range(SCREENINGS_PER_MEMBER):
        film = films[(number + n) % len(films)]
        version = list(film.versions.all())[n % 3]
        hour, minute = SLOTS[n % len(SLOTS)]
        day = start + dt.timedelta(days=n // len(SLOTS))
        cinema = room if n % 4 == 3 else None
        if n == 0 and opening.startswith("screening"):
            hour, minute, version = 9, 0, list(film.versions.all())[2]  # VF-AD
            cinema = room if opening == "screening_record" else None
        starts_at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        screening = Screening(
            site=member,
            cinema=cinema,
            film=film,
            version=version,
            version_label=version.label,
            room="1",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=film.duration),
            local_date=day,
            admissions=10 + n,
            currency="EUR",
            source="bench",
        )
        screening.set_derived_fields()
        screenings.append(screening)
    with transaction.atomic():
        pages_bulk_create(parent=member.agenda, pages=pages, publish=True)
        dates = event_occurrences_sync_many([page.pk for page in pages], site=member)
        Screening.objects.bulk_create(screenings)
    return member, dates


def build_film(network, cinemas: list, members: list, poster):
    """The measured film: ``FILM_SCREENINGS`` coming screenings at the network's cinema records
    and at members' own screens, spread over the coming weeks."""
    from films.models import Screening
    from organizations.models import OrganizationSettings
    from tests.factories import make_film

    film = make_film(
        network.films,
        "Le Film aux deux cents séances",
        versions=("VF", "VOSTFR", "VF-AD", "VFSTF-SME"),
        poster=poster,
        duration=104,
        original_title="The Film of Two Hundred Screenings",
        countries=["FR", "CA"],
        original_languages=["fr"],
        genres=["drama"],
    )
    versions = list(film.versions.all())
    places = [(network, cinema) for cinema in cinemas] + [
        (member, None) for member in members[:SCREENING_MEMBERS]
    ]
    zones = {
        site.pk: ZoneInfo(OrganizationSettings.for_site(site).time_zone) for site, _c in places
    }
    start = first_day()
    rows = []
    for n in range(FILM_SCREENINGS):
        site, cinema = places[n % len(places)]
        turn = n // len(places)  # 20 screenings per place, two a day
        day = start + dt.timedelta(days=turn // 2)
        hour, minute = SLOTS[turn % 2 + 1]
        starts_at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zones[site.pk])
        version = versions[n % len(versions)]
        screening = Screening(
            site=site,
            cinema=cinema,
            film=film,
            version=version,
            version_label=version.label,
            room="2",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=film.duration),
            local_date=day,
            admissions=20,
            currency="EUR",
            source="bench",
        )
        screening.set_derived_fields()
        rows.append(screening)
    Screening.objects.bulk_create(rows)
    return film


def get(client, host: str, url: str):
    response = client.get(url, HTTP_HOST=host)
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {url} answered {response.status_code}, expected 200")
    return response


def query_counts(client, host: str, urls: dict) -> dict[str, int]:
    """One request per URL, after one untimed request (renditions, caches of the process)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in urls.items():
        get(client, host, url)
        with CaptureQueriesContext(connection) as captured:
            get(client, host, url)
        counts[name] = len(captured.captured_queries)
    return counts


def check_content(client, host: str, urls: dict, *, coming: int) -> dict[str, int]:
    """What is timed is the real thing: the agenda's 30 dates with members' events, the
    audio-described ones with screenings among them, ``events.json`` counting every coming
    date, the film page listing its 200 screenings. Returns each response's size in bytes."""
    bodies = {name: get(client, host, url).content for name, url in urls.items()}
    agenda = bodies["agenda"].decode()
    items = agenda.count('<li class="agenda-item')
    if items != 30 or "membre-" not in agenda:
        raise SystemExit(f"bench: the network agenda shows {items} dates, expected 30 of members")
    access = bodies["agenda_access"].decode()
    if access.count('<li class="agenda-item') != 30 or "#screening-" not in access:
        raise SystemExit("bench: the agenda filtered by audio description shows no screening")
    listed = json.loads(bodies["events_json"])
    if listed["count"] != coming or len(listed["items"]) != 50:
        raise SystemExit(
            f"bench: events.json counts {listed['count']} coming dates, expected {coming}"
        )
    film = bodies["film_page"].decode()
    times = film.split('id="film-screenings"', 1)[-1].count("<time datetime=")
    if times != FILM_SCREENINGS:
        raise SystemExit(f"bench: the film page lists {times} screenings, {FILM_SCREENINGS} built")
    return {name: len(body) for name, body in bodies.items()}


def time_urls(client, host: str, urls: dict, rounds: int) -> dict[str, float]:
    """Median milliseconds per URL, the URLs interleaved (their order rotated) each round."""
    names = list(urls)
    timings = {name: [] for name in names}
    clock = time.perf_counter_ns
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            begin = clock()
            response = client.get(urls[name], HTTP_HOST=host)
            elapsed = clock() - begin
            if response.status_code != 200:
                raise SystemExit(f"bench: GET {urls[name]} answered {response.status_code}")
            timings[name].append(elapsed / 1e6)
    return {name: statistics.median(values) for name, values in timings.items()}


def profile(client, host: str, urls: dict) -> None:
    """``LIENS_BENCH_PROFILE=1``: where each page's time goes (cProfile, 20 requests)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, url in urls.items():
        get(client, host, url)
        with CaptureQueriesContext(connection) as captured:
            get(client, host, url)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]
        print(f"\n--- slowest queries of {name} ---")
        for query in slowest:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:700]}")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            get(client, host, url)
        profiler.disable()
        print(f"\n--- profile of {name} ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def run_section(client, rounds: int = ROUNDS) -> bool:
    """Build, measure, print the RATIO and QUERIES lines; ``False`` when a target is missed."""
    from django.db import connection

    from films.models import Screening
    from tests.factories import make_image

    started = time.perf_counter()
    network, minimal, films, cinemas = build_network()
    host = network.hostname
    images = [make_image(f"Photo {n}", colour=(200, 40 * n, 90)) for n in range(4)]
    agenda_url = network.agenda.url
    agenda_urls = {
        "agenda": agenda_url,
        "agenda_access": f"{agenda_url}?access=audio_description",
        "events_json": f"{agenda_url}events.json",
    }
    members, dates = [], 0
    for number in range(FEW_MEMBERS):
        member, count = build_member(network, number, films, images)
        members.append(member)
        dates += count
    few_dates = dates
    few = query_counts(client, host, agenda_urls)
    for number in range(FEW_MEMBERS, MEMBERS):
        member, count = build_member(network, number, films, images)
        members.append(member)
        dates += count
    film = build_film(network, cinemas, members, make_image("Affiche du film", colour=(20, 20, 20)))
    if connection.vendor == "postgresql":
        # What autovacuum would do a moment later, done before timing rather than during it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    screenings = Screening.objects.filter(site__in=[network, *members]).count()
    print(
        f"\nNetwork: {MEMBERS} member organizations sharing their agenda, {dates} coming dates of "
        f"{MEMBERS * EVENTS_PER_MEMBER} events, {screenings} screenings of "
        f"{NETWORK_FILMS + 1} network films; built in {time.perf_counter() - started:.1f}s "
        f"({connection.vendor})"
    )
    urls = {"minimal": minimal.url, **agenda_urls, "film_page": film.url}
    labels = {
        "minimal": "minimal page (StandardPage)",
        "agenda": "network agenda, 1st page of 30",
        "agenda_access": "agenda ?access=audio_description",
        "events_json": "agenda events.json (50 items)",
        "film_page": f"film page, {FILM_SCREENINGS} screenings",
    }
    sizes = check_content(client, host, urls, coming=dates + screenings)
    many = query_counts(client, host, urls)
    for _ in range(WARMUP):
        for url in urls.values():
            get(client, host, url)
    if os.environ.get("LIENS_BENCH_PROFILE"):
        profile(client, host, urls)
    medians = time_urls(client, host, urls, rounds)
    base = medians["minimal"]
    width = max(len(label) for label in labels.values())
    for name, median in medians.items():
        print(
            f"Network: {labels[name]:<{width}}  median {median:7.2f} ms  "
            f"{median / base:5.2f}x minimal  {many[name]:3d} queries  "
            f"{sizes[name] / 1024:6.1f} KB"
        )
    ok = True
    for name, target in TARGETS.items():
        ratio = medians[name] / base
        verdict = "OK" if ratio <= target else "MISSED"
        ok &= ratio <= target
        print(f"RATIO {name}/minimal = {ratio:.2f}x (target <= {target:g}x) {verdict}")
    for name in agenda_urls:
        verdict = "OK" if few[name] == many[name] else "MISSED"
        ok &= few[name] == many[name]
        print(
            f"QUERIES network {name}: {few[name]} with {FEW_MEMBERS} members ({few_dates} "
            f"dates), {many[name]} with {MEMBERS} members ({dates} dates) (target: the same) "
            f"{verdict}"
        )
    return ok
