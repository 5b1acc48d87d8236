#!/usr/bin/env python
"""Server-time benchmark of the public record pages, as ratios to a minimal Wagtail page.

Run from the repository root (``make bench`` does)::

    .venv/bin/python bench/run.py [--requests 200] [--warmup 20] [--no-fail]
                                  [--private-pages N] [--sql] [--profile]
                                  [--section all|pages|events|agenda|feeds|rentals|films|
                                             network|portal|explore|exports|ckan]

What it does, in one process and without any network:

1. Sets Django up with ``config.settings.test`` (unless ``DJANGO_SETTINGS_MODULE`` is set) and a
   throwaway database: a SQLite file in a temporary folder by default, or, when ``DATABASE_URL``
   is set, a scratch database ``liens_bench_<pid>`` created next to the one it names (the
   operator's own database is never written) and dropped at the end. Media go to the temporary
   folder too.
2. Builds deterministic data with ``tests/factories.py``: one organization whose people index
   holds 50 published people (one or two roles each, a summary, a photo for two in three), and a
   StandardPage with an empty body under the home page. For the agenda: the same organization's
   agenda holds 500 published events of 4 weekly dates each (2,000 occurrences; a kind, a venue
   for two in three, an image for one in two), and a second organization's agenda 10 such
   events, to compare the queries of one request.
3. Serves three URLs with Django's test ``Client``: the StandardPage (the *minimal Wagtail page*:
   a plain ``wagtail.models.Page`` has no template and cannot render, so the baseline is the
   site's own simplest page type, with the same header, menu and footer as every page), one
   person page, the people index (first page: 24 of the 50 cards), and the agendas (first page:
   30 dates, by day). An event page (a weekly workshop at a cinema of the directory, three
   performers, prices, an image) is served too, with and without structured data, for the
   JSON-LD overhead of its graph (next date and ten coming dates). ``--section`` measures one
   part against the baseline. Each URL is warmed up,
   then timed ``--requests`` times, the URLs interleaved round-robin so that machine noise hits
   all of them alike. Medians and p90 are reported, with the queries one request makes.
4. Prints ``RATIO`` lines against the targets and exits 1 when one is missed (``--no-fail`` only
   reports).
5. Then, with ``--section all``, the agenda's iCal feed of 10,000 events (``bench/feeds.py``),
   rentals (``bench/rentals.py``): availability of 1,000 items over 200,000 bookings, the
   equipment catalogue and an item's page, each organization with its own baseline, and films
   (``bench/films.py``): a box-office export of 10,000 screenings imported, then re-imported,
   against a raw ``bulk_create`` of the same rows, and the cinema network (``bench/network.py``):
   a network's agenda fed by 20 member organizations (5,000 coming dates and their screenings),
   filtered and as ``events.json``, and a film's page with 200 screenings, against the
   network's own minimal page, with the agenda's queries counted with 5 and with 20 members,
   and the data portal (``bench/opendata_pages.py``): its catalogue of 500 datasets and a
   dataset page of 5,000 rows, against the portal organization's own minimal page.
"""

import argparse
import contextlib
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_DIR = Path(__file__).resolve().parent.parent
SITE_DIR = REPO_DIR / "site"

PEOPLE = 50
#: The agenda measured, and the small one whose queries it must equal.
AGENDA_EVENTS, AGENDA_SMALL, AGENDA_DATES = 500, 10, 4
TARGETS = {  # URL name -> highest acceptable ratio of its median to the minimal page's median
    "person_page": 3.0,
    "people_index": 5.0,
    "agenda": 5.0,
}
SECTIONS = {
    "people": ("person_page", "people_index", "person_page_without_structured_data"),
    "events": ("event_page", "event_page_without_structured_data"),
    "agenda": ("agenda", "agenda_small"),
}
BASELINE = "minimal"
#: The person page again with structured data switched off (STRUCTURED_DATA_ENABLED), to measure
#: what the JSON-LD graph and head metadata add once cached (target: at most 10%).
WITHOUT_SD = "person_page_without_structured_data"
SD_OVERHEAD_TARGET = 1.10
#: Settings each measured URL is served with (the same override for all, so it costs alike).
#: The event page again without structured data: the overhead of an event's graph.
EVENT_WITHOUT_SD = "event_page_without_structured_data"
VARIANT_SETTINGS = {
    WITHOUT_SD: {"STRUCTURED_DATA_ENABLED": False},
    EVENT_WITHOUT_SD: {"STRUCTURED_DATA_ENABLED": False},
}

