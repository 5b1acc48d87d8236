"""What the agenda and the event pages show: coming dates of the published events, filtered,
grouped by day, a month grid, and the coming events of a venue, organizer or performer.

Everything reads ``EventOccurrence`` rows (one indexed table) rather than expanding rules, and
costs the same number of queries whatever the number of events: the page's events are a
subquery, venues and images are fetched in bulk. Only what the public may see is read: live
events without view restriction below the agenda, and linked records (venues, organizers,
performers) only when they are live, public and of the same organization.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from crm_blocks.models import OrganizationPage, PersonPage
from crm_blocks.models.records import images_with_renditions
from organizations.models import OrganizationSettings
from organizations.money import format_money
from organizations.scoping import public_pages_for_site

from .models import (
    EventAccessibility,
    EventAudience,
    EventKind,
    EventOccurrence,
    EventPage,
    EventStatus,
)

#: Dates listed per page of the agenda.
PAGE_SIZE = 30
#: Coming dates an event's page lists.
EVENT_DATES = 50
#: Dates a venue's, organizer's or performer's page lists.
RECORD_EVENTS = 8
#: Images shown in the agenda's list, prefetched with these renditions.
LIST_RENDITION = "fill-320x200"
#: Event statuses worth a mark beside the title (a scheduled event needs none).
MARKED_STATUSES = {
    EventStatus.CANCELLED,
    EventStatus.POSTPONED,
    EventStatus.RESCHEDULED,
    EventStatus.MOVED_ONLINE,
    EventStatus.FULL,
}

#: A sign beside each accessibility feature's words (the words are what is read out).
ACCESS_ICONS = {
    "wheelchair_accessible": "♿",
    "hearing_loop": "⦾",
    "audio_description": "AD",
    "deaf_subtitles": "CC",
    "sign_language": "🤟",
}


def accessibility(event: EventPage) -> list[tuple[str, str, str]]:
    """``(field, icon, label)`` of each feature the event offers."""
    return [
        (name, ACCESS_ICONS.get(name, "•"), label)
        for name, label in EventAccessibility.FIELDS.items()
        if getattr(event, name)
    ]


def day_label(day: dt.date) -> str:
    """« mardi 9 mars 2027 »: the weekday and the language's own date format."""
    return _("%(weekday)s %(date)s") % {
        "weekday": WEEKDAYS[day.weekday()],
        "date": formats.date_format(day, "DATE_FORMAT"),
    }


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_month(text: str) -> dt.date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None


def this_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    """Saturday and Sunday of this week (from today when the weekend has begun)."""
    saturday = today + dt.timedelta(days=5 - today.weekday())
    sunday = saturday + dt.timedelta(days=1)
    return max(saturday, today), sunday


