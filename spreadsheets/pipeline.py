"""Spreadsheet import: one code path for the admin, the background jobs and the commands.

A file goes through three steps:

1. ``import_plan``: read the file, match its headers to the kind's columns (French or English,
   case and accents ignored) and list what is unknown; nothing is validated yet.
2. ``spreadsheet_import(dry_run=True)``: every row is validated as the real import would, and the
   report says which rows would be new, updated, unchanged or invalid (with field errors in the
   user's language). Nothing is written.
3. ``spreadsheet_import()``: the same, then, only if every row is valid, everything is written
   in one transaction. A crash or a killed worker leaves the database as it was.

Rows only ever reach the records of the organization (``site``) they are imported into. Kinds
come from the registry (``registry``), filled by each plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from .files import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS, match_headers, read_table, restore
from .registry import get_importable_kind, get_kind
from .reports import Column, ImportReport


def background_rows() -> int:
    """Files with more rows than this are imported by a background job (``tasks.py``)."""
    return getattr(settings, "SPREADSHEET_IMPORT_BACKGROUND_ROWS", 2000)


def max_upload_bytes() -> int:
    """The largest file staff may upload, in bytes."""
    return getattr(settings, "SPREADSHEET_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    """The most rows one import may hold."""
    return getattr(settings, "SPREADSHEET_IMPORT_MAX_ROWS", 50_000)


def max_columns() -> int:
    """The most columns a file may have (up to a row's last value)."""
    return getattr(settings, "SPREADSHEET_IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS)


def max_cells() -> int:
    """The most cells a file may hold in all (each row's up to its last value)."""
    return getattr(settings, "SPREADSHEET_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS)


def read_upload(data: bytes, filename: str):
    """``read_table`` with the installation's limits, all checked while the file is read:
    a file past one is refused (``SpreadsheetError``) before it is read further."""
    return read_table(
        data,
        filename,
        max_bytes=max_upload_bytes(),
        max_rows=max_rows(),
        max_columns=max_columns(),
        max_cells=max_cells(),
    )


#: ``progress(done, total)`` is called as rows are validated and written.
Progress = Callable[[int, int], None]


def resource_class_for(kind: str):
    """The resource of ``kind``; ``ValueError`` with a message for staff when unknown."""
    return get_kind(kind).resource_class


def import_columns(kind: str) -> list[Column]:
    """The columns of ``kind``, labelled in the active language, in file order."""
    return resource_class_for(kind).spreadsheet_columns()


@dataclass
class ImportPlan:
    """What a file holds before any row is validated."""

    kind: str
    #: The file's headers, as written.
    headers: list[str]
    #: File header → column, as matched automatically.
    mapping: dict[str, str]
    #: File headers that match no column: shown to staff, then ignored.
    unknown: list[str]
    columns: list[Column]
    row_count: int
    format: str

    @property
    def missing_required(self) -> list[Column]:
        matched = set(self.mapping.values())
        return [column for column in self.columns if column.required and column.name not in matched]


def import_plan(*, kind: str, data: bytes, filename: str) -> ImportPlan:
    """Read ``data`` and match its headers to ``kind``'s columns.

    Raises ``SpreadsheetError`` (its ``str()`` is a message for staff) when the file cannot be
    read, is too large, or holds too many rows, columns or cells.
    """
    resource_class = get_importable_kind(kind).resource_class
    table = read_upload(data, filename)
    match = match_headers(table.headers, resource_class.header_spellings())
    return ImportPlan(
        kind=kind,
        headers=table.headers,
        mapping=match.mapping,
        unknown=match.unknown,
        columns=resource_class.spreadsheet_columns(),
        row_count=len(table.dataset),
        format=table.format,
    )


def _mapped_dataset(table, mapping: dict[str, str]) -> tablib.Dataset:
    """The file's rows with only the mapped columns, headed by column names, our exports'
    anti-formula apostrophes removed (piece by piece in a CSV file, as they were added)."""
    headers = [header for header in table.headers if mapping.get(header)]
    dataset = tablib.Dataset(headers=[mapping[header] for header in headers])
    positions = [table.headers.index(header) for header in headers]
    for_csv = table.format == "csv"
    for row in table.dataset:
        values = [row[position] for position in positions]
        dataset.append(
            [restore(v, for_csv=for_csv) if isinstance(v, str) and "'" in v else v for v in values]
        )
    return dataset


def spreadsheet_import(
    *,
    site,
    kind: str,
    data: bytes,
    filename: str,
    user=None,
    columns: dict[str, str] | None = None,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a spreadsheet of ``kind`` into ``site``: all rows or none.

    ``columns`` maps file headers to column names as staff chose them (a header mapped to ""
    is ignored); by default headers are matched automatically. ``user`` is recorded as the
    author of the revisions and log entries. ``publish`` publishes new records (and updates of
    published ones); otherwise new records are drafts.
    """
    resource_class = get_importable_kind(kind).resource_class
    table = read_upload(data, filename)
    match = match_headers(table.headers, resource_class.header_spellings())
    mapping = match.mapping if columns is None else _checked_mapping(resource_class, columns)
    dataset = _mapped_dataset(table, mapping)
    resource = resource_class(site=site, user=user, publish=publish)
    report = ImportReport(
        kind=kind,
        dry_run=dry_run,
        total=len(dataset),
        unknown_columns=[h for h in table.headers if not mapping.get(h)],
        columns=list(dataset.headers or []),
    )
    resource.run_import(
        dataset,
        row_numbers=table.row_numbers,
        report=report,
        dry_run=dry_run,
        progress=progress,
    )
    return report


def _checked_mapping(resource_class, columns: dict[str, str]) -> dict[str, str]:
    known = {column.name for column in resource_class.spreadsheet_columns()}
    chosen = [name for name in columns.values() if name]
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise ValueError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    check_one_file_column_each(chosen)
    return {header: name for header, name in columns.items() if name}


def check_one_file_column_each(names: Iterable[str]) -> None:
    """Refuse a mapping in which two file columns feed one column: we could not know which one
    to believe. ``names`` are the columns chosen for the file's columns ("" for none)."""
    chosen = [name for name in names if name]
    twice = sorted({name for name in chosen if chosen.count(name) > 1})
    if twice:
        raise ValueError(
            _("Each column can be fed by one file column only: %(columns)s.")
            % {"columns": ", ".join(twice)}
        )
