"""Screenings from box-office exports: the session files cinemas' ticketing software writes.

A file (CSV with ``;`` or ``,``, UTF-8 or Windows-1252, or XLSX; read by ``spreadsheets.files``)
has a row per session: a date and a time (or one date-time column), the film (a title, a CNC visa
number, sometimes an identifier), the version, the room, admissions and gross receipts, and
whatever else the software adds (ignored).

1. **Columns** (``column_mapping``): common headers are recognised (French and English, case and
   accents aside); what is not is taken from the cinema's remembered layout
   (``BoxOfficeLayout``) or from staff (the admin's mapping step, the command's ``--map``).
2. **Rows** (``read_rows``): every cell is read; local times of the organization's zone are made
   aware (a time that does not exist, or exists twice, on a clock-change night is a row error).
3. **Films** (``films.matching``): sure matches are used; uncertain ones are *held* until staff
   decide (``decisions``: a film, or "draft"); unknown films become draft records.
4. **Writing** (``boxoffice_import``): one transaction, or nothing. The key (site, cinema, room,
   start) finds the screenings of an earlier import: re-importing updates them (admissions,
   receipts, film, version) instead of duplicating; unchanged rows are not written at all.
   Existing keys are loaded in one query, candidate films in one, new rows bulk-created and
   changed ones bulk-updated in batches.

Admissions and receipts are private (``films.declarations``): nothing here shows them publicly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from organizations.models import OrganizationKind, OrganizationSettings
from public_cache.generations import invalidate_sites
from spreadsheets.bulk import PageValidationError, pages_bulk_create
from spreadsheets.files import (
    CellValueError,
    SpreadsheetError,
    normalise_header,
    parse_date_time,
    parse_decimal,
    parse_time,
    read_table,
)
from spreadsheets.text import name_key

from .matching import EXACT, UNCERTAIN, FilmMatcher, FilmReference, split_title_year
from .models import BoxOfficeLayout, FilmIndexPage, FilmPage, FilmVersion, Screening
from .versions import parse_version

#: The fields an export may give, with the headers recognised for each (any case or accents).
FIELD_LABELS = {
    "date": pgettext_lazy("box office", "Date (or date and time)"),
    "time": pgettext_lazy("box office", "Time"),
    "title": pgettext_lazy("box office", "Film title"),
    "visa": pgettext_lazy("box office", "Visa number"),
    "external_id": pgettext_lazy("box office", "Film identifier"),
    "year": pgettext_lazy("box office", "Year"),
    "version": pgettext_lazy("box office", "Version"),
    "room": pgettext_lazy("box office", "Room"),
    "admissions": pgettext_lazy("box office", "Admissions"),
    "receipts": pgettext_lazy("box office", "Gross receipts"),
}
FIELDS = tuple(FIELD_LABELS)
HEADER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "date séance",
        "date de séance",
        "date de la séance",
        "jour",
        "séance",
        "date et heure",
        "date heure",
        "début séance",
        "session",
        "session date",
        "show date",
        "start",
        "starts at",
        "date time",
        "datetime",
    ),
    "time": (
        "heure",
        "heure séance",
        "heure de séance",
        "horaire",
        "début",
        "heure début",
        "heure de début",
        "time",
        "start time",
        "session time",
        "show time",
    ),
    "title": ("titre", "titre du film", "film", "titre film", "title", "film title", "movie"),
    "visa": (
        "visa",
        "n° visa",
        "no visa",
        "numéro de visa",
        "visa cnc",
        "n° de visa",
        "visa number",
    ),
    "external_id": ("identifiant", "id film", "code film", "film id", "film code", "external id"),
    "year": ("année", "annee de production", "année de production", "year"),
    "version": ("version", "vf/vo", "vo/vf", "langue", "vers", "version language", "language"),
    "room": ("salle", "écran", "ecran", "n° salle", "room", "screen", "auditorium", "hall"),
    "admissions": (
        "entrées",
        "spectateurs",
        "nb entrées",
        "nombre d'entrées",
        "nombre de spectateurs",
        "total entrées",
        "fréquentation",
        "admissions",
        "attendance",
        "tickets",
        "tickets sold",
        "spectators",
    ),
    "receipts": (
        "recette",
        "recettes",
        "recette brute",
        "recette ttc",
        "recette totale",
        "ca ttc",
        "ca",
        "chiffre d'affaires",
        "montant",
        "gross",
        "gross receipts",
        "box office",
        "revenue",
        "receipts",
    ),
}
_LOOKUP = {
    normalise_header(spelling): name
    for name, spellings in HEADER_SPELLINGS.items()
    for spelling in (name, *spellings)
}
#: Rows written per statement.
BATCH_SIZE = 1000
#: The most admissions a screening can hold (``Screening.admissions``: PostgreSQL's integer).
MAX_ADMISSIONS = 2_147_483_647
#: Gross receipts must stay below this (``Screening.gross_receipts``: 12 digits, 2 decimals).
RECEIPTS_LIMIT = Decimal(10) ** 10
#: The years a session may fall in: beyond them, a typo (« 01/01/0001 », « 31/12/9999 »).
SESSION_YEARS = (2000, 2100)
#: The years a film may carry (``FilmPage.year``'s validators).
FILM_YEARS = (1888, 2100)
#: The choice, in ``decisions``, that makes a draft film rather than using a candidate.
DRAFT = "draft"

NO_COLUMNS_MESSAGE = gettext_lazy(
    "The columns of this file could not all be recognised: %(missing)s. Its columns are: "
    "%(headers)s. Say which column holds what (--map date=… --map title=…, or the import "
    "screen's matching step)."
)


class BoxOfficeError(Exception):
    """The file cannot be imported at all (a message for staff, in their language)."""


# --- Columns -------------------------------------------------------------------------------------


def recognise_headers(headers: list[str]) -> dict[str, str]:
    """``{field: header}`` for the headers recognised; the first of two for one field wins."""
    mapping: dict[str, str] = {}
    for header in headers:
        name = _LOOKUP.get(normalise_header(header))
        if name and name not in mapping:
            mapping[name] = header
    if "time" in mapping and "date" not in mapping:
        # « Début » alone: a date-time column.
        mapping["date"] = mapping.pop("time")
    return mapping


def missing_fields(mapping: dict[str, str]) -> list[str]:
    """The required fields ``mapping`` lacks: a date, and a title or a visa number."""
    missing = []
    if not mapping.get("date"):
        missing.append("date")
    if not mapping.get("title") and not mapping.get("visa"):
        missing.append("title")
    return missing


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def saved_layout(site, cinema) -> dict[str, str]:
    layout = BoxOfficeLayout.objects.filter(
        site=site, cinema_key=cinema.pk if cinema else 0
    ).first()
    return dict(layout.mapping) if layout else {}


def remember_layout(site, cinema, mapping: dict[str, str]) -> None:
    """Keep ``mapping`` as the cinema's layout, for its next export."""
    clean = {name: header for name, header in mapping.items() if name in FIELDS and header}
    BoxOfficeLayout.objects.update_or_create(
        site=site,
        cinema_key=cinema.pk if cinema else 0,
        defaults={"cinema": cinema, "mapping": clean},
    )