GIVEN_NAMES = ["Élise", "Marc", "Amina", "Jonas", "Léa", "Samuel", "Inès", "Karim", "Chloé", "Noah"]
FAMILY_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard"]
ROLE_CODES = ["filmmaker", "technician", "artist", "volunteer", "staff", "board"]
SUMMARIES = [
    "Réalise des documentaires sur les territoires du Nord et anime des ateliers de montage.",
    "Directeur photo, formateur caméra et éclairage pour les membres du centre.",
    "Artiste en arts médiatiques; installations vidéo présentées dans plusieurs festivals.",
    "Bénévole à l'accueil des projections et à la programmation jeunesse.",
    "Coordonne la location d'équipement et l'accompagnement technique des productions.",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests per URL (default 200)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="untimed requests per URL first (default 20)"
    )
    parser.add_argument(
        "--no-fail", action="store_true", help="report only: exit 0 even if a target is missed"
    )
    parser.add_argument(
        "--private-pages",
        type=int,
        default=0,
        metavar="N",
        help="also give a second organization N pages with a view restriction (default 0); "
        "the measured organization should not pay for them",
    )
    parser.add_argument(
        "--section",
        choices=(
            "all",
            "pages",
            "events",
            "agenda",
            "feeds",
            "rentals",
            "films",
            "network",
            "portal",
            "explore",
            "exports",
            "ckan",
        ),
        default="all",
        help="pages (the record pages), events (an event page and its graph), agenda (the "
        "agenda page), feeds (the agenda's iCal feed, bench/feeds.py), rentals (availability "
        "over 200,000 bookings, the catalogue and an item's page, bench/rentals.py), films (a "
        "box-office export of 10,000 screenings against a raw bulk_create, bench/films.py), "
        "network (a network agenda of 20 members and 5,000 dates, a film page with 200 "
        "screenings, bench/network.py), portal (the data portal: a catalogue of 500 datasets and "
        "a dataset page of 5,000 rows, bench/opendata_pages.py), explore (the Explore API's "
        "records over an uploaded 100,000-row table against the ORM, bench/opendata_explore.py), "
        "exports (an uploaded table of 20,000 and 100,000 rows exported to CSV against an "
        "iterator + csv.writer floor, bench/opendata_exports.py), ckan (CKAN's package_search "
        "over 500 datasets, bench/opendata_ckan.py), or all",
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request per URL")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timing, cProfile 100 requests of each URL and print the top functions",
    )
    args = parser.parse_args(argv)
    if args.requests < 10:
        parser.error("--requests must be at least 10")
    if args.warmup < 1:
        parser.error("--warmup must be at least 1")
    return args


# --- set-up ------------------------------------------------------------------------------------


def setup_django(tmp_dir: Path):
    """Configure and start Django with everything it writes inside ``tmp_dir``."""
    # Ahead of bench/ (the script's folder), even when PYTHONPATH names them already: there,
    # bench/spreadsheets.py would hide the spreadsheets package.
    for path in (str(REPO_DIR), str(SITE_DIR)):
        while path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    # The embedded default puts its SQLite file (and static files) in LIENS_VAR_DIR.
    os.environ["LIENS_VAR_DIR"] = str(tmp_dir)
    # What rendering costs: the page cache would answer every timed request from memory
    # (bench/http_load.py measures the site with it).
    os.environ["PAGE_CACHE_TIMEOUT"] = "0"

    import django
    from django.conf import settings

    django.setup()

    # config.settings.test makes its own temporary media folder at import: keep media in ours,
    # and remove that one if nothing was written to it.
    unused_media = Path(settings.MEDIA_ROOT)
    settings.MEDIA_ROOT = str(tmp_dir / "media")
    if unused_media.name.startswith("liens-test-media-") and unused_media.is_dir():
        with contextlib.suppress(OSError):
            unused_media.rmdir()


