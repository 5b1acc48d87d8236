"""What an event of ours becomes on OpenAgenda, and what an OpenAgenda event becomes here.

Field names and codes follow OpenAgenda's event and place structures
(``fixtures/openagenda/README.md``): multilingual texts as ``{language: text}``, ``timings``
as ``[{begin, end}]`` in ISO 8601 with the offset of the event's time zone, one slot per day
(a slot cannot exceed 24 hours), ``status`` 1–6, ``attendanceMode`` 1–3, ``accessibility``
flags, ``age`` ``{min, max}``, ``extIds`` ``[{key, value}]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import strip_tags
from wagtail.rich_text import RichText, expand_db_html

from ..models import EventAttendance, EventOccurrence, EventPage, EventStatus
from ..recurrence import aware

#: Our key among an event's external identifiers; its value is the page's translation key.
EXT_KEY = "liens-mutuels"
#: The slots sent for one event at most (a daily event over two years is 731).
MAX_TIMINGS = 800
DESCRIPTION_LENGTH = 200
TITLE_LENGTH = 140

STATUS_TO_OPENAGENDA = {
    EventStatus.SCHEDULED: 1,
    EventStatus.RESCHEDULED: 2,
    EventStatus.MOVED_ONLINE: 3,
    EventStatus.POSTPONED: 4,
    EventStatus.FULL: 5,
    EventStatus.CANCELLED: 6,
}
STATUS_FROM_OPENAGENDA = {code: status for status, code in STATUS_TO_OPENAGENDA.items()}
ATTENDANCE_TO_OPENAGENDA = {
    EventAttendance.IN_PERSON: 1,
    EventAttendance.ONLINE: 2,
    EventAttendance.MIXED: 3,
}
ATTENDANCE_FROM_OPENAGENDA = {code: mode for mode, code in ATTENDANCE_TO_OPENAGENDA.items()}

#: Our accessibility fields → OpenAgenda's flags: ``mi`` motor, ``hi`` hearing, ``vi`` visual
#: (``pi`` psychic and ``ii`` intellectual have no field here, and are sent false).
ACCESSIBILITY_TO_OPENAGENDA = {
    "wheelchair_accessible": "mi",
    "hearing_loop": "hi",
    "deaf_subtitles": "hi",
    "sign_language": "hi",
    "audio_description": "vi",
}
#: Coming back, a flag sets the field that says it best.
ACCESSIBILITY_FROM_OPENAGENDA = {
    "mi": "wheelchair_accessible",
    "hi": "hearing_loop",
    "vi": "audio_description",
}


def fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _slots(start: dt.datetime, end: dt.datetime | None, all_day: bool, tz: ZoneInfo):
    """OpenAgenda's slots of one occurrence: itself, or one per day when it lasts longer than
    a day (an exhibition open every day), each within the day."""
    local_start = start.astimezone(tz)
    if all_day:
        local_end = end.astimezone(tz) if end else local_start + dt.timedelta(days=1)
        day, last = local_start.date(), max(local_end.date(), local_start.date() + dt.timedelta(1))
        while day < last:
            yield (
                aware(dt.datetime.combine(day, dt.time(0)), tz),
                aware(dt.datetime.combine(day, dt.time(23, 59)), tz),
            )
            day += dt.timedelta(days=1)
        return
    if end is None or end <= start:
        # OpenAgenda wants an end: an event without one is given an hour.
        yield start, start + dt.timedelta(hours=1)
        return
    if end - start <= dt.timedelta(hours=24):
        yield start, end
        return
    local_end = end.astimezone(tz)
    closing = local_end.time() if local_end.time() > local_start.time() else dt.time(23, 59)
    day = local_start.date()
    while day <= local_end.date():
        yield (
            aware(dt.datetime.combine(day, local_start.time()), tz),
            aware(dt.datetime.combine(day, closing), tz),
        )
        day += dt.timedelta(days=1)


def event_timings(page: EventPage, occurrences: list[EventOccurrence], tz: ZoneInfo) -> list:
    """The event's slots, from its stored dates (dates cancelled on their own left out)."""
    timings = []
    for row in occurrences:
        if row.status == EventOccurrence.Status.CANCELLED:
            continue
        for begin, end in _slots(row.start, row.end, row.all_day, tz):
            timings.append({"begin": _iso(begin.astimezone(tz)), "end": _iso(end.astimezone(tz))})
            if len(timings) >= MAX_TIMINGS:
                return timings
    return timings


