"""The file layer of spreadsheet import and export: bytes in, rows out, and back.

A package because the layer is large (each format has its quirks): ``reading`` (detection, CSV,
the table), ``xlsx`` and ``ods`` (their streamed readers), ``archive`` (their ZIP and XML, read
with bounds), ``headers`` (matching), ``cells`` (French habits), ``writing`` (streamed writers,
formula neutralisation), ``common`` (formats, limits, errors). Import from here.

Why a layer of its own: staff bring files from everywhere (Excel in French or English, LibreOffice,
a funder's web export, a box office) and every one of them has its habits: a BOM or not, cp1252,
``;`` between columns, dates stored as numbers, a decimal comma. Resources, the import service and
the management commands should not each learn those habits. Here, and only here, a file becomes a
``tablib.Dataset`` of clean cells, and a ``Dataset`` becomes a file that spreadsheet software opens
safely. Nothing here touches the database: these are plain functions, so they are quick to test
with awkward real files (``fixtures/imports/``).

Every error a person can cause carries a message written for non-technical staff and translated
at display time (``SpreadsheetError`` for the whole file, ``CellValueError`` for one cell).
"""

from .cells import (
    TIME_OF_DAY,
    parse_bool,
    parse_date,
    parse_date_time,
    parse_decimal,
    parse_time,
)
from .common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS,
    FORMATS,
    MAX_CELL_CHARS,
    CellValueError,
    Format,
    SpreadsheetError,
)
from .headers import HeaderMatch, match_headers, normalise_header
from .reading import SpreadsheetTable, read_table
from .writing import iter_csv, neutralise, restore, write_file, write_table

__all__ = [
    "TIME_OF_DAY",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_ROWS",
    "FORMATS",
    "MAX_CELL_CHARS",
    "CellValueError",
    "Format",
    "HeaderMatch",
    "SpreadsheetError",
    "SpreadsheetTable",
    "iter_csv",
    "match_headers",
    "neutralise",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_date_time",
    "parse_decimal",
    "parse_time",
    "read_table",
    "restore",
    "write_file",
    "write_table",
]
