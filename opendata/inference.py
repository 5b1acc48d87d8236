"""From a spreadsheet to a dataset's columns and rows: names, types guessed from the values,
every row checked before anything is written.

Staff bring files as their software writes them (``spreadsheets.files.read_table`` reads
CSV/XLSX/ODS, encodings, ``;`` and BOM); the cells still carry French habits — a decimal comma,
dd/mm/yyyy dates, « oui/non ». Here:

1. :func:`propose_columns` names each column (a slug of its header, unique, ``[a-z0-9_]``),
   keeps the header as its label and guesses its type from the values; a pair of latitude and
   longitude columns becomes one geo point.
2. :func:`check_table` converts every row with the chosen (possibly edited) types, collecting
   the errors with the row number the spreadsheet shows, and writes nothing.
3. :func:`dataset_upload` stores a file without error through ``opendata.uploads.store_table``
   (atomic: the old table stays if anything fails) and forgets the organization's cached pages.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationSettings
from public_cache.generations import invalidate_sites
from spreadsheets.files import (
    CellValueError,
    SpreadsheetTable,
    parse_bool,
    parse_date,
    parse_date_time,
    parse_decimal,
    read_table,
)
from spreadsheets.pipeline import max_upload_bytes
from spreadsheets.text import fold

from .fields import Field, FieldType
from .models import DatasetPage, DatasetTable
from .uploads import store_table

#: Rows shown by the dry run's preview.
PREVIEW_ROWS = 20
#: Errors kept by a check (the count goes on): past this, staff fix the file's column first.
MAX_ERRORS = 200
#: Rows between two reports of progress while storing (a background upload).
PROGRESS_EVERY = 1000
#: The name of the geo point made of a latitude and a longitude column (Opendatasoft's).
GEO_PAIR_NAME = "geo_point_2d"

LATITUDE_HEADERS = frozenset({"lat", "latitude"})
LONGITUDE_HEADERS = frozenset({"lon", "lng", "long", "longitude"})
#: Yes/no words that make a column boolean (not 1/0: those are numbers, nor a lone "x").
BOOLEAN_WORDS = frozenset({"oui", "non", "yes", "no", "vrai", "faux", "true", "false"})

_INTEGER = re.compile(r"[+-]?\d[\d \u00a0\u202f]*")
_URL = URLValidator(schemes=["http", "https"])


def max_rows() -> int:
    """The most rows an uploaded table may hold (``OPENDATA_UPLOAD_MAX_ROWS``)."""
    return getattr(settings, "OPENDATA_UPLOAD_MAX_ROWS", 200_000)


def read_upload(data: bytes, filename: str) -> SpreadsheetTable:
    """The file as the spreadsheet kit reads it, within the installation's limits (size:
    ``SPREADSHEET_IMPORT_MAX_BYTES``; rows: ``OPENDATA_UPLOAD_MAX_ROWS``). Raises
    ``SpreadsheetError`` with a message for staff."""
    return read_table(
        data, filename, max_bytes=max_upload_bytes(), max_rows=max_rows(), max_cells=None
    )


# --- Columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnPlan:
    """One column of the dataset to be: where its values are in the file, and what they are.

    ``sources`` are file headers: one, or a latitude and a longitude header for a geo point
    made of two columns; ``positions`` the same columns by their place in the file (headers
    may repeat)."""

    name: str
    label: str
    type: str
    sources: tuple[str, ...]
    positions: tuple[int, ...]
    members_only: bool = False
    facet: bool = False

    @property
    def is_pair(self) -> bool:
        return len(self.sources) == 2

    def field(self) -> Field:
        return Field(
            self.name, self.label, self.type, members_only=self.members_only, facet=self.facet
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ColumnPlan:
        return cls(
            **{**data, "sources": tuple(data["sources"]), "positions": tuple(data["positions"])}
        )


def column_name(header: str, taken: set[str], position: int) -> str:
    """A name for the APIs made from ``header``: lowercase ASCII letters, digits and ``_``,
    starting with a letter, unique among ``taken`` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(str(header))).strip("_")[:60] or f"column_{position}"
    if base[0].isdigit():
        base = f"c_{base}"[:60]
    name, counter = base, 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def propose_columns(table: SpreadsheetTable, previous: Iterable[Field] = ()) -> list[ColumnPlan]:
    """The file's columns with a name, its header as label and the type its values suggest.
    A latitude and a longitude column (``lat``/``latitude``, ``lon``/``lng``/``longitude``)
    whose values are coordinates become one geo point, where the latitude column was.

    ``previous``: the columns of the table the file replaces. A column of the same name keeps
    its type (what partners' programs read must not change because of a few odd cells: those
    are reported as errors instead), and whether it is for members and a filter."""
    headers = table.headers
    columns = [table.dataset.get_col(i) for i in range(len(headers))]
    pair = _coordinate_pair(headers, columns)
    taken: set[str] = set()
    plans = []
    for position, header in enumerate(headers):
        if pair and position == pair[1]:
            continue
        if pair and position == pair[0]:
            plans.append(
                ColumnPlan(
                    column_name(GEO_PAIR_NAME, taken, position + 1),
                    gettext("Geographic point"),
                    FieldType.GEO_POINT,
                    (str(headers[pair[0]]), str(headers[pair[1]])),
                    pair,
                )
            )
            continue
        plans.append(
            ColumnPlan(
                column_name(header, taken, position + 1),
                str(header),
                infer_type(columns[position]),
                (str(header),),
                (position,),
            )
        )
    before = {f.name: f for f in previous}
    return [_as_before(plan, before.get(plan.name)) for plan in plans]