def body_html(page: EventPage) -> str:
    """The description's text blocks as HTML (OpenAgenda converts HTML to its markdown)."""
    parts = []
    for block in page.body:
        if block.block_type == "heading":
            parts.append(f"<h3>{html.escape(block.value['text'])}</h3>")
        elif block.block_type == "text":
            parts.append(expand_db_html(block.value["text"].source))
        elif block.block_type == "quote":
            parts.append(f"<blockquote>{html.escape(block.value['quote'])}</blockquote>")
    return "\n".join(parts)


def event_payload(
    page: EventPage,
    *,
    language: str,
    tz: ZoneInfo,
    timings: list,
    location_uid: str | None,
    page_url: str = "",
    image_url: str = "",
) -> dict:
    """The event as OpenAgenda's ``PUT …/events/ext/{key}/{value}`` receives it."""
    description = (page.summary or page.title)[:DESCRIPTION_LENGTH]
    long_description = body_html(page)
    if page_url:
        long_description += (
            f'\n<p><a href="{html.escape(page_url)}">{html.escape(page_url)}</a></p>'
        )
    payload = {
        "title": {language: page.title[:TITLE_LENGTH]},
        "description": {language: description},
        "timings": timings,
        "timezone": str(tz),
        "status": STATUS_TO_OPENAGENDA.get(page.status, 1),
        "attendanceMode": ATTENDANCE_TO_OPENAGENDA.get(page.attendance, 1),
        "accessibility": dict.fromkeys(("hi", "ii", "vi", "pi", "mi"), False),
        "extIds": [{"key": EXT_KEY, "value": str(page.translation_key)}],
        "keywords": {language: [str(page.get_kind_display())]},
    }
    if long_description.strip():
        payload["longDescription"] = {language: long_description}
    for field, code in ACCESSIBILITY_TO_OPENAGENDA.items():
        if getattr(page, field):
            payload["accessibility"][code] = True
    if location_uid and page.attendance != EventAttendance.ONLINE:
        payload["locationUid"] = location_uid
    if page.online_url and page.attendance != EventAttendance.IN_PERSON:
        payload["onlineAccessLink"] = page.online_url
    if image_url:
        payload["image"] = {"url": image_url}
        if page.image_credit:
            payload["imageCredits"] = page.image_credit
    if page.age_min is not None or page.age_max is not None:
        payload["age"] = {"min": page.age_min or 0, "max": page.age_max or 120}
    return payload


# --- Places ----------------------------------------------------------------------------------

COUNTRY_CODES = {
    "canada": "CA",
    "france": "FR",
    "belgique": "BE",
    "belgium": "BE",
    "suisse": "CH",
    "switzerland": "CH",
    "québec": "CA",
    "quebec": "CA",
}


def country_code(country: str, organization_language: str) -> str:
    value = (country or "").strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    if value.lower() in COUNTRY_CODES:
        return COUNTRY_CODES[value.lower()]
    return "FR" if organization_language == "fr-fr" else "CA"


def _address(record) -> str:
    return ", ".join(
        part
        for part in (record.street_address, record.postal_code, record.locality, record.region)
        if part
    )


def place_of(
    page: EventPage, organization_language: str, *, venue_is_public: bool = False
) -> tuple[str, dict] | None:
    """``(external value, place data)`` of where the event takes place: its venue record when
    ``venue_is_public`` (the caller checked it is a live, unrestricted page of the site), else
    the place typed on it; ``None`` when it names no place. A draft or view-restricted venue's
    name, address and coordinates never leave for OpenAgenda."""
    venue = page.venue if venue_is_public else None
    if venue is not None:
        source, name, value = venue, venue.title, f"venue-{venue.translation_key}"
    elif page.place_name or page.street_address:
        source = page
        name = page.place_name or page.street_address
        digest = hashlib.sha256(f"{name}|{_address(page)}".lower().encode()).hexdigest()[:20]
        value = f"place-{digest}"
    else:
        return None
    data = {
        "name": name[:100],
        "address": (_address(source) or name)[:255],
        "countryCode": country_code(source.country, organization_language),
        "extIds": [{"key": EXT_KEY, "value": value}],
    }
    if source.postal_code:
        data["postalCode"] = source.postal_code
    if source.latitude is not None and source.longitude is not None:
        data["latitude"] = float(source.latitude)
        data["longitude"] = float(source.longitude)
    return value, data


