#!/usr/bin/env python
"""Spreadsheet reading rates, XLSX and ODS against CSV, as ratios within one run.

Run alone from the repository root (``bench/spreadsheets.py`` calls ``measure`` and ``report``
within its own run)::

    .venv/bin/python bench/reading.py [--rows 20000] [--no-fail]

No database: the same ``rows`` people (e-mail, names, phone, notes, a date, an amount) are
written as CSV, XLSX and ODS by the exporter's writers, then read back by ``read_table`` (the
first step of every import), the best of three reads each. Targets: XLSX and ODS at least 0.15
of CSV's rate (about 0.3 measured; openpyxl's streaming reader gave 0.09 for XLSX, odfpy's
document tree 0.04 for ODS, with 300 MiB held for a 0.5 MB file), and the memory reading a file
of them all at most 1.5 times what a fifth of them takes per row (reading holds the rows, never
the file's XML).
"""

import argparse
import datetime as dt
import io
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROWS = 20_000
ROUNDS = 3
TARGETS = {
    "xlsx read / csv read": 0.15,
    "ods read / csv read": 0.15,
    "ods memory per row, all rows / a fifth": 1.5,
}
HEADERS = ["email", "first_name", "last_name", "phone", "notes", "member_since", "fee"]


def people(count: int):
    for n in range(count):
        yield [
            f"personne{n:06d}@example.org",
            ["Élise", "Marc", "Amina", "Jonas"][n % 4],
            f"Tremblay-{n}",
            f"+1 514 555 {n % 10000:04d}",
            "Membre depuis 2019; bénévole aux projections" if n % 2 else "",
            dt.date(2024, 1 + n % 12, 1 + n % 28),
            Decimal(n % 100) + Decimal("0.50"),
        ]


def file_of(fmt: str, count: int) -> bytes:
    from spreadsheets.files import write_file

    output = io.BytesIO()
    write_file(output, people(count), fmt=fmt, headers=HEADERS)
    return output.getvalue()


def best_rate(data: bytes, fmt: str, count: int) -> float:
    from spreadsheets.files import read_table

    best = float("inf")
    for _round in range(ROUNDS):
        started = time.perf_counter()
        table = read_table(data, f"people.{fmt}", max_bytes=None, max_rows=None)
        best = min(best, time.perf_counter() - started)
        assert len(table.dataset) == count, (fmt, len(table.dataset))
    return count / best


def peak_per_row(data: bytes, fmt: str, count: int) -> float:
    from spreadsheets.files import read_table

    tracemalloc.start()
    try:
        read_table(data, f"people.{fmt}", max_bytes=None, max_rows=None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / count


def measure(rows: int = ROWS) -> dict:
    files = {fmt: file_of(fmt, rows) for fmt in ("csv", "xlsx", "ods")}
    rates = {fmt: best_rate(data, fmt, rows) for fmt, data in files.items()}
    fifth = rows // 5
    small_ods = file_of("ods", fifth)
    return {
        "rows": rows,
        "sizes": {fmt: len(data) for fmt, data in files.items()},
        "rates": rates,
        "ods_peak_per_row": (
            peak_per_row(files["ods"], "ods", rows),
            peak_per_row(small_ods, "ods", fifth),
        ),
    }


def check(name: str, value: float) -> bool:
    target = TARGETS[name]
    ok = value <= target if "memory" in name else value >= target
    sign = "≤" if "memory" in name else "≥"
    print(f"RATIO {name}: {value:.3f} (target {sign} {target:.3f}) {'ok' if ok else 'MISSED'}")
    return ok


def report(figures: dict) -> bool:
    rates, sizes = figures["rates"], figures["sizes"]
    print(
        f"Reading {figures['rows']} people: "
        + "; ".join(
            f"{fmt.upper()} {rates[fmt]:.0f} rows/s ({sizes[fmt] / 1024:.0f} KiB)"
            for fmt in ("csv", "xlsx", "ods")
        )
    )
    all_rows, a_fifth = figures["ods_peak_per_row"]
    print(f"ODS memory peak per row: {all_rows:.0f} B (all rows), {a_fifth:.0f} B (a fifth)")
    ok = check("xlsx read / csv read", rates["xlsx"] / rates["csv"])
    ok &= check("ods read / csv read", rates["ods"] / rates["csv"])
    ok &= check("ods memory per row, all rows / a fifth", all_rows / a_fifth)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root), str(root / "site")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    ok = report(measure(args.rows))
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