def _as_before(plan: ColumnPlan, previous: Field | None) -> ColumnPlan:
    if previous is None:
        return plan
    # Two columns make a geo point only: their type is not the editor's to change.
    kept_type = plan.type if plan.is_pair else previous.type
    return replace(plan, type=kept_type, members_only=previous.members_only, facet=previous.facet)


def _coordinate_pair(headers, columns) -> tuple[int, int] | None:
    """The places of a latitude and a longitude column whose values are coordinates."""
    folded = [fold(str(h)).strip() for h in headers]
    lat = next((i for i, h in enumerate(folded) if h in LATITUDE_HEADERS), None)
    lon = next((i for i, h in enumerate(folded) if h in LONGITUDE_HEADERS), None)
    if lat is None or lon is None:
        return None
    for position, bound in ((lat, 90), (lon, 180)):
        for value in columns[position]:
            try:
                number = parse_decimal(value)
            except CellValueError:
                return None
            if number is not None and abs(number) > bound:
                return None
    return lat, lon


def infer_type(values: Iterable) -> str:
    """The narrowest type every non-empty value of a column fits, ``text`` otherwise."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return FieldType.TEXT
    for field_type, fits in _GUESSES:
        if all(fits(v) for v in present):
            return field_type
    return FieldType.TEXT


def _is_boolean(value) -> bool:
    return isinstance(value, bool) or (
        isinstance(value, str) and value.strip().casefold() in BOOLEAN_WORDS
    )


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip().lstrip("+-")
    # "01000", "0612345678": codes and phone numbers, whose leading zero matters.
    return bool(_INTEGER.fullmatch(value.strip())) and not (len(text) > 1 and text[0] == "0")


def _is_decimal(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():
        return False  # "01000": a code, whose leading zero matters ("0,5" is a number)
    return _fits(parse_decimal, text)


def _is_date(value) -> bool:
    if isinstance(value, dt.datetime):
        return value.time() == dt.time(0)
    if isinstance(value, dt.date):
        return True
    return isinstance(value, str) and _fits(parse_date, value)


def _is_datetime(value) -> bool:
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str):
        return False
    try:
        _datetime_value(value, dt.UTC)
    except (CellValueError, ValueError):
        return False
    return True


def _is_geo(value) -> bool:
    return isinstance(value, str) and _fits(parse_point, value)


def _is_url(value) -> bool:
    return isinstance(value, str) and _fits(_url_value, value)


def _fits(parse, value) -> bool:
    try:
        parse(value)
    except (CellValueError, ValueError):
        return False
    return True


_GUESSES = (
    (FieldType.BOOLEAN, _is_boolean),
    (FieldType.INTEGER, _is_integer),
    (FieldType.DECIMAL, _is_decimal),
    (FieldType.DATE, _is_date),
    (FieldType.DATETIME, _is_datetime),
    (FieldType.GEO_POINT, _is_geo),
    (FieldType.URL, _is_url),
)


# --- Values -------------------------------------------------------------------------------------


def _error(message, value) -> CellValueError:
    return CellValueError(message, code="invalid_value", value=value)


def parse_point(value) -> dict | None:
    """``"45.5017, -73.5673"`` (latitude first, as people write them; ``;`` or a space between
    them, a decimal comma with ``;``) as ``{"lon": …, "lat": …}``."""
    text = str(value).strip()
    if not text:
        return None
    if ";" in text:
        parts = text.split(";")
    elif text.count(",") == 1:
        parts = text.split(",")
    elif ", " in text:
        parts = text.split(", ")
    else:
        parts = text.split()
    message = _("“%(value)s” is not a point: write latitude, longitude, like 45.5017, -73.5673.")
    if len(parts) != 2:
        raise _error(message, text)
    try:
        lat, lon = (parse_decimal(part) for part in parts)
    except CellValueError:
        raise _error(message, text) from None
    if lat is None or lon is None:
        raise _error(message, text)
    if abs(lat) > 90 or abs(lon) > 180:
        raise _error(
            _("“%(value)s” is not on Earth: the latitude comes first, then the longitude."), text
        )
    return {"lon": float(lon), "lat": float(lat)}


def _url_value(value) -> str:
    text = str(value).strip()
    try:
        _URL(text)
    except ValidationError:
        raise _error(
            _("“%(value)s” is not a web address: write it in full, like https://example.org/."),
            text,
        ) from None
    return text


def _datetime_value(value, zone) -> str:
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            day, time = parse_date_time(text)
            moment = dt.datetime.combine(day, time or dt.time(0))
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        raise _error(_("“%(value)s” is not a date and time, like 31/12/2024 19:30."), value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _integer_value(value) -> int:
    if isinstance(value, bool):
        raise _error(_("“%(value)s” is not a whole number."), value)
    try:
        number = parse_decimal(value)
    except CellValueError:
        raise _error(_("“%(value)s” is not a whole number."), value) from None
    if number != number.to_integral_value():
        raise _error(_("“%(value)s” is not a whole number."), value)
    return int(number)


def _text_value(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _date_value(value) -> str:
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        raise _error(_("“%(value)s” holds a time: choose the type “date and time”."), value)
    return parse_date(value).isoformat()


def _converter(field_type: str, zone):
    return {
        FieldType.TEXT: _text_value,
        FieldType.URL: _url_value,
        FieldType.INTEGER: _integer_value,
        FieldType.DECIMAL: lambda v: float(parse_decimal(v)),
        FieldType.DATE: _date_value,
        FieldType.DATETIME: lambda v: _datetime_value(v, zone),
        FieldType.BOOLEAN: parse_bool,
        FieldType.GEO_POINT: parse_point,
    }[field_type]


# --- Checking and converting rows ---------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One cell that does not fit its column: ``row`` as the spreadsheet numbers it."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class TableCheck:
    """What a dry run found: the first rows as they will be stored, and every error."""

    columns: list[ColumnPlan]
    row_count: int = 0
    preview: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def preview_cells(self) -> list[list]:
        """The preview as rows of cells in the columns' order (for a template)."""
        return [[record.get(c.name) for c in self.columns] for record in self.preview]