# --- From OpenAgenda -------------------------------------------------------------------------


def text_in(value, language: str) -> str:
    """A multilingual field's text in ``language``, else in any language it has."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get(language):
            return str(value[language])
        for text in value.values():
            if text:
                return str(text)
    return ""


def _paragraphs(text: str) -> str:
    """Text (OpenAgenda's markdown) as escaped paragraphs: nothing from outside reaches the
    page as markup."""
    text = strip_tags(text)
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join(
        "<p>" + "<br/>".join(html.escape(line) for line in block.splitlines()) + "</p>"
        for block in blocks
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _url(value) -> str:
    """An http(s) link that the event's URL field accepts, else nothing."""
    text = str(value or "").strip()
    if len(text) > 200:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return ""
    return text


def _zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def _parse(value) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None


def page_fields(event: dict, *, language: str, default_time_zone: str) -> dict | None:
    """The fields of an ``EventPage`` for an OpenAgenda event (``None`` when it has no title or
    no slot that reads): its first slot gives the date and times, other slots on other days
    become its other dates."""
    title = text_in(event.get("title"), language).strip()
    location = event.get("location") if isinstance(event.get("location"), dict) else {}
    tz = _zone(event.get("timezone") or location.get("timezone"), default_time_zone)
    slots = []
    for timing in event.get("timings") or []:
        if not isinstance(timing, dict):
            continue
        begin, end = _parse(timing.get("begin")), _parse(timing.get("end"))
        if begin is not None:
            slots.append((begin.astimezone(tz), end.astimezone(tz) if end else None))
    if not title or not slots:
        return None
    slots.sort(key=lambda slot: slot[0])
    first_begin, first_end = slots[0]
    fields = {
        "title": title[:255],
        "summary": text_in(event.get("description"), language).strip()[:300],
        "start_date": first_begin.date(),
        "start_time": first_begin.time().replace(tzinfo=None),
        "end_date": None,
        "end_time": first_end.time().replace(tzinfo=None) if first_end else None,
        "time_zone": str(tz),
        "dates": "; ".join(
            sorted(
                {begin.date().isoformat() for begin, _end in slots[1:]}
                - {first_begin.date().isoformat()}
            )
        ),
        "status": STATUS_FROM_OPENAGENDA.get(_int(event.get("status")), EventStatus.SCHEDULED),
        "attendance": ATTENDANCE_FROM_OPENAGENDA.get(
            _int(event.get("attendanceMode")), EventAttendance.IN_PERSON
        ),
        "online_url": _url(event.get("onlineAccessLink")),
        "place_name": str(location.get("name") or "")[:200],
        "street_address": str(location.get("address") or "")[:255],
        "postal_code": str(location.get("postalCode") or "")[:20],
        "locality": str(location.get("city") or location.get("adminLevel4") or "")[:100],
        "region": str(location.get("region") or location.get("adminLevel1") or "")[:100],
        "country": str(location.get("countryCode") or "")[:100],
    }
    if first_end and first_end.date() != first_begin.date():
        fields["end_date"] = first_end.date()
    if fields["attendance"] != EventAttendance.IN_PERSON and not fields["online_url"]:
        fields["attendance"] = EventAttendance.IN_PERSON
    accessibility = (
        event.get("accessibility") if isinstance(event.get("accessibility"), dict) else {}
    )
    for field in ACCESSIBILITY_TO_OPENAGENDA:
        fields[field] = False
    for code, field in ACCESSIBILITY_FROM_OPENAGENDA.items():
        fields[field] = bool(accessibility.get(code))
    age = event.get("age") if isinstance(event.get("age"), dict) else {}
    for key, field in (("min", "age_min"), ("max", "age_max")):
        value = age.get(key)
        fields[field] = value if isinstance(value, int) and 0 <= value <= 120 else None
    body = _paragraphs(text_in(event.get("longDescription"), language))
    fields["body"] = [("text", {"text": RichText(body)})] if body else []
    return fields
