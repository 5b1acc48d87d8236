"""Private calendars of bookings (iCalendar, RFC 5545), served at a secret address:
``/calendriers/location/<secret>.ics`` (``rentals.urls``, mounted by the site's URLconf).

Two kinds of link (``CalendarToken``), both made and revoked here:

- **the desk's calendar** — staff make as many as they need in the admin (one per phone or
  shared calendar); it shows every booking of the organization: its pick-up and its return as
  two events, titled with the borrower's name and the items, described with the booking's
  number, status, both dates and each unit with its inventory number;
- **a member's calendar** — one live link per member (``member_feed_url``), showing that
  member's own bookings only (as borrower), items without inventory numbers, each event linked
  to the booking's page in the member space.

What a calendar holds: bookings whose return is less than ``PAST_DAYS`` ago, and every later
one. A requested booking is ``TENTATIVE``, a confirmed, checked-out or returned one
``CONFIRMED``. A cancelled or refused booking stays ``STATUS:CANCELLED`` (its title says so) for
``CANCELLED_SHOWN_DAYS`` after that change, so that calendar apps that merge rather than
replace see it go, then leaves the feed. Times are written in the organization's time zone
(``TZID`` with its ``VTIMEZONE``): a 10:00 pick-up stays at 10:00 local on both sides of a
clock change. Each event keeps one ``UID`` (booking, pick-up or return, and the kind of
calendar: an event of the desk's calendar and the same one in a member's never collide in an
app that shows both); ``LAST-MODIFIED`` and ``DTSTAMP`` are the booking's last change and
``SEQUENCE`` counts the seconds from 2025 to it, so it only grows.

Privacy: an unknown secret, a revoked one and another organization's (even on this
organization's host) get the same 404, without telling which. Nothing is cached on the way
(``Cache-Control: private, no-store``) nor indexed; the text is in the organization's language.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from django.db import models, transaction
from django.db.models import Prefetch, Sum
from django.http import HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from crm_blocks.models import Contact
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationLanguage, OrganizationSettings

from .models import (
    INACTIVE_STATUSES,
    Booking,
    BookingLine,
    BookingStatus,
    CalendarToken,
    CalendarTokenKind,
    EquipmentIndexPage,
    KitComponent,
)

#: Bookings returned longer ago than this leave the calendars.
PAST_DAYS = 90
#: How long a cancelled or refused booking stays, marked cancelled, after that change.
CANCELLED_SHOWN_DAYS = 30
#: A pick-up or a return is a moment: shown as this long.
HANDOVER = dt.timedelta(minutes=30)
#: How often calendar apps should look again (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH_INTERVAL = dt.timedelta(hours=1)
#: ``last_used_at`` is written at most this often per link (apps poll every few minutes).
USE_RECORDED_EVERY = dt.timedelta(minutes=15)
#: ``SEQUENCE`` counts seconds from here to the booking's last change.
SEQUENCE_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
UID_DOMAIN = "liens-mutuels"
PRODUCT_ID = "-//Liens Mutuels//Rentals//"
URL_NAME = "rentals_calendar_feed"


# --- Links -------------------------------------------------------------------------------------


def calendar_link_create(
    *,
    site: Site,
    kind: str = CalendarTokenKind.STAFF,
    contact: Contact | None = None,
    label: str = "",
    user=None,
) -> tuple[CalendarToken, str]:
    """A new link and its secret. The secret exists only in this return value: show it once
    (``feed_url``), it is never stored."""
    secret = CalendarToken.new_secret()
    token = CalendarToken(
        site=site,
        kind=kind,
        contact=contact,
        label=label,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    token.set_secret(secret)
    token.full_clean()
    token.save()
    return token, secret


def feed_url(site: Site, secret: str, request=None) -> str:
    """The full address of a calendar, on its organization's own host: the request's scheme
    and port when it was made on that host, else the site's root URL (the admin may be used
    from another address)."""
    path = reverse(URL_NAME, kwargs={"secret": secret})
    if request is not None and request.get_host().rsplit(":", 1)[0] == site.hostname:
        return request.build_absolute_uri(path)
    return site.root_url + path


def member_feed(contact: Contact) -> CalendarToken | None:
    """The member's live calendar link, to say when it was made and last read (its address
    cannot be shown again)."""
    return CalendarToken.objects.of_member(contact).live().order_by("-created_at", "-pk").first()


def member_feed_url(request, contact: Contact, create: bool = True) -> str | None:
    """The address of a member's own calendar, for the member space.

    Only a digest is kept, so an address exists once: with ``create`` a new link is made,
    and the member's earlier links are revoked (one live link per member — asking for a new
    one is how a member cuts a link they shared by mistake); its full address is returned, to
    show now. Without ``create``, nothing is made and ``None`` is returned: whether a link is
    live is ``member_feed(contact)``."""
    if not create:
        return None
    with transaction.atomic():
        revoke_member_feeds(contact)
        _token, secret = calendar_link_create(
            site=contact.site,
            kind=CalendarTokenKind.MEMBER,
            contact=contact,
            label=_("Member’s own calendar"),
            user=getattr(request, "user", None),
        )
    return feed_url(contact.site, secret, request)


def revoke_member_feeds(contact: Contact) -> int:
    """Revoke every live link to the member's calendar (the member asks, or leaves); their
    calendar apps then get "not found". Returns how many were live."""
    return CalendarToken.objects.of_member(contact).live().update(revoked_at=timezone.now())


# --- What a calendar shows ---------------------------------------------------------------------


@dataclass
class FeedContext:
    """What every event of one calendar shares."""

    token: CalendarToken
    zone: ZoneInfo
    staff: bool
    titles: dict  # translation_key -> the item's title
    kit_sizes: dict  # translation_key of a kit -> units in one kit
    #: The catalogue whose ``reservations/<id>/`` is a booking's page in the member space
    #: (members' calendars only), and its full address.
    catalogue: EquipmentIndexPage | None = None
    catalogue_url: str = ""

    def booking_url(self, booking: Booking) -> str | None:
        if self.catalogue is None or not self.catalogue_url:
            return None
        return self.catalogue_url + self.catalogue.reverse_subpage("booking", args=[booking.pk])

    def title_of(self, twin) -> str:
        return self.titles.get(twin.translation_key, "") or str(twin.translation_key)


def feed_bookings(token: CalendarToken, now: dt.datetime):
    """The bookings a link's calendar shows (see the module docstring), with their lines,
    units and borrower's name, in a fixed number of queries."""
    recently_closed = models.Q(
        status__in=INACTIVE_STATUSES,
        updated_at__gte=now - dt.timedelta(days=CANCELLED_SHOWN_DAYS),
    )
    bookings = (
        Booking.objects.for_site(token.site)
        .filter(return_at__gte=now - dt.timedelta(days=PAST_DAYS))
        .filter(~models.Q(status__in=INACTIVE_STATUSES) | recently_closed)
    )
    if token.kind == CalendarTokenKind.MEMBER:
        bookings = bookings.of_borrower(token.contact_id)
    lines = BookingLine.objects.select_related("unit", "equipment", "kit").order_by("pk")
    return (
        bookings.annotate(borrower_name=record_name("borrower"))
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("pickup_at", "pk")
    )


