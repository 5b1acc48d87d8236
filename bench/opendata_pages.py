"""The data portal's pages, as ratios within one run (``bench/run.py`` runs it as its portal
section; ``bench/run.py --section portal`` runs it alone).

Data, on whichever database ``DATABASE_URL`` selects, in an organization of its own:

- 500 published datasets in its portal, written through the bulk page path
  (``pages_bulk_create``), each an uploaded table of 4 columns (one facet, one members-only) and
  10 rows; one in five members-only, themes and keywords in turn;
- one more dataset, « Écoles avec option cinéma », of 5,000 rows with a point each (the
  demo's largest uploaded table), stored through ``opendata.uploads.store_table``.

Measured with Django's test client, page cache off, requests interleaved (their order rotated
each round), medians, against the organization's minimal Wagtail page (a ``StandardPage`` with
an empty body):

1. the catalogue's first page (20 of the 501 cards): target ≤ 5×; its queries are printed with
   the query count of a 30-dataset catalogue, which they must equal;
2. the catalogue filtered by a theme and a word: reported;
3. the schools dataset's page (first page of its table, 20 of 5,000, sorted by a column and
   filtered by a town): target ≤ 5×.
"""

from __future__ import annotations

import statistics
import time

DATASETS = 500
ROWS_PER_DATASET = 10
SCHOOLS = 5_000
ROUNDS = 60
TARGETS = {"catalogue": 5.0, "dataset_page": 5.0}
THEMES = ["EDUC", "ECON", "SOCI", "REGI", "TECH"]
TOWNS = ["Lyon", "Marseille", "Rennes", "Lille", "Nantes", "Québec", "Montréal", "Gatineau"]


def build_portal(site) -> None:
    """The 500 small datasets (see the module)."""
    from django.db import transaction
    from django.utils import timezone

    from opendata.fields import FieldType
    from opendata.models import DatasetAccess, DatasetColumn, DatasetPage, DatasetRow, DatasetTable
    from spreadsheets.bulk import pages_bulk_create

    pages = [
        DatasetPage(
            title=f"Jeu de données {n:03d}",
            description=(
                f"Données de test numéro {n}: salles, séances et publics du territoire, "
                "mises à jour chaque semaine par l'équipe."
            ),
            keywords=f"cinéma, {TOWNS[n % len(TOWNS)].lower()}, test",
            themes=[THEMES[n % len(THEMES)]],
            access=DatasetAccess.MEMBERS if n % 5 == 4 else DatasetAccess.PUBLIC,
        )
        for n in range(DATASETS)
    ]
    with transaction.atomic():
        pages_bulk_create(parent=site.data, pages=pages, publish=True)
        now = timezone.now()
        tables = DatasetTable.objects.bulk_create(
            DatasetTable(
                dataset=page,
                site=site,
                filename="jeu.csv",
                row_count=ROWS_PER_DATASET,
                uploaded_at=now,
            )
            for page in pages
        )
        columns, rows = [], []
        for table in tables:
            for position, (name, kind, members, facet) in enumerate(
                (
                    ("nom", FieldType.TEXT, False, False),
                    ("ville", FieldType.TEXT, False, True),
                    ("places", FieldType.INTEGER, False, False),
                    ("entrees", FieldType.INTEGER, True, False),
                )
            ):
                columns.append(
                    DatasetColumn(
                        table=table,
                        position=position,
                        name=name,
                        label=name.capitalize(),
                        type=kind,
                        members_only=members,
                        facet=facet,
                    )
                )
            for number in range(1, ROWS_PER_DATASET + 1):
                town = TOWNS[number % len(TOWNS)]
                rows.append(
                    DatasetRow(
                        table=table,
                        number=number,
                        data={
                            "nom": f"Salle {number}",
                            "ville": town,
                            "places": 100 + number,
                            "entrees": 1000 * number,
                        },
                        search_text=f"salle {number} {town.lower()}",
                    )
                )
        DatasetColumn.objects.bulk_create(columns)
        DatasetRow.objects.bulk_create(rows, batch_size=2000)


def build_schools(site):
    from opendata.fields import Field, FieldType
    from opendata.uploads import store_table
    from tests.factories import make_dataset

    dataset = make_dataset(
        site.data,
        "Écoles avec option cinéma",
        description="Établissements scolaires proposant une option cinéma-audiovisuel.",
        keywords="écoles, éducation",
        themes=["EDUC"],
    )
    fields = [
        Field("nom", "Nom", FieldType.TEXT),
        Field("ville", "Ville", FieldType.TEXT, facet=True),
        Field("eleves", "Élèves", FieldType.INTEGER),
        Field("ouverture", "Ouverture", FieldType.DATE),
        Field("position", "Position", FieldType.GEO_POINT),
    ]
    records = [
        {
            "nom": f"École {n:04d}",
            "ville": TOWNS[n % len(TOWNS)],
            "eleves": 100 + n % 900,
            "ouverture": f"{1950 + n % 70}-09-01",
            "position": (45.0 + (n % 100) / 50, -73.0 + (n // 100) / 50),
        }
        for n in range(SCHOOLS)
    ]
    store_table(dataset, fields, records, filename="ecoles.csv")
    return dataset


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


def query_count(client, host: str, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_HOST=host)
    return len(captured.captured_queries)


def small_catalogue_queries(client) -> int:
    """The queries of a catalogue of 30 datasets (another organization), to compare."""
    from tests.factories import make_dataset, make_organization

    site = make_organization("Petit portail", "petit-portail.bench.test", language="fr-ca")
    for n in range(30):
        make_dataset(site.data, f"Petit jeu {n:02d}", fields=[("a", "text")], rows=[{"a": "x"}])
    client.get(site.data.url, HTTP_HOST=site.hostname)
    return query_count(client, site.hostname, site.data.url)


def run_section(client, host: str, site, minimal_url: str, rounds: int = ROUNDS) -> bool:
    """Build, measure, print the RATIO lines; ``False`` when a target is missed."""
    from django.db import connection

    started = time.perf_counter()
    build_portal(site)
    schools = build_schools(site)
    print(
        f"\nPortal: {DATASETS} datasets of {ROWS_PER_DATASET} rows and one of {SCHOOLS:,} rows "
        f"built in {time.perf_counter() - started:.1f}s ({connection.vendor})"
    )
    urls = {
        "minimal": minimal_url,
        "catalogue": site.data.url,
        "catalogue_filtered": f"{site.data.url}?theme=EDUC&q=salles",
        "dataset_page": f"{schools.url}?f.ville=Lyon&sort=-eleves",
    }
    for url in urls.values():
        client.get(url, HTTP_HOST=host)
    queries = {name: query_count(client, host, url) for name, url in urls.items()}
    medians = time_urls(client, host, urls, rounds)
    small = small_catalogue_queries(client)
    base = medians["minimal"]
    ok = True
    print(f"Portal: minimal page median {base:.2f} ms ({queries['minimal']} queries)")
    for name in ("catalogue", "catalogue_filtered", "dataset_page"):
        ratio = medians[name] / base
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            met = ratio <= target
            ok &= met
            verdict = f" target <= {target:.1f}x {'ok' if met else 'MISSED'}"
        print(
            f"RATIO portal {name}: {ratio:.2f}x (median {medians[name]:.2f} ms, "
            f"{queries[name]} queries){verdict}"
        )
    same = queries["catalogue"] == small
    ok &= same
    print(
        f"Portal: catalogue queries with {DATASETS + 1} datasets {queries['catalogue']}, with 30 "
        f"{small}: {'the same' if same else 'DIFFERENT'}"
    )
    return ok
