"""iCalendar feeds (RFC 5545): the agenda's ``feed.ics`` (filtered by venue, kind, organizer and
audience) and one event's ``calendar.ics``.

Each event is written once, as it is stored: one VEVENT with its rule (RRULE), added dates
(RDATE) and excluded ones (EXDATE), in its own time zone (TZID, with a VTIMEZONE for every zone
used), so that a 19:00 screening stays at 19:00 local on both sides of a daylight-saving change;
then one VEVENT with a RECURRENCE-ID for each date moved or cancelled on its own. The UID comes
from the page's ``translation_key`` (never its URL, which a move changes), ``SEQUENCE`` from
``EventPublication``. Only live pages without view restriction, in the agenda's language, and
only their public fields (never the private twin).

The text is written here rather than through ``icalendar``'s objects, which are several times
slower on a large agenda: values escaped (``escape_text``) and lines folded at 75 octets
without splitting a character (``fold``). The tests read every feed back with ``icalendar`` and
expand it with ``recurring-ical-events``.

A built feed is cached under the site's generation (``public_cache``), its filters and its
language: whatever changes a public page of the site forgets it. Its ``ETag`` and
``Last-Modified`` answer a conditional GET with a 304 before any query of the feed's own.

Unknown filter values: a ``kind`` or ``audience`` that does not exist is a mistake in the link,
answered with a 400 that says so; a ``venue`` or ``organizer`` slug that matches nothing gives
an empty (valid) calendar, because a venue may simply have nothing planned, and a subscription
must keep working until it has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from wagtail.models import Site

from organizations.models import OrganizationSettings
from organizations.scoping import restricted_paths_within
from public_cache.generations import site_generation

from .models import (
    EventAttendance,
    EventAudience,
    EventKind,
    EventOccurrenceChange,
    EventPage,
    EventStatus,
)
from .models.pages import horizon_for
from .recurrence import RecurrenceRule, Timing

#: The query parameters a feed reads: ``?venue=SLUG&kind=screening`` (each may repeat).
FEED_FILTERS = ("venue", "kind", "organizer", "audience")
#: More values than this in one parameter is not a link anyone made by hand.
MAX_FILTER_VALUES = 20
#: How often calendar apps should look again (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH_INTERVAL = "PT1H"
#: Where the UIDs live: ``<translation_key>@liens-mutuels``.
UID_DOMAIN = "liens-mutuels"
PRODUCT_ID = "-//Liens Mutuels//Agenda//"

CRLF = "\r\n"
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
#: Control characters TEXT may not hold (RFC 5545 3.3.11); a tab may stay.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NEEDS_ESCAPE = re.compile(r"[\\;,\r\n\x00-\x08\x0b-\x1f\x7f]")


# --- Writing ---------------------------------------------------------------------------------


def escape_text(value) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped
    (CR, LF and CRLF all become ``\\n``), other control characters dropped."""
    value = str(value)
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT_ESCAPES)
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1): counted in UTF-8, never inside a
    character; each continuation starts with a space."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode()
    if len(data) <= 75:
        return line
    parts = []
    start, limit = 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: step back to the character
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def utc_stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(value: dt.datetime) -> str:
    return f"{value:%Y%m%dT%H%M%S}"


def date_stamp(value: dt.date) -> str:
    return f"{value:%Y%m%d}"


