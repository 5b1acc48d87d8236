"""The file layer of spreadsheet import and export: bytes in, rows out, and back.

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

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import itertools
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, BinaryIO, Literal, NamedTuple, TypeVar
from xml.sax.saxutils import escape, quoteattr

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from .text import fold

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FORMATS",
    "CellValueError",
    "HeaderMatch",
    "SpreadsheetError",
    "SpreadsheetTable",
    "iter_csv",
    "match_headers",
    "neutralise",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "read_table",
    "restore",
    "write_file",
    "write_table",
]

Format = Literal["csv", "xlsx", "ods"]
#: The formats we read and write, in the order offered to staff.
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "ods")
#: Upload limit when the caller gives none: a 10,000-person CSV is about 1 MB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Excel's own limit is 1,048,576 rows; past a million something is wrong with the file.
DEFAULT_MAX_ROWS = 1_000_000
#: XLSX and ODS are ZIP archives: a legitimate sheet unpacks to 5–20 times its size. Refusing
#: past this ratio of ``max_bytes`` keeps a "zip bomb" from exhausting the server's memory.
MAX_UNPACKED_RATIO = 20

CSV_EXTENSIONS = frozenset({"csv", "txt", "tsv"})
#: Delimiters we detect, most specific first: this order breaks ties (see ``_detect_delimiter``).
CSV_DELIMITERS = ("\t", ";", ",")
#: How much of a text file is looked at to choose its delimiter.
SNIFF_CHARS = 64 * 1024

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected .xlsx
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


# --- Errors -------------------------------------------------------------------------------------


class _TranslatedMessage(Exception):
    """A lazily translated message with %-parameters, rendered when shown.

    Rendering at ``str()`` time, not at raise time, lets a background import raise in one place
    and the report show the message in the language of whoever reads it. ``code`` is stable,
    for programs and tests.
    """

    def __init__(self, message: Any, *, code: str, params: dict[str, Any] | None = None):
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(message)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __reduce__(self):
        # Keyword-only arguments defeat Exception's default pickling; task queues pickle.
        return _rebuild_error, (type(self), self.message, self.code, self.params)


def _rebuild_error(cls: type, message: Any, code: str, params: dict[str, Any]) -> Exception:
    error = cls.__new__(cls)
    _TranslatedMessage.__init__(error, message, code=code, params=params)
    return error


class SpreadsheetError(_TranslatedMessage):
    """The whole file cannot be used: empty, unreadable, too large, ambiguous columns…

    ``code`` is one of ``"empty"``, ``"no_rows"``, ``"unknown_format"``,
    ``"unsupported_format"``, ``"encrypted"``, ``"corrupt"``, ``"too_large"``,
    ``"too_many_rows"``, ``"encoding"``, ``"csv_syntax"``, ``"duplicate_columns"``; ``str()``
    is the message for staff, in the active language.
    """


class CellValueError(_TranslatedMessage, ValueError):
    """One cell cannot be understood. A ``ValueError``, so widgets and forms treat it as one.

    ``code`` is one of ``"invalid_decimal"``, ``"invalid_date"``, ``"month_first_date"``,
    ``"nonexistent_date"``, ``"short_year"``, ``"invalid_bool"``; ``params["value"]`` is the
    cell as written.
    """

    def __init__(self, message: Any, *, code: str, value: object = None, **kwargs: Any):
        params = kwargs.pop("params", None) or {"value": value}
        super().__init__(message, code=code, params=params)


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpreadsheetTable:
    """What ``read_table`` found: the rows, and how the file was written.

    ``row_numbers[i]`` is the row of ``dataset[i]`` as the spreadsheet software shows it (the
    header is usually row 1). Empty rows are skipped, so the dataset index alone would name the
    wrong row in an error report.
    """

    dataset: tablib.Dataset
    format: Format
    row_numbers: tuple[int, ...]
    #: For text files only: ``"utf-8-sig"`` (UTF-8 with BOM), ``"utf-8"``, ``"utf-16"`` or
    #: ``"cp1252"`` (Windows' Western European encoding, a superset of latin-1's accents).
    encoding: str | None = None
    #: For text files only: ``","``, ``";"`` or ``"\t"``.
    delimiter: str | None = None

    @property
    def headers(self) -> list[str]:
        return list(self.dataset.headers or [])


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_rows: int | None = DEFAULT_MAX_ROWS,
) -> SpreadsheetTable:
    """Read an uploaded CSV, XLSX or ODS file into a ``Dataset`` of clean cells.

    The format comes from the file's content when it is a ZIP (XLSX, ODS) or an old Office
    container, otherwise from the extension: people rename files, and a ".csv" that is really an
    XLSX should still work. The first non-empty row is the header. Headers and text cells are
    stripped and put in Unicode NFC form (files made on a Mac may spell "é" as two characters);
    fully empty rows are skipped; a blank cell is ``""``.

    Cells of a CSV stay strings: turning "1 234,50" into a number is the next step's job
    (``parse_decimal`` and friends). Cells of XLSX and ODS keep the type the spreadsheet stored:
    ``int`` (a whole number), ``Decimal`` (so 0.1 stays 0.1), ``bool``, ``datetime.date`` (a date
    cell without time), ``datetime.datetime``, ``datetime.time`` or ``str``. A formula cell gives
    the value last computed by the spreadsheet software, or the formula text if the file holds
    none: formulas are never evaluated here.

    A column without a header but with values is named "Column F" (in the user's language)
    rather than dropped, so no value is lost silently; columns that are wholly empty are dropped.

    Raises ``SpreadsheetError`` with a message for staff when the file cannot be used.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is too large (%(size)s). The limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)},
        )
    if not data:
        raise SpreadsheetError(_("The file is empty."), code="empty")

    fmt = _detect_format(data, filename, max_bytes=max_bytes)
    encoding = delimiter = None
    if fmt == "csv":
        text, encoding = _decode_text(data)
        rows, delimiter = _csv_rows(text)
    elif fmt == "xlsx":
        rows = _xlsx_rows(data)
    else:
        rows = _ods_rows(data)
    dataset, row_numbers = _build_dataset(rows, max_rows=max_rows)
    return SpreadsheetTable(
        dataset=dataset,
        format=fmt,
        row_numbers=row_numbers,
        encoding=encoding,
        delimiter=delimiter,
    )


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is not a spreadsheet we can read: use CSV, XLSX or ODS."),
        code="unknown_format",
    )


