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
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.models import Page, Site

from crm_blocks.models import OrganizationPage, PersonPage
from crm_blocks.models.records import images_with_renditions
from organizations.models import OrganizationKind, OrganizationSettings
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
from .network import network_members, public_pages_q
from .sources import EVENTS_KEY, AgendaItem, agenda_sources, source_params

#: Dates listed per page of the agenda.
PAGE_SIZE = 30
#: Coming dates an event's page lists.
EVENT_DATES = 50
#: Dates a venue's, organizer's or performer's page lists.
RECORD_EVENTS = 8
#: Images shown in the agenda's list, prefetched with these renditions.
LIST_RENDITION = "fill-320x200"
#: A French department: two digits, Corsica's 2A and 2B, or three digits overseas (971…).
DEPARTMENT_RE = re.compile(r"(?:\d{2}|2[AB]|9[78]\d)")
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
    #: A network's agenda: one organization (its host name), a region, a French department.
    cinema: str = ""
    region: str = ""
    department: str = ""
    #: What registered agenda sources read (``events.sources``): parameter → value.
    extra: dict = field(default_factory=dict)
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
        query.cinema = params.get("cinema", "").strip().lower()[:255]
        query.region = params.get("region", "").strip()[:100]
        department = params.get("department", "").strip().upper()[:10]
        if department and not DEPARTMENT_RE.fullmatch(department):
            query.errors.append(
                _("“%(value)s” is not a French department: write its number, such as 69 or 2A.")
                % {"value": department}
            )
            department = ""
        query.department = department
        query.extra = {
            name: params.get(name, "").strip()[:255]
            for name in source_params()
            if params.get(name, "").strip()
        }
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
            or bool(self.cinema or self.region or self.department or self.extra)
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
            "cinema": self.cinema,
            "region": self.region,
            "department": self.department,
            **self.extra,
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


def filter_choices(occurrences, query: AgendaQuery, site, public_q=None) -> tuple[list[dict], bool]:
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
        if public_q is not None:  # a network's agenda: its members' public pages too
            public = Page.objects.filter(public_q, pk__in=venue_ids).values("pk")
        else:
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


def month_grid(counts: dict, query: AgendaQuery) -> dict:
    """A month as weeks of days, each day with how many dates it lists (``counts``, day →
    number) and a link to them."""
    first, last = query.month_bounds
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


# --- The list: the agenda's events, its network's, and what other plugins add -------------


def department_of(postal_code: str) -> str:
    """The French department of a postal code (``69003`` → ``69``, ``20090`` → ``2A``,
    ``97410`` → ``974``), or ``""`` when it is no French code (a Quebec one, say)."""
    code = postal_code.replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return ""
    if code[:2] in ("97", "98"):
        return code[:3]
    if code[:2] == "20":
        return "2A" if code < "20200" else "2B"
    return code[:2]


def department_q(department: str) -> Q:
    """Rows whose ``postal_code`` lies in ``department`` (see ``department_of``)."""
    if department == "2A":
        prefixes = ("200", "201")
    elif department == "2B":
        prefixes = ("202", "203", "204", "205", "206")
    else:
        prefixes = (department,)
    match = Q(pk__in=[])
    for prefix in prefixes:
        match |= Q(postal_code__startswith=prefix)
    return match


@dataclass
class AgendaScope:
    """Who asks what of which agenda: the request's filters, the organization's clock and
    currency, and the sites whose items are listed (the agenda's own, and on a network's agenda
    the members that share their events with it)."""

    agenda: object
    request: object
    site: Site
    query: AgendaQuery
    now: dt.datetime
    time_zone: str
    currency: str
    #: The members that share their events with this agenda's network (none elsewhere).
    members: list = field(default_factory=list)
    #: The sites listed, once ``cinema`` narrowed them.
    site_ids: tuple = ()

    def member_ids(self) -> list[int]:
        return [pk for pk in self.site_ids if pk != self.site.pk]

    def public_pages(self, site_ids) -> Q:
        """``network.public_pages_q`` for these sites, read once per request."""
        key = tuple(sorted(site_ids))
        memo = self.__dict__.setdefault("_public_pages", {})
        if key not in memo:
            memo[key] = public_pages_q(key)
        return memo[key]

    def site_named(self, site_id: int):
        if site_id == self.site.pk:
            return self.site
        return next((member for member in self.members if member.pk == site_id), None)


def is_network(request, site) -> bool:
    """Whether the organization is a network (its settings, read once per request)."""
    if request is not None:
        settings = OrganizationSettings.for_request(request)
    else:
        settings = OrganizationSettings.for_site(site)
    return settings.kind == OrganizationKind.NETWORK


