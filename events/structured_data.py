"""An event's schema.org nodes (``structured_data``, ARCHITECTURE §5).

Built from the page it is given; this module never imports the models (the page class calls
it), so that the page's graph and the models stay one way round.

What an event page tells search engines:

- the event (``…#event``), typed by its kind: a screening is a ``ScreeningEvent``, a workshop or
  a talk an ``EducationEvent`` (schema.org has no lecture type, and a talk or a debate is given
  to learn something: ``SocialEvent`` is for gatherings whose point is to meet), a festival a
  ``Festival``, an exhibition an ``ExhibitionEvent``, anything else an ``Event``;
- its dates with their UTC offset in the event's time zone (an all-day event as dates);
- where: the venue's own node when the venue is a published, public record of the same site
  (the rule of the CRM's cards: a record made private later simply stops being named), else a
  ``Place`` from the place typed on the event, and a ``VirtualLocation`` when it is online;
- who: the organizer (the site's organization unless another record is chosen) and the
  performers, by the ``@id`` of their pages when those are public, else by name;
- the tickets (``Offer``), the image with its credit, the language.

A repeating event: Google shows one event per date and reads one ``startDate`` per ``Event``.
The page's node is therefore its next date, and the following dates (up to
:data:`SUB_EVENT_LIMIT`) are ``subEvent``s, each a complete ``Event`` of its own (``@id``
``…#event-2027-03-09T19:00``) that shares the page's place, organizer, performers and offers by
reference; a date cancelled or moved on its own says so (``EventCancelled``,
``EventRescheduled`` with ``previousStartDate``). ``EventSeries`` was not chosen: Google's event
documentation does not list it, and a series node carries no single date for the rich result.

A festival's sub-events are its child pages: the festival lists them as ``subEvent``, each child
names the festival as its ``superEvent``; the other page's node is described briefly in the
graph (dates, place, status) so that every reference resolves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from organizations.models import OrganizationCurrency, OrganizationSettings
from organizations.scoping import public_pages_for_site
from organizations.structured_data import organization_node_type
from structured_data.graph import GraphContext
from structured_data.mixins import image_node, location_id
from structured_data.nodes import (
    EducationEvent,
    Event,
    ExhibitionEvent,
    Festival,
    ImageObject,
    Node,
    Offer,
    Person,
    Place,
    PlaceOrganization,
    Ref,
    ScreeningEvent,
    VirtualLocation,
    WebPage,
)

from .recurrence import aware

SCHEMA = "https://schema.org/"
#: How many coming dates of a repeating event, and how many sub-events of a festival, the page
#: describes: enough for search results, bounded whatever the rule.
SUB_EVENT_LIMIT = 10

EVENT_TYPES: dict[str, type[Event]] = {
    "screening": ScreeningEvent,
    "workshop": EducationEvent,
    "talk": EducationEvent,
    "festival": Festival,
    "exhibition": ExhibitionEvent,
}

STATUSES = {
    "scheduled": "EventScheduled",
    "full": "EventScheduled",
    "cancelled": "EventCancelled",
    "postponed": "EventPostponed",
    "rescheduled": "EventRescheduled",
    "moved_online": "EventMovedOnline",
}

ATTENDANCE = {
    "in_person": "OfflineEventAttendanceMode",
    "online": "OnlineEventAttendanceMode",
    "mixed": "MixedEventAttendanceMode",
}


def event_type(kind: str) -> type[Event]:
    """The most precise schema.org type for an event of ``kind``."""
    return EVENT_TYPES.get(kind, Event)


def event_id(url: str) -> str:
    return f"{url}#event"


# --- Dates -------------------------------------------------------------------------------------


def _span(start: dt.datetime, end: dt.datetime | None, all_day: bool, tz: ZoneInfo):
    """``(startDate, endDate)``: aware date-times in the event's zone, or dates for an all-day
    event (its last day, not the midnight after it)."""
    start = start.astimezone(tz)
    if all_day:
        last = (end.astimezone(tz) - dt.timedelta(days=1)).date() if end else start.date()
        return start.date(), max(last, start.date())
    return start, end.astimezone(tz) if end else None


def _date_key(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


class _Dates:
    """When the page's node and its sub-events take place (``zone``: the event's time zone, read
    once for the graph). ``coming=False`` gives the page's own first date, for another page's
    brief node."""

    def __init__(self, page, zone: str, *, coming: bool = True):
        timing = page.timing(time_zone=zone)
        self.tz = timing.tz
        self.all_day = timing.all_day
        self.first = None
        self.following: list = []
        if coming and page.is_recurring:
            rows, _tz = page.upcoming_occurrences(count=SUB_EVENT_LIMIT + 1)
            # The page's node is its next date that takes place; dates cancelled on their own
            # are kept as sub-events (Google asks to mark them rather than drop them).
            shown = [row for row in rows if row.status != "cancelled"]
            if shown:
                self.first = shown[0]
                self.following = [row for row in rows if row is not self.first][:SUB_EVENT_LIMIT]
        if self.first is None:
            self.start, self.end = self._own_dates(page, timing)
        else:
            self.start, self.end = _span(self.first.start, self.first.end, self.all_day, self.tz)

    @staticmethod
    def _own_dates(page, timing):
        if timing.all_day:
            return page.start_date, page.end_date or page.start_date
        local = timing.local_start()
        start = aware(local, timing.tz)
        end = aware(local + timing.duration(), timing.tz) if timing.has_end() else None
        return start, end


def _organization_settings(context: GraphContext):
    """The organization's settings, read once per request (the site's own nodes read them
    too); ``None`` outside a site."""
    if context.site is None:
        return None
    if context.request is not None and getattr(context.request, "_wagtail_site", None) == (
        context.site
    ):
        return OrganizationSettings.for_request(context.request)
    return OrganizationSettings.for_site(context.site)


def _previous_start(page, tz: ZoneInfo):
    """The date first announced, for a rescheduled event (Google reads ``previousStartDate``
    only with ``EventRescheduled``; a postponed event keeps its first date as ``startDate``
    until the new one is known)."""
    if page.status != "rescheduled" or not page.previous_start_date:
        return None
    if page.start_time is None:
        return page.previous_start_date
    return aware(dt.datetime.combine(page.previous_start_date, page.start_time), tz)


# --- Records named by the event ------------------------------------------------------------------


class _Records:
    """Which person and organization records the graph may name: published, public (no view
    restriction at or above them) and of this site — the rule of the CRM's cards
    (``crm_blocks.blocks.shown_record``), read for all of them in a fixed number of queries. A
    record made private after it was chosen simply stops being named."""

    def __init__(self, context: GraphContext, records: Iterable):
        self.context = context
        wanted = {record.pk: record for record in records if record is not None}
        self.public: set[int] = set()
        if wanted and context.site is not None:
            self.public = set(
                public_pages_for_site(context.site)
                .filter(pk__in=wanted)
                .values_list("pk", flat=True)
            )

    def url(self, record) -> str | None:
        """The record's page address if the graph may name it, else ``None``."""
        if record is None or record.pk not in self.public:
            return None
        return self.context.absolute(record.get_url(self.context.request))