@dataclass
class AgendaQuery:
    """What the visitor asked for through the query string, checked."""

    today: dt.date
    start: dt.date | None = None
    end: dt.date | None = None
    weekend: bool = False
    month: dt.date | None = None
    past: bool = False
    kind: str = ""
    venue: str = ""
    audience: str = ""
    access: str = ""
    free: bool = False
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls, params, today: dt.date) -> AgendaQuery:
        query = cls(today=today)
        for name, attribute in (("from", "start"), ("to", "end")):
            text = params.get(name, "").strip()
            if text:
                value = parse_day(text)
                if value is None:
                    query.errors.append(
                        _("“%(value)s” is not a date: write it as 2027-03-09.") % {"value": text}
                    )
                setattr(query, attribute, value)
        if query.start and query.end and query.end < query.start:
            query.errors.append(_("The end date comes before the start date: both are ignored."))
            query.start = query.end = None
        if params.get("when") == "weekend":
            query.weekend = True
            query.start, query.end = this_weekend(today)
        month = params.get("month", "").strip()
        if month:
            query.month = parse_month(month)
            if query.month is None or not 1900 < query.month.year < 2200:
                query.month = None
                query.errors.append(
                    _("“%(value)s” is not a month: write it as 2027-03.") % {"value": month}
                )
        query.past = params.get("past") == "1" and query.month is None
        query.kind = params.get("kind", "") if params.get("kind") in EventKind.values else ""
        query.audience = (
            params.get("audience", "") if params.get("audience") in EventAudience.values else ""
        )
        access = params.get("access", "")
        query.access = access if access in EventAccessibility.FIELDS else ""
        query.venue = params.get("venue", "").strip()[:255]
        query.free = params.get("free") == "1"
        return query

    @property
    def month_bounds(self) -> tuple[dt.date, dt.date] | None:
        if self.month is None:
            return None
        last = calendar.monthrange(self.month.year, self.month.month)[1]
        return self.month, self.month.replace(day=last)

    def has_filters(self) -> bool:
        return (
            bool(self.start or self.end or self.kind or self.venue or self.audience or self.access)
            or self.free
        )

    def params(self, **changes) -> dict:
        """The query string of this view (the filters kept), with ``changes``."""
        values = {
            "from": self.start.isoformat() if self.start and not self.weekend else "",
            "to": self.end.isoformat() if self.end and not self.weekend else "",
            "when": "weekend" if self.weekend else "",
            "kind": self.kind,
            "venue": self.venue,
            "audience": self.audience,
            "access": self.access,
            "free": "1" if self.free else "",
            "month": self.month.strftime("%Y-%m") if self.month else "",
            "past": "1" if self.past else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def agenda_events(agenda):
    """The events the public may see below ``agenda`` (a subquery, never evaluated here)."""
    return EventPage.objects.descendant_of(agenda).published(within=agenda).values("pk")


def organization_defaults(request, site) -> tuple[str, str]:
    """The organization's time zone and currency, read once per request."""
    if request is not None:
        settings = OrganizationSettings.for_request(request)
    else:
        settings = OrganizationSettings.for_site(site)
    return settings.time_zone or "UTC", settings.currency


def public_page_ids(site, ids) -> set[int]:
    """Those of ``ids`` that are live, public pages of ``site``: one query (and one for the
    site's restrictions), so that a draft venue's or performer's name is never shown."""
    ids = {pk for pk in ids if pk}
    if not ids or site is None:
        return set()
    return set(public_pages_for_site(site).filter(pk__in=ids).values_list("pk", flat=True))


def decorate(occurrences, *, site, time_zone: str, currency: str) -> list:
    """Give each occurrence what its line shows: local start and end, price, a public venue."""
    occurrences = list(occurrences)
    venues = public_page_ids(site, {o.event.venue_id for o in occurrences})
    zones: dict[str, ZoneInfo] = {}
    for occurrence in occurrences:
        event = occurrence.event
        name = event.time_zone or time_zone
        tz = zones.setdefault(name, ZoneInfo(name))
        occurrence.local_start = occurrence.start.astimezone(tz)
        occurrence.local_end = occurrence.end.astimezone(tz) if occurrence.end else None
        occurrence.public_venue = event.venue if event.venue_id in venues else None
        occurrence.price_label = price_label(event, currency)
        occurrence.accessibility = accessibility(event)
        occurrence.event_status = (
            event.get_status_display() if event.status in MARKED_STATUSES else ""
        )
    return occurrences


def price_label(event: EventPage, currency: str) -> str:
    if event.is_free:
        return _("Free")
    if event.price is not None:
        return format_money(event.price, event.currency or currency)
    return ""


def group_by_day(occurrences) -> list[dict]:
    return [
        {"date": day, "label": day_label(day), "occurrences": list(rows)}
        for day, rows in groupby(occurrences, key=lambda row: row.local_date)
    ]


def filter_choices(occurrences, query: AgendaQuery, site) -> tuple[list[dict], bool]:
    """The select fields of the filter form, each with only the choices that list something
    (a choice that lists nothing is a dead end) and the one selected; and whether "free only"
    lists something."""
    events = EventPage.objects.filter(pk__in=occurrences.values("event_id")).order_by()
    access_fields = list(EventAccessibility.FIELDS)
    rows = list(
        events.values_list("kind", "audience", "venue_id", "is_free", *access_fields).distinct()
    )
    kinds = {row[0] for row in rows}
    audiences = {row[1] for row in rows}
    venue_ids = {row[2] for row in rows if row[2]}
    has_free = any(row[3] for row in rows)
    access = {name for row in rows for name, on in zip(access_fields, row[4:], strict=True) if on}
    venues = []
    if venue_ids:
        public = public_page_ids(site, venue_ids)
        venues = sorted(
            OrganizationPage.objects.filter(pk__in=public).values_list("slug", "title"),
            key=lambda choice: choice[1].casefold(),
        )
    fields = [
        {
            "name": "kind",
            "label": gettext_lazy("Kind"),
            "all_label": gettext_lazy("All kinds"),
            "selected": query.kind,
            "choices": [c for c in EventKind.choices if c[0] in kinds or c[0] == query.kind],
        },
        {
            "name": "venue",
            "label": gettext_lazy("Venue"),
            "all_label": gettext_lazy("All venues"),
            "selected": query.venue,
            "choices": venues,
        },
        {
            "name": "audience",
            "label": gettext_lazy("Audience"),
            "all_label": gettext_lazy("Everyone"),
            "selected": query.audience,
            "choices": [
                c for c in EventAudience.choices if c[0] in audiences or c[0] == query.audience
            ],
        },
        {
            "name": "access",
            "label": gettext_lazy("Accessibility"),
            "all_label": gettext_lazy("Any"),
            "selected": query.access,
            "choices": [
                (name, label)
                for name, label in EventAccessibility.FIELDS.items()
                if name in access or name == query.access
            ],
        },
    ]
    shown = [f for f in fields if f["choices"] and (len(f["choices"]) > 1 or f["selected"])]
    return shown, has_free or query.free


def apply_filters(occurrences, query: AgendaQuery):
    if query.kind:
        occurrences = occurrences.filter(event__kind=query.kind)
    if query.audience:
        occurrences = occurrences.filter(event__audience=query.audience)
    if query.access:
        occurrences = occurrences.filter(**{f"event__{query.access}": True})
    if query.venue:
        occurrences = occurrences.filter(event__venue__slug=query.venue)
    if query.free:
        occurrences = occurrences.filter(event__is_free=True)
    return occurrences


def month_grid(occurrences, query: AgendaQuery) -> dict:
    """A month as weeks of days, each day with how many dates it lists and a link to them."""
    first, last = query.month_bounds
    counts = dict(
        occurrences.filter(local_date__range=(first, last))
        .order_by()
        .values_list("local_date")
        .annotate(count=Count("pk"))
    )
    first_weekday = int(formats.get_format("FIRST_DAY_OF_WEEK"))  # 0 = Sunday
    weeks = calendar.Calendar((first_weekday - 1) % 7).monthdatescalendar(first.year, first.month)
    order = [(first_weekday - 1 + n) % 7 for n in range(7)]
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return {
        "first": first,
        "weekdays": [{"name": WEEKDAYS[n], "abbr": WEEKDAYS_ABBR[n]} for n in order],
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == query.today,
                    "count": counts.get(day, 0) if day.month == first.month else 0,
                    "label": day_label(day),
                    "url": "?"
                    + urlencode(
                        query.params(
                            month="",
                            past="",
                            when="",
                            **{"from": day.isoformat()},
                            to=day.isoformat(),
                        )
                    ),
                }
                for day in week
            ]
            for week in weeks
        ],
        "previous_url": "?" + urlencode(query.params(month=previous_month.strftime("%Y-%m"))),
        "next_url": "?" + urlencode(query.params(month=next_month.strftime("%Y-%m"))),
        "previous": previous_month,
        "next": next_month,
    }