def column_mapping(headers, *, site, cinema, chosen: dict[str, str] | None = None) -> dict:
    """Recognised headers, then the cinema's remembered layout, then ``chosen`` (staff's
    choices win; a field chosen as "" is not read). Headers the file lacks are dropped."""
    present = set(headers)
    mapping = recognise_headers(headers)
    for source in (saved_layout(site, cinema), chosen or {}):
        for name, header in source.items():
            if name not in FIELDS:
                continue
            if not header:
                mapping.pop(name, None)
            elif header in present:
                mapping[name] = header
    return mapping


def cinemas_of(site):
    """The cinema records of ``site``'s CRM (organization pages of kind cinema)."""
    from crm_blocks.models import OrganizationPage

    return (
        OrganizationPage.objects.descendant_of(site.root_page)
        .filter(kind=OrganizationKind.CINEMA)
        .order_by("title")
    )


def find_cinema(site, name: str):
    """The cinema record of ``site`` called ``name`` (accents and case aside); ``BoxOfficeError``
    naming the cinemas there are otherwise."""
    wanted = name_key(name)
    cinemas = list(cinemas_of(site))
    found = [cinema for cinema in cinemas if name_key(cinema.title) == wanted]
    if len(found) == 1:
        return found[0]
    raise BoxOfficeError(
        _("No cinema of this organization is called “%(name)s”. Its cinemas: %(cinemas)s.")
        % {"name": name, "cinemas": ", ".join(c.title for c in cinemas) or "—"}
    )


