#!/usr/bin/env python
"""Spreadsheet import and export rates, as ratios within one run (``make bench`` runs it).

Run from the repository root::

    .venv/bin/python bench/spreadsheets.py [--people 10000] [--export-rows 100000] [--no-fail]

Like ``bench/run.py`` (whose set-up it shares), it works in one process on a throwaway database:
a SQLite file in a temporary folder, or a scratch PostgreSQL database when ``DATABASE_URL`` is
set. What it measures, each against a floor measured in the same run on the same machine:

1. Importing ``--people`` people from a CSV file (``spreadsheet_import``: read, match headers,
   validate every row, then create draft pages with their revisions, log entries, search and
   reference index entries, and their private Contacts) against
   a. ``add_child`` one page at a time (on 200 pages: the path a naive importer takes), target
      at least 10 times its rate;
   b. a raw ``bulk_create`` of the same rows into a plain model (``Contact``), target at least
      1/40 of its rate.
2. Importing as many memberships (a plain model) from CSV against a raw ``bulk_create`` of the
   same memberships: target at least 30% of its rate.
3. Exporting ``--export-rows`` records (``bench/export.py``): within 3 times a streaming
   ``queryset.iterator()`` + ``csv.writer`` floor, with a memory peak that does not grow with
   the number of rows.
4. Reading the same people from XLSX and ODS against CSV (``bench/reading.py``): at least 0.15
   of CSV's rate, with a memory peak per row that does not grow with the number of rows.

It prints ``RATIO`` lines and exits 1 when a target is missed (``--no-fail`` only reports).
"""

import argparse
import importlib.util
import statistics
import sys
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def load_sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"liens_bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pages_bench = load_sibling("run")

