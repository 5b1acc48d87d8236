"""Reading ODS: the rows of the first sheet, streamed from ``content.xml``.

Not odfpy's document tree (nor tablib's reader built on it): that tree holds every element of
the file as a Python object, a gigabyte for a 1.5 MB file of 50,000 rows, and takes minutes.
Here expat's handlers keep only the current row, and hand on each row as it ends.

LibreOffice compresses repeated cells and rows (``table:number-columns-repeated``,
``table:number-rows-repeated``) and ends every sheet with a million empty rows of 1,024 empty
cells or so: empty repeats are counted, never expanded, so they cost nothing; repeated values
are expanded only within ``ReadLimits.columns`` (a row wider is refused before anything is
built) and, for rows, one at a time as the reader is asked for them, so the row limit stops them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from .archive import feed_part, open_archive, xml_parser
from .common import (
    ReadLimits,
    cell_too_long,
    clean_value,
    damaged,
    empty_file,
    too_many_columns,
)

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "

_SPREADSHEET = _OFFICE + "spreadsheet"
_ANNOTATION = _OFFICE + "annotation"
_SHEET = _TABLE + "table"
_ROW = _TABLE + "table-row"
_CELLS = frozenset({_TABLE + "table-cell", _TABLE + "covered-table-cell"})
_PARAGRAPHS = frozenset({_TEXT + "p", _TEXT + "h"})
_SPACE, _TAB, _LINE_BREAK = _TEXT + "s", _TEXT + "tab", _TEXT + "line-break"
_ROWS_REPEATED = _TABLE + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE + "number-columns-repeated"
_VALUE_TYPE = _OFFICE + "value-type"
_NUMBERS = frozenset({"float", "percentage", "currency"})
#: Spreadsheets hold numbers up to about 1E308 (IEEE doubles).
MAX_EXPONENT = 308
_DURATION = re.compile(r"PT(\d{1,2})H(\d{1,2})M(\d{1,2})(?:\.(\d+))?S")


def ods_rows(data: bytes, limits: ReadLimits) -> Iterator[tuple[int, list[Any]]]:
    """Numbered rows of the first sheet, as spreadsheet software numbers them; rows without
    any value are left out, and a row's trailing empty cells too.

    Raises ``SpreadsheetError``: ``"corrupt"`` (not an ODS archive, XML not well-formed or
    with entity declarations), ``"empty"`` (no sheet), ``"too_many_columns"``,
    ``"cell_too_long"``.
    """
    archive = open_archive(data, "ODS")
    try:
        content = _Content(limits)
        parser = xml_parser()
        parser.StartElementHandler = content.start
        parser.EndElementHandler = content.end
        parser.CharacterDataHandler = content.text
        for _chunk in feed_part(archive, "content.xml", parser, label="ODS"):
            yield from content.take_rows()
            if content.finished:
                break
    finally:
        archive.close()
    if not content.found_sheet:
        raise empty_file()


class _Content:
    """expat's handlers for ``content.xml``: the rows of the first sheet, as they end."""

    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.depth = 0
        self.sheet_depth = 0  # depth of the first sheet's element, once found
        self.found_sheet = self.finished = False
        self.row_number = 0  # rows of the sheet so far, empty ones included
        #: Rows ended and not yet handed on: (first number, values, times repeated).
        self.ended: list[tuple[int, list[Any], int]] = []
        self.row: list[Any] | None = None
        self.row_repeat = 1
        self.pending_empty = 0  # empty cells of the current row not yet written out
        self.cell_depth = 0  # depth of the current cell's element, 0 outside cells
        self.cell_attributes: dict[str, str] = {}
        self.paragraphs: list[str] = []
        self.paragraph: list[str] | None = None
        self.paragraph_depth = 0
        self.cell_length = 0
        self.skip_depth = 0  # inside an annotation (a comment, not the cell's value)

    # Rows handed on ----------------------------------------------------------------------------

    def take_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The rows ended since last asked, repeats expanded one at a time."""
        ended, self.ended = self.ended, []
        for first, values, repeat in ended:
            for offset in range(repeat):
                yield first + offset, values

    # expat's handlers --------------------------------------------------------------------------

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.finished or self.skip_depth:
            return
        if self.cell_depth:
            self.start_in_cell(name, attributes)
        elif name == _ROW and self.sheet_depth:
            self.row = []
            self.row_repeat = _repeat(attributes.get(_ROWS_REPEATED))
            self.pending_empty = 0
        elif name in _CELLS and self.row is not None:
            self.cell_depth = self.depth
            self.cell_attributes = attributes
            self.paragraphs = []
            self.cell_length = 0
        elif name == _SHEET and not self.found_sheet:
            self.found_sheet = True
            self.sheet_depth = self.depth

    def start_in_cell(self, name: str, attributes: dict[str, str]) -> None:
        if name == _ANNOTATION:
            self.skip_depth = self.depth
        elif self.paragraph is not None:
            if name == _SPACE:
                self.add_text(" " * self.spaces(attributes.get(_TEXT + "c")))
            elif name == _TAB:
                self.add_text("\t")
            elif name == _LINE_BREAK:
                self.add_text("\n")
        elif name in _PARAGRAPHS and self.depth == self.cell_depth + 1:
            self.paragraph = []
            self.paragraph_depth = self.depth

    def end(self, name: str) -> None:
        depth, self.depth = self.depth, self.depth - 1
        if self.finished:
            return
        if self.skip_depth:
            if depth == self.skip_depth:
                self.skip_depth = 0
        elif self.cell_depth:
            if depth == self.paragraph_depth and self.paragraph is not None:
                self.paragraphs.append("".join(self.paragraph))
                self.paragraph = None
            elif depth == self.cell_depth:
                self.cell_depth = 0
                self.end_cell()
        elif name == _ROW and self.row is not None:
            self.end_row()
        elif depth == self.sheet_depth:
            self.finished = True  # the first sheet is all we read

    def text(self, data: str) -> None:
        if self.paragraph is not None and not self.skip_depth and not self.finished:
            self.add_text(data)

    # Cells and rows ----------------------------------------------------------------------------

    def add_text(self, text: str) -> None:
        self.cell_length += len(text)
        if self.cell_length > self.limits.cell_chars:
            raise cell_too_long(self.limits.cell_chars, self.row_number + 1)
        self.paragraph.append(text)

    def spaces(self, count: str | None) -> int:
        """``text:s``'s count, checked before the spaces are made."""
        number = _repeat(count)
        if self.cell_length + number > self.limits.cell_chars:
            raise cell_too_long(self.limits.cell_chars, self.row_number + 1)
        return number

    def end_cell(self) -> None:
        attributes = self.cell_attributes
        repeat = _repeat(attributes.get(_COLUMNS_REPEATED))
        value = _cell_value(attributes, self.paragraphs)
        self.paragraphs = []
        if value == "":
            self.pending_empty += repeat
            return
        row = self.row
        position = len(row) + self.pending_empty
        limit = self.limits.columns
        if limit is not None and position + repeat > limit:
            raise too_many_columns(limit, self.row_number + 1)
        if self.pending_empty:
            row.extend([""] * self.pending_empty)
            self.pending_empty = 0
        if repeat == 1:
            row.append(value)
        else:
            row.extend([value] * repeat)

    def end_row(self) -> None:
        if self.row:
            self.ended.append((self.row_number + 1, self.row, self.row_repeat))
        self.row_number += self.row_repeat
        self.row = None