def _venue_node(venue, url: str, context: GraphContext) -> list[Node]:
    """The venue as the place it is: a cinema's own node, or its organization's ``#location``
    (``structured_data.mixins.location_id``), the same ``@id`` as on the venue's page; a
    cinema's node carries its summary and logo as its own page does (its logo image under that
    page's ``#primaryimage``). The first node is the place."""
    node_class = organization_node_type(venue.kind)
    organization_id = f"{url}#organization"
    fields = {
        "name": venue.title,
        "address": venue.postal_address_node(),
        "geo": venue.geo_node(),
    }
    if issubclass(node_class, PlaceOrganization):
        extra: list[Node] = []
        logo = None
        if venue.logo_id and venue.logo is not None:
            logo_node = image_node(
                venue.logo, context, f"{url}#primaryimage", **venue.structured_data_image_fields()
            )
            extra.append(logo_node)
            logo = logo_node.ref()
        place = node_class(
            id=organization_id,
            url=venue.website or url,
            description=venue.summary or None,
            logo=logo,
            image=logo,
            **fields,
        )
        return [place, *extra]
    return [Place(id=location_id(organization_id), url=url, **fields)]


def _typed_place(page, page_url: str) -> Place | None:
    """The place typed on the event (no record of it), or ``None`` when nothing was typed."""
    address = page.postal_address_node()
    geo = page.geo_node()
    if not (page.place_name or address or geo):
        return None
    return Place(id=f"{page_url}#place", name=page.place_name or None, address=address, geo=geo)


def _locations(page, page_url: str, records: _Records) -> list[Node]:
    """The nodes of where the event takes place: a place and/or an online location."""
    nodes: list[Node] = []
    if page.attendance != "online" and page.status != "moved_online":
        venue_url = records.url(page.venue) if page.venue_id else None
        if venue_url:
            nodes.extend(_venue_node(page.venue, venue_url, records.context))
        else:
            place = _typed_place(page, page_url)
            if place is not None:
                nodes.append(place)
    online = page.attendance in ("online", "mixed") or page.status == "moved_online"
    if online and page.online_url:
        nodes.append(VirtualLocation(id=f"{page_url}#online", url=page.online_url))
    return nodes


def _place_refs(nodes: list[Node]) -> list[Ref]:
    """References to the places among ``nodes`` (not to a venue's logo that came with them)."""
    return [node.ref() for node in nodes if not isinstance(node, ImageObject)]


