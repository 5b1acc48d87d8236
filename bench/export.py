#!/usr/bin/env python
"""Spreadsheet export rate and memory, as ratios to a floor measured in the same run.

Run alone from the repository root (``bench/spreadsheets.py`` calls ``measure`` and ``report``
within its own run)::

    .venv/bin/python bench/export.py [--rows 100000] [--no-fail]

Like ``bench/run.py``, whose set-up it shares, it works in one process on a throwaway database:
a SQLite file in a temporary folder, or a scratch PostgreSQL database when ``DATABASE_URL`` is
set (the operator's own database is never written).

Data: one organization with ``rows`` people, written straight into the page, person page and
``Contact`` tables in batches (the importer's path is benched by ``bench/spreadsheets.py``; here
only reading matters). Like real records: a two-paragraph biography for two in three, notes and
an external id for one in two, an affiliation with one of ten organization records for one in
three, and one in fifty with unpublished changes (a newer draft revision, which is what the
export must show).

What is measured, each file written to a temporary file on disk:

1. the floor: ``Contact.objects.filter(site=…).iterator()`` and ``csv.writer`` writing as many
   columns per record as the people export has (8);
2. ``spreadsheets.exports.export_file`` of all the people to CSV, XLSX and ODS; target: CSV within 3
   times the floor. The floor and the CSV export take turns three times and the best time of
   each counts, so that other work on the machine slows both alike;
3. the queries one CSV export makes (target: a constant number per chunk of 2,000 rows, where
   django-import-export's default export makes one per row);
4. the ``tracemalloc`` peak of a CSV export of a fifth of the rows, then of all of them, after a
   warm-up export; target: the second at most 1.5 times the first (memory does not grow with
   the number of rows).
"""

import argparse
import csv
import importlib.util
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

ROWS = 100_000
#: Rounds of the floor and the CSV export, taking turns; the best of each counts.
ROUNDS = 3
CHUNK_ROWS = 2000
#: Queries a CSV export may make per chunk of ``CHUNK_ROWS`` rows, plus a few for the whole
#: export: contacts, pages, draft revisions, affiliations.
QUERIES_PER_CHUNK = 8
TARGETS = {
    "export csv / floor": 3.0,
    "memory peak, all rows / a fifth": 1.5,
}
ORGANIZATIONS = 10
GIVEN_NAMES = ["Élise", "Marc", "Amina", "Jonas", "Léa", "Samuel", "Inès", "Karim", "Chloé", "Noah"]
FAMILY_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
BIO = (
    "Monteuse et réalisatrice; ateliers « cinéma direct » à Rouyn-Noranda.\n\n"
    "Membre du conseil d'administration depuis 2019."
)
NOTES = "Membre depuis 2019; bénévole aux projections"


def load_sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"liens_bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- data ----------------------------------------------------------------------------------------


def build_data(rows: int):
    """An organization with ``rows`` people (see the module's docstring); returns its site."""
    from django.db import transaction

    from tests.factories import contact_of, make_organization, make_organization_page

    site = make_organization(f"Banc d'essai export {uuid.uuid4().hex[:6]}", "export.bench.test")
    organizations = [
        contact_of(make_organization_page(site.organizations_index, f"Coopérative {n}"))
        for n in range(ORGANIZATIONS)
    ]
    with transaction.atomic():
        for start in range(0, rows, 1000):
            _create_people(site, range(start, min(start + 1000, rows)), organizations)
    return site