def _damaged(fmt: str) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "This %(format)s file could not be opened; it may be damaged. Open it in your "
            "spreadsheet software, save it again and retry."
        ),
        code="corrupt",
        params={"format": fmt},
    )


def _detect_format(data: bytes, filename: str, *, max_bytes: int | None) -> Format:
    """Content first for binary formats, then the extension for text files."""
    extension = PurePath(filename or "").suffix.lower().lstrip(".")
    if data.startswith(_ZIP_MAGIC):
        return _zip_format(data, extension=extension, max_bytes=max_bytes)
    if data.startswith(_OLE_MAGIC):
        if extension in {"xlsx", "ods"}:
            raise SpreadsheetError(
                _(
                    "This file is protected by a password. Open it, remove the password, "
                    "save it and try again."
                ),
                code="encrypted",
            )
        if extension == "xls":
            raise SpreadsheetError(
                _(
                    "This is an old Excel file (.xls). Open it and save it as an Excel "
                    "workbook (.xlsx) or as CSV, then try again."
                ),
                code="unsupported_format",
            )
        raise _not_a_spreadsheet()
    if extension in {"xlsx", "ods"}:
        raise _damaged(extension.upper())
    if extension == "xls":
        # Some web exports name an HTML or text table ".xls"; we do not guess.
        raise SpreadsheetError(
            _(
                "This is not a real Excel workbook. Open it and save it as an Excel workbook "
                "(.xlsx) or as CSV, then try again."
            ),
            code="unsupported_format",
        )
    if extension in CSV_EXTENSIONS:
        return "csv"
    raise _not_a_spreadsheet()


def _zip_format(data: bytes, *, extension: str, max_bytes: int | None) -> Format:
    """Tell XLSX from ODS by their manifests, and refuse archives that unpack to too much."""
    label = extension.upper() if extension in {"xlsx", "ods"} else "XLSX / ODS"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError) as exc:
        raise _damaged(label) from exc
    if max_bytes is not None and unpacked > max_bytes * MAX_UNPACKED_RATIO:
        raise SpreadsheetError(
            _("The file is too large once unpacked (%(size)s). Split it into smaller files."),
            code="too_large",
            params={"size": filesizeformat(unpacked)},
        )
    if mimetype.strip() == _ODS_MIMETYPE:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype or "[Content_Types].xml" in names:
        # A text document, a presentation, a Word file: a real file, but not a spreadsheet.
        raise _not_a_spreadsheet()
    raise _damaged(label)


# CSV


#: UTF-8 byte pairs that, read as cp1252, show as "Ã©", "â€™"…: their presence in a file that
#: is not valid UTF-8 means two encodings were mixed (a UTF-8 file edited in an old tool).
_UTF8_IN_CP1252 = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x80-\xbf]")


def _decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    Never guesses silently: bytes that are neither UTF-8 nor cp1252, or a mix of both, stop the
    import with the line to look at, instead of filling the database with "QuÃ©bec".
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with BOM, tab-separated.
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as utf_error:
        if encoding != "utf-8":
            raise _encoding_error(data, utf_error.start) from utf_error
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp_error:
            raise _encoding_error(data, cp_error.start) from cp_error
        encoding = "cp1252"
    mixed = _UTF8_IN_CP1252.search(data) if encoding == "cp1252" else None
    if mixed:
        raise _encoding_error(data, mixed.start())
    if "\x00" in text:
        # A binary file (PDF, image…) renamed ".csv", or UTF-16 without its BOM.
        raise _not_a_spreadsheet()
    if not text.strip():
        raise SpreadsheetError(_("The file is empty."), code="empty")
    return text, encoding


def _encoding_error(data: bytes, position: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "Some characters of this file could not be read (line %(line)s). Open it in your "
            "spreadsheet software and save it as “CSV UTF-8”, then try again."
        ),
        code="encoding",
        params={"line": data.count(b"\n", 0, position) + 1},
    )


_SEP_HINT = re.compile(r"sep=(.)\r?\n?")


def _csv_rows(text: str) -> tuple[Iterator[tuple[int, list[Any]]], str]:
    """Numbered records of a CSV text, and the delimiter used.

    Records are numbered as spreadsheet software numbers rows (a cell holding a line break
    stays one row), so an error report points at the row staff see.
    """
    first_line, _newline, rest = text.partition("\n")
    hint = _SEP_HINT.fullmatch(first_line + _newline)
    if hint:
        # Excel's own "sep=;" first line states the delimiter; it is not part of the table.
        delimiter, text = hint.group(1), rest
    else:
        delimiter = _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, record
        except csv.Error as exc:
            raise SpreadsheetError(
                _(
                    "Row %(row)s of the file could not be read: check its quotation marks "
                    '(a cell that starts with " must end with ").'
                ),
                code="csv_syntax",
                params={"row": number + 1},
            ) from exc

    return records(), delimiter


