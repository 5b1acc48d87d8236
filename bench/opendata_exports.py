#!/usr/bin/env python
"""Open-data CSV export of an uploaded table: rate and memory, as ratios measured in one run.

Run alone from the repository root (``bench/run.py --section exports`` runs the same)::

    .venv/bin/python bench/opendata_exports.py [--rows 20000,100000] [--no-fail]

Like ``bench/run.py``, whose set-up it shares, it works in one process on a throwaway database
(SQLite in a temporary folder, or a scratch PostgreSQL database when ``DATABASE_URL`` is set).

Data: one organization's portal with one uploaded dataset per size (20,000 and 100,000 rows by
default), stored through ``opendata.uploads.store_table`` as an upload stores them: eight
columns like a directory of cinemas — name, town (text), screens (integer), seats (decimal),
opening date, « Art et Essai » (yes/no), a geo point and a web address, with empty cells.

What is measured, per size, each file written to a temporary file on disk:

1. the floor: ``DatasetRow.objects.filter(table=…).values_list("data").iterator()`` and
   ``csv.writer`` writing the eight values of each row;
2. ``opendata.exports.export_response(table, "csv")`` — the export a visitor or an API client
   downloads, through the table layer (``opendata.tables.table_for``), its streaming content
   consumed chunk by chunk; target: within 3 times the floor. They take turns three times and
   the best time of each counts;
3. the ``tracemalloc`` peak of that export at each size (after a warm-up); target: the largest
   at most 1.5 times the smallest (memory does not grow with the rows).
"""

import argparse
import csv
import importlib.util
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

SIZES = (20_000, 100_000)
ROUNDS = 3
TARGETS = {"export csv / floor": 3.0, "memory peak, largest / smallest": 1.5}
TOWNS = ["Québec", "Montréal", "Lyon", "Saint-Étienne", "Rimouski", "Nantes", "Gatineau"]


def load_sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"liens_bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- data ----------------------------------------------------------------------------------------


def fields():
    from opendata.fields import Field, FieldType

    return [
        Field("nom", "Nom", FieldType.TEXT),
        Field("ville", "Ville", FieldType.TEXT, facet=True),
        Field("ecrans", "Écrans", FieldType.INTEGER),
        Field("fauteuils", "Fauteuils", FieldType.DECIMAL),
        Field("ouverture", "Ouverture", FieldType.DATE),
        Field("art_et_essai", "Art et Essai", FieldType.BOOLEAN),
        Field("position", "Position", FieldType.GEO_POINT),
        Field("site_web", "Site Web", FieldType.URL),
    ]


def records(rows: int):
    for n in range(rows):
        yield {
            "nom": f"Cinéma « Le Club » n° {n}",
            "ville": TOWNS[n % len(TOWNS)],
            "ecrans": 1 + n % 12,
            "fauteuils": 80 + (n % 400) / 4,
            "ouverture": f"{1930 + n % 90}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "art_et_essai": n % 3 == 0,
            "position": None if n % 10 == 0 else (45 + (n % 1000) / 1000, -73 - (n % 777) / 1000),
            "site_web": f"https://cinema-{n}.example.org/" if n % 2 else None,
        }


def build_data(sizes) -> dict:
    """One dataset per size in a new organization's portal; returns ``{rows: dataset}``."""
    from opendata.uploads import store_table
    from tests.factories import make_dataset, make_organization

    site = make_organization("Banc d’essai données ouvertes", "opendata-export.bench.test")
    datasets = {}
    for rows in sizes:
        dataset = make_dataset(site.data, f"Salles ({rows} lignes)")
        store_table(dataset, fields(), records(rows), filename=f"salles-{rows}.csv")
        datasets[rows] = dataset
    return datasets


# --- measurement ---------------------------------------------------------------------------------


def floor_seconds(dataset) -> tuple[float, int]:
    """``values_list("data").iterator()`` + ``csv.writer`` of the eight values of each row."""
    from opendata.models import DatasetRow

    names = [f.name for f in fields()]
    started = time.perf_counter()
    count = 0
    with tempfile.TemporaryFile("w", encoding="utf-8", newline="") as output:
        writerow = csv.writer(output, delimiter=";", lineterminator="\r\n").writerow
        for (data,) in (
            DatasetRow.objects.filter(table=dataset.table).values_list("data").iterator(2000)
        ):
            writerow([data.get(name) for name in names])
            count += 1
    return time.perf_counter() - started, count