ADD_CHILD_PAGES = 200
MEMBERSHIP_ROUNDS = 3
PRODUCTION_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}
TARGETS = {
    "people import vs add_child": ("≥", 10.0),
    "people import vs raw bulk_create": ("≥", 1 / 40),
    "memberships import vs raw bulk_create": ("≥", 0.30),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--no-fail", action="store_true")
    return parser.parse_args(argv)


def people_rows(count: int, prefix: str = "p") -> list[list[str]]:
    first = ["Élise", "Marc", "Amina", "Jonas", "Léa", "Samuel", "Inès", "Karim", "Chloé", "Noah"]
    last = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
    return [
        [
            f"{prefix}{n:06d}@example.org",
            first[n % len(first)],
            f"{last[n % len(last)]}-{n}",
            f"+1 514 555 {n % 10000:04d}",
            "Membre depuis 2019; bénévole aux projections",
            "Monteuse et réalisatrice.\n\nMembre du conseil.",
        ]
        for n in range(count)
    ]


def csv_bytes(headers, rows) -> bytes:
    import tablib

    from spreadsheets.files import write_table

    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return write_table(dataset, "csv")


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def measure_people(site, count: int) -> dict:
    from django.db import transaction
    from wagtail.models import Page

    from crm_blocks.models import Contact, PersonPage
    from spreadsheets.pipeline import spreadsheet_import

    index = site.people_index
    rows = people_rows(count)

    # a. add_child, one page at a time, in one transaction (as generous to it as can be).
    def add_children():
        with transaction.atomic():
            parent = Page.objects.get(pk=index.pk)
            for _email, first, last, *_rest in rows[:ADD_CHILD_PAGES]:
                parent.add_child(
                    instance=PersonPage(title=f"{first} {last}", given_name=first, family_name=last)
                )

    add_child_seconds, _ = timed(add_children)
    for page in PersonPage.objects.all():
        page.delete()
    Contact.objects.all().delete()

    # b. raw bulk_create of the same rows into a plain model.
    def raw_bulk_create():
        with transaction.atomic():
            Contact.objects.bulk_create(
                [
                    Contact(
                        site=site,
                        kind="person",
                        translation_key=uuid.uuid4(),
                        email=email,
                        phone=phone,
                        notes=notes,
                    )
                    for email, _first, _last, phone, notes, _bio in rows
                ],
                batch_size=1000,
            )

    raw_seconds, _ = timed(raw_bulk_create)
    Contact.objects.all().delete()

    data = csv_bytes(["email", "first_name", "last_name", "phone", "notes", "bio"], rows)
    import_seconds, report = timed(
        spreadsheet_import, site=site, kind="people", data=data, filename="people.csv"
    )
    if not report.ok:
        raise SystemExit(f"bench: the people import failed: {report.errors[:3]}")
    assert PersonPage.objects.count() == count, "bench: not every person was created"
    problems = Page.find_problems()
    assert not any(problems), f"bench: the page tree is damaged: {problems}"
    reimport_seconds, again = timed(
        spreadsheet_import, site=site, kind="people", data=data, filename="people.csv"
    )
    assert again.unchanged == count, "bench: re-importing the same file changed records"
    return {
        "add_child": rate(ADD_CHILD_PAGES, add_child_seconds),
        "raw": rate(count, raw_seconds),
        "import": rate(count, import_seconds),
        "reimport": rate(count, reimport_seconds),
        "import_seconds": import_seconds,
    }


def measure_memberships(site, count: int) -> dict:
    import datetime
    from decimal import Decimal

    from django.db import transaction

    from crm_blocks.models import Contact, Membership, MembershipType
    from spreadsheets.pipeline import spreadsheet_import

    MembershipType.objects.create(site=site, name="Individuel", default_fee=40)
    membership_type = MembershipType.objects.create(site=site, name="Étudiant", default_fee=20)
    contacts = list(Contact.objects.filter(site=site).order_by("email")[:count])
    rows = [
        [
            contact.email,
            "Étudiant" if n % 2 else "Individuel",
            f"{1 + n % 28:02d}/09/2026",
            f"{1 + n % 28:02d}/08/2027",
            f"{20 + n % 50},50",
            "actif",
        ]
        for n, contact in enumerate(contacts)
    ]

    def raw_bulk_create():
        with transaction.atomic():
            Membership.objects.bulk_create(
                [
                    Membership(
                        contact=contact,
                        membership_type=membership_type,
                        start_date=datetime.date(2026, 9, 1 + n % 28),
                        end_date=datetime.date(2027, 8, 1 + n % 28),
                        fee=Decimal(f"{20 + n % 50}.50"),
                        status="active",
                    )
                    for n, contact in enumerate(contacts)
                ],
                batch_size=1000,
            )

    headers = ["email", "membership_type", "start_date", "end_date", "fee", "status"]
    data = csv_bytes(headers, rows)
    raw_times, import_times = [], []
    # Both take about a second: three rounds, interleaved, medians, so that a burst of load on
    # the machine does not decide the ratio.
    for _round in range(MEMBERSHIP_ROUNDS):
        seconds, _ = timed(raw_bulk_create)
        raw_times.append(seconds)
        Membership.objects.all().delete()
        seconds, report = timed(
            spreadsheet_import, site=site, kind="memberships", data=data, filename="memberships.csv"
        )
        import_times.append(seconds)
        if not report.ok:
            raise SystemExit(f"bench: the memberships import failed: {report.errors[:3]}")
        assert Membership.objects.count() == len(rows)
        Membership.objects.all().delete()
    return {
        "raw": rate(len(rows), statistics.median(raw_times)),
        "import": rate(len(rows), statistics.median(import_times)),
    }


def check(name: str, value: float) -> bool:
    sign, target = TARGETS[name]
    ok = value >= target if sign == "≥" else value <= target
    print(f"RATIO {name}: {value:.3f} (target {sign} {target:.3f}) {'ok' if ok else 'MISSED'}")
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    ok = True
    with pages_bench.scratch_django("liens-bench-sheets-"):
        from django.test.utils import override_settings

        from tests.factories import make_organization

        # As in production: Wagtail's per-page tasks and our per-batch search-index tasks are
        # queued for the worker (rows in the database), not run inside the timed code.
        override_settings(TASKS=PRODUCTION_TASKS).enable()
        print(f"Database: {pages_bench.database_description()}")
        print(
            "Tasks: the database backend, as in production; search indexing (Wagtail's task per "
            "page, ours per batch of 500) is queued for the worker, not timed"
        )
        site = make_organization("Centre Images Boréales", "boreal.test")

        people = measure_people(site, args.people)
        print(
            f"People ({args.people} rows from CSV): import {people['import']:.0f} rows/s "
            f"({people['import_seconds']:.1f}s); re-import of the same file (all unchanged) "
            f"{people['reimport']:.0f} rows/s; add_child one by one {people['add_child']:.0f} "
            f"pages/s ({ADD_CHILD_PAGES} pages); raw bulk_create into Contact "
            f"{people['raw']:.0f} rows/s"
        )
        ok &= check("people import vs add_child", people["import"] / people["add_child"])
        ok &= check("people import vs raw bulk_create", people["import"] / people["raw"])

        memberships = measure_memberships(site, args.people)
        print(
            f"Memberships ({args.people} rows from CSV, median of {MEMBERSHIP_ROUNDS} interleaved "
            f"rounds): import {memberships['import']:.0f} rows/s; raw bulk_create "
            f"{memberships['raw']:.0f} rows/s"
        )
        ok &= check(
            "memberships import vs raw bulk_create", memberships["import"] / memberships["raw"]
        )

        if args.export_rows:
            export_bench = load_sibling("export")
            figures = export_bench.measure(args.export_rows)
            ok &= export_bench.report(figures)

        reading_bench = load_sibling("reading")
        ok &= reading_bench.report(reading_bench.measure())
        print(f"\nTotal {time.perf_counter() - started:.1f}s")
    return pages_bench.exit_status(ok, no_fail=args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