# --- Rows ----------------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int  # as the spreadsheet software numbers it; 0: the whole file
    message: str


@dataclass
class SessionRow:
    line: int
    reference: FilmReference
    starts_at: dt.datetime
    local_date: dt.date
    room: str
    version_label: str
    admissions: int | None
    receipts: Decimal | None


def aware(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at ``time`` on the organization's clock; ``ValueError`` (a message for staff) on
    a clock-change night when that time does not exist or exists twice."""
    naive = dt.datetime.combine(day, time)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise ValueError(
                _(
                    "%(time)s does not exist on %(date)s in %(zone)s: the clocks were put "
                    "forward that night. Correct the time."
                )
                % {"time": time.strftime("%H:%M"), "date": day.strftime("%d/%m/%Y"), "zone": zone}
            )
        raise ValueError(
            _(
                "%(time)s happens twice on %(date)s in %(zone)s: the clocks were put back that "
                "night. Give the session another time, or import it by hand."
            )
            % {"time": time.strftime("%H:%M"), "date": day.strftime("%d/%m/%Y"), "zone": zone}
        )
    return first


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral():
        value = int(value)
    return " ".join(str(value).split())


def _admissions(value) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral() or number < 0:
        raise ValueError(
            _("“%(value)s” is not a number of admissions (a whole number, 0 or more).")
            % {"value": value}
        )
    if number > MAX_ADMISSIONS:
        raise ValueError(
            _("“%(value)s” is too many admissions for one session (%(max)s at most).")
            % {"value": value, "max": number_format(MAX_ADMISSIONS, force_grouping=True)}
        )
    return int(number)


def _receipts(value) -> Decimal | None:
    """Gross receipts, to the cent; ``ValueError`` when negative or too large to be kept."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number < 0:
        raise ValueError(_("Gross receipts cannot be negative."))
    if number < RECEIPTS_LIMIT:
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number >= RECEIPTS_LIMIT:
        raise ValueError(
            _("“%(value)s” is too large an amount for one session (less than %(limit)s).")
            % {"value": value, "limit": number_format(RECEIPTS_LIMIT, 0, force_grouping=True)}
        )
    return number


def _labelled(name: str, error) -> str:
    """« Entrées : “beaucoup” is not a number. »: the column named, as staff read it."""
    return _("%(column)s: %(message)s") % {"column": field_label(name), "message": error}


def read_rows(table, mapping: dict[str, str], zone: ZoneInfo):
    """The file's sessions, and the errors of the rows that cannot be read."""
    headers = table.headers
    position = {name: headers.index(header) for name, header in mapping.items() if header}
    rows: list[SessionRow] = []
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    moments: dict[tuple, dt.datetime] = {}  # a file repeats its times: each made aware once
    for values, line in zip(table.dataset, table.row_numbers, strict=True):

        def cell(name, values=values):
            return values[position[name]] if name in position else None

        problems = []
        try:
            day, time = parse_date_time(cell("date"))
            if "time" in position and _text(cell("time")):
                raw_time = cell("time")
                if isinstance(raw_time, dt.datetime):
                    raw_time = raw_time.time()
                time = parse_time(raw_time)
            if day is None:
                raise ValueError(_("The date is empty."))
            if time is None:
                raise ValueError(_("The time of the session is missing."))
            if not SESSION_YEARS[0] <= day.year <= SESSION_YEARS[1]:
                raise ValueError(
                    _("%(date)s is not a date of a session (years %(first)s to %(last)s).")
                    % {
                        "date": f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
                        "first": SESSION_YEARS[0],
                        "last": SESSION_YEARS[1],
                    }
                )
            moment = (day, time)
            if moment not in moments:
                moments[moment] = aware(day, time, zone)
            starts_at = moments[moment]
        except (CellValueError, ValueError) as error:
            problems.append(_labelled("date", error))
            starts_at = day = None
        title = _text(cell("title"))
        year = None
        if title:
            title, year = split_title_year(title)
        if "year" in position and _text(cell("year")):
            try:
                year = int(_text(cell("year")))
            except ValueError:
                problems.append(_("“%(value)s” is not a year.") % {"value": cell("year")})
                year = None
        if year is not None and not FILM_YEARS[0] <= year <= FILM_YEARS[1]:
            problems.append(
                _("%(year)s is not a film's year (%(first)s to %(last)s).")
                % {"year": year, "first": FILM_YEARS[0], "last": FILM_YEARS[1]}
            )
        reference = FilmReference(
            title=title,
            visa=_text(cell("visa")),
            external_id=_text(cell("external_id")),
            year=year,
        )
        if not (reference.title or reference.visa or reference.external_id):
            problems.append(_("The film is missing: neither a title nor a visa number."))
        try:
            admissions = _admissions(cell("admissions"))
        except ValueError as error:
            problems.append(_labelled("admissions", error))
            admissions = None
        try:
            receipts = _receipts(cell("receipts"))
        except ValueError as error:
            problems.append(_labelled("receipts", error))
            receipts = None
        room = _text(cell("room"))[:100]
        if starts_at is not None:
            key = (room, starts_at)
            if key in seen:
                problems.append(
                    _("Line %(line)s already has a session in this room at this time.")
                    % {"line": seen[key]}
                )
            seen.setdefault(key, line)
        if problems:
            errors.extend(RowError(line, message) for message in problems)
            continue
        rows.append(
            SessionRow(
                line=line,
                reference=reference,
                starts_at=starts_at,
                local_date=day,
                room=room,
                version_label=_text(cell("version"))[:40],
                admissions=admissions,
                receipts=receipts,
            )
        )
    return rows, errors


# --- The import ----------------------------------------------------------------------------------


@dataclass
class HeldMatch:
    """A film reference staff must decide on: one of ``candidates`` (pk, label), or a draft."""

    key: str
    title: str
    visa: str
    year: int | None
    reason: str
    candidates: list[tuple[int, str]]
    lines: list[int]


@dataclass
class BoxOfficeReport:
    """What an import did, or (``dry_run``) would do. JSON-serialisable (``to_dict``)."""

    dry_run: bool
    filename: str = ""
    cinema: str = ""
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: Uncertain matches still waiting for a decision: nothing is written while there are some.
    held: list[HeldMatch] = field(default_factory=list)
    #: Titles that become draft films.
    drafts: list[str] = field(default_factory=list)
    #: ``(title of the export, film)`` for films matched with certainty.
    matched: list[tuple[str, str]] = field(default_factory=list)
    #: Version texts kept as written, for staff to know: ``(text, why)``.
    version_notes: list[tuple[str, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def ready(self) -> bool:
        return self.ok and not self.held

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BoxOfficeReport:
        data = dict(data)
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        data["held"] = [HeldMatch(**h) for h in data.get("held", [])]
        data["matched"] = [tuple(m) for m in data.get("matched", [])]
        data["version_notes"] = [tuple(n) for n in data.get("version_notes", [])]
        return cls(**data)


def _version_key(label: str) -> str:
    return "".join(char for char in label.upper().replace("É", "E") if char.isalnum())


def _spec_key(source) -> tuple:
    return (
        getattr(source, "audio_language", ""),
        getattr(source, "subtitle_language", ""),
        *(
            bool(getattr(source, name))
            for name in (
                "audio_description",
                "sdh_subtitles",
                "closed_captions",
                "open_captions",
                "sign_language",
            )
        ),
    )


class _Versions:
    """The versions of the films used, loaded in one query, found by label or by what the
    label says (``VOSTF`` is the ``VOSTFR`` of the film)."""

    def __init__(self, film_ids):
        self.by_label: dict[tuple[int, str], int] = {}
        self.by_spec: dict[tuple[int, tuple], int] = {}
        for version in FilmVersion.objects.filter(film_id__in=film_ids).order_by("sort_order"):
            self.by_label.setdefault((version.film_id, _version_key(version.label)), version.pk)
            self.by_spec.setdefault((version.film_id, _spec_key(version)), version.pk)
        self.specs: dict[str, object] = {}

    def find(self, film_id: int, label: str, notes: dict) -> int | None:
        if not label:
            return None
        found = self.by_label.get((film_id, _version_key(label)))
        if found:
            return found
        if label not in self.specs:
            try:
                self.specs[label] = parse_version(label)
            except ValidationError:
                self.specs[label] = None
                notes.setdefault(label, _("unknown version code: kept as written, not an error"))
        spec = self.specs[label]
        if spec is None:
            return None
        found = self.by_spec.get((film_id, _spec_key(spec)))
        if found is None:
            notes.setdefault(label, _("no such version of the film: kept as written"))
        return found


def boxoffice_import(
    *,
    site,
    data: bytes,
    filename: str,
    cinema=None,
    columns: dict[str, str] | None = None,
    decisions: dict[str, str] | None = None,
    accept_close_matches: bool = False,
    dry_run: bool = False,
    user=None,
) -> BoxOfficeReport:
    """Import a box-office export of ``cinema`` (``None``: the organization is the cinema)
    into ``site``: every row, or none.

    ``columns`` are staff's column choices (``{field: header}``), over the recognised headers
    and the cinema's remembered layout; they are remembered after a successful import.
    ``decisions`` settle uncertain matches (``{reference key: film pk or "draft"}``);
    ``accept_close_matches`` takes the first candidate of each instead. While an uncertain
    match is undecided, nothing is written (the report lists them in ``held``).

    Raises ``BoxOfficeError`` (a message for staff) when the file cannot be used.
    """
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        raise BoxOfficeError(str(error)) from error
    mapping = column_mapping(table.headers, site=site, cinema=cinema, chosen=columns)
    missing = missing_fields(mapping)
    if missing:
        raise BoxOfficeError(
            str(NO_COLUMNS_MESSAGE)
            % {
                "missing": ", ".join(field_label(name) for name in missing),
                "headers": ", ".join(
                    _("“%(header)s”") % {"header": header} for header in table.headers
                ),
            }
        )
    settings = OrganizationSettings.for_site(site)
    zone = ZoneInfo(settings.time_zone)
    report = BoxOfficeReport(
        dry_run=dry_run,
        filename=filename,
        cinema=cinema.title if cinema else settings.legal_name,
        total=len(table.dataset),
        mapping=mapping,
        ignored_columns=[h for h in table.headers if h not in mapping.values()],
    )
    rows, report.errors = read_rows(table, mapping, zone)

    # Films: one query for the candidates, each reference matched once.
    matcher = FilmMatcher(site)
    decisions = decisions or {}
    film_of: dict[str, int | None] = {}  # reference key → film pk (None: a draft)
    drafts: dict[str, FilmReference] = {}
    lines_of: dict[str, list[int]] = defaultdict(list)
    reference_of: dict[str, FilmReference] = {}
    for row in rows:
        lines_of[row.reference.key].append(row.line)
        reference_of.setdefault(row.reference.key, row.reference)
    for key, lines in lines_of.items():
        reference = reference_of[key]
        found = matcher.match(reference)
        decided = decisions.get(key)
        if found.status == EXACT:
            film_of[key] = found.film.pk
            report.matched.append((_shown(reference), found.film.title))
        elif found.status == UNCERTAIN and decided is None and not accept_close_matches:
            report.held.append(
                HeldMatch(
                    key=key,
                    title=reference.title,
                    visa=reference.visa,
                    year=reference.year,
                    reason=found.reason,
                    candidates=[(c.pk, _candidate_label(c)) for c in found.candidates],
                    lines=lines[:20],
                )
            )
        elif found.status == UNCERTAIN and decided not in (None, DRAFT):
            allowed = {c.pk for c in found.candidates} | set(matcher.by_pk)
            if not str(decided).isdigit() or int(decided) not in allowed:
                report.errors.append(
                    RowError(
                        0,
                        _("The film chosen for “%(title)s” cannot be used.")
                        % {"title": _shown(reference)},
                    )
                )
                continue
            film_of[key] = int(decided)
            report.matched.append((_shown(reference), matcher.by_pk[int(decided)].title))
        elif found.status == UNCERTAIN and decided is None:
            film_of[key] = found.candidates[0].pk  # accept_close_matches
            report.matched.append((_shown(reference), found.candidates[0].title))
        else:  # unknown, or staff asked for a draft
            if not reference.title:
                report.errors.extend(
                    RowError(
                        line,
                        _("No film has the visa number %(visa)s; give its title.")
                        % {"visa": reference.visa},
                    )
                    for line in lines
                )
                continue
            film_of[key] = None
            drafts[key] = reference
            report.drafts.append(_shown(reference))
    report.errors.sort(key=lambda error: error.line)

    # Screenings: the existing ones of the file's span, in one query.
    cinema_key = cinema.pk if cinema else 0
    existing = {}
    if rows:
        earliest = min(row.starts_at for row in rows)
        latest = max(row.starts_at for row in rows)
        for screening in Screening.objects.filter(
            site=site, cinema_key=cinema_key, starts_at__gte=earliest, starts_at__lte=latest
        ).only(*_COMPARED, "room", "starts_at", "site_id", "cinema_id", "cinema_key"):
            existing[(screening.room, screening.starts_at)] = screening

    versions = _Versions({pk for pk in film_of.values() if pk})
    durations = {pk: c.duration for pk, c in matcher.by_pk.items()}
    notes: dict[str, str] = {}
    new, changed = [], []
    held_keys = {held.key for held in report.held}
    held_counts = {"new": 0, "updated": 0}
    currency = settings.currency
    source = filename[:255]
    for row in rows:
        key = row.reference.key
        if key not in film_of:
            if key in held_keys:  # counted as it would be once the film is settled
                held_counts["updated" if (row.room, row.starts_at) in existing else "new"] += 1
            continue
        film_id = film_of[key]
        version_id = versions.find(film_id, row.version_label, notes) if film_id else None
        if film_id is None and row.version_label and row.version_label not in notes:
            try:
                parse_version(row.version_label)
            except ValidationError:
                notes[row.version_label] = _("unknown version code: kept as written, not an error")
        duration = durations.get(film_id) if film_id else None
        values = {
            "film_id": film_id,
            "version_id": version_id,
            "version_label": row.version_label,
            "local_date": row.local_date,
            "ends_at": row.starts_at + dt.timedelta(minutes=duration) if duration else None,
            "admissions": row.admissions,
            "gross_receipts": row.receipts,
            "currency": currency if row.receipts is not None else "",
        }
        screening = existing.get((row.room, row.starts_at))
        if screening is None:
            screening = Screening(
                site=site,
                cinema=cinema,
                room=row.room,
                starts_at=row.starts_at,
                source=source,
                **values,
            )
            screening._reference = key
            new.append(screening)
            continue
        if film_id is None:
            values.pop("film_id")  # the draft's pk is set when the draft is made
        if film_id is not None and all(
            _same(getattr(screening, name), value) for name, value in values.items()
        ):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(screening, name, value)
        screening.source = source
        screening._reference = key
        changed.append(screening)
    report.version_notes = sorted(notes.items())
    report.new = len(new) + held_counts["new"]
    report.updated = len(changed) + held_counts["updated"]
    if dry_run or not report.ready:
        return report

    try:
        with transaction.atomic():
            draft_pks = _make_drafts(site, drafts, user=user)
            for screening in (*new, *changed):
                if screening._reference in draft_pks:
                    screening.film_id = draft_pks[screening._reference]
                screening.set_derived_fields()
            Screening.objects.bulk_create(new, batch_size=BATCH_SIZE)
            if changed:
                now = timezone.now()
                for screening in changed:
                    screening.updated_at = now
                Screening.objects.bulk_update(
                    changed, [*_COMPARED, "source", "updated_at"], batch_size=BATCH_SIZE
                )
            if columns:
                remember_layout(site, cinema, mapping)
            # The organization's pages (a programme, an agenda) and the films' pages (the
            # network's too) may list these screenings: their cached copies go, once written.
            film_pks = {s.film_id for s in (*new, *changed)}
            paths = list(
                FilmPage.objects.filter(pk__in=film_pks).values_list("url_path", flat=True)
            )
            transaction.on_commit(lambda: invalidate_sites(url_paths=paths, site_ids=[site.pk]))
    except PageValidationError as error:
        # A film the rows name cannot be a draft record (its title, its year): those rows.
        key = list(drafts)[error.index]
        details = " ".join(error.error.messages)
        message = _("“%(title)s” cannot be kept as a new film: %(details)s") % {
            "title": _shown(drafts[key]),
            "details": details,
        }
        report.errors.extend(RowError(line, message) for line in lines_of[key])
    except ValidationError as error:
        report.errors.append(RowError(0, " ".join(error.messages)))
    return report


#: The fields a re-import may change.
_COMPARED = (
    "film_id",
    "version_id",
    "version_label",
    "local_date",
    "ends_at",
    "admissions",
    "gross_receipts",
    "currency",
)


def _same(old, new) -> bool:
    if old is None or new is None:
        return old is new
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return Decimal(old) == Decimal(new)
    return old == new


def _shown(reference: FilmReference) -> str:
    text = reference.title or reference.visa or reference.external_id
    return f"{text} ({reference.year})" if reference.year else text


def _candidate_label(candidate) -> str:
    label = f"{candidate.title} ({candidate.year})" if candidate.year else candidate.title
    if not candidate.live:
        label += " — " + _("draft")
    return label


def _make_drafts(site, drafts: dict[str, FilmReference], *, user=None) -> dict[str, int]:
    """Draft film records below the organization's film database, one per unknown film."""
    if not drafts:
        return {}

    index = FilmIndexPage.objects.descendant_of(site.root_page).first()
    if index is None:
        raise ValidationError(_("This organization has no film database to keep the new films in."))
    pages = []
    for reference in drafts.values():
        page = FilmPage(
            title=reference.title[:255],
            year=reference.year,
            visa_number=reference.visa[:20],
            external_id=reference.external_id[:100],
            live=False,
        )
        pages.append(page)
    pages_bulk_create(parent=index, pages=pages, user=user, publish=False)
    return {key: page.pk for key, page in zip(drafts, pages, strict=True)}
