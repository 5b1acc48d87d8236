"""Reading: bytes of a CSV, XLSX or ODS file in, a ``tablib.Dataset`` of clean cells out.

Reading is bounded in time and memory before any limit is checked on what was read: rows,
columns, cells and the length of a cell are counted while the file is read (``ReadLimits``),
and reading stops at the first one past its limit. CSV text is in memory already (it is at most
``max_bytes``), but a record is not parsed before its width is known to be within the limit;
XLSX and ODS are streamed from their archive (``xlsx``, ``ods``, ``archive``).
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from .archive import open_archive, zip_sizes_check
from .common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS,
    ODS_MIMETYPE,
    Format,
    ReadLimits,
    SpreadsheetError,
    cell_too_long,
    clean_value,
    damaged,
    empty_file,
    too_many_cells,
    too_many_columns,
)
from .ods import ods_rows
from .xlsx import xlsx_rows

__all__ = ["SpreadsheetTable", "read_table"]

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
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
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

    Limits (``None``: none), checked while the file is read: ``max_bytes`` (the file, and what
    its archive may unpack to: ``archive.MAX_UNPACKED_RATIO`` times as much), ``max_rows``
    (rows with a value, header not counted), ``max_columns`` (up to a row's last value),
    ``max_cells`` (all rows' cells up to their last value), and ``MAX_CELL_CHARS`` per cell.

    Raises ``SpreadsheetError`` with a message for staff when the file cannot be used.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is too large (%(size)s). The limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)},
        )
    if not data:
        raise empty_file()

    limits = ReadLimits(rows=max_rows, columns=max_columns, cells=max_cells)
    fmt = _detect_format(data, filename, max_bytes=max_bytes)
    encoding = delimiter = None
    if fmt == "csv":
        text, encoding = _decode_text(data)
        rows, delimiter = _csv_rows(text, limits)
    elif fmt == "xlsx":
        rows = xlsx_rows(data, limits)
    else:
        rows = ods_rows(data, limits)
    dataset, row_numbers = _build_dataset(rows, limits)
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
        raise damaged(extension.upper())
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
    with open_archive(data, label) as archive:
        zip_sizes_check(archive, max_bytes=max_bytes)
        names = set(archive.namelist())
        try:
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    mimetype = part.read(100)
            else:
                mimetype = b""
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise damaged(label) from exc
    if mimetype.strip() == ODS_MIMETYPE:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype or "[Content_Types].xml" in names:
        # A text document, a presentation, a Word file: a real file, but not a spreadsheet.
        raise _not_a_spreadsheet()
    raise damaged(label)


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
        raise empty_file()
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


def _csv_rows(text: str, limits: ReadLimits) -> tuple[Iterator[tuple[int, list[Any]]], str]:
    """Numbered records of a CSV text, and the delimiter used.

    Records are numbered as spreadsheet software numbers rows (a cell holding a line break
    stays one row), so an error report points at the row staff see. A record wider than
    ``limits.columns`` is refused before it is parsed (``_CsvLines``): a single line of
    millions of cells would otherwise become millions of strings.
    """
    first_line, _newline, rest = text.partition("\n")
    hint = _SEP_HINT.fullmatch(first_line + _newline)
    if hint:
        # Excel's own "sep=;" first line states the delimiter; it is not part of the table.
        delimiter, text = hint.group(1), rest
    else:
        delimiter = _detect_delimiter(text)
    lines = _CsvLines(text, delimiter, limits.columns)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                lines.next_record(number + 1)
                yield number, _without_trailing_blanks(record)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise cell_too_long(csv.field_size_limit(), number + 1) from exc
            raise SpreadsheetError(
                _(
                    "Row %(row)s of the file could not be read: check its quotation marks "
                    '(a cell that starts with " must end with ").'
                ),
                code="csv_syntax",
                params={"row": number + 1},
            ) from exc

    return records(), delimiter


class _CsvLines:
    """The lines of a CSV text, handed to ``csv.reader`` one at a time, that refuse a record
    with a value past the ``limit``-th cell before the reader builds it.

    Cheap for ordinary files: a record's delimiters are counted (at C speed) as its lines go
    by, which bounds its cells from above; delimiters that end a line do not count (Excel ends
    every row with as many as the sheet's formatted columns). Only when that bound passes the
    limit (many delimiters quoted in a cell, or a hostile file) are the record's cells read
    exactly, as ``csv.reader`` reads them, until a value past the limit or the record's end.
    """

    def __init__(self, text: str, delimiter: str, limit: int | None):
        self.lines = _text_lines(text)
        self.delimiter = delimiter
        self.trailing = delimiter + " \r\n"
        self.limit = limit
        self.row = 1  # the record being read, as the error names it
        self.bound = 1  # cells of the record so far, at most
        self.record_lines: list[str] = []
        self.exact: _CsvCellCounter | None = None

    def __iter__(self) -> "_CsvLines":
        return self

    def next_record(self, row: int) -> None:
        """The reader finished a record: the next line starts record ``row``."""
        self.row, self.bound, self.exact = row, 1, None
        self.record_lines.clear()

    def __next__(self) -> str:
        line = next(self.lines)
        if self.limit is None:
            return line
        if self.exact is None:
            delimiters = line.count(self.delimiter)
            if self.bound + delimiters > self.limit:
                delimiters = line.rstrip(self.trailing).count(self.delimiter)
            self.bound += delimiters
            self.record_lines.append(line)
            if self.bound <= self.limit:
                return line
            self.exact = _CsvCellCounter(self.delimiter)
            pending, self.record_lines = self.record_lines, []
        else:
            pending = [line]
        for part in pending:
            if self.exact.count(part, self.limit) > self.limit:
                raise too_many_columns(self.limit, self.row)
        return line


def _without_trailing_blanks(record: list[str]) -> list[str]:
    """``record`` without its trailing empty cells, cut at C speed (``_decode_text`` leaves no
    NUL in the text): a row of Excel's ends with thousands of them."""
    if record and record[-1] == "":
        kept = "\x00".join(record).rstrip("\x00")
        del record[kept.count("\x00") + 1 if kept else 0 :]
    return record


#: A line and its end, as ``io.StringIO(newline="")`` splits lines: "\r\n", "\r" or "\n".
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time, as ``io.StringIO(text,
    newline="")`` gives them, without its copy of the whole text (four bytes a character)."""
    if text.count("\r") != text.count("\r\n"):
        # Lone carriage returns end lines too (old Mac files): the slower way.
        for match in _LINE.finditer(text):
            line = match.group()
            if not line:
                return
            yield line
        return
    start, find = 0, text.find
    while end := find("\n", start) + 1:
        yield text[start:end]
        start = end
    if start < len(text):
        yield text[start:]


class _CsvCellCounter:
    """Reads one CSV record, fed line by line, as ``csv.reader(strict=True)`` splits it into
    cells (a quote opens a quoted cell only at the start of a cell; inside, ``""`` is a quote
    and the delimiter is text), and counts its cells up to the last one with a value."""

    def __init__(self, delimiter: str):
        self.delimiter = delimiter
        # Delimiters, each followed or not by an empty quoted cell: a run of empty cells,
        # skipped at C speed.
        separator = re.escape(delimiter)
        self.empty_cells = re.compile(f'(?:{separator}(?:""(?={separator}|[\\r\\n]|\\Z))?)+')
        self.cell = 1  # the cell being read
        self.last_value = 0  # the last cell with a value so far
        self.quoted = False
        self.at_start = True

    def count(self, line: str, limit: int) -> int:
        """The cells up to the last value so far, ``line`` included; stops past ``limit``."""
        position, end, delimiter = 0, len(line), self.delimiter
        while position < end:
            if self.quoted:
                quote = line.find('"', position)
                if quote != position:
                    self.last_value = self.cell  # quoted text
                if quote < 0:
                    return self.last_value  # the quoted cell goes on, on the next line
                if line.startswith('"', quote + 1):
                    self.last_value, position = self.cell, quote + 2  # a doubled quote
                    continue
                self.quoted, position = False, quote + 1
                continue
            if self.at_start and line.startswith('"', position):
                self.quoted, self.at_start, position = True, False, position + 1
                continue
            found = line.find(delimiter, position)
            if line[position : end if found < 0 else found].strip():
                self.last_value = self.cell
            if found < 0:
                self.at_start = False
                break
            if self.last_value > limit:
                break
            run = self.empty_cells.match(line, found)
            self.cell += run.group().count(delimiter)
            position, self.at_start = run.end(), True
        return self.last_value


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


# Shared


def _build_dataset(
    rows: Iterable[tuple[int, list[Any]]], limits: ReadLimits
) -> tuple[tablib.Dataset, tuple[int, ...]]:
    """Header from the first non-empty row; empty rows out; ragged rows made rectangular.

    Stops at the first row past a limit: more rows than ``limits.rows``, a row wider than
    ``limits.columns``, more cells than ``limits.cells`` in all (a row's cells counted up to
    its last value). ``rows`` is read lazily, so nothing past that row is ever read.
    """
    header: list[Any] | None = None
    body: list[list[Any]] = []
    numbers: list[int] = []
    cells = 0
    for number, raw in rows:
        values = [clean_value(v) for v in raw]
        while values and values[-1] == "":
            values.pop()
        if not values:
            continue
        if limits.columns is not None and len(values) > limits.columns:
            raise too_many_columns(limits.columns, number)
        cells += len(values)
        if limits.cells is not None and cells > limits.cells:
            raise too_many_cells(limits.cells)
        if header is None:
            header = values
            continue
        if limits.rows is not None and len(body) >= limits.rows:
            raise SpreadsheetError(
                _("The file has more than %(limit)s rows. Split it into smaller files."),
                code="too_many_rows",
                params={"limit": limits.rows},
            )
        body.append(values)
        numbers.append(number)
    if header is None:
        raise empty_file()
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
