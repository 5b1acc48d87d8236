"""Reading XLSX: the rows of the first visible worksheet, streamed from its XML part.

Why not openpyxl's reader (openpyxl still writes our exports, and lends its date rules here):
even in read-only mode it loads every shared string of the workbook when it opens it, builds
each row whole before handing it on (a row of a million cells is a million objects), makes up
the rows missing between two row numbers, and reads a sheet twice to give formulas their cached
values — about 4,000 rows a second. Here expat's handlers keep only the current row, read
formulas and their cached values in one pass, place each cell by its column without filling the
columns between, and stop at the limits of ``ReadLimits``: a row's value past the column limit,
a cell's text past the length limit, shared strings past the cell limit. Empty cells (the ones
spreadsheet programs write for formatting) are never kept.

The values are what openpyxl gives: numbers as ``int`` or ``Decimal``, dates by their number
format (a date-only format gives a ``date``), booleans, text; a formula gives the value the
spreadsheet software last computed, or, if the file holds none, its text, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .archive import feed_part, open_archive, read_part, xml_parser
from .common import (
    ReadLimits,
    SpreadsheetError,
    cell_too_long,
    clean_value,
    damaged,
    empty_file,
    too_many_cells,
    too_many_columns,
)

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main ",
    "http://purl.oclc.org/ooxml/spreadsheetml/main ",  # "Strict Open XML"
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_ROW, _CELL, _VALUE, _FORMULA, _INLINE, _TEXT, _PHONETIC, _ITEM = range(8)
#: Elements of the main namespace that the sheet and shared strings readers look at.
_ELEMENTS = {
    namespace + local: kind
    for namespace in _MAIN
    for local, kind in {
        "row": _ROW,
        "c": _CELL,
        "v": _VALUE,
        "f": _FORMULA,
        "is": _INLINE,
        "t": _TEXT,
        "rPh": _PHONETIC,
        "si": _ITEM,
    }.items()
}
#: Excel allows 64,000 cell formats; more can only be there to fill memory.
MAX_CELL_STYLES = 65_000
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def xlsx_rows(data: bytes, limits: ReadLimits) -> Iterator[tuple[int, list[Any]]]:
    """Numbered rows of the first visible worksheet, as spreadsheet software numbers them; rows
    without any value are left out, and a row's trailing empty cells too.

    Raises ``SpreadsheetError``: ``"corrupt"``, ``"empty"`` (no visible worksheet),
    ``"too_many_columns"``, ``"too_many_cells"`` (shared strings), ``"cell_too_long"``.
    """
    archive = open_archive(data, "XLSX")
    try:
        book = _Workbook(archive)
        sheet = _Sheet(
            shared=_shared_strings(archive, book.shared_strings, limits),
            formats=_cell_formats(archive, book.styles),
            epoch=book.epoch,
            limits=limits,
        )
        parser = xml_parser()
        parser.StartElementHandler = sheet.start
        parser.EndElementHandler = sheet.end
        parser.CharacterDataHandler = sheet.text
        for _chunk in feed_part(archive, book.sheet, parser, label="XLSX"):
            yield from sheet.take_rows()
    finally:
        archive.close()


# --- The package: where the first visible sheet, its styles and strings are ---------------------


def _parse(archive: zipfile.ZipFile, name: str, start: Callable, end: Callable | None = None,
           text: Callable | None = None) -> None:
    parser = xml_parser()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    read_part(archive, name, parser, label="XLSX")


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part name) of ``part`` (``""`` for the package itself)."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", f"{base}.rels")
    found: dict[str, tuple[str, str]] = {}
    if name not in archive.NameToInfo:
        return found

    def start(element: str, attributes: dict[str, str]) -> None:
        if element != _RELATIONSHIPS or attributes.get("TargetMode") == "External":
            return
        target = attributes.get("Target", "")
        if target.startswith("/"):
            target = target.lstrip("/")
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[attributes.get("Id", "")] = (attributes.get("Type", ""), target)

    _parse(archive, name, start)
    return found


def _of_type(relationships: dict[str, tuple[str, str]], kind: str) -> str | None:
    return next(
        (target for rel_type, target in relationships.values() if rel_type.endswith(kind)), None
    )


class _Workbook:
    """The workbook part: its sheets in order, their visibility, its date system."""

    def __init__(self, archive: zipfile.ZipFile):
        workbook = _of_type(_relationships(archive, ""), "/officeDocument") or "xl/workbook.xml"
        if workbook not in archive.NameToInfo:
            raise damaged("XLSX")
        sheets: list[tuple[str | None, str]] = []  # (state, relationship id)
        self.epoch = WINDOWS_EPOCH

        def start(element: str, attributes: dict[str, str]) -> None:
            local = element.rpartition(" ")[2]
            if local == "sheet":
                rel_id = next((v for k, v in attributes.items() if k.endswith(" id")), "")
                sheets.append((attributes.get("state"), rel_id))
            elif local == "workbookPr" and attributes.get("date1904") in ("1", "true"):
                self.epoch = MAC_EPOCH

        _parse(archive, workbook, start)
        relationships = _relationships(archive, workbook)
        visible = [
            relationships[rel_id][1]
            for state, rel_id in sheets
            if state in (None, "visible")
            and rel_id in relationships
            and relationships[rel_id][0].endswith("/worksheet")
        ]
        if not visible:
            raise empty_file()
        self.sheet = visible[0]
        if self.sheet not in archive.NameToInfo:
            raise damaged("XLSX")
        self.styles = _of_type(relationships, "/styles")
        self.shared_strings = _of_type(relationships, "/sharedStrings")


def _cell_formats(archive: zipfile.ZipFile, name: str | None) -> list[str]:
    """The number format of each cell style (``s`` of a cell), e.g. ``"DD/MM/YYYY"``."""
    if name is None or name not in archive.NameToInfo:
        return []
    custom: dict[str, str] = {}
    ids: list[str] = []
    depth = in_cell_styles = 0

    def start(element: str, attributes: dict[str, str]) -> None:
        nonlocal depth, in_cell_styles
        depth += 1
        local = element.rpartition(" ")[2]
        if local == "numFmt":
            custom[attributes.get("numFmtId", "")] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            in_cell_styles = depth
        elif local == "xf" and in_cell_styles and depth == in_cell_styles + 1:
            if len(ids) >= MAX_CELL_STYLES:
                raise damaged("XLSX")
            ids.append(attributes.get("numFmtId", "0"))

    def end(element: str) -> None:
        nonlocal depth, in_cell_styles
        if depth == in_cell_styles:
            in_cell_styles = 0
        depth -= 1

    _parse(archive, name, start, end)
    formats = []
    for number_format_id in ids:
        code = custom.get(number_format_id)
        if code is None:
            try:
                code = BUILTIN_FORMATS.get(int(number_format_id), "General")
            except ValueError:
                code = "General"
        formats.append(code)
    return formats


class _TooLong:
    """A shared string past the length limit: refused, with its row, if a cell uses it."""


TOO_LONG = _TooLong()


def _shared_strings(
    archive: zipfile.ZipFile, name: str | None, limits: ReadLimits
) -> list[str | _TooLong]:
    """The workbook's shared strings (the text of ``t`` cells, by index): rich text runs
    joined, phonetic guides left out, as openpyxl reads them."""
    if name is None or name not in archive.NameToInfo:
        return []
    strings: list[str | _TooLong] = []
    parts: list[str] = []
    state = {"item": False, "text": False, "skip": 0, "length": 0}

    def start(element: str, attributes: dict[str, str]) -> None:
        kind = _ELEMENTS.get(element)
        if kind == _ITEM:
            state["item"], state["length"] = True, 0
            parts.clear()
        elif kind == _PHONETIC:
            state["skip"] += 1
        elif kind == _TEXT and state["item"] and not state["skip"]:
            state["text"] = True

    def end(element: str) -> None:
        kind = _ELEMENTS.get(element)
        if kind == _ITEM:
            if limits.cells is not None and len(strings) >= limits.cells:
                raise too_many_cells(limits.cells)
            too_long = state["length"] > limits.cell_chars
            strings.append(TOO_LONG if too_long else "".join(parts).replace("x005F_", ""))
            state["item"] = False
        elif kind == _PHONETIC:
            state["skip"] -= 1
        elif kind == _TEXT:
            state["text"] = False

    def text(data: str) -> None:
        if state["text"]:
            state["length"] += len(data)
            if state["length"] <= limits.cell_chars:
                parts.append(data)

    _parse(archive, name, start, end, text)
    return strings


# --- The sheet ----------------------------------------------------------------------------------


class _Sheet:
    """expat's handlers for a worksheet part: its rows, as they end."""

    def __init__(self, *, shared, formats, epoch, limits: ReadLimits):
        self.shared = shared
        self.formats = formats
        self.epoch = epoch
        self.limits = limits
        self.kinds: dict[int, tuple[bool, bool, str]] = {}  # style → date?, duration?, format
        self.columns: dict[str, int] = {}  # column letters → number
        self.ended: list[tuple[int, list[Any]]] = []
        self.row: list[Any] | None = None
        self.row_number = 0
        self.column = 0
        self.shared_formulas: dict[str, tuple[str, str]] = {}  # si → (formula, origin cell)
        self.parts: list[str] | None = None  # text being collected
        self.length = 0
        self.skip = 0  # inside a phonetic guide
        self.reset_cell()

    def reset_cell(self) -> None:
        self.cell_type = "n"
        self.style = 0
        self.value: str | None = None
        self.formula: str | None = None
        self.formula_attributes: dict[str, str] = {}
        self.inline: list[str] | None = None

    def take_rows(self) -> Iterator[tuple[int, list[Any]]]:
        ended, self.ended = self.ended, []
        yield from ended

    # expat's handlers --------------------------------------------------------------------------

    def start(self, name: str, attributes: dict[str, str]) -> None:
        kind = _ELEMENTS.get(name)
        if kind is None or self.row is None and kind != _ROW:
            return
        if kind == _CELL:
            self.reset_cell()
            self.cell_type = attributes.get("t", "n")
            style = attributes.get("s")
            self.style = int(style) if style else 0
            reference = attributes.get("r")
            self.column = self.column_of(reference) if reference else self.column + 1
        elif kind in (_VALUE, _FORMULA):
            self.parts, self.length = [], 0
            if kind == _FORMULA:
                self.formula_attributes = attributes
        elif kind == _TEXT:
            if self.inline is not None and not self.skip:
                self.parts = self.inline
        elif kind == _INLINE:
            self.inline, self.length = [], 0
        elif kind == _PHONETIC:
            self.skip += 1
        elif kind == _ROW:
            reference = attributes.get("r")
            self.row_number = _row_number(reference) if reference else self.row_number + 1
            self.row, self.column = [], 0

    def end(self, name: str) -> None:
        kind = _ELEMENTS.get(name)
        if kind is None or self.row is None:
            return
        if kind == _CELL:
            self.end_cell()
        elif kind == _VALUE:
            self.value, self.parts = "".join(self.parts), None
        elif kind == _FORMULA:
            self.formula, self.parts = "".join(self.parts), None
        elif kind == _TEXT:
            self.parts = None
        elif kind == _PHONETIC:
            self.skip -= 1
        elif kind == _ROW:
            if self.row:
                self.ended.append((self.row_number, self.row))
            self.row = None

    def text(self, data: str) -> None:
        if self.parts is not None:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                raise cell_too_long(self.limits.cell_chars, self.row_number)
            self.parts.append(data)

    # Cells -------------------------------------------------------------------------------------

    def column_of(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self.columns.get(letters)
        if column is None:
            if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isupper():
                raise damaged("XLSX")
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            self.columns[letters] = column
        return column

    def end_cell(self) -> None:
        try:
            value = self.cell_value()
        except SpreadsheetError:
            raise
        except (ValueError, IndexError, TypeError, OverflowError) as exc:
            raise damaged("XLSX") from exc
        if value is None or value == "":
            return
        row, column = self.row, self.column
        limit = self.limits.columns
        if limit is not None and column > limit:
            raise too_many_columns(limit, self.row_number)
        if column > len(row):
            if column > len(row) + 1:
                row.extend([""] * (column - len(row) - 1))
            row.append(value)
        else:
            row[column - 1] = value

    def cell_value(self) -> Any:
        if self.formula is not None and not self.value:
            # A formula without a cached value (a file written by a program, never opened):
            # its text, never evaluated.
            return clean_value("=" + self.formula_text())
        cell_type, text = self.cell_type, self.value
        if cell_type == "inlineStr":
            return clean_value("".join(self.inline)) if self.inline is not None else None
        if text is None or text == "":
            return None
        if cell_type == "n":
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
            is_date, is_duration, number_format = self.kind_of(self.style)
            if not is_date:
                return clean_value(number)
            try:
                moment = from_excel(number, self.epoch, timedelta=is_duration)
            except (OverflowError, ValueError):
                return clean_value(number)  # "a date" past what dates can hold: its number
            return _date_or_datetime(moment, number_format)
        if cell_type == "s":
            shared = self.shared[int(text)]
            if shared is TOO_LONG:
                raise cell_too_long(self.limits.cell_chars, self.row_number)
            return clean_value(shared)
        if cell_type == "b":
            return bool(int(text))
        if cell_type == "d":
            return _date_or_datetime(from_ISO8601(text), self.kind_of(self.style)[2])
        return clean_value(text)  # "str" (a formula's text result), "e" (an error: "#N/A")

    def formula_text(self) -> str:
        """A formula's text; a cell sharing another cell's formula gets it translated."""
        attributes = self.formula_attributes
        if attributes.get("t") != "shared":
            return self.formula
        here = f"{get_column_letter(self.column)}{self.row_number}"
        identifier = attributes.get("si", "")
        if self.formula:
            self.shared_formulas.setdefault(identifier, (self.formula, here))
            return self.formula
        if identifier not in self.shared_formulas:
            return ""
        formula, origin = self.shared_formulas[identifier]
        try:
            return Translator("=" + formula, origin).translate_formula(here)[1:]
        except Exception:  # noqa: BLE001 - openpyxl's translator raises its own errors
            return formula

    def kind_of(self, style: int) -> tuple[bool, bool, str]:
        found = self.kinds.get(style)
        if found is None:
            number_format = self.formats[style] if 0 <= style < len(self.formats) else "General"
            found = (
                is_date_format(number_format),
                is_timedelta_format(number_format),
                number_format,
            )
            self.kinds[style] = found
        return found


def _row_number(reference: str) -> int:
    try:
        return int(reference)
    except ValueError:
        number = float(reference)
        if not number.is_integer():
            raise
        return int(number)


def _date_or_datetime(value: Any, number_format: str) -> Any:
    """A date cell: a ``date`` when its format shows no time and its time is midnight."""
    if isinstance(value, dt.datetime):
        tokens = _FORMAT_LITERALS.sub("", (number_format or "").lower())
        if not ("h" in tokens or "s" in tokens) and value.time() == dt.time(0):
            return value.date()
        return value
    return clean_value(value)