def agenda_context(agenda, request) -> dict:
    """The agenda page's context: the dates of this page of the list, grouped by day, the
    filter form, the month grid when asked for, and links between the views."""
    site = Site.find_for_request(request) if request is not None else agenda.get_site()
    time_zone, currency = organization_defaults(request, site)
    now = timezone.now()
    today = now.astimezone(ZoneInfo(time_zone)).date()
    params = request.GET if request is not None else {}
    query = AgendaQuery.from_request(params, today)

    base = EventOccurrence.objects.filter(event__in=agenda_events(agenda)).shown()
    if query.month:
        window = base.filter(local_date__range=query.month_bounds)
    elif query.past:
        window = base.past(now)
    elif query.start:
        window = base.filter(local_date__gte=query.start)
    else:
        window = base.upcoming(now)
    fields, offer_free = filter_choices(window, query, site)
    listed = apply_filters(window, query)
    if not query.month:
        if query.start:
            listed = listed.filter(local_date__gte=query.start)
        if query.end:
            listed = listed.filter(local_date__lte=query.end)
    # By local day first, so that each day's dates come together whatever their time zone.
    ordering = ("-local_date", "-start", "-pk") if query.past else ("local_date", "start", "pk")
    listed = (
        listed.select_related("event", "event__venue")
        .prefetch_related(images_with_renditions("event__image", LIST_RENDITION))
        .order_by(*ordering)
    )
    paginator = Paginator(listed, PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    rows = decorate(page_obj.object_list, site=site, time_zone=time_zone, currency=currency)
    filter_query = urlencode(query.params())
    return {
        "agenda_query": query,
        "occurrences": page_obj,
        "days": group_by_day(rows),
        "filter_fields": fields,
        "offer_free": offer_free,
        "filter_query": filter_query,
        "feed_query": urlencode(
            {k: v for k, v in query.params().items() if k not in ("month", "past")}
        ),
        "agenda_errors": query.errors,
        "month_grid": month_grid(apply_filters(base, query), query) if query.month else None,
        "this_month": today.strftime("%Y-%m"),
        "weekend_url": "?" + urlencode(query.params(when="weekend", past="", month="")),
        "past_url": "?" + urlencode({"past": "1"}),
    }


# --- The event page ------------------------------------------------------------------------


def event_page_context(event: EventPage, request) -> dict:
    """An event page's coming dates and the records it links to, only those the public may see."""
    site = Site.find_for_request(request) if request is not None else event.get_site()
    time_zone, currency = organization_defaults(request, site)
    tz = ZoneInfo(event.time_zone or time_zone)
    if getattr(request, "is_preview", False):
        # The editor's preview: the dates as publishing this version would store them.
        dates, _tz = event.upcoming_occurrences(count=EVENT_DATES)
    else:
        dates = list(
            EventOccurrence.objects.filter(event=event)
            .upcoming()
            .order_by("start", "pk")[:EVENT_DATES]
        )
    for occurrence in dates:
        occurrence.local_start = occurrence.start.astimezone(tz)
        occurrence.local_end = occurrence.end.astimezone(tz) if occurrence.end else None
        occurrence.day_label = day_label(occurrence.local_date)
    performers = list(event.performers.select_related("person"))
    public = public_page_ids(
        site, {event.venue_id, event.organizer_id, *(p.person_id for p in performers)}
    )
    for performer in performers:
        performer.public_person = performer.person if performer.person_id in public else None
        performer.shown_name = performer.person.title if performer.public_person else performer.name
    return {
        "coming_dates": dates,
        "public_venue": event.venue if event.venue_id in public else None,
        "public_organizer": event.organizer if event.organizer_id in public else None,
        "shown_performers": [p for p in performers if p.shown_name],
        "price_label": price_label(event, currency),
        "member_price_label": format_money(event.member_price, event.currency or currency),
        "event_status": event.get_status_display() if event.status in MARKED_STATUSES else "",
        "event_accessibility": accessibility(event),
        "event_tz": tz,
    }


# --- The coming events of a record (hook of ``crm_blocks``) ---------------------------------


def record_events_section(page, request) -> list[dict]:
    """``crm_blocks``' ``register_record_page_sections``: on an organization's page, the coming
    events held there or organized by it; on a person's page, those they perform in. Only public
    events of the site being visited."""
    if isinstance(page, OrganizationPage):
        match = Q(event__venue__translation_key=page.translation_key) | Q(
            event__organizer__translation_key=page.translation_key
        )
        heading = _("Coming events")
    elif isinstance(page, PersonPage):
        match = Q(event__performers__person__translation_key=page.translation_key)
        heading = _("Coming events")
    else:
        return []
    site = Site.find_for_request(request) if request is not None else page.get_site()
    if site is None:
        return []
    time_zone, currency = organization_defaults(request, site)
    public_events = public_pages_for_site(site).type(EventPage).values("pk")
    rows = (
        EventOccurrence.objects.for_site(site)
        .filter(event__in=public_events)
        .filter(match)
        .upcoming()
        .shown()
        .select_related("event", "event__venue")
        .order_by("start", "pk")
        .distinct()[:RECORD_EVENTS]
    )
    rows = decorate(rows, site=site, time_zone=time_zone, currency=currency)
    if not rows:
        return []
    for row in rows:
        row.day_label = day_label(row.local_date)
    return [
        {
            "template": "events/includes/record_events.html",
            "context": {"heading": heading, "occurrences": rows, "id": "record-events"},
        }
    ]