def agenda_scope(agenda, request) -> AgendaScope:
    """The scope of one request to ``agenda`` (its HTML, ``events.json`` or ``embed/``)."""
    site = Site.find_for_request(request) if request is not None else None
    site = site or agenda.get_site()
    time_zone, currency = organization_defaults(request, site)
    now = timezone.now()
    today = now.astimezone(ZoneInfo(time_zone)).date()
    params = request.GET if request is not None else {}
    query = AgendaQuery.from_request(params, today)
    members = []
    if agenda.show_network_members and is_network(request, site):
        members = network_members(site)
    sites = [site, *members]
    site_ids = tuple(s.pk for s in sites)
    if query.cinema:
        chosen = [s.pk for s in sites if s.hostname == query.cinema]
        if chosen:
            site_ids = tuple(chosen)
        else:
            query.errors.append(
                _("“%(value)s” is not an organization of this agenda.") % {"value": query.cinema}
            )
            query.cinema = ""
    return AgendaScope(
        agenda=agenda,
        request=request,
        site=site,
        query=query,
        now=now,
        time_zone=time_zone,
        currency=currency,
        members=members,
        site_ids=site_ids,
    )


def in_window(rows, scope: AgendaScope):
    """``rows`` (any source's: ``start``, ``end``, ``local_date``) within the dates asked for."""
    query = scope.query
    if query.month:
        return rows.filter(local_date__range=query.month_bounds)
    if query.past:
        rows = rows.exclude(Q(end__gt=scope.now) | Q(end__isnull=True, start__gte=scope.now))
    elif not query.start:
        rows = rows.filter(Q(end__gt=scope.now) | Q(end__isnull=True, start__gte=scope.now))
    if query.start:
        rows = rows.filter(local_date__gte=query.start)
    if query.end:
        rows = rows.filter(local_date__lte=query.end)
    return rows


def in_area(rows, scope: AgendaScope):
    """``rows`` (``site_id``, ``region``, ``postal_code``) of the organization, region and
    department asked for: the same rule for every source."""
    query = scope.query
    if query.cinema:
        rows = rows.filter(site_id__in=scope.site_ids)
    if query.region:
        rows = rows.filter(region__iexact=query.region)
    if query.department:
        rows = rows.filter(department_q(query.department))
    return rows


def _shown_value(field_name: str):
    """A venue's address field when the venue is published, else ``NULL``."""
    return Case(
        When(event__venue__live=True, then=NullIf(F(f"event__venue__{field_name}"), Value(""))),
        default=Value(None),
        output_field=CharField(),
    )


def _located(field_name: str):
    """Where an event is, for the area filters: its venue's address, else its own, else its
    organization's."""
    return Coalesce(
        _shown_value(field_name),
        NullIf(F(f"event__{field_name}"), Value("")),
        NullIf(F(f"site__organizationsettings__{field_name}"), Value("")),
        Value(""),
        output_field=CharField(),
    )


def event_rows(scope: AgendaScope):
    """The agenda's ``EventOccurrence`` rows (no window yet): the public events below the
    agenda and, on a network's agenda, the public events of the sharing members."""
    match = Q(pk__in=[])
    if scope.site.pk in scope.site_ids:
        match |= Q(event__in=agenda_events(scope.agenda))
    member_ids = scope.member_ids()
    if member_ids:
        public = EventPage.objects.filter(scope.public_pages(member_ids)).values("pk")
        match |= Q(site_id__in=member_ids, event__in=public)
    rows = EventOccurrence.objects.filter(match).shown()
    if scope.members or scope.query.region or scope.query.department:
        # Where each event is, for the area filters and their choices (joins only then).
        rows = rows.annotate(region=_located("region"), postal_code=_located("postal_code"))
    return rows


@dataclass
class AgendaParts:
    """The queries of one request's list: each source's rows, windowed and filtered."""

    parts: list  # [(key, queryset)]
    #: The agenda's events before the visitor's filters (for the filter form's choices).
    events_window: object
    sources: list


def agenda_parts(scope: AgendaScope) -> AgendaParts:
    """Each source's rows for this request, the events first; sources and events follow the
    ownership rule of source parameters (``events.sources``)."""
    query = scope.query
    sources = agenda_sources()
    set_params = set(query.extra)
    owners = {param: [s for s in sources if param in s.params] for param in set_params}
    active = [s for s in sources if set_params <= set(s.params)]
    events = in_window(event_rows(scope), scope)
    events_window = events
    events_listed = all(
        owners[param] and all(owner.event_filter for owner in owners[param]) for param in set_params
    )
    parts = []
    if events_listed:
        events = apply_filters(events, query)
        for source in {
            owner.key: owner for param in set_params for owner in owners[param]
        }.values():
            match = source.event_filter(query)
            if match is not None:
                events = events.filter(match)
        parts.append((EVENTS_KEY, in_area(events, scope)))
    for source in active:
        rows = source.rows(scope)
        parts.append((source.key, in_area(in_window(rows, scope), scope)))
    return AgendaParts(parts=parts, events_window=events_window, sources=active)


