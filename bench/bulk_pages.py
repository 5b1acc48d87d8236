#!/usr/bin/env python
"""Pages per second: Wagtail's one-by-one path against ``spreadsheets.bulk.pages_bulk_create``.

The spreadsheet import may create 10,000 people. Its budget: at least 10 times faster than
``add_child`` + ``save_revision`` one by one, and at least 1/40 of a raw ``bulk_create`` of
plain rows. ``measure()`` reports all three rates, measured in the database Django is set up
with (the bench runner's scratch database); every measured write is rolled back.

Run on its own from the repository root (a throwaway SQLite file, or a scratch database next to
``DATABASE_URL``, as ``bench/run.py`` does)::

    .venv/bin/python bench/bulk_pages.py [--count 2000] [--one-by-one 200] [--repeat 3]
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

GIVEN_NAMES = ["Élise", "Marc", "Amina", "Jonas", "Léa", "Samuel", "Inès", "Karim", "Chloé", "Noah"]
FAMILY_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]


class _RollBack(Exception):
    """Raised to undo a measurement's writes once its clock has stopped."""


def _people(count: int) -> list:
    """Unsaved people as the importer builds them: names, a summary and a two-paragraph
    biography (one rich-text block)."""
    from crm_blocks.models import PersonPage

    people = []
    for n in range(count):
        given = GIVEN_NAMES[n % len(GIVEN_NAMES)]
        family = FAMILY_NAMES[(n // len(GIVEN_NAMES)) % len(FAMILY_NAMES)]
        people.append(
            PersonPage(
                title=f"{given} {family}",
                given_name=given,
                family_name=family,
                summary=f"Membre numéro {n} du centre.",
                bio=json.dumps(
                    [
                        {
                            "type": "text",
                            "value": {
                                "text": f"<p>{given} {family} réalise des documentaires.</p>"
                                f"<p>Membre depuis {2000 + n % 25}.</p>"
                            },
                        }
                    ]
                ),
            )
        )
    return people


def _timed(write, inner: bool = False) -> float:
    """Seconds ``write()`` takes inside a transaction that is then rolled back (with ``inner``,
    ``write()`` times itself and returns the seconds)."""
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = write()
            elapsed = result if inner else time.perf_counter() - start
            raise _RollBack
    except _RollBack:
        pass
    return elapsed


def measure(count: int = 2000, one_by_one: int = 200, repeat: int = 3) -> dict:
    """Pages per second of the three ways to write ``count`` (``one_by_one`` for the slow path)
    people under one people index, drafts and published, and the ratios the budget speaks of.
    The fast paths keep their best of ``repeat`` runs, so that a busy machine disturbs the
    ratio less (the slow path runs once: it takes long enough to average the noise).

    Needs a set-up Django whose database may be written to (a scratch one): the organization
    this creates stays, the measured writes are rolled back."""
    from django.db import transaction
    from wagtail.models import Page

    from crm_blocks.models import ContactTag
    from spreadsheets.bulk import pages_bulk_create
    from tests.factories import make_organization

    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        site = make_organization(f"Banc d'essai {tag}", f"bulk-{tag}.test")
        # Wagtail's publishing against the bulk path: the people's consent to a public
        # profile, which ``PersonPage.publish`` checks, is no part of the comparison.
        from privacy.models import PrivacySettings

        PrivacySettings.objects.update_or_create(
            site=site, defaults={"public_profile_consent_required": False}
        )
    index_pk = site.people_index.pk

    def wagtail(publish: bool, count: int = one_by_one):
        parent = Page.objects.get(pk=index_pk)
        for page in _people(count):
            page.live = False
            parent.add_child(instance=page)
            revision = page.save_revision(log_action=True)
            if publish:
                revision.publish()

    def bulk(publish: bool, count: int = count):
        pages = _people(count)  # built before the clock starts, as the importer hands them
        parent = Page.objects.get(pk=index_pk)
        start = time.perf_counter()
        pages_bulk_create(parent=parent, pages=pages, publish=publish)
        return time.perf_counter() - start

    def raw(count: int = count):
        ContactTag.objects.bulk_create(
            ContactTag(site=site, name=f"étiquette {n}") for n in range(count)
        )

    # First calls fill caches (content types, site root paths, search fields): not timed.
    _timed(lambda: (raw(100), wagtail(True, 5), bulk(True, 50)))
    results = {"count": count, "one_by_one_count": one_by_one}
    results["raw_bulk_create_rows_per_s"] = count / min(_timed(raw) for _ in range(repeat))
    for mode, publish in (("draft", False), ("published", True)):
        slow = one_by_one / _timed(lambda publish=publish: wagtail(publish))
        fast = count / min(
            _timed(lambda publish=publish: bulk(publish), inner=True) for _ in range(repeat)
        )
        results[f"one_by_one_{mode}_pages_per_s"] = slow
        results[f"bulk_{mode}_pages_per_s"] = fast
        results[f"speedup_{mode}"] = fast / slow
        results[f"raw_over_bulk_{mode}"] = results["raw_bulk_create_rows_per_s"] / fast
    return results


def report(results: dict) -> str:
    lines = [
        f"raw bulk_create (ContactTag rows): {results['raw_bulk_create_rows_per_s']:9.0f} rows/s"
    ]
    for mode in ("draft", "published"):
        lines.append(
            f"{mode:9s}  one by one ({results['one_by_one_count']} pages): "
            f"{results[f'one_by_one_{mode}_pages_per_s']:7.0f} pages/s   "
            f"pages_bulk_create ({results['count']} pages): "
            f"{results[f'bulk_{mode}_pages_per_s']:7.0f} pages/s   "
            f"x{results[f'speedup_{mode}']:.0f} faster (target >= 10), "
            f"raw / bulk = {results[f'raw_over_bulk_{mode}']:.1f} (target <= 40)"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="pages written in bulk")
    parser.add_argument("--one-by-one", type=int, default=200, help="pages written one by one")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast path (best kept)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import create_database, database_description, destroy_database, setup_django

    tmp_dir = Path(tempfile.mkdtemp(prefix="liens-bench-bulk-"))
    old_name = None
    try:
        setup_django(tmp_dir)
        old_name, _scratch = create_database(tmp_dir)
        print(f"Database: {database_description()}")
        print(report(measure(args.count, args.one_by_one, args.repeat)))
    finally:
        if old_name is not None:
            destroy_database(old_name)
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