def skip_durability(sender, connection, **kwargs):
    """The scratch database need not survive a power cut: commits stop waiting for the disk,
    which makes `migrate` and the data set-up faster (requests only read, so this does not
    change what is timed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")


def create_database(tmp_dir: Path) -> tuple[str, str]:
    """Create and migrate a scratch database; return (name to restore, what was used)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    connection_created.connect(skip_durability, dispatch_uid="bench-skip-durability")

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        scratch = str(tmp_dir / "bench.sqlite3")
    else:
        scratch = f"liens_bench_{os.getpid()}"
    settings_dict.setdefault("TEST", {})["NAME"] = scratch
    old_name = settings_dict["NAME"]
    # Creates the database (SQLite file / CREATE DATABASE) and runs `migrate` quietly.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name, scratch


def destroy_database(old_name: str):
    from django.db import connection

    connection.creation.destroy_test_db(old_name, verbosity=0)


@contextlib.contextmanager
def scratch_django(prefix: str):
    """Django set up on a scratch database in a new temporary folder (see ``setup_django`` and
    ``create_database``), both removed on the way out: the set-up every bench script shares."""
    tmp_dir = Path(tempfile.mkdtemp(prefix=prefix))
    old_name = None
    try:
        setup_django(tmp_dir)
        old_name, _scratch = create_database(tmp_dir)
        yield tmp_dir
    finally:
        if old_name is not None:
            try:
                destroy_database(old_name)
            except Exception as exc:  # noqa: BLE001 - report, then still clean the folder
                print(f"bench: could not drop the scratch database: {exc}", file=sys.stderr)
        shutil.rmtree(tmp_dir, ignore_errors=True)


def exit_status(ok: bool, *, no_fail: bool) -> int:
    if not ok and not no_fail:
        print("bench: a target was missed (use --no-fail to only report)", file=sys.stderr)
        return 1
    return 0


def build_private_pages(count: int):
    """A second organization with ``count`` login-restricted pages (a members' area)."""
    from wagtail.models import PageViewRestriction

    from home.models import StandardPage
    from tests.factories import make_organization

    site = make_organization("Réseau des cinémas indépendants", "reseau.test")
    home = site.root_page.specific
    for n in range(count):
        page = home.add_child(instance=StandardPage(title=f"Espace membres {n:03d}"))
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def build_agenda(site, count: int, *, hostname: str | None = None):
    """``count`` published events of ``AGENDA_DATES`` weekly dates each in ``site``'s agenda,
    from tomorrow on (so that they are all to come)."""
    import datetime as dt

    from django.utils import timezone

    from tests.factories import make_event, make_image, make_organization_page

    start = timezone.localdate() + dt.timedelta(days=1)
    venues = [
        make_organization_page(site.organizations_index, f"Salle {n}", locality="Montréal")
        for n in range(3)
    ]
    images = [make_image(f"Affiche {n}", colour=(40 * n, 120, 200 - 30 * n)) for n in range(5)]
    kinds = ["screening", "workshop", "talk", "exhibition", "meeting"]
    for n in range(count):
        make_event(
            site.agenda,
            f"Événement {n:03d}",
            kind=kinds[n % len(kinds)],
            summary=SUMMARIES[n % len(SUMMARIES)],
            start_date=start + dt.timedelta(days=n % 28),
            start_time=dt.time(10 + n % 11, 30),
            recurrence=f"FREQ=WEEKLY;COUNT={AGENDA_DATES}",
            venue=venues[n % 3] if n % 3 else None,
            image=images[n % 5] if n % 2 else None,
            is_free=not n % 4,
            price=None if not n % 4 else 8 + n % 5,
            wheelchair_accessible=bool(n % 2),
        )


