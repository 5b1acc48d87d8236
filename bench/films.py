"""Films at the scale of a busy cinema's box office, as ratios within one run (``bench/run.py``
runs it as its films section; ``bench/run.py --section films`` runs it alone).

Measured, on whichever database ``DATABASE_URL`` selects:

1. Importing a box-office export of 10,000 screenings (a French CSV: ``;``, Windows-1252,
   « Date séance;Heure;Titre;Visa;Version;Salle;Entrées;Recette TTC », 40 films found by visa
   or by title, 10 rooms over 200 days) through ``films.boxoffice.boxoffice_import`` — read,
   recognise the headers, match the films, make every time aware, then write — against a raw
   ``Screening.objects.bulk_create`` of the same 10,000 rows: target import time ≤ 3.3× raw
   (at least 30% of its rate).
2. Re-importing the same export unchanged (every row found again by its key, nothing
   written): target at most the first import's time.

Three rounds, interleaved, medians: each step takes about a second, and a burst of load on
the machine should not decide a ratio.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

SCREENINGS = 10_000
FILMS = 40
ROOMS = 10
SLOTS = ("13:30", "16:00", "18:30", "21:00", "23:15")
ROUNDS = 3
FIRST_DAY = dt.date(2027, 1, 4)
TARGETS = {"import_vs_raw": 3.3, "reimport_vs_import": 1.0}
HEADERS = "Date séance;Heure;Titre;Visa;Version;Salle;Entrées;Recette TTC"


def build_films(site):
    from tests.factories import make_film

    return [
        make_film(
            site.films,
            f"Film du banc d’essai n° {n:02d}",
            visa_number=f"{170000 + n}",
            versions=("VF", "VOSTFR", "VF-AD"),
            duration=80 + n,
        )
        for n in range(FILMS)
    ]


def export_rows(films) -> list[tuple]:
    """``SCREENINGS`` sessions: (day, "HH:MM", film, version label, room, admissions)."""
    rows = []
    versions = ("VF", "VOSTFR", "VF-AD")
    number = 0
    day = FIRST_DAY
    while number < SCREENINGS:
        for slot in SLOTS:
            for room in range(1, ROOMS + 1):
                if number == SCREENINGS:
                    break
                film = films[(number * 7) % len(films)]
                rows.append(
                    (day, slot, film, versions[number % 3], f"Salle {room}", 5 + number % 180)
                )
                number += 1
        day += dt.timedelta(days=1)
    return rows


def export_bytes(rows) -> bytes:
    lines = [HEADERS]
    for number, (day, slot, film, version, room, admissions) in enumerate(rows):
        # Half the rows name the film by its visa, the other half by its title alone (in
        # capitals, as some software writes it).
        visa = film.visa_number if number % 2 else ""
        title = film.title if number % 2 else film.title.upper()
        receipts = f"{Decimal(admissions) * Decimal('7.80'):.2f}".replace(".", ",")
        lines.append(
            f"{day:%d/%m/%Y};{slot.replace(':', 'h')};{title};{visa};{version};{room};"
            f"{admissions};{receipts}"
        )
    return "\r\n".join(lines).encode("cp1252")


def raw_screenings(site, rows, versions, zone):
    from films.models import Screening

    screenings = []
    for day, slot, film, version, room, admissions in rows:
        hour, minute = map(int, slot.split(":"))
        starts_at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        screenings.append(
            Screening(
                site=site,
                cinema=None,
                cinema_key=0,
                film=film,
                version_id=versions[(film.pk, version)],
                version_label=version,
                room=room,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=film.duration),
                local_date=day,
                admissions=admissions,
                gross_receipts=Decimal(admissions) * Decimal("7.80"),
                currency="CAD",
                source="bench.csv",
            )
        )
    return screenings


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_section(site) -> bool:
    """Build, measure, print the RATIO lines; ``False`` when a target is missed."""
    from django.db import connection, transaction
    from django.utils import translation

    from films.boxoffice import boxoffice_import
    from films.models import FilmVersion, Screening
    from organizations.models import OrganizationSettings

    started = time.perf_counter()
    films = build_films(site)
    rows = export_rows(films)
    data = export_bytes(rows)
    versions = {
        (version.film_id, version.label): version.pk
        for version in FilmVersion.objects.filter(film__in=films)
    }
    zone = ZoneInfo(OrganizationSettings.for_site(site).time_zone)
    print(
        f"\nFilms: {FILMS} films, an export of {len(rows)} screenings ({len(data) // 1024} KiB "
        f"of CSV) built in {time.perf_counter() - started:.1f}s ({connection.vendor})"
    )

    def raw():
        screenings = raw_screenings(site, rows, versions, zone)
        with transaction.atomic():
            Screening.objects.bulk_create(screenings, batch_size=1000)

    def import_file():
        with translation.override("fr"):
            return boxoffice_import(site=site, data=data, filename="bench.csv")

    raw_times, import_times, reimport_times = [], [], []
    for _round in range(ROUNDS):
        seconds, _ = timed(raw)
        raw_times.append(seconds)
        assert Screening.objects.filter(site=site).count() == SCREENINGS
        Screening.objects.filter(site=site).delete()
        seconds, report = timed(import_file)
        if not report.ready:
            raise SystemExit(f"bench: the import failed: {report.errors[:3]} {report.held[:3]}")
        import_times.append(seconds)
        assert report.new == SCREENINGS, report
        seconds, again = timed(import_file)
        assert again.unchanged == SCREENINGS, "bench: re-importing the same export changed rows"
        reimport_times.append(seconds)
        Screening.objects.filter(site=site).delete()

    raw_s, import_s, reimport_s = (
        statistics.median(times) for times in (raw_times, import_times, reimport_times)
    )
    print(
        f"Films: raw bulk_create of {SCREENINGS} screenings {raw_s:.2f}s; box-office import "
        f"{import_s:.2f}s ({SCREENINGS / import_s:.0f} rows/s); re-import unchanged "
        f"{reimport_s:.2f}s (medians of {ROUNDS} interleaved rounds)"
    )
    ok = True
    ratio = import_s / raw_s
    verdict = "OK" if ratio <= TARGETS["import_vs_raw"] else "MISSED"
    ok &= ratio <= TARGETS["import_vs_raw"]
    print(
        f"RATIO boxoffice_import/raw_bulk_create = {ratio:.2f}x time, {raw_s / import_s:.0%} of "
        f"raw's rate (target <= {TARGETS['import_vs_raw']:g}x, i.e. >= 30%) {verdict}"
    )
    ratio = reimport_s / import_s
    verdict = "OK" if ratio <= TARGETS["reimport_vs_import"] else "MISSED"
    ok &= ratio <= TARGETS["reimport_vs_import"]
    print(
        f"RATIO boxoffice_reimport/boxoffice_import = {ratio:.2f}x "
        f"(target <= {TARGETS['reimport_vs_import']:g}x) {verdict}"
    )
    return ok