def _create_people(site, numbers: range, organizations) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F
    from django.utils import timezone
    from wagtail.models import Page, Revision

    from crm_blocks.models import Affiliation, Contact, PersonPage
    from spreadsheets.resources import paragraphs_to_stream

    index = Page.objects.get(pk=site.people_index.pk)
    content_type = ContentType.objects.get_for_model(PersonPage)
    page_type = ContentType.objects.get_for_model(Page)
    now = timezone.now()
    bio = paragraphs_to_stream(BIO)
    people = []
    for n in numbers:
        given, family = GIVEN_NAMES[n % len(GIVEN_NAMES)], f"{FAMILY_NAMES[n % 8]}-{n}"
        page = PersonPage(
            title=f"{given} {family}",
            draft_title=f"{given} {family}",
            slug=f"personne-{n}",
            content_type=content_type,
            locale_id=index.locale_id,
            path=PersonPage._get_path(index.path, index.depth + 1, index.numchild + n + 1),
            depth=index.depth + 1,
            numchild=0,
            url_path=f"{index.url_path}personne-{n}/",
            live=True,
            has_unpublished_changes=n % 50 == 0,
            first_published_at=now,
            last_published_at=now,
            translation_key=uuid.uuid4(),
            given_name=given,
            family_name=family,
            bio=bio if n % 3 else "[]",
        )
        page.set_derived_fields()
        people.append(page)
    base_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    bases = Page.objects.bulk_create(
        [Page(**{name: getattr(p, name) for name in base_fields}) for p in people]
    )
    for page, base in zip(people, bases, strict=True):
        page.pk = page.page_ptr_id = base.pk
    # Django does not bulk-create multi-table models: the specific rows go in as raw rows.
    PersonPage._base_manager._insert(
        people, fields=PersonPage._meta.local_concrete_fields, using="default", raw=True
    )
    drafts = [page for page in people if page.has_unpublished_changes]
    revisions = []
    for page in drafts:
        page.family_name += " (brouillon)"
        page.title = page.draft_title = f"{page.given_name} {page.family_name}"
        revisions.append(
            Revision(
                content_type=content_type,
                base_content_type=page_type,
                object_id=str(page.pk),
                object_str=page.title,
                content=page.serializable_data(),
                created_at=now,
            )
        )
    revisions = Revision.objects.bulk_create(revisions)
    for base in bases:
        base.latest_revision_id = None
    by_pk = {base.pk: base for base in bases}
    for page, revision in zip(drafts, revisions, strict=True):
        by_pk[page.pk].latest_revision_id = revision.pk
    Page.objects.bulk_update([by_pk[p.pk] for p in drafts], ["latest_revision"])
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(people))
    site.people_index.numchild = index.numchild + len(people)

    contacts = Contact.objects.bulk_create(
        Contact(
            site=site,
            kind=Contact.Kind.PERSON,
            translation_key=page.translation_key,
            email=f"p{n:06d}@example.org",
            phone=f"+1 514 555 {n % 10000:04d}",
            notes=NOTES if n % 2 else "",
            external_id=f"EXT-{n:06d}" if n % 2 == 0 else "",
        )
        for n, page in zip(numbers, people, strict=True)
    )
    Affiliation.objects.bulk_create(
        Affiliation(person=contact, organization=organizations[n % ORGANIZATIONS], role="membre")
        for n, contact in zip(numbers, contacts, strict=True)
        if n % 3 == 0
    )


# --- measurement ---------------------------------------------------------------------------------


def floor_seconds(site) -> tuple[float, int]:
    """A streaming ``iterator()`` + ``csv.writer`` of 8 columns per contact, to a file."""
    from crm_blocks.models import Contact

    started = time.perf_counter()
    count = 0
    with tempfile.TemporaryFile("w", encoding="utf-8", newline="") as output:
        writerow = csv.writer(output, lineterminator="\r\n").writerow
        for contact in Contact.objects.filter(site=site, kind="person").iterator(CHUNK_ROWS):
            writerow(
                [
                    contact.email,
                    contact.phone,
                    contact.mobile_phone,
                    contact.notes,
                    contact.external_id,
                    contact.street_address,
                    contact.postal_code,
                    contact.locality,
                ]
            )
            count += 1
    return time.perf_counter() - started, count


def export_seconds(site, fmt: str, queryset=None) -> tuple[float, int]:
    from spreadsheets.exports import export_file

    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        count = export_file(kind="people", fmt=fmt, site=site, queryset=queryset, output=output)
    return time.perf_counter() - started, count


def count_queries(function, *args, **kwargs) -> tuple[int, object]:
    from django.db import connection

    queries = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        result = function(*args, **kwargs)
    return len(queries), result


