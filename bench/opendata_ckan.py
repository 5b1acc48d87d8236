"""CKAN's ``package_search`` over a catalogue of 500 datasets, as ratios within one run
(``bench/run.py`` runs it as its ckan section; ``bench/run.py --section ckan`` runs it alone).

Data, on whichever database ``DATABASE_URL`` selects: an organization of its own with its
minimal Wagtail page (a ``StandardPage`` with an empty body) and 500 published datasets in its
data portal (``pages_bulk_create``), each with keywords, one or two themes, a licence, a
contact point and an uploaded table of three rows (``store_table``); one in ten is for members
only (left out of what the public finds).

Measured with Django's test client, page cache off, requests interleaved (their order rotated
each round), medians:

1. ``package_search`` as a harvester first asks it (10 results, no parameter), the same with
   words, a field filter, facets on four fields and a sort, and a page of 100 results: each
   ≤ 5× the minimal page;
2. the queries of each with 50 datasets and with 500: target the same.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from urllib.parse import urlencode

DATASETS = 500
FEW_DATASETS = 50
ROUNDS = 60
WARMUP = 5
TARGETS = {"search": 5.0, "search_facets": 5.0, "search_100": 5.0}
KEYWORDS = ["cinéma", "salles", "agenda", "films", "écoles", "séances", "public", "festival"]
THEMES = ["EDUC", "SOCI", "ECON", "REGI", "GOVE"]
LICENCES = ["etalab-2.0", "odbl-1.0", "cc-by-4.0", "cc0-1.0"]
FIELDS = [("nom", "text"), ("ville", "text"), ("places", "integer")]


def build_site():
    from home.models import StandardPage
    from tests.factories import make_organization

    site = make_organization("Catalogue du banc d’essai", "ckan-bench.test", language="fr-ca")
    minimal = site.root_page.specific.add_child(
        instance=StandardPage(title="À propos", slug="a-propos")
    )
    minimal.save_revision().publish()
    minimal.refresh_from_db()
    return site, minimal


def build_datasets(site, first: int, last: int) -> None:
    """Datasets ``first`` to ``last - 1`` of the catalogue, published, each with its table."""
    from django.db import transaction

    from opendata.fields import Field
    from opendata.models import DatasetAccess, DatasetPage
    from opendata.uploads import store_table
    from spreadsheets.bulk import pages_bulk_create

    pages = [
        DatasetPage(
            title=f"Jeu de données n° {n:03d}",
            dataset_id=f"jeu-{n:03d}",
            description=(
                f"Les {KEYWORDS[n % len(KEYWORDS)]} du réseau, relevés chaque mois par les "
                "équipes des salles membres (données de démonstration)."
            ),
            keywords=", ".join({KEYWORDS[n % 8], KEYWORDS[(n * 3 + 1) % 8]}),
            themes=[THEMES[n % 5]] + ([THEMES[(n + 2) % 5]] if n % 3 == 0 else []),
            licence=LICENCES[n % 4],
            contact_name="Service des données",
            contact_email="donnees@example.org",
            spatial_coverage="Québec",
            access=DatasetAccess.MEMBERS if n % 10 == 9 else DatasetAccess.PUBLIC,
        )
        for n in range(first, last)
    ]
    fields = [Field(name, name, kind) for name, kind in FIELDS]
    with transaction.atomic():
        pages_bulk_create(parent=site.data, pages=pages, publish=True)
        for n, page in enumerate(pages, first):
            rows = [
                {"nom": f"Salle {n}-{k}", "ville": "Québec", "places": 100 + k} for k in range(3)
            ]
            store_table(page, fields, rows, filename=f"jeu-{n:03d}.csv")


def get(client, host: str, url: str):
    response = client.get(url, HTTP_HOST=host)
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {url} answered {response.status_code}, expected 200")
    return response


def query_counts(client, host: str, urls: dict) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in urls.items():
        get(client, host, url)
        with CaptureQueriesContext(connection) as captured:
            get(client, host, url)
        counts[name] = len(captured.captured_queries)
    return counts


def check_content(client, host: str, urls: dict, *, public: int) -> dict[str, int]:
    """What is timed is the real thing: every public dataset counted, the pages full, the
    facets counted. Returns each response's size in bytes."""
    bodies = {name: get(client, host, url).content for name, url in urls.items()}
    plain = json.loads(bodies["search"])["result"]
    if plain["count"] != public or len(plain["results"]) != 10:
        raise SystemExit(f"bench: package_search counts {plain['count']}, expected {public}")
    faceted = json.loads(bodies["search_facets"])["result"]
    if not faceted["count"] or set(faceted["facets"]) != {
        "tags",
        "groups",
        "license_id",
        "res_format",
    }:
        raise SystemExit("bench: the faceted package_search found nothing or lacks facets")
    hundred = json.loads(bodies["search_100"])["result"]
    if len(hundred["results"]) != 100 or not hundred["results"][0]["resources"]:
        raise SystemExit("bench: package_search rows=100 did not give 100 packages with data")
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
    """``LIENS_BENCH_PROFILE=1``: where each request's time goes (cProfile, 20 requests)."""
    import cProfile
    import pstats

    for name, url in urls.items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            get(client, host, url)
        profiler.disable()
        print(f"\n--- profile of {name} ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def run_section(client, rounds: int = ROUNDS) -> bool:
    """Build, measure, print the RATIO and QUERIES lines; ``False`` when a target is missed."""
    from django.conf import settings
    from django.db import connection

    # Thousands of requests from one address: the rate limit (still counted) never refuses them.
    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 10**9

    started = time.perf_counter()
    site, minimal = build_site()
    host = site.hostname
    action = "/api/3/action/package_search"
    searches = {
        "search": action,
        "search_facets": action
        + "?"
        + urlencode(
            {
                "q": "cinéma salles",
                "fq": "res_format:CSV",
                "facet.field": json.dumps(["tags", "groups", "license_id", "res_format"]),
                "sort": "metadata_modified desc",
            }
        ),
        "search_100": f"{action}?rows=100&sort=title_string+asc",
    }
    build_datasets(site, 0, FEW_DATASETS)
    few = query_counts(client, host, searches)
    build_datasets(site, FEW_DATASETS, DATASETS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    public = sum(1 for n in range(DATASETS) if n % 10 != 9)
    print(
        f"\nCKAN: {DATASETS} datasets ({public} public, 3 rows each) built in "
        f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
    )
    urls = {"minimal": minimal.url, **searches}
    labels = {
        "minimal": "minimal page (StandardPage)",
        "search": "package_search (10 results)",
        "search_facets": "package_search q, fq, 4 facets, sort",
        "search_100": "package_search rows=100, sorted by title",
    }
    sizes = check_content(client, host, urls, public=public)
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
            f"CKAN: {labels[name]:<{width}}  median {median:7.2f} ms  "
            f"{median / base:5.2f}x minimal  {many[name]:3d} queries  "
            f"{sizes[name] / 1024:6.1f} KB"
        )
    ok = True
    for name, target in TARGETS.items():
        ratio = medians[name] / base
        verdict = "OK" if ratio <= target else "MISSED"
        ok &= ratio <= target
        print(f"RATIO ckan {name}/minimal = {ratio:.2f}x (target <= {target:g}x) {verdict}")
    for name in searches:
        verdict = "OK" if few[name] == many[name] else "MISSED"
        ok &= few[name] == many[name]
        print(
            f"QUERIES ckan {name}: {few[name]} with {FEW_DATASETS} datasets, {many[name]} with "
            f"{DATASETS} (target: the same) {verdict}"
        )
    return ok