def time_property(name: str, value: dt.datetime | dt.date, tzid: str, all_day: bool) -> str:
    if all_day:
        return f"{name};VALUE=DATE:{date_stamp(value)}"
    return f"{name};TZID={tzid}:{local_stamp(value)}"


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of ``tzid`` for the years given, from the zone's own transitions
    (``icalendar.Timezone.from_tzinfo``), as folded CRLF lines."""
    component = icalendar.Timezone.from_tzinfo(
        ZoneInfo(tzid),
        tzid=tzid,
        first_date=dt.date(first_year, 1, 1),
        last_date=dt.date(last_year, 12, 31),
    )
    return component.to_ical().decode().rstrip(CRLF)


# --- What a feed shows of an event ------------------------------------------------------------


@dataclass
class FeedContext:
    """What every event of one feed shares: where the pages are, what may be shown of venues,
    the labels in the feed's language."""

    base_url: str  # the agenda's full URL
    base_path: str  # the agenda's url_path
    default_time_zone: str
    restricted_paths: tuple[str, ...] = ()
    #: How far the agenda stores dates: rules without end get zones that far.
    horizon: dt.date = field(default_factory=lambda: horizon_for(timezone.localdate()))
    kind_labels: dict = field(default_factory=dict)
    status_labels: dict = field(default_factory=dict)
    #: Zone -> (first year, last year) used: one VTIMEZONE each.
    zones: dict = field(default_factory=dict)

    def url_of(self, page: EventPage) -> str:
        return self.base_url + page.url_path[len(self.base_path) :]

    def venue_is_public(self, venue) -> bool:
        return (
            venue is not None
            and venue.live
            and not any(venue.path.startswith(path) for path in self.restricted_paths)
        )

    def use_zone(self, tzid: str, *days: dt.date) -> None:
        first, last = self.zones.get(tzid, (days[0].year, days[0].year))
        for day in days:
            first, last = min(first, day.year), max(last, day.year)
        self.zones[tzid] = (first, last)


def location_of(page: EventPage, venue_public: bool) -> tuple[str, tuple | None]:
    """The place as one line (name, then address) and its coordinates, from the event's own
    fields, else its venue's public ones; the online link for an event that is only online."""
    venue = page.venue if venue_public else None
    name = venue.title if venue is not None else page.place_name
    source = page if (page.street_address or page.locality or venue is None) else venue
    parts = [
        name,
        source.street_address,
        source.locality,
        source.region,
        source.postal_code,
        source.country,
    ]
    text = ", ".join(part.strip() for part in parts if part and part.strip())
    if not text and page.attendance != EventAttendance.IN_PERSON and page.online_url:
        text = page.online_url
    geo = None
    for candidate in (page, venue):
        if candidate is not None and None not in (candidate.latitude, candidate.longitude):
            geo = (candidate.latitude, candidate.longitude)
            break
    return text, geo


def last_modified_of(page: EventPage) -> dt.datetime:
    publication = getattr(page, "publication", None) if _has_publication(page) else None
    candidates = [
        value
        for value in (
            publication.changed_at if publication else None,
            page.last_published_at,
            page.first_published_at,
        )
        if value is not None
    ]
    return max(candidates) if candidates else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _has_publication(page: EventPage) -> bool:
    try:
        page.publication  # noqa: B018 - selected with the page, or missing
    except EventPage.publication.RelatedObjectDoesNotExist:
        return False
    return True


def sequence_of(page: EventPage) -> int:
    return page.publication.sequence if _has_publication(page) else 0


def _first_of_rule(timing: Timing) -> dt.datetime | None:
    """The first local start the rule gives: RFC 5545 counts DTSTART as an occurrence even when
    the rule would not give it (a Monday start for "every Tuesday"), the agenda does not; the
    feed starts on the rule's first date so that both agree."""
    rule = timing.rule
    first = timing.local_start()
    if not rule.weekdays and not rule.until:
        return first  # FREQ, INTERVAL, COUNT alone always give DTSTART first
    return next(iter(rule.dateutil_rule(first, timing.tz)), None)