def _rows(
    table: SpreadsheetTable, columns: Sequence[ColumnPlan], zone
) -> Iterator[tuple[int, dict, list[RowError]]]:
    plan = [
        (c, list(c.positions), _converter(c.type, zone) if not c.is_pair else None) for c in columns
    ]
    for number, values in zip(table.row_numbers, table.dataset, strict=True):
        record: dict = {}
        errors: list[RowError] = []
        for column, positions, convert in plan:
            cells = [values[p] for p in positions]
            try:
                if column.is_pair:
                    value = _pair_value(*cells)
                else:
                    cell = cells[0]
                    value = None if cell is None or cell == "" else convert(cell)
            except (CellValueError, ValueError, TypeError, ArithmeticError) as error:
                shown = ", ".join(str(c) for c in cells if c != "")
                message = str(error) if isinstance(error, CellValueError) else ""
                errors.append(
                    RowError(
                        number,
                        column.label,
                        shown,
                        message
                        or gettext("“%(value)s” does not fit the type %(type)s.")
                        % {"value": shown, "type": FieldType(column.type).label},
                    )
                )
                continue
            if value is not None:
                record[column.name] = value
        yield number, record, errors


def _pair_value(lat, lon) -> dict | None:
    if (lat is None or lat == "") and (lon is None or lon == ""):
        return None
    if lat is None or lat == "" or lon is None or lon == "":
        raise _error(_("“%(value)s”: give both the latitude and the longitude."), lat or lon)
    return parse_point(f"{parse_decimal(lat)}; {parse_decimal(lon)}")