def build_data(sections=tuple(SECTIONS)) -> dict:
    """Deterministic data; returns the host name and the URLs to measure."""
    from home.models import StandardPage
    from tests.factories import make_image, make_organization, make_person

    site = make_organization("Centre Images Boréales", "boreal.test", language="fr-ca")
    home = site.root_page.specific
    minimal = home.add_child(instance=StandardPage(title="À propos", slug="a-propos"))
    minimal.save_revision().publish()
    minimal.refresh_from_db()
    urls = {BASELINE: minimal.url}
    labels = {BASELINE: "minimal page (StandardPage, empty body)"}
    if "agenda" in sections:
        small = make_organization("Cinéma de quartier", "quartier.test", language="fr-ca")
        build_agenda(site, AGENDA_EVENTS)
        build_agenda(small, AGENDA_SMALL)
        urls["agenda"] = site.agenda.url
        labels["agenda"] = (
            f"agenda ({AGENDA_EVENTS} events, {AGENDA_EVENTS * AGENDA_DATES} dates, 1st page of 30)"
        )
        urls["agenda_small"] = small.agenda.url
        labels["agenda_small"] = f"agenda of another organization ({AGENDA_SMALL} events)"
    if "events" in sections:
        event = build_event(site)
        urls.update({"event_page": event.url, EVENT_WITHOUT_SD: event.url})
        labels.update(
            {
                "event_page": f"event page ({event.title}, weekly, venue, 3 performers)",
                EVENT_WITHOUT_SD: "event page, structured data switched off",
            }
        )
    if "people" not in sections:
        return {"host": site.hostname, "urls": urls, "labels": labels}

    people = []
    for n in range(PEOPLE):
        given = GIVEN_NAMES[n % len(GIVEN_NAMES)]
        family = f"{FAMILY_NAMES[n // len(GIVEN_NAMES)]}"
        roles = [ROLE_CODES[n % 6]]
        if n % 2:
            roles.append(ROLE_CODES[(n + 2) % 6])
        photo = None
        if n % 3:  # two in three have a photo, each their own image
            photo = make_image(
                f"Portrait {n:02d}", colour=((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)
            )
        people.append(
            make_person(
                site.people_index,
                f"{given} {family}",
                given_name=given,
                family_name=family,
                summary=SUMMARIES[n % len(SUMMARIES)],
                roles=roles,
                photo=photo,
            )
        )
    # The person shown: one with a photo and two roles, in the middle of the alphabet.
    person = next(p for p in people[len(people) // 2 :] if p.photo_id and p.roles.count() == 2)
    urls.update(
        {
            "person_page": person.url,
            "people_index": site.people_index.url,
            WITHOUT_SD: person.url,
        }
    )
    labels.update(
        {
            "person_page": f"person page ({person.title}, photo, 2 roles)",
            "people_index": f"people index ({PEOPLE} people, 1st page of 24)",
            WITHOUT_SD: "person page, structured data switched off",
        }
    )
    return {"host": site.hostname, "urls": urls, "labels": labels}


def build_event(site):
    """A weekly workshop at a cinema of the directory, with performers, prices and an image."""
    import datetime as dt
    from decimal import Decimal

    from events.models import EventPerformer
    from tests.factories import make_event, make_image, make_organization_page, make_person

    venue = make_organization_page(
        site.organizations_index,
        "Cinéma du Rift",
        kind="cinema",
        street_address="42 rue Principale",
        postal_code="J9V 1A1",
        locality="Ville-Marie",
        region="QC",
        country="CA",
        latitude=Decimal("47.3333"),
        longitude=Decimal("-79.4333"),
    )
    event = make_event(
        site.agenda,
        "Atelier de montage",
        kind="workshop",
        summary=SUMMARIES[0],
        start_date=dt.date.today() + dt.timedelta(days=7),
        start_time=dt.time(19),
        end_time=dt.time(21, 30),
        recurrence="FREQ=WEEKLY",
        venue=venue,
        price=Decimal("15"),
        member_price=Decimal("10"),
        ticket_url="https://billets.example.org/montage",
        language="fr",
        image=make_image("Atelier"),
        image_credit="Photo : Ana Roy",
    )
    hosts = [make_person(site.people_index, f"Formatrice {n}") for n in range(1, 4)]
    event.performers = [EventPerformer(person=person, role="formatrice") for person in hosts]
    event.save_revision().publish()
    return event


# --- measurement -------------------------------------------------------------------------------


def host_of(url, host):
    """The host a URL names (a page's URL is absolute once there are several sites), or the
    measured organization's."""
    return urlsplit(url).netloc or host


def get(client, host, url):
    response = client.get(url, HTTP_HOST=host_of(url, host))
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {url} answered {response.status_code}, expected 200")
    return response


def check_content(client, host, urls) -> dict[str, int]:
    """The pages render what they are supposed to, so that we time the real thing; returns
    the size of each response in bytes."""
    html = {name: get(client, host, url).content.decode() for name, url in urls.items()}
    if "people_index" in html:
        cards = html["people_index"].count('<li class="card">')
        if cards != 24:
            raise SystemExit(f"bench: the people index shows {cards} cards, expected 24")
        if "<img" not in html["person_page"]:
            raise SystemExit("bench: the person page shows no photo")
    if "event_page" in html and '"subEvent"' not in html["event_page"]:
        raise SystemExit("bench: the event page's graph has no coming dates")
    if "agenda" in html:
        items = html["agenda"].count('<li class="agenda-item')
        if items != 30 or "<img" not in html["agenda"]:
            raise SystemExit(f"bench: the agenda shows {items} dates, expected 30 with images")
    return {name: len(text.encode()) for name, text in html.items()}


def warm_up(client, host, urls, count):
    for _ in range(count):
        for url in urls.values():
            get(client, host, url)


def time_requests(client, host, urls, count) -> dict[str, list[float]]:
    """Milliseconds per request, the URLs interleaved (and their order rotated) each round."""
    from django.test import override_settings

    names = list(urls)
    timings = {name: [] for name in names}
    clock = time.perf_counter_ns
    for round_ in range(count):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            variant = {"STRUCTURED_DATA_ENABLED": True, **VARIANT_SETTINGS.get(name, {})}
            with override_settings(**variant):
                start = clock()
                response = client.get(urls[name], HTTP_HOST=host_of(urls[name], host))
                elapsed = clock() - start
            if response.status_code != 200:
                raise SystemExit(f"bench: GET {urls[name]} answered {response.status_code}")
            timings[name].append(elapsed / 1e6)
    return timings


def query_origin() -> str:
    """Where a query comes from: the innermost template line being rendered, the innermost
    frame of the project's own code, and the innermost Wagtail frame."""
    template = ours = wagtail = ""
    frame = sys._getframe(2)
    while frame is not None and not (template and ours and wagtail):
        code = frame.f_code
        filename = code.co_filename
        if not template and code.co_name == "render_annotated":
            node = frame.f_locals.get("self")
            origin = getattr(node, "origin", None)
            token = getattr(node, "token", None)
            if origin is not None and token is not None:
                name = str(getattr(origin, "template_name", None) or origin.name)
                template = f"{name}:{token.lineno} {token.contents[:50]!r}"
        elif not ours and (
            filename.startswith(str(REPO_DIR))
            and "/.venv/" not in filename
            and not filename.startswith(str(REPO_DIR / "bench"))
        ):
            ours = f"{Path(filename).relative_to(REPO_DIR)}:{frame.f_lineno} {code.co_name}"
        elif not wagtail and "/wagtail/" in filename:
            wagtail = f"wagtail/{filename.split('/wagtail/', 1)[1]}:{frame.f_lineno} {code.co_name}"
        frame = frame.f_back
    return " | ".join(part for part in (template, ours, wagtail) if part) or "?"


def count_queries(client, host, urls) -> dict[str, list[tuple[str, str]]]:
    """One request per URL: each query's SQL and where it comes from."""
    from django.db import connection

    queries = {}
    for name, url in urls.items():
        captured = []

        def trace(execute, sql, params, many, context, captured=captured):
            captured.append(
                (sql % tuple(repr(p) for p in params) if params else sql, query_origin())
            )
            return execute(sql, params, many, context)

        with connection.execute_wrapper(trace):
            get(client, host, url)
        queries[name] = captured
    return queries


def profile(client, host, urls, count=100):
    import cProfile
    import io
    import pstats

    for name, url in urls.items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            get(client, host, url)
        profiler.disable()
        for order, lines in (("cumulative", 45), ("tottime", 25)):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
            print(f"\n=== cProfile, {count} requests of {name} ({url}), by {order} ===")
            print(out.getvalue().split("\n\n", 1)[-1].strip())


# --- report ------------------------------------------------------------------------------------


def p90(values):
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def database_description():
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version} (file {connection.settings_dict['NAME']})"
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return (
            f"postgresql {version // 10000}.{version % 10000} "
            f"(scratch database {connection.settings_dict['NAME']} "
            f"on {connection.settings_dict.get('HOST') or 'local socket'})"
        )
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "load average unknown"


def report(data, timings, queries, sizes) -> bool:
    urls, labels = data["urls"], data["labels"]
    base = statistics.median(timings[BASELINE])
    width = max(len(label) for label in labels.values())
    print()
    print(
        f"{'URL':<{width}}  {'median ms':>9}  {'p90 ms':>7}  {'min ms':>7}  "
        f"{'x minimal':>9}  {'queries':>7}  {'KB':>5}  path"
    )
    print("-" * (width + 69))
    for name, url in urls.items():
        values = timings[name]
        median = statistics.median(values)
        print(
            f"{labels[name]:<{width}}  {median:9.2f}  {p90(values):7.2f}  {min(values):7.2f}  "
            f"{median / base:8.2f}x  {len(queries[name]):7d}  {sizes[name] / 1024:5.1f}  {url}"
        )
    print()
    ok = True
    for name, target in TARGETS.items():
        if name not in timings:
            continue
        ratio = statistics.median(timings[name]) / base
        verdict = "OK" if ratio <= target else "MISSED"
        ok &= ratio <= target
        print(f"RATIO {name}/{BASELINE} = {ratio:.2f}x (target <= {target:g}x) {verdict}")
    for page, without in (("person_page", WITHOUT_SD), ("event_page", EVENT_WITHOUT_SD)):
        if page not in timings:
            continue
        overhead = statistics.median(timings[page]) / statistics.median(timings[without])
        verdict = "OK" if overhead <= SD_OVERHEAD_TARGET else "MISSED"
        ok &= overhead <= SD_OVERHEAD_TARGET
        print(
            f"RATIO {page}/{without} = {overhead:.3f}x "
            f"(structured data overhead, target <= {SD_OVERHEAD_TARGET:g}x) {verdict}"
        )
    if "agenda" in queries:
        small, large = len(queries["agenda_small"]), len(queries["agenda"])
        verdict = "OK" if small == large else "MISSED"
        ok &= small == large
        print(
            f"QUERIES agenda: {small} with {AGENDA_SMALL} events, {large} with {AGENDA_EVENTS} "
            f"events (target: the same) {verdict}"
        )
    print(
        f"QUERIES {BASELINE}={len(queries[BASELINE])} "
        + " ".join(
            f"{name}={len(queries[name])}"
            for name in (*TARGETS, "event_page", EVENT_WITHOUT_SD)
            if name in queries
        )
    )
    return ok


def print_sql(queries):
    for name, sqls in queries.items():
        print(f"\n=== SQL of one request: {name} ({len(sqls)} queries) ===")
        for number, (sql, origin) in enumerate(sqls, 1):
            short = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql, count=1)
            print(f"{number:3d}. {short[:300]}")
            print(f"     <- {origin}")


def feeds_section() -> bool:
    """The agenda's iCal feed of 10,000 events (``bench/feeds.py``), in an organization of its
    own, served with the feed cache (not the page cache, switched off here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import feeds as feeds_bench
    from django.test import Client

    from tests.factories import make_organization

    site = make_organization("Agenda des 10 000", "feeds.test")
    return feeds_bench.run_section(Client(), site.hostname, site)


def rentals_section() -> bool:
    """Availability of 1,000 items over 200,000 bookings, the catalogue and an item's page
    (``bench/rentals.py``), in an organization of its own with its own minimal page."""
    import importlib.util

    from django.test import Client

    from home.models import StandardPage
    from tests.factories import make_organization

    # Loaded by path: ``import rentals`` is the plugin itself.
    spec = importlib.util.spec_from_file_location(
        "bench_rentals", Path(__file__).resolve().parent / "rentals.py"
    )
    rentals_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rentals_bench)
    site = make_organization("Centre de location", "location.test", language="fr-ca")
    minimal = site.root_page.specific.add_child(
        instance=StandardPage(title="À propos", slug="a-propos")
    )
    minimal.save_revision().publish()
    minimal.refresh_from_db()
    return rentals_bench.run_section(Client(), site.hostname, site, minimal.url)


def films_section() -> bool:
    """A box-office export of 10,000 screenings against a raw ``bulk_create`` of the same rows,
    and its re-import (``bench/films.py``), in an organization of its own."""
    import importlib.util

    from tests.factories import make_organization

    # Loaded by path: ``import films`` is the plugin itself.
    spec = importlib.util.spec_from_file_location(
        "bench_films", Path(__file__).resolve().parent / "films.py"
    )
    films_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(films_bench)
    site = make_organization("Cinéma du banc d’essai", "cinema-bench.test", language="fr-ca")
    return films_bench.run_section(site)


def network_section() -> bool:
    """A network's agenda fed by 20 member organizations and a film's page with 200
    screenings (``bench/network.py``), in organizations of their own, against the network's
    minimal page."""
    import importlib.util

    from django.test import Client

    # Loaded by path, as the films and rentals sections are (a plain name may be taken).
    spec = importlib.util.spec_from_file_location(
        "bench_network", Path(__file__).resolve().parent / "network.py"
    )
    network_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network_bench)
    return network_bench.run_section(Client())


def ckan_section() -> bool:
    """CKAN's ``package_search`` over a catalogue of 500 datasets (``bench/opendata_ckan.py``),
    in an organization of its own, against its minimal page."""
    import importlib.util

    from django.test import Client

    spec = importlib.util.spec_from_file_location(
        "bench_opendata_ckan", Path(__file__).resolve().parent / "opendata_ckan.py"
    )
    ckan_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ckan_bench)
    return ckan_bench.run_section(Client())


def exports_section() -> bool:
    """An uploaded open-data table exported to CSV at 20,000 and 100,000 rows against a
    streaming floor, and its memory peaks (``bench/opendata_exports.py``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_opendata_exports", Path(__file__).resolve().parent / "opendata_exports.py"
    )
    exports_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exports_bench)
    return exports_bench.run_section()