def _organizer(page, context: GraphContext, records: _Records):
    """``(reference, node)``: the site's organization, or another organization's public record
    (its node), or nobody when that record is not public."""
    if page.organizer_id is None:
        return (Ref(id=context.organization_id) if context.site else None), None
    url = records.url(page.organizer)
    if not url:
        return None, None
    record = page.organizer
    node_class = organization_node_type(record.kind)
    node = node_class(id=f"{url}#organization", name=record.title, url=record.website or url)
    return node.ref(), node


def _performers(performers: list, records: _Records) -> list[Person]:
    """People performing: their page's ``@id`` when it is public, else their typed name (a
    person whose record is private is not named from it)."""
    nodes: list[Person] = []
    for performer in performers:
        url = records.url(performer.person) if performer.person_id else None
        if url:
            nodes.append(Person(id=f"{url}#person", name=performer.person.title, url=url))
        elif performer.name.strip():
            nodes.append(Person(name=performer.name.strip()))
    return nodes


def _price(value: Decimal) -> str:
    return f"{value:.2f}"


def _offers(page, context: GraphContext, currency: str, url: str | None = None) -> list[Offer]:
    """The tickets: free (price 0), the price and the members' price, or only where to book
    (``url``: the page they are offered on, by default the one being described)."""
    page_url = url or context.page_url
    if not (page.is_free or page.price is not None or page.ticket_url):
        return []
    common = {
        "price_currency": currency,
        "availability": SCHEMA + ("SoldOut" if page.status == "full" else "InStock"),
        "url": page.ticket_url or page_url,
        # Tickets are offered from the day the event was announced.
        "valid_from": page.first_published_at,
    }
    if page.is_free:
        return [Offer(id=f"{page_url}#offer", price=_price(Decimal(0)), **common)]
    price = _price(page.price) if page.price is not None else None
    offers = [Offer(id=f"{page_url}#offer", price=price, **common)]
    if page.member_price is not None:
        offers.append(
            Offer(
                id=f"{page_url}#offer-members",
                name=gettext("Members' price"),
                price=_price(page.member_price),
                **common,
            )
        )
    return offers


# --- Other event pages (a festival and its parts) ---------------------------------------------


def _brief_node(
    other, url: str, zone: str, context: GraphContext, records: _Records, extra: list[Node]
):
    """Another event page (the festival of this one, or one of its parts): what search engines
    need of any Event on this page (dates, place, organizer, performers, tickets, image), each
    under the ``@id`` its own page gives it. Its places, people, offers and image go to
    ``extra``."""
    dates = _Dates(other, other.time_zone or zone, coming=False)
    where = _locations(other, url, records)
    extra.extend(where)
    organizer = Ref(id=context.organization_id) if context.site and not other.organizer_id else None
    performers: list[Person | Ref] = []
    for performer in _performers(list(other.performers.all()), records):
        if performer.id:
            extra.append(performer)
            performers.append(performer.ref())
        else:
            performers.append(performer)
    currency = other.currency or _currency_of(context)
    offers = _offers(other, context, currency, url=url)
    extra.extend(offers)
    image = None
    if other.image_id and other.image is not None:
        credit = {"credit_text": other.image_credit} if other.image_credit else {}
        image_node_ = image_node(other.image, context, f"{url}#primaryimage", **credit)
        extra.append(image_node_)
        image = image_node_.ref()
    return event_type(other.kind)(
        id=event_id(url),
        name=other.title,
        description=other.summary or None,
        url=url,
        start_date=dates.start,
        end_date=dates.end,
        event_status=SCHEMA + STATUSES.get(other.status, "EventScheduled"),
        event_attendance_mode=SCHEMA + ATTENDANCE.get(other.attendance, ATTENDANCE["in_person"]),
        location=_one_or_list(_place_refs(where)),
        organizer=organizer,
        performer=performers or None,
        offers=_one_or_list([offer.ref() for offer in offers]),
        image=image,
        is_accessible_for_free=True if other.is_free else None,
    )


def _currency_of(context: GraphContext) -> str:
    settings = _organization_settings(context)
    return settings.currency if settings is not None else OrganizationCurrency.CAD


def _festival_parent(page):
    """The public event page this one is part of, if any."""
    parent = page.get_parent()
    if parent is None or parent.specific_class is not type(page):
        return None
    parent = parent.specific
    if not parent.live or parent.get_view_restrictions().exists():
        return None
    return parent


def _festival_parts(page) -> list:
    """The first published parts of a festival (its child event pages), by date."""
    return list(
        type(page)
        .objects.child_of(page)
        .published(within=page)
        .select_related("venue", "image")
        .prefetch_related("performers__person")
        .order_by("start_date", "start_time", "path")[:SUB_EVENT_LIMIT]
    )


# --- The page's nodes --------------------------------------------------------------------------