def rrule_text(rule: RecurrenceRule, tz: ZoneInfo, all_day: bool) -> str:
    """The RRULE value; UNTIL as the value type of DTSTART (RFC 5545 3.3.10): a date for an
    all-day event, else the end of that day in the event's zone, in UTC."""
    parts = [f"FREQ={rule.frequency}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.weekdays:
        parts.append("BYDAY=" + ",".join(rule.weekdays))
    if rule.until:
        if all_day:
            parts.append(f"UNTIL={date_stamp(rule.until)}")
        else:
            last = dt.datetime.combine(rule.until, dt.time(23, 59, 59), tzinfo=tz)
            parts.append(f"UNTIL={utc_stamp(last)}")
    if rule.count:
        parts.append(f"COUNT={rule.count}")
    return ";".join(parts)


def event_lines(page: EventPage, context: FeedContext) -> list[str]:
    """The VEVENTs of one event (unfolded lines): the event with its repetitions, then one per
    date moved or cancelled on its own. Empty when the event has no date at all."""
    tzid = page.time_zone or context.default_time_zone
    timing = page.timing(time_zone=tzid)
    tz = timing.tz
    all_day = timing.all_day
    first = timing.local_start()
    rule = timing.rule
    extra_dates = list(timing.dates)
    excluded = set(timing.exceptions)
    if rule is not None:
        rule_first = _first_of_rule(timing)
        if rule_first is None:  # the rule gives nothing: the added dates alone remain
            rule = None
            if not extra_dates:
                return []
            first = dt.datetime.combine(extra_dates.pop(0), first.time())
        else:
            first = rule_first
    duration = timing.duration()
    has_end = timing.has_end()
    start_time = first.time()

    uid = f"{page.translation_key}@{UID_DOMAIN}"
    modified = utc_stamp(last_modified_of(page))
    sequence = sequence_of(page)
    cancelled = page.status == EventStatus.CANCELLED
    status = (
        "CANCELLED"
        if cancelled
        else ("TENTATIVE" if page.status == EventStatus.POSTPONED else "CONFIRMED")
    )
    summary = escape_text(page.title)
    description = page.summary
    if page.status not in (EventStatus.SCHEDULED, EventStatus.CANCELLED):
        label = context.status_labels.get(page.status, "")
        description = f"{label}. {description}" if description else str(label)
    if page.attendance != EventAttendance.IN_PERSON and page.online_url:
        description = f"{description}\n{page.online_url}" if description else page.online_url
    location, geo = location_of(page, context.venue_is_public(page.venue))
    url = context.url_of(page)
    common = [
        f"UID:{uid}",
        f"DTSTAMP:{modified}",
        f"LAST-MODIFIED:{modified}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{summary}",
    ]
    if location:
        common.append(f"LOCATION:{escape_text(location)}")
    if geo is not None:
        common.append(f"GEO:{geo[0]:f};{geo[1]:f}")
    common.append(f"URL;VALUE=URI:{url}")
    tail = [f"CATEGORIES:{escape_text(context.kind_labels.get(page.kind, page.kind))}"]
    tail.append("CLASS:PUBLIC")

    def span(start: dt.datetime, end: dt.datetime | None, name_start="DTSTART") -> list[str]:
        lines = [time_property(name_start, start, tzid, all_day)]
        if end is not None:
            lines.append(time_property("DTEND", end, tzid, all_day))
        return lines

    lines = ["BEGIN:VEVENT", *common]
    if page.first_published_at is not None:
        lines.append(f"CREATED:{utc_stamp(page.first_published_at)}")
    lines += span(first, first + duration if has_end else None)
    if rule is not None:
        lines.append(f"RRULE:{rrule_text(rule, tz, all_day)}")
    days = [first.date()]
    if extra_dates:
        values = [dt.datetime.combine(day, start_time) for day in extra_dates]
        days += extra_dates
        if all_day:
            lines.append("RDATE;VALUE=DATE:" + ",".join(date_stamp(day) for day in extra_dates))
        else:
            lines.append(f"RDATE;TZID={tzid}:" + ",".join(local_stamp(v) for v in values))
    if excluded:
        if all_day:
            lines.append("EXDATE;VALUE=DATE:" + ",".join(date_stamp(d) for d in sorted(excluded)))
        else:
            stamps = (local_stamp(dt.datetime.combine(d, start_time)) for d in sorted(excluded))
            lines.append(f"EXDATE;TZID={tzid}:" + ",".join(stamps))
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines += [*tail, f"STATUS:{status}", "END:VEVENT"]

    for change in page.occurrence_changes.all():
        original = dt.datetime.combine(change.original_date, start_time)
        if not _in_set(original, first, rule, timing, extra_dates, excluded):
            continue  # a date the event does not take place on: the agenda ignores it too
        if change.action == EventOccurrenceChange.Action.MOVE:
            new_start, new_end = change.moved_to(timing, original)
            if all_day:
                new_start = dt.datetime.combine(new_start.date(), start_time)
                new_end = new_start + duration
            has_new_end = has_end or change.new_end_time
            dates = span(new_start, new_end if has_new_end else None)
            days.append(new_start.date())
            occurrence_status = status
        else:
            dates = span(original, original + duration if has_end else None)
            occurrence_status = "CANCELLED"
        lines += ["BEGIN:VEVENT", *common]
        lines.append(time_property("RECURRENCE-ID", original, tzid, all_day))
        lines += dates
        note = "\n".join(text for text in (change.note, page.summary) if text)
        if note:
            lines.append(f"DESCRIPTION:{escape_text(note)}")
        lines += [*tail, f"STATUS:{occurrence_status}", "END:VEVENT"]
    if not all_day:
        if rule is not None:  # a rule without end goes on: its zone as far as the agenda does
            days.append(rule.until or context.horizon)
        context.use_zone(tzid, *days)
    return lines


def _in_set(original, first, rule, timing, extra_dates, excluded) -> bool:
    if original.date() in excluded:
        return False
    if original == first or original.date() in extra_dates:
        return True
    if rule is None:
        return False
    return original in rule.dateutil_rule(timing.local_start(), timing.tz)


# --- Calendars -------------------------------------------------------------------------------


def calendar_text(
    pages: Iterable[EventPage], context: FeedContext, *, name: str, language: str
) -> str:
    """The whole calendar, folded, with CRLF line ends."""
    body = []
    for page in pages:
        body += event_lines(page, context)
    if not context.zones:  # a calendar holds at least one component (RFC 5545 3.4)
        year = timezone.now().year
        context.zones[context.default_time_zone] = (year, year + 1)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}{language.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{context.default_time_zone}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
        f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
    ]
    zones = [vtimezone(tzid, *years) for tzid, years in sorted(context.zones.items())]
    lines = [fold(line) for line in head] + zones + [fold(line) for line in body]
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF


