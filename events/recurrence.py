"""Recurrence rules: the editor's friendly choices, the RFC 5545 RRULE they compile to, and the
dates an event takes place on.

The friendly form covers what cultural organizations repeat (every day, week, month or year,
an interval, weekdays, "the 2nd Tuesday", until a date or N times); ``RecurrenceRule`` reads
and writes the RRULE text that iCal feeds and spreadsheets carry, so that a rule typed in a
spreadsheet comes back identical. Dates are expanded in the event's own time zone with
``dateutil`` on naive local times: a 19:00 event stays at 19:00 local across a daylight-saving
change, and each local time is made aware only at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Most occurrences one rule may give, whatever its horizon: a safety net, not a limit users meet.
MAX_OCCURRENCES = 1500

_DU_FREQ = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
_DU_DAY = dict(zip(WEEKDAYS, (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU), strict=True))
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass
class RecurrenceRule:
    """The part of RFC 5545 RRULE the editor offers (and imports accept)."""

    frequency: str
    interval: int = 1
    #: ``["TU"]``, or with an ordinal for monthly rules: ``["2TU"]``, ``["-1FR"]`` (last Friday).
    weekdays: list[str] = field(default_factory=list)
    until: dt.date | None = None
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> RecurrenceRule:
        """Read an RRULE (``FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601``, with or without ``RRULE:``);
        ``ValidationError`` in the user's language for anything else."""
        text = (text or "").strip()
        if text.upper().startswith("RRULE:"):
            text = text[6:]
        parts = {}
        for piece in filter(None, (p.strip() for p in text.split(";"))):
            name, sep, value = piece.partition("=")
            if not sep or not value:
                raise ValidationError(
                    _("“%(part)s” is not a part of a recurrence rule (NAME=VALUE)."),
                    params={"part": piece},
                    code="rrule_syntax",
                )
            parts[name.strip().upper()] = value.strip().upper()
        frequency = parts.pop("FREQ", "")
        if frequency not in FREQUENCIES:
            raise ValidationError(
                _("A recurrence rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."),
                code="rrule_freq",
            )
        rule = cls(frequency)
        if "INTERVAL" in parts:
            rule.interval = _positive(parts.pop("INTERVAL"), "INTERVAL")
        if "COUNT" in parts:
            rule.count = _positive(parts.pop("COUNT"), "COUNT")
        if "UNTIL" in parts:
            rule.until = _until(parts.pop("UNTIL"))
        if "BYDAY" in parts:
            rule.weekdays = [day.strip() for day in parts.pop("BYDAY").split(",") if day.strip()]
        parts.pop("WKST", None)
        if parts:
            raise ValidationError(
                _("The recurrence rule uses %(names)s, which the editor does not offer."),
                params={"names": ", ".join(sorted(parts))},
                code="rrule_unsupported",
            )
        rule.validate()
        return rule

    def validate(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValidationError(_("Choose how often the event repeats."), code="rrule_freq")
        if self.count and self.until:
            raise ValidationError(
                _("A recurrence ends either on a date or after a number of times, not both."),
                code="rrule_end",
            )
        for day in self.weekdays:
            match = _BYDAY.match(day)
            if not match:
                raise ValidationError(
                    _("“%(day)s” is not a weekday (MO, TU, WE, TH, FR, SA, SU, or 2TU, -1FR)."),
                    params={"day": day},
                    code="rrule_byday",
                )
            if match.group(1) and self.frequency not in ("MONTHLY", "YEARLY"):
                raise ValidationError(
                    _("“The 2nd Tuesday” and the like only make sense for a monthly rule."),
                    code="rrule_byday",
                )
        if self.interval < 1 or self.interval > 999:
            raise ValidationError(_("The interval must be between 1 and 999."), code="rrule_int")

    def as_rrule(self) -> str:
        """The RRULE value, parts in a fixed order so that the same rule is always the same text."""
        parts = [f"FREQ={self.frequency}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            parts.append("BYDAY=" + ",".join(self.weekdays))
        if self.until:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        if self.count:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def dateutil_rule(self, dtstart: dt.datetime, tz: ZoneInfo) -> du.rrule:
        byweekday = []
        for day in self.weekdays:
            ordinal, code = _BYDAY.match(day).groups()
            byweekday.append(_DU_DAY[code](int(ordinal)) if ordinal else _DU_DAY[code])
        until = None
        if self.until:
            # UNTIL is inclusive: the whole last day counts, in the event's time zone.
            until = dt.datetime.combine(self.until, dt.time(23, 59, 59))
        return du.rrule(
            _DU_FREQ[self.frequency],
            dtstart=dtstart,
            interval=self.interval,
            byweekday=byweekday or None,
            until=until,
            count=self.count,
        )


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValidationError(
            _("%(name)s must be a whole number above zero."), params={"name": name}, code="rrule"
        )
    return int(value)


def _until(value: str) -> dt.date:
    match = re.match(r"^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$", value)
    try:
        if not match:
            raise ValueError
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValidationError(
            _("UNTIL must be a date written YYYYMMDD, for example 20270601."), code="rrule_until"
        ) from None


@dataclass(frozen=True)
class Timing:
    """When an event takes place, in its own time zone: the first occurrence's local start
    and end (no ``start_time``: all day), a rule, added and excluded dates."""

    start_date: dt.date
    start_time: dt.time | None
    end_date: dt.date | None
    end_time: dt.time | None
    time_zone: str
    rule: RecurrenceRule | None = None
    dates: tuple[dt.date, ...] = ()
    exceptions: tuple[dt.date, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    def local_start(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, self.start_time or dt.time(0))

    def duration(self) -> dt.timedelta:
        """The first occurrence's length in wall-clock time; every occurrence keeps it."""
        start = self.local_start()
        if self.all_day:
            days = ((self.end_date or self.start_date) - self.start_date).days
            return dt.timedelta(days=max(days, 0) + 1)
        if self.end_date is None and self.end_time is None:
            return dt.timedelta(0)
        end = dt.datetime.combine(self.end_date or self.start_date, self.end_time or dt.time(0))
        if end < start and self.end_date is None:
            end += dt.timedelta(days=1)  # 22:00 to 01:00 ends the next day
        return max(end - start, dt.timedelta(0))

    def has_end(self) -> bool:
        return self.all_day or self.end_time is not None or self.end_date is not None

    def local_starts(self, until: dt.date) -> list[dt.datetime]:
        """Every local start up to ``until`` (inclusive), excluded dates left out, sorted."""
        first = self.local_start()
        starts = set()
        if self.rule is not None:
            for start in self.rule.dateutil_rule(first, self.tz):
                if start.date() > until or len(starts) >= MAX_OCCURRENCES:
                    break
                starts.add(start)
        else:
            if first.date() <= until:
                starts.add(first)
        for day in self.dates:
            if day <= until:
                starts.add(dt.datetime.combine(day, first.time()))
        excluded = set(self.exceptions)
        return sorted(start for start in starts if start.date() not in excluded)


def aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A local wall time made aware; a time that does not exist (skipped by a spring change) is
    moved forward by the gap, as calendar apps do; an ambiguous one takes its first reading."""
    value = local.replace(tzinfo=tz, fold=0)
    round_trip = value.astimezone(dt.UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local:
        value = round_trip  # skipped: 02:30 on a spring-forward night reads as 03:30
    return value


def parse_date_list(text: str) -> tuple[dt.date, ...]:
    """Dates separated by ``;`` (or ``,`` or line breaks), ISO (``2027-03-09``) or French
    (``09/03/2027``); ``ValidationError`` naming the first that is not a date."""
    dates = []
    for piece in re.split(r"[;,\n]+", text or ""):
        piece = piece.strip()
        if not piece:
            continue
        dates.append(parse_one_date(piece))
    return tuple(sorted(set(dates)))


def parse_one_date(piece: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(piece, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date: write 2027-03-09 or 09/03/2027."),
        params={"value": piece},
        code="date_list",
    )


def format_date_list(dates) -> str:
    return "; ".join(day.isoformat() for day in sorted(dates))