def _fields(line: str, delimiter: str) -> int:
    """How many cells one line makes with this delimiter, quotes respected."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return line.count(delimiter) + 1


def _detect_delimiter(text: str) -> str:
    """Choose among tab, ``;`` and ``,``.

    The header line decides when only one candidate occurs in it, which is nearly always. When
    several do ("Nom, prénom;Courriel"), each candidate is scored by how many of the first
    records have as many cells as the header, and ties go to tab, then ``;``, then ``,``: a
    file where ``;`` appears on every line and ``,`` too is a French file whose cells contain
    commas, never the reverse. ``csv.Sniffer`` prefers ``,`` in such ties, which is why it is
    only asked when the header holds no candidate at all (a first line that is a title).
    """
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    lines = [line for line in sample.splitlines() if line.strip()]
    header = lines[0] if lines else ""
    present = [d for d in CSV_DELIMITERS if _fields(header, d) > 1]
    if len(present) == 1:
        return present[0]
    if not present:
        try:
            return csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
        except csv.Error:
            return ","  # a single column: the delimiter does not matter

    def score(delimiter: str) -> tuple[float, int, int]:
        width = _fields(header, delimiter)
        records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        body = [r for r in records[1:50] if any(cell.strip() for cell in r)]
        matching = sum(len(r) == width for r in body) / len(body) if body else 1.0
        return matching, -CSV_DELIMITERS.index(delimiter), width

    return max(present, key=score)


# XLSX


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Numbered rows of the first visible worksheet, read with openpyxl in streaming mode.

    Formulas are never evaluated. One pass reads formulas as text; only if there were any, a
    second pass fetches the values the spreadsheet software cached for them, and a formula
    without a cached value (a file written by a program, never opened) keeps its text.
    """
    from openpyxl import load_workbook

    def open_sheet(*, data_only: bool):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
            raise _damaged("XLSX") from exc
        sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not sheets:
            workbook.close()
            raise SpreadsheetError(_("The file is empty."), code="empty")
        sheet = sheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read what is there
        return workbook, sheet

    rows: list[tuple[int, list[Any]]] = []
    formulas: set[tuple[int, int]] = set()
    workbook, sheet = open_sheet(data_only=False)
    try:
        for row_number, cells in enumerate(sheet.iter_rows(), start=1):
            values = []
            for column, cell in enumerate(cells):
                value = cell.value
                if getattr(cell, "data_type", None) == "f":
                    formulas.add((row_number, column))
                    value = getattr(value, "text", value)  # array formulas
                values.append(_xlsx_value(value, getattr(cell, "number_format", None)))
            rows.append((row_number, values))
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise _damaged("XLSX") from exc
    finally:
        workbook.close()

    if formulas:
        workbook, sheet = open_sheet(data_only=True)
        try:
            for row_index, cells in enumerate(sheet.iter_rows()):
                for column, cell in enumerate(cells):
                    if (row_index + 1, column) in formulas and cell.value is not None:
                        rows[row_index][1][column] = _xlsx_value(cell.value, cell.number_format)
        except Exception as exc:
            raise _damaged("XLSX") from exc
        finally:
            workbook.close()
    return iter(rows)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _xlsx_value(value: Any, number_format: str | None) -> Any:
    """openpyxl gives ``datetime`` for any date cell; a date-only format means a date."""
    if isinstance(value, dt.datetime):
        tokens = _FORMAT_LITERALS.sub("", (number_format or "").lower())
        if not ("h" in tokens or "s" in tokens) and value.time() == dt.time(0):
            return value.date()
        return value
    return _clean_value(value)


# ODS

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ROW_CONTAINERS = {"table-header-rows", "table-rows", "table-row-group"}
_ODS_DURATION = re.compile(r"PT(\d{1,2})H(\d{1,2})M(\d{1,2})(?:\.(\d+))?S")


def _ods_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Numbered rows of the first sheet of an ODS file, read with odfpy.

    Done by hand rather than with tablib's ODS reader because LibreOffice compresses repeated
    cells and rows (``number-columns-repeated``), which that reader skips when they are empty,
    shifting the next cells into the wrong columns. Trailing repeats (LibreOffice writes a
    million empty rows of formatting) are counted, never expanded.
    """
    from odf import opendocument, table

    try:
        document = opendocument.load(io.BytesIO(data))
        sheets = document.spreadsheet.getElementsByType(table.Table)
    except Exception as exc:  # odfpy raises anything from KeyError to SAX errors
        raise _damaged("ODS") from exc
    if not sheets:
        raise SpreadsheetError(_("The file is empty."), code="empty")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from _ods_sheet_rows(sheets[0])
        except (ValueError, TypeError, AttributeError) as exc:  # a malformed attribute
            raise _damaged("ODS") from exc

    return rows()


def _ods_sheet_rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    row_number = 0
    for row in _ods_row_elements(sheet):
        repeat = int(row.getAttrNS(_TABLE_NS, "number-rows-repeated") or 1)
        values = _ods_row_values(row)
        if not values:
            row_number += repeat
            continue
        for _copy in range(repeat):
            row_number += 1
            yield row_number, list(values)


def _ods_row_elements(element) -> Iterator[Any]:
    for child in element.childNodes:
        namespace, name = getattr(child, "qname", (None, None))
        if namespace != _TABLE_NS:
            continue
        if name == "table-row":
            yield child
        elif name in _ROW_CONTAINERS:
            yield from _ods_row_elements(child)


def _ods_row_values(row) -> list[Any]:
    """The row's values, with empty repeats expanded only when a value follows them."""
    values: list[Any] = []
    pending_empty = 0
    for cell in row.childNodes:
        namespace, name = getattr(cell, "qname", (None, None))
        if namespace != _TABLE_NS or name not in {"table-cell", "covered-table-cell"}:
            continue
        repeat = int(cell.getAttrNS(_TABLE_NS, "number-columns-repeated") or 1)
        value = _ods_cell_value(cell)
        if value == "":
            pending_empty += repeat
            continue
        values.extend([""] * pending_empty)
        pending_empty = 0
        values.extend([value] * repeat)
    return values