def feed_events(agenda, filters: dict[str, tuple[str, ...]]):
    """The public events of the agenda's feed: live, unrestricted, below the agenda, in its
    language, filtered; with what the feed shows of them in as few queries as possible."""
    events = (
        EventPage.objects.published(within=agenda)
        .descendant_of(agenda)
        .filter(locale_id=agenda.locale_id)
        .select_related("venue", "publication")
        .prefetch_related(
            Prefetch(
                "occurrence_changes",
                queryset=EventOccurrenceChange.objects.order_by("original_date", "pk"),
            )
        )
        .defer("body", "venue__description")
        .order_by("start_date", "path")
    )
    if filters.get("venue"):
        events = events.filter(venue__slug__in=filters["venue"])
    if filters.get("kind"):
        events = events.filter(kind__in=filters["kind"])
    if filters.get("organizer"):
        events = events.filter(organizer__slug__in=filters["organizer"])
    if filters.get("audience"):
        events = events.filter(audience__in=filters["audience"])
    return events


def feed_context(request, site: Site, base) -> tuple[FeedContext, OrganizationSettings]:
    """What the events of a feed share; ``base`` is the page their URLs are below."""
    settings_ = OrganizationSettings.for_site(site)
    return FeedContext(
        base_url=base.get_full_url(request),
        base_path=base.url_path,
        default_time_zone=settings_.time_zone or settings.TIME_ZONE,
        restricted_paths=tuple(restricted_paths_within(site.root_page)),
        kind_labels={value: str(label) for value, label in EventKind.choices},
        status_labels={value: str(label) for value, label in EventStatus.choices},
    ), settings_


# --- Views -----------------------------------------------------------------------------------


