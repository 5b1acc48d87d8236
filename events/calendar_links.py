"""Links that put an event in someone's calendar (its ``calendar.ics``, Google Calendar,
Outlook.com) and the addresses of the agenda's feed to subscribe to, with the current filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import QueryDict

from organizations.scoping import restricted_paths_within

from .feeds import FEED_FILTERS, location_of
from .models import EventOccurrence, EventPage

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class CalendarLinks:
    title: str
    ics: str
    google: str
    outlook: str


@dataclass(frozen=True)
class FeedLinks:
    https: str
    webcal: str
    filtered: bool


def next_date(event: EventPage, now: dt.datetime | None = None) -> EventOccurrence | None:
    """The next date shown in the agenda, else the last one (a past event can still be noted)."""
    dates = EventOccurrence.objects.filter(event=event).shown()
    return dates.upcoming(now).first() or dates.order_by("-start").first()


def page_url(page, request=None) -> str:
    return page.get_full_url(request) or page.get_url(request) or ""


def event_links(event: EventPage, request=None) -> CalendarLinks | None:
    """The "Add to my calendar" links of a published event, for its next date; ``None`` when it
    has no date to add."""
    occurrence = next_date(event)
    if occurrence is None:
        return None
    tzid = event.get_time_zone()
    tz = ZoneInfo(tzid)
    start = occurrence.start.astimezone(tz)
    end = occurrence.end.astimezone(tz) if occurrence.end else start
    venue = event.venue
    venue_public = bool(venue and venue.live and not restricted_paths_within(venue))
    location, _geo = location_of(event, venue_public)
    url = page_url(event, request)
    details = "\n\n".join(text for text in (event.summary, url) if text)
    if occurrence.all_day:
        google_dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
        outlook_times = {"startdt": f"{start:%Y-%m-%d}", "enddt": f"{end:%Y-%m-%d}"}
        outlook_times["allday"] = "true"
    else:
        google_dates = f"{start:%Y%m%dT%H%M%S}/{end:%Y%m%dT%H%M%S}"
        outlook_times = {"startdt": start.isoformat(), "enddt": end.isoformat()}
    google = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": google_dates,
        "ctz": tzid,
        "details": details,
        "location": location,
    }
    outlook = {"subject": event.title, **outlook_times, "body": details, "location": location}
    return CalendarLinks(
        title=event.title,
        ics=url + event.reverse_subpage("calendar") if url else "",
        google=f"{GOOGLE_CALENDAR}?{urlencode(google)}",
        outlook=f"{OUTLOOK_CALENDAR}?{urlencode(outlook)}",
    )


def feed_query_string(query) -> str:
    """Only the feed's filters of ``query`` (a ``QueryDict``, a mapping or a query string)."""
    if isinstance(query, str):
        query = QueryDict(query.lstrip("?"))
    pairs = []
    for name in FEED_FILTERS:
        values = query.getlist(name) if hasattr(query, "getlist") else query.get(name) or []
        if isinstance(values, str):
            values = [values]
        pairs += [(name, value) for value in values if value]
    return urlencode(pairs)


def feed_links(agenda, query=None, request=None) -> FeedLinks:
    """The agenda's feed with the filters of ``query``: its https address to copy, and the
    ``webcal://`` one that calendar apps open to subscribe."""
    url = page_url(agenda, request) + agenda.reverse_subpage("feed")
    query_string = feed_query_string(query or "")
    if query_string:
        url = f"{url}?{query_string}"
    webcal = "webcal://" + url.split("://", 1)[1] if "://" in url else url
    return FeedLinks(https=url, webcal=webcal, filtered=bool(query_string))
