"""French habits in cells: ``1 234,50``, ``31/12/2026``, ``oui``."""

import datetime as dt
import functools
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .common import CellValueError

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


#: A time of day as people write it (``parse_time``), to tell a time cell from a date.
TIME_OF_DAY = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?(?::(\d{2})(?:\.\d+)?)?$")


def parse_time(value: object) -> dt.time:
    """Read a time of day written as people write it: ``19:00``, ``19h``, ``19 h 30``, ``7:05``,
    ``10:00:00`` (a spreadsheet's own time cell is taken as it is)."""
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    match = TIME_OF_DAY.match(text)
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise CellValueError(
        _("“%(value)s” is not a time: write 19:00 or 19h30."), code="invalid_time", value=text
    )


_DATE_AND_TIME = re.compile(r"^(?P<date>\S+)(?:\s+|T)(?:à\s+)?(?P<time>\d{1,2}\s*[:hH].*)$")


def parse_date_time(value: object) -> tuple[dt.date | None, dt.time | None]:
    """Read a cell that may hold a date and a time of day (``04/12/2026 19:30``,
    ``2026-12-04T19:30``, ``04/12/2026 19h30``, a date-time cell) into its two parts; a date
    alone gives ``(date, None)``, blank ``(None, None)``. What ticketing software writes in
    one column of "Séance" or "Start" (``parse_date`` refuses a time, on purpose, elsewhere)."""
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
        return moment.date(), (moment.time() if moment.time() != dt.time(0) else None)
    if isinstance(value, dt.date):
        return value, None
    text = str(value).strip()
    if not text:
        return None, None
    match = _DATE_AND_TIME.match(text)
    if match:
        return parse_date(match["date"]), parse_time(match["time"])
    return parse_date(text), None
