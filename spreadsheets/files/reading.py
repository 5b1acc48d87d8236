"""Reading: bytes of a CSV, XLSX or ODS file in, a ``tablib.Dataset`` of clean cells out."""

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from .common import ODS_MIMETYPE, Format, SpreadsheetError

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
    if mimetype.strip() == ODS_MIMETYPE:
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