def _ods_cell_value(cell) -> Any:
    from odf import teletype

    value_type = cell.getAttrNS(_OFFICE_NS, "value-type")
    if value_type in {"float", "percentage", "currency"}:
        return _clean_value(_decimal_or_int(cell.getAttrNS(_OFFICE_NS, "value")))
    if value_type == "date":
        raw = cell.getAttrNS(_OFFICE_NS, "date-value") or ""
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            return _clean_value(raw)
        return parsed if "T" in raw and parsed.time() != dt.time(0) else parsed.date()
    if value_type == "time":
        raw = cell.getAttrNS(_OFFICE_NS, "time-value") or ""
        match = _ODS_DURATION.fullmatch(raw)
        if match and int(match[1]) < 24:
            micro = int((match[4] or "0")[:6].ljust(6, "0"))
            return dt.time(int(match[1]), int(match[2]), int(match[3]), micro)
        return _clean_value(raw)
    if value_type == "boolean":
        return cell.getAttrNS(_OFFICE_NS, "boolean-value") == "true"
    paragraphs = [
        teletype.extractText(child)
        for child in cell.childNodes
        if getattr(child, "qname", None) in {(_TEXT_NS, "p"), (_TEXT_NS, "h")}
    ]
    text = "\n".join(paragraphs)
    if not text and value_type is None:
        formula = cell.getAttrNS(_TABLE_NS, "formula")
        if formula:
            # A formula without a cached value: its text, never evaluated.
            return _clean_value(formula.removeprefix("of:"))
    if value_type == "string" and not text:
        text = cell.getAttrNS(_OFFICE_NS, "string-value") or ""
    return _clean_value(text)


def _decimal_or_int(raw: str | None) -> int | Decimal | str:
    try:
        number = Decimal(raw or "")
    except InvalidOperation:
        return raw or ""
    if not number.is_finite():
        return raw or ""
    return int(number) if number == number.to_integral_value() else number


# Shared