def _zone(site) -> dt.tzinfo:
    name = OrganizationSettings.for_site(site).time_zone if site is not None else "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def check_table(
    table: SpreadsheetTable,
    columns: Sequence[ColumnPlan],
    *,
    site=None,
    preview: int = PREVIEW_ROWS,
) -> TableCheck:
    """Convert every row with ``columns``' types (times without a zone are the organization's),
    keeping the first ``preview`` rows and the errors. Writes nothing."""
    check = TableCheck(columns=list(columns))
    for _number, record, errors in _rows(table, columns, _zone(site)):
        check.row_count += 1
        if len(check.preview) < preview:
            check.preview.append(record)
        if errors:
            check.error_count += len(errors)
            room = MAX_ERRORS - len(check.errors)
            check.errors.extend(errors[: max(room, 0)])
    return check


def table_records(
    table: SpreadsheetTable, columns: Sequence[ColumnPlan], *, site=None, progress=None
):
    """Every row converted (after a check without error: a bad cell raises ``ValueError``).
    ``progress(done)`` is called every ``PROGRESS_EVERY`` rows."""
    for done, (_number, record, errors) in enumerate(_rows(table, columns, _zone(site)), 1):
        if errors:
            raise ValueError(errors[0].message)
        yield record
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)


class UploadRefused(Exception):
    """The file has errors: nothing was written. ``check`` says which."""

    def __init__(self, check: TableCheck):
        self.check = check
        super().__init__(check.error_count)


def unknown_columns(columns: Sequence[ColumnPlan], names: Iterable[str]) -> list[str]:
    known = {c.name for c in columns}
    return [name for name in names if name not in known]


def with_members_only(columns: Sequence[ColumnPlan], names: Iterable[str]) -> list[ColumnPlan]:
    chosen = set(names)
    return [replace(c, members_only=c.members_only or c.name in chosen) for c in columns]


def dataset_upload(
    dataset: DatasetPage,
    table: SpreadsheetTable,
    columns: Sequence[ColumnPlan],
    *,
    filename: str,
    user=None,
    progress=None,
) -> DatasetTable:
    """Store ``table`` as ``dataset``'s data with ``columns``, if every row fits (else
    :class:`UploadRefused`, nothing written; the old table stays), then forget the cached
    pages of the organization that show it. The dataset keeps its ids. ``progress(done,
    total)``: how far it is, for a background upload (checking, then storing: 2 × rows)."""
    site = dataset.get_site()
    total = 2 * len(table.dataset)
    if progress is not None:
        progress(0, total)
    check = check_table(table, columns, site=site, preview=0)
    if not check.ok:
        raise UploadRefused(check)
    checked = check.row_count
    stored = store_table(
        dataset,
        [c.field() for c in columns],
        table_records(
            table,
            columns,
            site=site,
            progress=None if progress is None else (lambda done: progress(checked + done, total)),
        ),
        filename=filename[:255],
        user=user,
    )
    invalidate_sites(url_paths=[dataset.url_path], site_ids=[site.pk] if site else [])
    if progress is not None:
        progress(total, total)
    return stored
