"""What every part of the file layer shares: the formats, the bounds of reading, cells made
clean, and errors written for staff."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

Format = Literal["csv", "xlsx", "ods"]
#: The formats we read and write, in the order offered to staff.
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "ods")
#: The first entry of every ODS archive, uncompressed: how an ODS file is recognised.
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

#: Upload limit when the caller gives none: a 10,000-person CSV is about 1 MB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Excel's own limit is 1,048,576 rows; past a million something is wrong with the file.
DEFAULT_MAX_ROWS = 1_000_000
#: Far more columns than any kind has; files from other systems carry a few dozen more at most.
DEFAULT_MAX_COLUMNS = 1000
#: Cells held in memory once read (about a hundred bytes each): 50,000 rows of 100 columns.
DEFAULT_MAX_CELLS = 5_000_000
#: The longest text a cell may hold: what Python's CSV reader accepts (Excel stops at 32,767).
MAX_CELL_CHARS = 131_072


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How far reading a file may go, checked while it is read, before anything is kept:
    ``None`` for no limit. Rows are counted without the header and empty rows; columns and
    cells up to the last value of a row, so that the empty cells and rows of formatting that
    spreadsheet software writes (a million of them, for LibreOffice) cost nothing."""

    rows: int | None = DEFAULT_MAX_ROWS
    columns: int | None = DEFAULT_MAX_COLUMNS
    cells: int | None = DEFAULT_MAX_CELLS
    cell_chars: int = MAX_CELL_CHARS


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
    ``"too_many_rows"``, ``"too_many_columns"``, ``"too_many_cells"``, ``"cell_too_long"``,
    ``"encoding"``, ``"csv_syntax"``, ``"duplicate_columns"``; ``str()`` is the message for
    staff, in the active language.
    """


class CellValueError(_TranslatedMessage, ValueError):
    """One cell cannot be understood. A ``ValueError``, so widgets and forms treat it as one.

    ``code`` is one of ``"invalid_decimal"``, ``"invalid_date"``, ``"month_first_date"``,
    ``"nonexistent_date"``, ``"short_year"``, ``"invalid_bool"``, ``"invalid_time"``;
    ``params["value"]`` is the cell as written.
    """

    def __init__(self, message: Any, *, code: str, value: object = None, **kwargs: Any):
        params = kwargs.pop("params", None) or {"value": value}
        super().__init__(message, code=code, params=params)


def damaged(fmt: str) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "This %(format)s file could not be opened; it may be damaged. Open it in your "
            "spreadsheet software, save it again and retry."
        ),
        code="corrupt",
        params={"format": fmt},
    )


def empty_file() -> SpreadsheetError:
    return SpreadsheetError(_("The file is empty."), code="empty")


def too_many_columns(limit: int, row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "Row %(row)s of the file has more than %(limit)s columns. Delete the columns you do "
            "not import, then try again."
        ),
        code="too_many_columns",
        params={"row": row, "limit": limit},
    )


def too_many_cells(limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file holds more than %(limit)s cells. Delete the columns you do not import, or "
            "split it into smaller files."
        ),
        code="too_many_cells",
        params={"limit": limit},
    )


def cell_too_long(limit: int, row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("A cell of row %(row)s holds more than %(limit)s characters. Shorten it and try again."),
        code="cell_too_long",
        params={"row": row, "limit": limit},
    )


# --- Cells --------------------------------------------------------------------------------------


def clean_value(value: Any) -> Any:
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