def combined_rows(parts: list, *, descending: bool = False):
    """The parts' ``(source, id, local_date, start)`` as one query (``union(all=True)``),
    ordered by day, start, source and id."""
    selected = []
    for key, rows in parts:
        selected.append(
            rows.order_by().values(
                row_source=Value(key, output_field=CharField()),
                row_id=F("pk"),
                row_date=F("local_date"),
                row_start=F("start"),
            )
        )
    if not selected:
        return EventOccurrence.objects.none().values("pk")
    combined = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
    order = ("row_date", "row_start", "row_source", "row_id")
    if descending:
        order = tuple(f"-{name}" for name in order)
    return combined.order_by(*order)


def site_defaults(scope: AgendaScope, site_ids) -> dict[int, tuple[str, str, str, str]]:
    """``{site id: (time zone, currency, organization name, host name)}`` of the listed sites
    (members' settings came with them)."""
    defaults = {}
    for site_id in site_ids:
        site = scope.site_named(site_id)
        if site is None:
            continue
        if site.pk == scope.site.pk:
            settings = OrganizationSettings.for_request(scope.request) if scope.request else None
            settings = settings or OrganizationSettings.for_site(site)
        else:
            settings = getattr(site, "organizationsettings", None)
        if settings is None:
            defaults[site_id] = (scope.time_zone, scope.currency, site.site_name, site.hostname)
            continue
        defaults[site_id] = (
            settings.time_zone or "UTC",
            settings.currency,
            settings.display_name,
            site.hostname,
        )
    return defaults


def event_items(ids: list[int], scope: AgendaScope) -> dict[int, AgendaItem]:
    """The agenda's lines for these ``EventOccurrence`` ids: a fixed number of queries."""
    occurrences = list(
        EventOccurrence.objects.filter(pk__in=ids)
        .select_related("event", "event__venue")
        .prefetch_related(images_with_renditions("event__image", LIST_RENDITION))
    )
    venue_ids = {o.event.venue_id for o in occurrences if o.event.venue_id}
    if scope.member_ids():
        venues = (
            set(
                Page.objects.filter(
                    scope.public_pages(scope.site_ids), pk__in=venue_ids
                ).values_list("pk", flat=True)
            )
            if venue_ids
            else set()
        )
    else:
        venues = public_page_ids(scope.site, venue_ids)
    defaults = site_defaults(scope, {o.site_id for o in occurrences})
    request = scope.request
    items = {}
    for occurrence in occurrences:
        event = occurrence.event
        zone, currency, organization, host = defaults.get(
            occurrence.site_id, (scope.time_zone, scope.currency, "", "")
        )
        venue = event.venue if event.venue_id in venues else None
        place = venue if venue is not None and venue.has_address else event
        if venue is not None:
            venue_name, venue_url = venue.title, venue.get_full_url(request) or ""
        elif event.place_name:
            venue_name, venue_url = event.place_name, ""
        elif event.attendance == "online":
            venue_name, venue_url = _("Online"), ""
        else:
            venue_name, venue_url = "", ""
        items[occurrence.pk] = AgendaItem(
            title=event.title,
            url=event.get_full_url(request) or "",
            start=occurrence.start,
            end=occurrence.end,
            all_day=occurrence.all_day,
            time_zone=event.time_zone or zone,
            kind=event.kind,
            kind_label=event.get_kind_display(),
            summary=event.summary,
            image=event.image,
            venue=venue_name,
            venue_url=venue_url,
            organization=organization,
            organization_host=host,
            price_label=price_label(event, event.currency or currency),
            accessibility=accessibility(event),
            status=event.status if event.status in MARKED_STATUSES else "",
            status_label=(event.get_status_display() if event.status in MARKED_STATUSES else ""),
            moved=occurrence.status == EventOccurrence.Status.MOVED,
            note=occurrence.note,
            uid=f"event-{event.pk}-{(occurrence.original_start or occurrence.start):%Y%m%dT%H%M%S}",
            locality=place.locality,
            geo=(place.latitude, place.longitude) if place.has_coordinates else None,
        )
    return items


def listed_items(rows: list[dict], scope: AgendaScope, sources: list) -> list[AgendaItem]:
    """The page's rows as items, in the list's order: each source decorates its own."""
    by_source: dict[str, list] = {}
    for row in rows:
        by_source.setdefault(row["row_source"], []).append(row["row_id"])
    found: dict[tuple, AgendaItem] = {}
    decorators = {EVENTS_KEY: event_items, **{s.key: s.items for s in sources}}
    for key, ids in by_source.items():
        for pk, item in decorators[key](ids, scope).items():
            item.source = key
            found[(key, pk)] = item
    root = scope.site.root_url.rstrip("/")
    zones: dict[str, ZoneInfo] = {}
    items = []
    for row in rows:
        item = found.get((row["row_source"], row["row_id"]))
        if item is None:
            continue
        tz = zones.setdefault(item.time_zone, ZoneInfo(item.time_zone))
        item.local_start = item.start.astimezone(tz)
        item.local_end = item.end.astimezone(tz) if item.end else None
        item.local_date = row["row_date"]
        item.href = item.url[len(root) :] if item.url.startswith(root + "/") else item.url
        item.is_member = item.organization_host not in ("", scope.site.hostname)
        items.append(item)
    return items