def item_titles(keys: set, site: Site) -> dict:
    """Each item's title in the organization's language (its first page otherwise)."""
    preferred = site.root_page.locale_id
    titles: dict = {}
    in_language: set = set()
    rows = Page.objects.filter(translation_key__in=keys).order_by("pk")
    for key, locale_id, title in rows.values_list("translation_key", "locale_id", "title"):
        if key in in_language:
            continue
        if locale_id == preferred:
            titles[key] = title
            in_language.add(key)
        else:
            titles.setdefault(key, title)
    return titles


def kit_sizes(keys: set) -> dict:
    """Units in one kit, per kit (its first page's components): lines of a kit booked twice
    hold twice as many."""
    sizes: dict = {}
    rows = (
        KitComponent.objects.filter(kit__translation_key__in=keys)
        .values("kit_id", "kit__translation_key")
        .annotate(size=Sum("quantity"))
        .order_by("kit_id")
    )
    for row in rows:
        sizes.setdefault(row["kit__translation_key"], row["size"])
    return sizes


def items_summary(lines: Iterable[BookingLine], context: FeedContext) -> tuple[str, list[str]]:
    """The items of a booking in one line (« 2 × Caméra, Trousse son »), and what goes out
    line by line: each unit with its inventory number on the desk's calendar, each item and
    how many on a member's."""
    counts: Counter = Counter()
    kit_lines: Counter = Counter()
    units = []
    for line in lines:
        name = context.title_of(line.equipment)
        if line.kit_id:
            kit_name = context.title_of(line.kit)
            kit_lines[(line.kit.translation_key, kit_name)] += 1
            name = pgettext("an item of a kit", "%(kit)s: %(item)s") % {
                "kit": kit_name,
                "item": name,
            }
        else:
            counts[name] += 1
        units.append((name, line.unit.inventory_number))
    for (key, kit_name), count in kit_lines.items():
        size = context.kit_sizes.get(key) or count
        counts[kit_name] += max(1, count // size)
    summary = ", ".join(times(name, count) for name, count in counts.items())
    if context.staff:
        details = [f"– {name} ({number})" for name, number in units]
    else:
        details = [
            f"– {times(name, count)}" for name, count in Counter(n for n, _ in units).items()
        ]
    return summary, details


def times(name: str, count: int) -> str:
    return name if count == 1 else f"{count} × {name}"


def local_text(value: dt.datetime, zone: ZoneInfo) -> str:
    return formats.date_format(value.astimezone(zone), "DATETIME_FORMAT")


def event_status(booking: Booking) -> str:
    if booking.status in INACTIVE_STATUSES:
        return "CANCELLED"
    if booking.status == BookingStatus.REQUESTED:
        return "TENTATIVE"
    return "CONFIRMED"


def status_text(booking: Booking) -> str:
    label = str(BookingStatus(booking.status).label)
    if booking.is_late:
        label = pgettext("booking status", "%(status)s, late") % {"status": label}
    return label


def sequence_of(booking: Booking) -> int:
    return max(0, int((booking.updated_at - SEQUENCE_EPOCH).total_seconds()))


def booking_events(booking: Booking, context: FeedContext) -> list[icalendar.Event]:
    """The pick-up and the return of one booking."""
    lines = list(booking.lines.all())
    items, details = items_summary(lines, context)
    borrower = booking.borrower_name or str(booking.borrower)
    zone = context.zone
    status = event_status(booking)
    description = [
        _("Booking %(number)s — %(status)s")
        % {"number": booking.number, "status": status_text(booking)},
    ]
    if context.staff:
        description.append(_("Borrower: %(name)s") % {"name": borrower})
    description += [
        _("Pick-up: %(when)s") % {"when": local_text(booking.pickup_at, zone)},
        _("Return: %(when)s") % {"when": local_text(booking.return_at, zone)},
    ]
    if details:
        description += [_("Items:"), *details]
    url = context.booking_url(booking)
    events = []
    moments = (
        ("pickup", booking.pickup_at, pgettext("calendar event", "Pick-up")),
        ("return", booking.return_at, pgettext("calendar event", "Return")),
    )
    for moment, when, label in moments:
        if context.staff:
            summary = _("%(moment)s: %(borrower)s — %(items)s") % {
                "moment": label,
                "borrower": borrower,
                "items": items,
            }
        else:
            summary = _("%(moment)s: %(items)s") % {"moment": label, "items": items}
        if status == "CANCELLED":
            summary = _("%(status)s — %(summary)s") % {
                "status": BookingStatus(booking.status).label,
                "summary": summary,
            }
        start = when.astimezone(zone)
        events.append(
            icalendar.Event.new(
                uid=f"rentals-{context.token.kind}-{booking.pk}-{moment}@{UID_DOMAIN}",
                start=start,
                end=start + HANDOVER,
                summary=summary,
                description="\n".join(description),
                status=status,
                sequence=sequence_of(booking),
                stamp=booking.updated_at.astimezone(dt.UTC),
                last_modified=booking.updated_at.astimezone(dt.UTC),
                created=booking.created_at.astimezone(dt.UTC),
                classification="PRIVATE",
                url=url,
            )
        )
    return events


def member_catalogue(site: Site) -> EquipmentIndexPage | None:
    """The live catalogue in the organization's language, whose ``reservations/<id>/`` is a
    booking's page in the member space."""
    return (
        EquipmentIndexPage.objects.live()
        .descendant_of(site.root_page)
        .filter(locale_id=site.root_page.locale_id)
        .first()
    )


def calendar_for(
    token: CalendarToken,
    now: dt.datetime | None = None,
    organization: OrganizationSettings | None = None,
) -> icalendar.Calendar:
    """The calendar a link opens, in the active language."""
    now = now or timezone.now()
    site = token.site
    organization = organization or OrganizationSettings.for_site(site)
    zone = ZoneInfo(organization.time_zone)
    staff = token.kind == CalendarTokenKind.STAFF
    bookings = list(feed_bookings(token, now))
    keys = set()
    kit_keys = set()
    for booking in bookings:
        for line in booking.lines.all():
            keys.add(line.equipment.translation_key)
            if line.kit_id:
                keys.add(line.kit.translation_key)
                kit_keys.add(line.kit.translation_key)
    catalogue = None if staff else member_catalogue(site)
    context = FeedContext(
        token=token,
        zone=zone,
        staff=staff,
        titles=item_titles(keys, site) if keys else {},
        kit_sizes=kit_sizes(kit_keys) if kit_keys else {},
        catalogue=catalogue,
        catalogue_url=(catalogue.get_full_url() or "") if catalogue is not None else "",
    )
    if staff:
        name = _("Equipment bookings — %(organization)s")
    else:
        name = _("My equipment bookings — %(organization)s")
    name = name % {"organization": organization.display_name}
    language = translation.get_language() or "fr"
    calendar = icalendar.Calendar.new(
        prodid=f"{PRODUCT_ID}{language.upper()}",
        name=name,
        method="PUBLISH",
        calscale="GREGORIAN",
        refresh_interval=REFRESH_INTERVAL,
        uid=f"rentals-calendar-{token.pk}@{UID_DOMAIN}",
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986: no default type
    calendar.add("X-WR-TIMEZONE", str(zone.key))
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL))
    for booking in bookings:
        for event in booking_events(booking, context):
            calendar.add_component(event)
    first = min((b.pickup_at for b in bookings), default=now).astimezone(zone).date()
    last = max((b.return_at for b in bookings), default=now).astimezone(zone).date()
    first, last = first.replace(month=1, day=1), last.replace(month=12, day=31)
    if bookings:
        calendar.add_missing_timezones(first_date=first, last_date=last)
    else:  # a calendar holds at least one component (RFC 5545 3.4): the zone it is in
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(zone, zone.key, first_date=first, last_date=last)
        )
    return calendar


# --- The view ----------------------------------------------------------------------------------


def private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def not_found() -> HttpResponse:
    """One answer for an unknown, revoked or foreign secret: nothing tells them apart."""
    response = HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8")
    return private(response)


def record_use(token: CalendarToken, now: dt.datetime) -> None:
    """When the link was last read (at most one write per ``USE_RECORDED_EVERY``)."""
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY:
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)


@require_safe
def calendar_feed_view(request, secret: str) -> HttpResponse:
    """``/calendriers/location/<secret>.ics``: the calendar of a live link of the organization
    whose host was asked; "not found" otherwise."""
    site = Site.find_for_request(request)
    token = (
        CalendarToken.objects.live()
        .matching(secret)
        .filter(site=site)
        .select_related("site", "site__root_page")
        .first()
        if site is not None
        else None
    )
    if token is None:
        return not_found()
    now = timezone.now()
    organization = OrganizationSettings.for_site(token.site)
    language = OrganizationLanguage(organization.language).content_language
    with translation.override(language):
        content = calendar_for(token, now, organization).to_ical()
    record_use(token, now)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="reservations.ics"'
    return private(response)