def _one_or_list(values: list):
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def event_nodes(page, context: GraphContext) -> Iterable[Node]:
    """The event page's nodes: its event, the places, people and offers it refers to, its image,
    its coming dates, its parts or the festival it is part of."""
    node_id = event_id(context.page_url)
    node_class = event_type(page.kind)
    context.main_entity_id = node_id
    context.main_entity_type = node_class.schema_type

    settings = _organization_settings(context)
    default_zone = settings.time_zone if settings is not None else "UTC"
    currency = page.currency or (
        settings.currency if settings is not None else OrganizationCurrency.CAD
    )
    dates = _Dates(page, page.time_zone or default_zone)
    status = STATUSES.get(page.status, "EventScheduled")
    attendance = ATTENDANCE.get(page.attendance, ATTENDANCE["in_person"])
    if page.status == "moved_online" and page.online_url:
        attendance = ATTENDANCE["online"]

    performers = list(page.performers.select_related("person"))
    parts = _festival_parts(page)
    parent = _festival_parent(page)
    records = _Records(
        context,
        [
            page.venue if page.venue_id else None,
            page.organizer if page.organizer_id else None,
            *(performer.person for performer in performers if performer.person_id),
            *(part.venue for part in parts if part.venue_id),
            *([parent, parent.venue if parent.venue_id else None] if parent else []),
            *parts,
            *(
                performer.person
                for other in (*parts, *([parent] if parent else []))
                for performer in other.performers.all()
                if performer.person_id
            ),
        ],
    )

    nodes: list[Node] = []
    locations = _locations(page, context.page_url, records)
    nodes.extend(locations)
    organizer, organizer_node = _organizer(page, context, records)
    if organizer_node is not None:
        nodes.append(organizer_node)
    performer_values: list[Person | Ref] = []
    for performer in _performers(performers, records):
        if performer.id:
            nodes.append(performer)
            performer_values.append(performer.ref())
        else:
            performer_values.append(performer)
    offers = _offers(page, context, currency)
    nodes.extend(offers)

    image = None
    if page.image_id and page.image is not None:
        image_id = f"{context.page_url}#primaryimage"
        credit = {"credit_text": page.image_credit} if page.image_credit else {}
        nodes.append(image_node(page.image, context, image_id, **credit))
        image = Ref(id=image_id)
        # The page shows this image first: its WebPage says so (merged by ``@id``).
        nodes.append(WebPage(id=context.webpage_id, primary_image_of_page=image))

    shared = {
        "name": page.title,
        "description": page.summary or None,
        "url": context.page_url,
        "event_attendance_mode": SCHEMA + attendance,
        "location": _one_or_list(_place_refs(locations)),
        "organizer": organizer,
        "performer": performer_values or None,
        "offers": _one_or_list([offer.ref() for offer in offers]),
        "image": image,
        "in_language": page.language or None,
        "is_accessible_for_free": True if page.is_free else None,
    }

    sub_events: list[Event] = []
    for row in dates.following:
        start, end = _span(row.start, row.end, dates.all_day, dates.tz)
        row_status, previous = status, None
        if page.status not in ("cancelled", "postponed"):
            if row.status == "cancelled":
                row_status = "EventCancelled"
            elif row.status == "moved" and row.original_start:
                row_status = "EventRescheduled"
                previous = _span(row.original_start, None, dates.all_day, dates.tz)[0]
        sub_events.append(
            node_class(
                id=f"{context.page_url}#event-{_date_key(start)}",
                start_date=start,
                end_date=end,
                event_status=SCHEMA + row_status,
                previous_start_date=previous,
                super_event=Ref(id=node_id),
                **shared,
            )
        )

    extra: list[Node] = []
    part_nodes = []
    for part in parts:
        url = records.url(part)
        if url:
            brief = _brief_node(part, url, default_zone, context, records, extra)
            brief.super_event = Ref(id=node_id)
            part_nodes.append(brief)
    parent_url = records.url(parent) if parent is not None else None
    parent_node = (
        _brief_node(parent, parent_url, default_zone, context, records, extra)
        if parent_url
        else None
    )

    yield node_class(
        id=node_id,
        start_date=dates.start,
        end_date=dates.end,
        previous_start_date=_previous_start(page, dates.tz),
        event_status=SCHEMA + status,
        sub_event=[node.ref() for node in (*sub_events, *part_nodes)] or None,
        super_event=parent_node.ref() if parent_node is not None else None,
        **shared,
    )
    yield from nodes
    yield from sub_events
    yield from part_nodes
    if parent_node is not None:
        yield parent_node
    yield from _unique(extra)


def _unique(nodes: list[Node]) -> Iterator[Node]:
    seen: set[str | None] = set()
    for node in nodes:
        if node.id not in seen:
            seen.add(node.id)
            yield node