def export_seconds(dataset) -> tuple[float, int]:
    """The CSV export as served, its streamed content written to a file."""
    from opendata.access import Audience
    from opendata.exports import export_response
    from opendata.tables import table_for

    started = time.perf_counter()
    table = table_for(dataset, Audience(site_id=dataset.get_site().pk))
    response = export_response(table, "csv", filename=dataset.identifier)
    size = 0
    with tempfile.TemporaryFile() as output:
        for chunk in response.streaming_content:
            output.write(chunk)
            size += len(chunk)
    return time.perf_counter() - started, size


def memory_peak(function, *args) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def interleaved(rounds: int, *measures):
    best: list = [None] * len(measures)
    for _round in range(rounds):
        for index, (function, *args) in enumerate(measures):
            result = function(*args)
            if best[index] is None or result[0] < best[index][0]:
                best[index] = result
    return best


def measure(sizes=SIZES) -> dict:
    """Build the datasets in the current database, then time and weigh their exports."""
    started = time.perf_counter()
    datasets = build_data(sizes)
    built = time.perf_counter() - started
    smallest = datasets[min(sizes)]
    export_seconds(smallest)  # warm-up: imports, translations, the first queries
    figures = {"setup_seconds": built, "sizes": {}}
    for rows, dataset in datasets.items():
        (floor, floor_rows), (seconds, size) = interleaved(
            ROUNDS, (floor_seconds, dataset), (export_seconds, dataset)
        )
        if floor_rows != rows:
            raise SystemExit(f"bench: expected {rows} rows, the floor read {floor_rows}")
        figures["sizes"][rows] = {
            "floor_seconds": floor,
            "export_seconds": seconds,
            "bytes": size,
            "ratio": seconds / floor,
            "memory_peak": memory_peak(export_seconds, dataset),
        }
    peaks = [figures["sizes"][rows]["memory_peak"] for rows in sorted(sizes)]
    figures["memory_ratio"] = peaks[-1] / peaks[0]
    return figures


def report(figures: dict) -> bool:
    """Print the figures and the ``RATIO`` lines; whether every target was met."""
    print(
        f"\nOpen-data CSV export of an uploaded table (8 columns; data set up in "
        f"{figures['setup_seconds']:.1f}s)"
    )
    ok = True
    for rows, size in sorted(figures["sizes"].items()):
        print(
            f"  {rows:>7} rows: floor (iterator + csv.writer) {size['floor_seconds']:6.2f}s, "
            f"export_response csv {size['export_seconds']:6.2f}s "
            f"({rows / size['export_seconds']:.0f} rows/s, {size['bytes'] / 2**20:.1f} MiB), "
            f"tracemalloc peak {size['memory_peak'] / 2**20:.2f} MiB"
        )
        met = size["ratio"] <= TARGETS["export csv / floor"]
        ok &= met
        print(
            f"RATIO opendata export csv / floor, {rows} rows: {size['ratio']:.2f} "
            f"(target ≤ {TARGETS['export csv / floor']:g}) {'ok' if met else 'MISSED'}"
        )
    name = "memory peak, largest / smallest"
    met = figures["memory_ratio"] <= TARGETS[name]
    ok &= met
    sizes = sorted(figures["sizes"])
    print(
        f"RATIO opendata export {name} ({sizes[-1]} / {sizes[0]} rows): "
        f"{figures['memory_ratio']:.2f} (target ≤ {TARGETS[name]:g}) {'ok' if met else 'MISSED'}"
    )
    return ok


def run_section(sizes=SIZES) -> bool:
    """``bench/run.py --section exports``: Django is set up and the database migrated."""
    return report(measure(sizes))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows",
        default=",".join(str(n) for n in SIZES),
        help="sizes of the datasets, separated by commas (default 20000,100000)",
    )
    parser.add_argument("--no-fail", action="store_true", help="report only: always exit 0")
    args = parser.parse_args(argv)
    sizes = tuple(sorted({int(n) for n in args.rows.split(",")}))
    pages_bench = load_sibling("run")
    started = time.perf_counter()
    with pages_bench.scratch_django("liens-bench-opendata-"):
        print(f"Database: {pages_bench.database_description()}")
        ok = run_section(sizes)
        print(f"\nTotal {time.perf_counter() - started:.1f}s")
    return pages_bench.exit_status(ok, no_fail=args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
