"""The Explore API's ``records`` over a large uploaded table, as a ratio within one run
(``bench/run.py`` runs it as its explore section; ``bench/run.py --section explore`` runs it
alone).

Data, on whichever database ``DATABASE_URL`` selects: one organization whose data portal holds
an uploaded table of 100,000 rows stored through ``opendata.uploads.store_table`` (what the
admin's upload and ``import_dataset`` do): a name, one of ten towns, a number of screens (1 to
12), an opening date, a price and a point, deterministic (row *n* is always the same).

Measured with Django's test client (the whole request: host, reader, rate limit, the dataset
and its columns, ODSQL, the count and the page, JSON), against the floor of the same filter and
sort written directly with the ORM on ``DatasetRow`` (a ``count()`` and a page of 100 rows'
``number`` and ``data``): ``where=ville = "Montréal" and ecrans >= 6``,
``order_by=ouverture desc``, ``limit=100``, ``total_count`` included. Both take turns each
round, medians compared; target ≤ 3×.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

ROWS = 100_000
ROUNDS = 25
WARMUP = 3
TARGET = 3.0
TOWNS = [
    "Montréal",
    "Québec",
    "Sherbrooke",
    "Gatineau",
    "Rimouski",
    "Lyon",
    "Rennes",
    "Lille",
    "Marseille",
    "Ajaccio",
]
WHERE = 'ville = "Montréal" and ecrans >= 6'
ORDER_BY = "ouverture desc"
LIMIT = 100


def rows():
    start = dt.date(1950, 1, 1)
    for n in range(ROWS):
        yield {
            "nom": f"Salle {n:06d}",
            "ville": TOWNS[n % len(TOWNS)],
            "ecrans": 1 + (n * 7) % 12,
            "ouverture": (start + dt.timedelta(days=(n * 37) % 27_000)).isoformat(),
            "tarif": 6 + (n % 9) * 0.5,
            "position": (45 + (n % 1000) / 1000, -73 - (n % 700) / 1000),
        }


def build():
    from opendata.fields import Field, FieldType
    from opendata.uploads import store_table
    from tests.factories import make_dataset, make_organization

    site = make_organization("Portail du banc d’essai", "portail-bench.test", language="fr-ca")
    dataset = make_dataset(site.data, "Salles (banc d’essai)", dataset_id="salles-bench")
    fields = [
        Field("nom", "Nom"),
        Field("ville", "Ville", facet=True),
        Field("ecrans", "Écrans", FieldType.INTEGER),
        Field("ouverture", "Ouverture", FieldType.DATE),
        Field("tarif", "Tarif", FieldType.DECIMAL),
        Field("position", "Position", FieldType.GEO_POINT),
    ]
    table = store_table(dataset, fields, rows(), filename="salles.csv")
    return site, dataset, table


def floor(table):
    """The same filter and sort, straight from the ORM: the count and the page."""
    from django.db.models.fields.json import KeyTransform

    from opendata.models import DatasetRow

    matching = DatasetRow.objects.filter(table=table, data__ville="Montréal", data__ecrans__gte=6)
    total = matching.count()
    page = list(
        matching.order_by(
            KeyTransform("ouverture", "data").desc(nulls_last=True), "number"
        ).values_list("number", "data")[:LIMIT]
    )
    return total, page


def run_section(client, rounds: int = ROUNDS) -> bool:
    """Build, check, measure, print the RATIO line; ``False`` when the target is missed."""
    from django.conf import settings
    from django.db import connection

    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 10**9  # the bench is one address asking often
    started = time.perf_counter()
    site, dataset, table = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    built = time.perf_counter() - started
    url = f"/api/explore/v2.1/catalog/datasets/{dataset.identifier}/records"
    params = {"where": WHERE, "order_by": ORDER_BY, "limit": LIMIT}

    def explore():
        response = client.get(url, params, HTTP_HOST=site.hostname)
        if response.status_code != 200:
            raise SystemExit(
                f"bench: Explore answered {response.status_code}: {response.content[:300]}"
            )
        return response

    answer = explore().json()
    total, page = floor(table)
    names = [record["nom"] for record in answer["results"]]
    if answer["total_count"] != total or names != [data["nom"] for _n, data in page]:
        raise SystemExit("bench: Explore and the ORM floor disagree on the records")
    for _ in range(WARMUP):
        explore()
        floor(table)
    timings = {"explore": [], "floor": []}
    clock = time.perf_counter_ns
    for round_ in range(rounds):
        order = ("explore", "floor") if round_ % 2 else ("floor", "explore")
        for name in order:
            begin = clock()
            explore() if name == "explore" else floor(table)
            timings[name].append((clock() - begin) / 1e6)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    ratio = medians["explore"] / medians["floor"]
    print(
        f"\nExplore: {ROWS:,} uploaded rows stored in {built:.1f}s ({connection.vendor}); "
        f"where={WHERE!r}, order_by={ORDER_BY!r}, limit={LIMIT}: {total:,} matching"
    )
    print(f"Explore: records endpoint (test client)  median {medians['explore']:8.2f} ms")
    print(f"Explore: ORM floor (count + page)        median {medians['floor']:8.2f} ms")
    verdict = "OK" if ratio <= TARGET else "MISSED"
    print(f"RATIO explore_records/orm_floor = {ratio:.2f}x (target <= {TARGET:g}x) {verdict}")
    return ratio <= TARGET