def _clean_value(value: Any) -> Any:
    """Strip text, make numbers exact, make blanks ``""``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer():
            return int(value)
        # repr is the shortest text that gives this float back: 0.1 stays Decimal("0.1").
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else value
    return value


def _build_dataset(
    rows: Iterable[tuple[int, list[Any]]], *, max_rows: int | None
) -> tuple[tablib.Dataset, tuple[int, ...]]:
    """Header from the first non-empty row; empty rows out; ragged rows made rectangular."""
    header: list[Any] | None = None
    body: list[list[Any]] = []
    numbers: list[int] = []
    for number, raw in rows:
        values = [_clean_value(v) for v in raw]
        if all(v == "" for v in values):
            continue
        if header is None:
            header = values
            continue
        if max_rows is not None and len(body) >= max_rows:
            raise SpreadsheetError(
                _("The file has more than %(limit)s rows. Split it into smaller files."),
                code="too_many_rows",
                params={"limit": max_rows},
            )
        body.append(values)
        numbers.append(number)
    if header is None:
        raise SpreadsheetError(_("The file is empty."), code="empty")
    if not body:
        raise SpreadsheetError(
            _("The file has column headings but no rows to import."), code="no_rows"
        )

    width = max(len(header), *(len(r) for r in body))
    headers: list[str] = []
    kept: list[int] = []
    for column in range(width):
        title = str(header[column]) if column < len(header) else ""
        if title == "":
            if not any(column < len(r) and r[column] != "" for r in body):
                continue  # a wholly empty column: formatting, or a trailing delimiter
            title = gettext("Column %(letter)s") % {"letter": get_column_letter(column + 1)}
        headers.append(title)
        kept.append(column)
    dataset = tablib.Dataset(headers=headers)
    for values in body:
        dataset.append([values[c] if c < len(values) else "" for c in kept])
    return dataset, tuple(numbers)


# --- Header matching ----------------------------------------------------------------------------


class HeaderMatch(NamedTuple):
    """Which header feeds which field, and the headers nobody asked for (shown, not refused)."""

    mapping: dict[str, str]
    unknown: list[str]


def normalise_header(text: object) -> str:
    """The comparison key of a header: no case, no accents, letters and digits only.

    "Prénom", "prenom", "PRÉNOM " and "pré-nom" are one key; so are "E-mail", "e_mail" and
    "email". Everything that is not a letter or a digit goes, which also forgives the stray
    "*" or "." that people add to headers.
    """
    return "".join(char for char in fold(str(text)) if char.isalnum())


def match_headers(headers: Iterable[object], columns: Mapping[str, Iterable[str]]) -> HeaderMatch:
    """Map a file's headers to canonical field names, in French or English, forgivingly.

    ``columns`` maps each field to its accepted spellings, e.g. ``{"email": ["email", "e-mail",
    "courriel"]}``; the field name itself is always accepted. Headers that match nothing are
    returned in ``unknown`` so the preview can list them: an extra column is not an error. Two
    headers that feed the same field are, since we could not know which one to believe.

    Raises ``ValueError`` if ``columns`` itself gives one spelling to two fields (a programming
    error), and ``SpreadsheetError`` (``code="duplicate_columns"``) for duplicate headers.
    """
    lookup: dict[str, str] = {}
    for field, spellings in columns.items():
        for spelling in (field, *spellings):
            key = normalise_header(spelling)
            if not key:
                continue
            if lookup.setdefault(key, field) != field:
                raise ValueError(
                    f"Header spelling {spelling!r} is given for both {lookup[key]!r} and {field!r}."
                )

    mapping: dict[str, str] = {}
    unknown: list[str] = []
    by_field: dict[str, list[str]] = {}
    for header in headers:
        title = str(header).strip()
        field = lookup.get(normalise_header(title))
        if field is None:
            unknown.append(title)
            continue
        by_field.setdefault(field, []).append(title)
        mapping[title] = field

    duplicates = [titles for titles in by_field.values() if len(titles) > 1]
    if duplicates:
        raise SpreadsheetError(
            _(
                "Several columns hold the same information: %(columns)s. Keep only one "
                "of each, then try again."
            ),
            code="duplicate_columns",
            params={
                "columns": "; ".join(", ".join(f"“{t}”" for t in group) for group in duplicates)
            },
        )
    return HeaderMatch(mapping, unknown)


# --- French habits ------------------------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_CURRENCIES = "$€£"
_THOUSANDS_GROUPS = re.compile(r"\d{1,3}(?:X\d{3})*")


def parse_decimal(value: object) -> Decimal | None:
    """Read an amount written the French way or the English way; blank is ``None``.

    Accepted: "1234,50", "1234.50", "1 234,50" (space, non-breaking or narrow non-breaking
    space between thousands), "1.234,50", "1,234.50", "-12,5", "12,50 $", "€ 12".

    The rule: when both "," and "." occur, the last one is the decimal mark and the other
    separates thousands; when one of them occurs once, it is the decimal mark (so "1,234" is
    1.234, as a French speaker means it); when it occurs more than once it separates thousands.
    Thousands groups must have three digits, so typos like "12 34" or "1,234.5,6" are refused
    instead of guessed.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _not_a_number(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise _not_a_number(value)
        return number
    text = str(value).strip()
    if not text:
        return None
    return _parse_decimal_text(text)


@functools.lru_cache(maxsize=4096)
def _parse_decimal_text(text: str) -> Decimal:
    """``parse_decimal`` for stripped, non-blank text; memoised like dates (fees repeat).
    ``Decimal`` is immutable, so sharing one result is safe."""
    body = text.translate(_SPACES).replace("\u2212", "-")
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0], body[1:].strip()
    if body[:1] and body[:1] in _CURRENCIES:
        body = body[1:].strip()
    elif body[-1:] and body[-1:] in _CURRENCIES:
        body = body[:-1].strip()
    if not body or not re.fullmatch(r"[\d ,.]+", body) or not re.search(r"\d", body):
        raise _not_a_number(text)

    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
    elif commas + dots == 1:
        decimal_mark, thousands = ("," if commas else "."), ""
    elif commas or dots:
        decimal_mark, thousands = "", ("," if commas else ".")
    else:
        decimal_mark = thousands = ""
    if decimal_mark and body.count(decimal_mark) > 1:
        raise _not_a_number(text)

    whole, _mark, fraction = body.partition(decimal_mark) if decimal_mark else (body, "", "")
    whole = whole.strip()
    if decimal_mark and not fraction.isdigit():
        raise _not_a_number(text)
    separators = {char for char in whole if not char.isdigit()}
    if len(separators) > 1 or not separators <= {thousands, " "}:
        raise _not_a_number(text)
    if separators:
        grouped = whole.replace(separators.pop(), "X")
        if not _THOUSANDS_GROUPS.fullmatch(grouped):
            raise _not_a_number(text)
        whole = grouped.replace("X", "")
    return Decimal(f"{sign}{whole or '0'}{'.' + fraction if fraction else ''}")


def _not_a_number(value: object) -> CellValueError:
    return CellValueError(
        _("“%(value)s” is not a number. Write it like 1234,50 or 1 234,50."),
        code="invalid_decimal",
        value=value,
    )


_ISO_DATE = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
)
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2})")