def _repeat(raw: str | None) -> int:
    """A repeat count (or a ``text:s`` count): a positive whole number, 1 when absent."""
    if raw is None:
        return 1
    try:
        number = int(raw)
    except ValueError as exc:  # not a number, or thousands of digits
        raise damaged("ODS") from exc
    return max(number, 1)


def _cell_value(attributes: dict[str, str], paragraphs: list[str]) -> Any:
    """The value of a cell: typed by its ``office:value-type``, else its text."""
    value_type = attributes.get(_VALUE_TYPE)
    if value_type in _NUMBERS:
        return clean_value(_decimal_or_int(attributes.get(_OFFICE + "value")))
    if value_type == "date":
        raw = attributes.get(_OFFICE + "date-value") or ""
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            return clean_value(raw)
        return parsed if "T" in raw and parsed.time() != dt.time(0) else parsed.date()
    if value_type == "time":
        raw = attributes.get(_OFFICE + "time-value") or ""
        match = _DURATION.fullmatch(raw)
        if match and int(match[1]) < 24:
            micro = int((match[4] or "0")[:6].ljust(6, "0"))
            return dt.time(int(match[1]), int(match[2]), int(match[3]), micro)
        return clean_value(raw)
    if value_type == "boolean":
        return attributes.get(_OFFICE + "boolean-value") == "true"
    text = "\n".join(paragraphs)
    if not text and value_type is None:
        formula = attributes.get(_TABLE + "formula")
        if formula:
            # A formula without a cached value: its text, never evaluated.
            return clean_value(formula.removeprefix("of:"))
    if value_type == "string" and not text:
        text = attributes.get(_OFFICE + "string-value") or ""
    return clean_value(text)


def _decimal_or_int(raw: str | None) -> int | Decimal | str:
    """A number cell's value, exact; its text when it is no number a spreadsheet can hold
    (beyond 1E308 either way, whose digits would take ages to write out)."""
    try:
        number = Decimal(raw or "")
    except InvalidOperation:
        return raw or ""
    if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
        return raw or ""
    return int(number) if number == number.to_integral_value() else number