def explore_section() -> bool:
    """The Explore API's ``records`` with a filter on two fields, a sort and a page of 100
    over an uploaded table of 100,000 rows, against the same query written with the ORM
    (``bench/opendata_explore.py``), in an organization of its own."""
    import importlib.util

    from django.test import Client

    spec = importlib.util.spec_from_file_location(
        "bench_opendata_explore", Path(__file__).resolve().parent / "opendata_explore.py"
    )
    explore_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(explore_bench)
    return explore_bench.run_section(Client())


def portal_section() -> bool:
    """The data portal: a catalogue of 500 datasets and a dataset page of 5,000 rows
    (``bench/opendata_pages.py``), in an organization of its own with its own minimal page."""
    import importlib.util

    from django.test import Client

    from home.models import StandardPage
    from tests.factories import make_organization

    spec = importlib.util.spec_from_file_location(
        "bench_opendata_pages", Path(__file__).resolve().parent / "opendata_pages.py"
    )
    portal_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(portal_bench)
    site = make_organization("Réseau des données", "portail.bench.test", language="fr-ca")
    minimal = site.root_page.specific.add_child(
        instance=StandardPage(title="À propos", slug="a-propos")
    )
    minimal.save_revision().publish()
    minimal.refresh_from_db()
    return portal_bench.run_section(Client(), site.hostname, site, minimal.url)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    tmp_dir = Path(tempfile.mkdtemp(prefix="liens-bench-"))
    old_name = None
    try:
        setup_django(tmp_dir)
        import django
        import wagtail
        from django.test import Client

        print(
            f"Python {platform.python_version()} ({platform.python_implementation()}), "
            f"Django {django.get_version()}, Wagtail {wagtail.__version__}, "
            f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, {os.cpu_count()} CPUs"
        )
        old_name, _scratch = create_database(tmp_dir)
        if args.section in (
            "feeds",
            "rentals",
            "films",
            "network",
            "portal",
            "explore",
            "exports",
            "ckan",
        ):
            print(f"Database: {database_description()}")
            ok = {
                "feeds": feeds_section,
                "rentals": rentals_section,
                "films": films_section,
                "network": network_section,
                "portal": portal_section,
                "explore": explore_section,
                "exports": exports_section,
                "ckan": ckan_section,
            }[args.section]()
            print(f"\nTotal {time.perf_counter() - started:.1f}s")
            return exit_status(ok, no_fail=args.no_fail)
        migrated = time.perf_counter()
        sections = {
            "all": tuple(SECTIONS),
            "pages": ("people",),
            "events": ("events",),
            "agenda": ("agenda",),
        }[args.section]
        data = build_data(sections)
        if args.private_pages:
            build_private_pages(args.private_pages)
        built = time.perf_counter()
        print(f"Database: {database_description()}")
        print(
            f"Set-up: Django + migrate {migrated - started:.1f}s, data {built - migrated:.1f}s "
            + (
                f"({PEOPLE} people, {sum(1 for n in range(PEOPLE) if n % 3)} with a photo"
                if "people" in sections
                else "("
            )
            + (
                ("; " if "people" in sections else "")
                + f"agendas of {AGENDA_EVENTS} and {AGENDA_SMALL} events"
                if "agenda" in sections
                else ""
            )
            + (
                f"; another organization with {args.private_pages} view-restricted pages"
                if args.private_pages
                else ""
            )
            + ")"
        )
        print(
            "Baseline: the minimal Wagtail page is the organization's StandardPage "
            "(home.models.StandardPage, empty body, child of the home page) served in this run; "
            "a plain wagtail.models.Page has no template and cannot render."
        )

        client = Client()
        host, urls = data["host"], data["urls"]
        sizes = check_content(client, host, urls)
        warm_up(client, host, urls, args.warmup)
        queries = count_queries(client, host, urls)
        print(
            f"Timing: {args.warmup} warm-up + {args.requests} timed requests per URL, "
            f"{len(urls)} URLs round-robin, Django test Client in process; "
            f"{load_average()} before"
        )
        timing_started = time.perf_counter()
        timings = time_requests(client, host, urls, args.requests)
        timing_done = time.perf_counter()
        print(f"Timed loop done in {timing_done - timing_started:.1f}s; {load_average()} after")
        ok = report(data, timings, queries, sizes)
        if args.section == "all":
            ok &= feeds_section()
            ok &= rentals_section()
            ok &= films_section()
            ok &= network_section()
            ok &= portal_section()
            ok &= explore_section()
            ok &= exports_section()
            ok &= ckan_section()
        if args.sql:
            print_sql(queries)
        if args.profile:
            profile(client, host, urls)
        print(f"\nTotal {time.perf_counter() - started:.1f}s")
    finally:
        if old_name is not None:
            try:
                destroy_database(old_name)
            except Exception as exc:  # noqa: BLE001 - report, then still clean the folder
                print(f"bench: could not drop the scratch database: {exc}", file=sys.stderr)
        shutil.rmtree(tmp_dir, ignore_errors=True)
    if not ok and not args.no_fail:
        print("bench: a target was missed (use --no-fail to only report)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