def parse_date(value: object) -> dt.date | None:
    """Read a date written day first (31/12/2024, 1/2/2024, 31.12.2024) or year first
    (2024-12-31); a date cell of XLSX/ODS is taken as it is; blank is ``None``.

    Day first is the French habit, and it is never guessed away: "03/04/2024" is 3 April. A
    value that only makes sense month first ("12/31/2024") is refused with a message saying so,
    since the other dates of that column are then probably month first too and would be read
    wrongly without a word. Two-digit years are refused (which century?), and so are dates
    that do not exist (31/02/2024). A year-first value may carry a midnight time, as exported
    by databases ("2024-12-31 00:00:00"); any other time is refused rather than dropped.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise _not_a_date(value)
    text = value.strip()
    if not text:
        return None
    return _parse_date_text(text)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    """``parse_date`` for stripped, non-blank text; memoised, since a file repeats its dates
    (a member list's start dates) thousands of times. Errors are raised anew each time."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
        if any(int(part or 0) for part in match.groups()[4:7]):
            raise _not_a_date(text)
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        if month > 12 and 1 <= day <= 12 and month <= 31:
            raise CellValueError(
                _(
                    "“%(value)s” seems to give the month before the day. Write the day first, "
                    "like 31/12/2024, and check the other dates of this column."
                ),
                code="month_first_date",
                value=text,
            )
    elif _SHORT_YEAR.fullmatch(text):
        raise CellValueError(
            _("“%(value)s”: write the year with four digits, like 31/12/2024."),
            code="short_year",
            value=text,
        )
    else:
        raise _not_a_date(text)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        if 1 <= month <= 12 and 1 <= day <= 31:
            raise CellValueError(
                _("“%(value)s” is not a real date: that month does not have that day."),
                code="nonexistent_date",
                value=text,
            ) from exc
        raise _not_a_date(text) from exc


def _not_a_date(value: object) -> CellValueError:
    return CellValueError(
        _("“%(value)s” is not a date. Write it like 31/12/2024 or 2024-12-31."),
        code="invalid_date",
        value=value,
    )


_TRUE = frozenset({"oui", "yes", "vrai", "true", "1", "x"})
_FALSE = frozenset({"non", "no", "faux", "false", "0"})


def parse_bool(value: object) -> bool | None:
    """Read a yes/no cell in French or English; blank is ``None`` (unknown, not "no").

    Accepted, in any case: oui/non, yes/no, vrai/faux, true/false, 1/0, and "x" for a ticked
    column (a blank cell there is ``None``; the field decides whether that means "no").
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellValueError(
        _("“%(value)s” is not a yes/no answer. Write yes or no, or leave the cell empty."),
        code="invalid_bool",
        value=str(value).strip(),
    )


# --- Writing ------------------------------------------------------------------------------------

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: A sign followed only by digits, spaces, parentheses, dots, commas and hyphens: a phone number
#: or a plain number. No function name, cell reference or "|" can hide in it, so the worst a
#: spreadsheet can do with it is arithmetic, never run anything; it is exported as it is.
_PLAIN_NUMBER = re.compile(r"[+-][\d ().,\-\u00a0\u202f]*\d[\d ().,\-\u00a0\u202f]*")

T = TypeVar("T")


def _is_dangerous(text: str) -> bool:
    return text.startswith(_FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value: T) -> T:
    """Keep spreadsheet software from running a cell as a formula ("CSV injection").

    A text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'`` in
    front, the prefix spreadsheets read as "this is text" — except a sign followed only by
    digits, spaces, ``( ) . , -`` (``+1 514 555 0100``, ``-12,5``), which stays as it is.

    So that ``restore`` can always undo it exactly, a text that already starts with
    apostrophes followed by a dangerous text gets one more (``'=A1`` is exported ``''=A1``).
    Values that are not text (numbers, dates) are returned unchanged: they are typed cells.
    """
    if isinstance(value, str) and _is_dangerous(value.lstrip("'")):
        return "'" + value  # type: ignore[return-value]
    return value


def restore(value: T) -> T:
    """Undo ``neutralise`` on import: ``restore(neutralise(v)) == v`` for every value.

    Only our prefix goes: an apostrophe before a text that ``neutralise`` would have prefixed.
    "'tis" and "'Bonjour'" are left alone. Not applied by ``read_table``: the importer calls
    it on text cells, once.
    """
    if isinstance(value, str) and value.startswith("'") and _is_dangerous(value.lstrip("'")):
        return value[1:]  # type: ignore[return-value]
    return value


def write_table(dataset: tablib.Dataset, fmt: Format) -> bytes:
    """Export a dataset as a file for staff, every text cell passed through ``neutralise``.

    ``"csv"``: UTF-8 with a BOM (without it Excel shows "QuÃ©bec"), ``,`` between cells,
    CRLF between rows (what RFC 4180 and Excel expect; line breaks inside a cell are kept as
    they are). ``"xlsx"`` and ``"ods"``: numbers, dates and booleans stay typed cells, text
    cells are always written as text, never as formulas.

    For small files (tests, a blank template); large exports stream with ``write_file``.
    """
    output = io.BytesIO()
    write_file(output, dataset, fmt=fmt, headers=list(dataset.headers or []), title=dataset.title)
    return output.getvalue()


def write_file(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    fmt: Format,
    headers: Sequence[Any] | None = None,
    title: str | None = None,
) -> int:
    """Write ``rows`` to ``output`` (a binary file object) as ``write_table`` would; returns
    how many rows (headers not counted) were written.

    ``rows`` is consumed once, as it comes: memory does not grow with the number of rows. CSV
    goes out in chunks; XLSX rows wait in openpyxl's temporary file on disk until the workbook
    is assembled; ODS rows are compressed into the archive as they are written. ``title``
    names the sheet of XLSX and ODS files.
    """
    if fmt == "csv":
        counted = _CountedRows(rows)
        for chunk in iter_csv(counted, headers=headers):
            output.write(chunk)
        return counted.count
    if fmt == "xlsx":
        return _stream_xlsx(output, rows, headers=headers, title=title)
    if fmt == "ods":
        return _stream_ods(output, rows, headers=headers, title=title)
    raise ValueError(f"Unknown spreadsheet format {fmt!r}; expected one of {FORMATS}.")


class _CountedRows:
    """``rows``, counting them as they go by."""

    def __init__(self, rows: Iterable[Sequence[Any]]):
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def iter_csv(
    rows: Iterable[Sequence[Any]], *, headers: Sequence[Any] | None = None, batch: int = 1000
) -> Iterator[bytes]:
    """Stream a CSV export as UTF-8 chunks, BOM first, ``batch`` rows at a time.

    The same writer as ``write_table("csv")``, for exports too large to hold in memory
    (a ``StreamingHttpResponse`` over a queryset iterator).
    """
    buffer = io.StringIO()
    writerow = csv.writer(buffer, lineterminator="\r\n").writerow
    yield codecs.BOM_UTF8
    if headers:
        writerow([_csv_cell(h) for h in headers])
    pending = 0
    for row in rows:
        writerow([_csv_cell(v) for v in row])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


#: First characters after which a text may need ``neutralise`` (its triggers, and the
#: apostrophe it adds): every other text is written as it is, without a regular expression.
_NEUTRALISE_FIRST = frozenset("=+-@\t\r'")


def _csv_cell(value: Any) -> str:
    if value.__class__ is str:
        return neutralise(value) if value and value[0] in _NEUTRALISE_FIRST else value
    return neutralise(_csv_text(value))


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f")  # never "1E+3"
    return str(value)


#: Characters XML 1.0 (so XLSX and ODS) cannot hold; they are dropped from exported text.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TYPED = (bool, int, Decimal, dt.date, dt.time)


def _typed_cell(value: Any) -> Any:
    """A value as a typed cell of XLSX and ODS: ``None``, ``bool``, ``int``, a finite
    ``Decimal``, a naive ``date``/``datetime``/``time``, or text that XML can hold and that
    ``neutralise`` made safe. Anything else is written as its text."""
    if value.__class__ is str:
        if _XML_ILLEGAL.search(value):
            value = _XML_ILLEGAL.sub("", value)
        return neutralise(value) if value and value[0] in _NEUTRALISE_FIRST else value
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(repr(value)) if value == value else None
    if isinstance(value, Decimal) and not value.is_finite():
        return None if value.is_nan() else str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        # Spreadsheets have no time zones: the time as it was on the server's clock.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, _TYPED):
        return value
    return _typed_cell(str(value))


def _sheet_title(title: str | None) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", title or "").strip("' ")[:31]
    return cleaned or "Sheet1"


# XLSX


def _stream_xlsx(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None,
    title: str | None,
) -> int:
    """An XLSX workbook through openpyxl's write-only mode: each row is turned into XML and
    written to a temporary file as it comes, then the file is copied into the archive.

    Text never becomes a formula: openpyxl only takes a text starting with "=" as one, and
    ``neutralise`` (applied to every text by ``_typed_cell``) prefixes every such text.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    count = 0
    try:
        if headers:
            sheet.freeze_panes = "A2"
            bold = Font(bold=True)
            cells = []
            for header in headers:
                cell = WriteOnlyCell(sheet, value=_typed_cell(str(header)))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        append = sheet.append
        for row in rows:
            append([_typed_cell(value) for value in row])
            count += 1
        workbook.save(output)
    finally:
        _discard_xlsx_rows(sheet)
    return count


def _discard_xlsx_rows(sheet) -> None:
    """openpyxl removes a write-only sheet's temporary file when the workbook is saved, and
    otherwise only when the process exits: an export stopped half-way (a database error, a
    download cancelled) removes it now."""
    writer = getattr(sheet, "_writer", None)
    if writer is None or not os.path.exists(writer.out):
        return
    with contextlib.suppress(Exception):
        if sheet._rows is not None:
            sheet._rows.close()
        writer.xf.close()
    with contextlib.suppress(OSError, ValueError):
        writer.cleanup()


# ODS


def _stream_ods(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None,
    title: str | None,
) -> int:
    """An OpenDocument 1.2 spreadsheet, written row by row (odfpy builds the whole document in
    memory first, and takes seconds per 10,000 rows).

    The package (ODF 1.2 part 3): ``mimetype`` first and uncompressed, so that the file is
    recognised by its first bytes, then the manifest, ``meta.xml``, ``styles.xml`` and
    ``content.xml``, whose rows are compressed into the archive as they are written.
    Numbers are float cells, dates date cells shown as yyyy-mm-dd, text string cells.
    """
    rows = iter(rows)
    width = len(headers) if headers else 0
    if not width:
        first = next(rows, None)
        if first is not None:
            width = len(first)
            rows = itertools.chain([first], rows)
    count = 0
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(_zip_entry("mimetype", compress=False), _ODS_MIMETYPE)
        for name, xml in _ODS_FIXED_PARTS:
            archive.writestr(_zip_entry(name), xml)
        with archive.open(_zip_entry("content.xml"), "w") as content:
            content.write(
                _ODS_CONTENT_HEAD.format(
                    name=quoteattr(_sheet_title(title)), columns=max(width, 1)
                ).encode()
            )
            if headers:
                content.write(
                    (
                        "<table:table-header-rows>"
                        + _ods_row([str(h) for h in headers], header=True)
                        + "</table:table-header-rows>"
                    ).encode()
                )
            pending: list[str] = []
            for row in rows:
                pending.append(_ods_row(row))
                count += 1
                if len(pending) >= 500:
                    content.write("".join(pending).encode())
                    pending.clear()
            if not headers and not count:
                pending.append(_ODS_EMPTY_ROW)  # a table holds at least one row
            content.write("".join(pending).encode())
            content.write(_ODS_CONTENT_TAIL)
    return count


def _zip_entry(name: str, *, compress: bool = True) -> zipfile.ZipInfo:
    # A fixed date: the same records give the same bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


_ODS_XMLNS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ODS_FIXED_PARTS = (
    (
        "META-INF/manifest.xml",
        _XML_DECLARATION
        + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>",
    ),
    (
        "meta.xml",
        _XML_DECLARATION + f'<office:document-meta {_ODS_XMLNS} office:version="1.2"><office:meta>'
        "<meta:generator>Liens Mutuels</meta:generator></office:meta></office:document-meta>",
    ),
    (
        "styles.xml",
        _XML_DECLARATION + f'<office:document-styles {_ODS_XMLNS} office:version="1.2">'
        "<office:styles/></office:document-styles>",
    ),
)
#: Year-month-day: unambiguous in every language, and what ``parse_date`` reads back.
_ODS_YMD = (
    '<number:year number:style="long"/><number:text>-</number:text>'
    '<number:month number:style="long"/><number:text>-</number:text>'
    '<number:day number:style="long"/>'
)
_ODS_CONTENT_HEAD = (
    _XML_DECLARATION + f'<office:document-content {_ODS_XMLNS} office:version="1.2">'
    "<office:automatic-styles>"
    f'<number:date-style style:name="lm-date">{_ODS_YMD}</number:date-style>'
    f'<number:date-style style:name="lm-datetime">{_ODS_YMD}<number:text> </number:text>'
    '<number:hours number:style="long"/><number:text>:</number:text>'
    '<number:minutes number:style="long"/></number:date-style>'
    '<number:number-style style:name="lm-amount">'
    '<number:number number:decimal-places="2" number:min-integer-digits="1"/>'
    "</number:number-style>"
    '<style:style style:name="lm-date-cell" style:family="table-cell"'
    ' style:data-style-name="lm-date"/>'
    '<style:style style:name="lm-datetime-cell" style:family="table-cell"'
    ' style:data-style-name="lm-datetime"/>'
    '<style:style style:name="lm-amount-cell" style:family="table-cell"'
    ' style:data-style-name="lm-amount"/>'
    '<style:style style:name="lm-header" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles>"
    "<office:body><office:spreadsheet>"
    "<table:table table:name={name}>"
    '<table:table-column table:number-columns-repeated="{columns}"/>'
)
_ODS_CONTENT_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"
_ODS_EMPTY_CELL = "<table:table-cell/>"
_ODS_EMPTY_ROW = f"<table:table-row>{_ODS_EMPTY_CELL}</table:table-row>"


def _ods_row(values: Iterable[Any], *, header: bool = False) -> str:
    cell = _ods_header_cell if header else _ods_cell
    return "<table:table-row>" + "".join([cell(value) for value in values]) + "</table:table-row>"


def _ods_header_cell(value: Any) -> str:
    text = _typed_cell(value)
    if not text:
        return _ODS_EMPTY_CELL
    return (
        '<table:table-cell office:value-type="string" table:style-name="lm-header">'
        + _ods_text(text)
        + "</table:table-cell>"
    )


def _ods_cell(value: Any) -> str:
    value = _typed_cell(value)
    kind = value.__class__
    if kind is str:
        if not value:
            return _ODS_EMPTY_CELL
        return (
            '<table:table-cell office:value-type="string">'
            + _ods_text(value)
            + "</table:table-cell>"
        )
    if value is None:
        return _ODS_EMPTY_CELL
    if kind is bool:
        return (
            '<table:table-cell office:value-type="boolean" office:boolean-value="'
            + ("true" if value else "false")
            + '"><text:p>'
            + escape(_csv_text(value))
            + "</text:p></table:table-cell>"
        )
    if isinstance(value, int | Decimal):
        shown = format(value, "f") if isinstance(value, Decimal) else str(int(value))
        style = (
            ' table:style-name="lm-amount-cell"'
            if isinstance(value, Decimal) and value.as_tuple().exponent == -2
            else ""
        )
        return (
            f'<table:table-cell office:value-type="float" office:value="{shown}"{style}>'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.datetime):
        return (
            '<table:table-cell office:value-type="date" office:date-value="'
            + value.isoformat(timespec="seconds")
            + '" table:style-name="lm-datetime-cell"><text:p>'
            + value.isoformat(sep=" ", timespec="minutes")
            + "</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        shown = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{shown}"'
            f' table:style-name="lm-date-cell"><text:p>{shown}</text:p></table:table-cell>'
        )
    return _ods_cell(_csv_text(value))  # a time of day: its text, as in CSV


def _ods_text(text: str) -> str:
    """Text as ``text:p`` paragraphs, one per line (what LibreOffice writes), with the runs of
    spaces that readers would otherwise collapse written as ``text:s``.

    A tab stays a tab character: LibreOffice Calc keeps it in the cell, whereas it turns
    ``text:tab`` into a space.
    """
    if "\n" in text or "\r" in text or "  " in text or text[0] == " " or text[-1] == " ":
        return "".join([_ods_paragraph(line) for line in text.split("\n")])
    return "<text:p>" + escape(text) + "</text:p>"


#: Spaces that readers would collapse or drop: runs of two or more, and spaces starting or
#: ending a paragraph.
_SPACE_RUN = re.compile("^ +| +$| {2,}")


def _ods_paragraph(line: str) -> str:
    if not line:
        return "<text:p/>"
    xml = escape(line, {"\r": "&#13;"})  # a bare CR would be read back as a line feed

    def spaces(match: re.Match) -> str:
        count = len(match.group())
        if match.start() == 0 or match.end() == len(xml):
            # Spaces starting or ending a paragraph are dropped by readers unless marked.
            return f'<text:s text:c="{count}"/>' if count > 1 else "<text:s/>"
        return f' <text:s text:c="{count - 1}"/>' if count > 2 else " <text:s/>"

    return "<text:p>" + _SPACE_RUN.sub(spaces, xml) + "</text:p>"