def read_filters(query) -> dict[str, tuple[str, ...]] | str:
    """The feed's filters from the query string (sorted, without duplicates), or the message
    that says which value is wrong."""
    filters = {}
    allowed = {"kind": set(EventKind.values), "audience": set(EventAudience.values)}
    for name in FEED_FILTERS:
        values = tuple(sorted({value.strip() for value in query.getlist(name) if value.strip()}))
        if len(values) > MAX_FILTER_VALUES:
            return _("Too many values for “%(name)s” in the feed's address.") % {"name": name}
        wrong = [value for value in values if name in allowed and value not in allowed[name]]
        if wrong:
            return _("The agenda knows no “%(value)s” for “%(name)s”.") % {
                "value": wrong[0][:100],
                "name": name,
            }
        if values:
            filters[name] = values
    return filters


@dataclass(frozen=True)
class BuiltFeed:
    content: bytes
    etag: str
    last_modified: float  # seconds since the epoch: when it was built


def cached_feed(request, *, scope: str, language: str, build) -> HttpResponse:
    """The feed under ``scope`` from the cache, built on a miss; a 304 when the visitor's
    copy is current, before anything of the feed is read."""
    site = Site.find_for_request(request)  # Wagtail found it to route the request
    parts = (
        "events-feed",
        str(site.pk if site else 0),
        str(site_generation(site.pk) if site else 0),  # before anything is read for the feed
        request.scheme,
        request.get_host(),
        language,
        scope,
    )
    key = hashlib.md5(":".join(parts).encode(), usedforsecurity=False).hexdigest()
    key = f"events-feed:{key}"
    built = cache.get(key)
    if built is None:
        with translation.override(language):
            content = build(site).encode()
        built = BuiltFeed(
            content=content,
            etag=quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()),
            last_modified=float(int(timezone.now().timestamp())),
        )
        cache.set(key, built, feed_cache_timeout())
    not_modified = get_conditional_response(
        request, etag=built.etag, last_modified=built.last_modified
    )
    if not_modified is not None:
        return not_modified
    response = HttpResponse(built.content, content_type="text/calendar; charset=utf-8")
    response.headers["ETag"] = built.etag
    response.headers["Last-Modified"] = http_date(built.last_modified)
    return response


def feed_cache_timeout() -> int:
    return getattr(settings, "EVENTS_FEED_CACHE_TIMEOUT", 60 * 60 * 24)


def agenda_feed_view(request, agenda) -> HttpResponse:
    """``{agenda}/feed.ics``: the agenda's public events, filtered by the query string."""
    filters = read_filters(request.GET)
    if isinstance(filters, str):
        return HttpResponseBadRequest(filters, content_type="text/plain; charset=utf-8")
    language = agenda.locale.language_code

    def build(site: Site) -> str:
        context, settings_ = feed_context(request, site, agenda)
        name = f"{agenda.title} — {settings_.display_name}"
        return calendar_text(
            feed_events(agenda, filters).iterator(chunk_size=2000),
            context,
            name=name,
            language=language,
        )

    response = cached_feed(
        request,
        scope=f"agenda:{agenda.pk}:{urlencode(filters, doseq=True)}",
        language=language,
        build=build,
    )
    if response.status_code == 200:
        response.headers["Content-Disposition"] = f'inline; filename="{agenda.slug}.ics"'
    return response


def event_feed_view(request, event) -> HttpResponse:
    """``{event}/calendar.ics``: one event, for "Add to my calendar"."""
    if not event.live:
        raise Http404
    language = event.locale.language_code

    def build(site: Site) -> str:
        if restricted_paths_within(event):  # Wagtail let a visitor with access through
            raise Http404
        page = (
            EventPage.objects.filter(pk=event.pk)
            .select_related("venue", "publication")
            .prefetch_related("occurrence_changes")
            .get()
        )
        context, _settings = feed_context(request, site, page)
        return calendar_text([page], context, name=page.title, language=language)

    response = cached_feed(request, scope=f"event:{event.pk}", language=language, build=build)
    if response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