@dataclass
class AgendaListing:
    parts: AgendaParts
    page: object  # django.core.paginator.Page of rows
    items: list


def agenda_listing(scope: AgendaScope, page_number=None, per_page: int = PAGE_SIZE):
    """One page of the agenda's list, every source merged by date: counting, the page's rows,
    then each source's items, whatever the number of sources' rows and of members."""
    parts = agenda_parts(scope)
    rows = combined_rows(parts.parts, descending=scope.query.past)
    paginator = Paginator(rows, per_page)
    page_obj = paginator.get_page(page_number)
    page_rows = list(page_obj.object_list)
    items = listed_items(page_rows, scope, parts.sources)
    return AgendaListing(parts=parts, page=page_obj, items=items)


def month_counts(parts: list, query: AgendaQuery) -> dict:
    """How many dates each day of the month lists, every source counted: one query."""
    first, last = query.month_bounds
    selected = [
        rows.filter(local_date__range=(first, last)).order_by().values_list("local_date")
        for _key, rows in parts
    ]
    if not selected:
        return {}
    combined = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
    return Counter(day for (day,) in combined)


def area_fields(scope: AgendaScope, parts: AgendaParts) -> list[dict]:
    """A network's agenda: the organization, region and department fields, with the choices
    that list something (one query)."""
    if not scope.members:
        return []
    window = (
        in_area(parts.events_window, scope)
        .order_by()
        .values_list("site_id", "region", "postal_code")
    )
    found = set(window.distinct())
    site_ids = {row[0] for row in found}
    regions = {}
    for row in found:
        if row[1]:
            regions.setdefault(row[1].casefold(), row[1])
    departments = {department_of(row[2]) for row in found} - {""}
    query = scope.query
    sites = [scope.site, *scope.members]
    names = site_defaults(scope, [site.pk for site in sites])
    organizations = [
        (site.hostname, names[site.pk][2])
        for site in sites
        if site.pk in site_ids or site.hostname == query.cinema
    ]
    fields = [
        {
            "name": "cinema",
            "label": pgettext_lazy("member of a network", "Organization"),
            "all_label": gettext_lazy("All organizations"),
            "selected": query.cinema,
            "choices": sorted(organizations, key=lambda choice: choice[1].casefold()),
        },
        {
            "name": "region",
            "label": gettext_lazy("Region"),
            "all_label": gettext_lazy("All regions"),
            "selected": query.region,
            "choices": sorted(
                ((name, name) for name in regions.values()), key=lambda c: c[0].casefold()
            ),
        },
        {
            "name": "department",
            "label": gettext_lazy("Department"),
            "all_label": gettext_lazy("All departments"),
            "selected": query.department,
            "choices": [(code, code) for code in sorted(departments | ({query.department} - {""}))],
        },
    ]
    return [f for f in fields if f["choices"] and (len(f["choices"]) > 1 or f["selected"])]


def agenda_context(agenda, request) -> dict:
    """The agenda page's context: the dates of this page of the list, grouped by day, the
    filter form, the month grid when asked for, and links between the views."""
    scope = agenda_scope(agenda, request)
    query = scope.query
    params = request.GET if request is not None else {}
    listing = agenda_listing(scope, params.get("page"))
    fields, offer_free = filter_choices(
        listing.parts.events_window,
        query,
        scope.site,
        public_q=scope.public_pages(scope.site_ids) if scope.member_ids() else None,
    )
    fields = area_fields(scope, listing.parts) + fields
    for source in listing.parts.sources:
        if source.filter_fields is not None:
            fields += source.filter_fields(scope)
    filter_query = urlencode(query.params())
    today = scope.now.astimezone(ZoneInfo(scope.time_zone)).date()
    return {
        "agenda_query": query,
        "agenda_scope": scope,
        "occurrences": listing.page,
        "days": group_by_day(listing.items),
        "filter_fields": fields,
        "offer_free": offer_free,
        "filter_query": filter_query,
        "feed_query": urlencode(
            {
                k: v
                for k, v in query.params().items()
                if k in ("from", "to", "when", "kind", "venue", "audience", "access", "free")
            }
        ),
        "agenda_errors": query.errors,
        "month_grid": month_grid(month_counts(listing.parts.parts, query), query)
        if query.month
        else None,
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