def memory_peak(function, *args, **kwargs) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        function(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def interleaved(rounds: int, *measures) -> list[tuple[float, int]]:
    """The best time of each measure over ``rounds`` rounds, the measures taking turns, so that
    a busy machine slows them alike."""
    best: list = [None] * len(measures)
    for _round in range(rounds):
        for index, (function, *args) in enumerate(measures):
            result = function(*args)
            if best[index] is None or result[0] < best[index][0]:
                best[index] = result
    return best


def measure(rows: int = ROWS) -> dict:
    """Build ``rows`` people in a new organization of the current database, then time and
    weigh their export; Django must be set up and the database migrated (``main`` does it)."""
    from crm_blocks.models import Contact

    started = time.perf_counter()
    site = build_data(rows)
    built = time.perf_counter() - started

    everyone = Contact.objects.filter(site=site, kind="person")
    first_ten = list(everyone.order_by("pk").values_list("pk", flat=True)[:10])
    export_seconds(site, "csv", everyone.filter(pk__in=first_ten))  # warm-up
    (floor, floor_rows), (csv_seconds, csv_rows) = interleaved(
        ROUNDS, (floor_seconds, site), (export_seconds, site, "csv")
    )
    xlsx_seconds, xlsx_rows = export_seconds(site, "xlsx")
    ods_seconds, ods_rows = export_seconds(site, "ods")
    if {floor_rows, csv_rows, xlsx_rows, ods_rows} != {rows}:
        raise SystemExit(
            f"bench: expected {rows} rows everywhere, got floor {floor_rows}, csv {csv_rows}, "
            f"xlsx {xlsx_rows}, ods {ods_rows}"
        )
    queries, _timing = count_queries(export_seconds, site, "csv")
    small_queries, _timing = count_queries(
        export_seconds, site, "csv", everyone.filter(pk__in=first_ten)
    )

    fifth = max(rows // 5, 1)
    last_of_fifth = everyone.order_by("pk").values_list("pk", flat=True)[fifth - 1]
    peak_fifth = memory_peak(export_seconds, site, "csv", everyone.filter(pk__lte=last_of_fifth))
    peak_all = memory_peak(export_seconds, site, "csv", everyone)
    return {
        "rows": rows,
        "setup_seconds": built,
        "floor_seconds": floor,
        "seconds": {"csv": csv_seconds, "xlsx": xlsx_seconds, "ods": ods_seconds},
        "ratios": {
            "csv": csv_seconds / floor,
            "xlsx": xlsx_seconds / floor,
            "ods": ods_seconds / floor,
        },
        "queries": queries,
        "queries_10_rows": small_queries,
        "chunks": -(-rows // CHUNK_ROWS),
        "memory_rows": fifth,
        "memory_peak_fifth": peak_fifth,
        "memory_peak_all": peak_all,
        "memory_ratio": peak_all / peak_fifth,
    }


def report(figures: dict) -> bool:
    """Print the figures and the ``RATIO`` lines; whether every target was met."""
    rows, floor = figures["rows"], figures["floor_seconds"]
    print(f"\nExport of {rows} people (data set up in {figures['setup_seconds']:.1f}s)")
    print(f"  floor (iterator + csv.writer, 8 columns)  {floor:7.2f}s  {rows / floor:9.0f} rows/s")
    for fmt, seconds in figures["seconds"].items():
        print(
            f"  export_file {fmt:<4}                          {seconds:7.2f}s  "
            f"{rows / seconds:9.0f} rows/s  {figures['ratios'][fmt]:5.2f}x floor"
        )
    print(
        f"  queries: {figures['queries']} for {rows} rows ({figures['chunks']} chunks of "
        f"{CHUNK_ROWS}), {figures['queries_10_rows']} for 10 rows"
    )
    print(
        f"  tracemalloc peak: {figures['memory_peak_fifth'] / 2**20:.1f} MiB for "
        f"{figures['memory_rows']} rows, {figures['memory_peak_all'] / 2**20:.1f} MiB for {rows}"
    )
    checks = [
        ("export csv / floor", figures["ratios"]["csv"], "≤"),
        ("memory peak, all rows / a fifth", figures["memory_ratio"], "≤"),
    ]
    ok = True
    for name, value, sign in checks:
        met = value <= TARGETS[name]
        ok &= met
        verdict = "ok" if met else "MISSED"
        print(f"RATIO {name}: {value:.2f} (target {sign} {TARGETS[name]:g}) {verdict}")
    query_limit = 2 + QUERIES_PER_CHUNK * figures["chunks"]
    met = figures["queries"] <= query_limit
    ok &= met
    print(
        f"QUERIES export csv: {figures['queries']} (target ≤ {query_limit}: "
        f"{QUERIES_PER_CHUNK} per chunk of {CHUNK_ROWS}, never one per row) "
        f"{'ok' if met else 'MISSED'}"
    )
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--no-fail", action="store_true", help="report only: always exit 0")
    args = parser.parse_args(argv)
    pages_bench = load_sibling("run")
    started = time.perf_counter()
    with pages_bench.scratch_django("liens-bench-export-"):
        print(f"Database: {pages_bench.database_description()}")
        ok = report(measure(args.rows))
        print(f"\nTotal {time.perf_counter() - started:.1f}s")
    return pages_bench.exit_status(ok, no_fail=args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
