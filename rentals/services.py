"""The rules of renting, in one place for every way in (the admin, the member space, imports,
commands): periods in the organization's time zone, availability by day, rates by membership,
and bookings that never hold a unit twice.

Availability and conflicts count units and name dates; who holds a unit is said to staff only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm_blocks.models import Contact, Membership
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationSettings
from organizations.money import format_money
from public_cache.generations import invalidate_sites

from .models import (
    INACTIVE_STATUSES,
    Booking,
    BookingLine,
    BookingStatus,
    Closure,
    Equipment,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    MembershipRate,
    Qualification,
    RateColumn,
    RentalSettings,
    UnitStatus,
)

#: Sent after a booking's status changed (``booking``, ``previous``, ``user``): e-mails, feeds.
booking_status_changed = Signal()

#: The longest window availability is asked for, and the longest loan requested online.
MAX_WINDOW_DAYS = 366
#: Bookings are for dates between these years (a typo like 9999 is refused, not stored).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def availability_changed(site) -> None:
    """Once the transaction commits: the site's cached public pages (an item's month view, the
    catalogue's "free from … to …") are forgotten, since what is free has changed."""
    transaction.on_commit(lambda: invalidate_sites(site_ids=[site.pk]))


# --- Time ------------------------------------------------------------------------------------


def organization_zone(site) -> ZoneInfo:
    """The organization's time zone: one column of its settings (one query, or none when the
    site already carries it for this request), not the whole settings row and its
    translations."""
    cached = getattr(site, "_rentals_time_zone", None)
    if cached is None:
        name = (
            OrganizationSettings.objects.filter(site=site)
            .values_list("time_zone", flat=True)
            .first()
        )
        default = OrganizationSettings._meta.get_field("time_zone").default
        cached = site._rentals_time_zone = ZoneInfo(name or default)
    return cached


def rental_settings(site) -> RentalSettings:
    return RentalSettings.for_site(site)


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)


def to_aware(value: dt.date | dt.datetime, zone: ZoneInfo, default_time: dt.time) -> dt.datetime:
    """A date (at ``default_time``) or a naive date-time, in the organization's zone; an aware
    date-time as it is. Wall times that do not exist or repeat (clock changes) are resolved as
    ``zoneinfo`` does (``fold=0``)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return value
        return value.replace(tzinfo=zone)
    return dt.datetime.combine(value, default_time, tzinfo=zone)


def parse_when(text: str) -> dt.date | dt.datetime:
    """``2027-03-12`` or ``2027-03-12T14:00`` (``2027-03-12 14:00`` too); a clear
    ``ValidationError`` otherwise."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).")
            % {"value": text},
            code="invalid_date",
        ) from None


@dataclass(frozen=True)
class Period:
    """A pick-up and a return, aware, in the organization's zone."""

    pickup_at: dt.datetime
    return_at: dt.datetime

    @classmethod
    def from_values(cls, site, start, end) -> Period:
        """From dates or date-times (a date means the desk's usual pick-up or return time)."""
        zone = organization_zone(site)
        desk = rental_settings(site)
        pickup = to_aware(start, zone, desk.pickup_time).astimezone(zone)
        return_at = to_aware(end, zone, desk.return_time).astimezone(zone)
        if return_at <= pickup:
            raise ValidationError(_("The return must come after the pick-up."), code="period_order")
        if pickup.year < FIRST_YEAR or return_at.year > LAST_YEAR:
            raise ValidationError(
                _("Choose dates between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="period_years",
            )
        return cls(pickup, return_at)

    def days(self) -> int:
        """Days charged: started periods of 24 hours, at least one."""
        hours = (self.return_at - self.pickup_at).total_seconds() / 3600
        return max(1, math.ceil(hours / 24 - 1e-9))

    def blocked_until(self, site=None, buffer: dt.timedelta | None = None) -> dt.datetime:
        if buffer is None:
            buffer = rental_settings(site).buffer
        return self.return_at + buffer


def date_range(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def closed_days(site, start: dt.date, end: dt.date) -> set[dt.date]:
    days = set()
    for first, last in Closure.objects.filter(
        site=site, start_date__lte=end, end_date__gte=start
    ).values_list("start_date", "end_date"):
        days.update(date_range(max(first, start), min(last, end)))
    return days


# --- Availability ----------------------------------------------------------------------------


def check_window(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The end date comes before the start date."), code="window_order")
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise ValidationError(
            _("Ask for at most %(days)s days at a time.") % {"days": MAX_WINDOW_DAYS},
            code="window_too_long",
        )


@dataclass
class Availability:
    start: dt.date
    end: dt.date
    units_total: int
    units_free: int
    days: list[tuple[dt.date, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "units_total": self.units_total,
            "units_free": self.units_free,
            "days": [{"date": day.isoformat(), "units_free": free} for day, free in self.days],
        }


def _unit_ids(translation_key) -> list[int]:
    return list(
        EquipmentUnit.objects.filter(
            equipment__translation_key=translation_key, status=UnitStatus.AVAILABLE
        ).values_list("pk", flat=True)
    )


def _held(unit_ids, start_at, end_at, exclude_booking=None):
    lines = BookingLine.objects.filter(unit_id__in=unit_ids).blocking(start_at, end_at)
    if exclude_booking is not None:
        lines = lines.exclude(booking=exclude_booking)
    return lines.values_list("unit_id", "starts_at", "blocked_until")


def _single_availability(page, start, end, zone, closed) -> Availability:
    unit_ids = _unit_ids(page.translation_key)
    window_start = local_midnight(start, zone)
    window_end = local_midnight(end + dt.timedelta(days=1), zone)
    taken_by_day: dict[dt.date, set[int]] = defaultdict(set)
    taken = set()
    if unit_ids:
        for unit_id, held_from, held_until in _held(unit_ids, window_start, window_end):
            taken.add(unit_id)
            first = max(held_from.astimezone(zone).date(), start)
            last = min((held_until - dt.timedelta(microseconds=1)).astimezone(zone).date(), end)
            for day in date_range(first, last):
                taken_by_day[day].add(unit_id)
    total = len(unit_ids)
    days = [
        (day, 0 if day in closed else total - len(taken_by_day.get(day, ())))
        for day in date_range(start, end)
    ]
    # Nothing is picked up or returned on a closed day; closed days inside the window only
    # count as taken in ``days``.
    free = 0 if (start in closed or end in closed) else total - len(taken)
    return Availability(start, end, total, free, days)


def availability(page: EquipmentPage, start: dt.date, end: dt.date, site=None) -> Availability:
    """How many units of ``page``'s item are free each day from ``start`` to ``end`` (days of
    the organization's time zone), and for the whole window. A unit held for part of a day (or
    resting after a return: the buffer) is taken that day; closed days have nothing free. A
    kit counts the whole kits its components make."""
    check_window(start, end)
    site = site or page.get_site()
    zone = organization_zone(site)
    closed = closed_days(site, start, end)
    if not page.is_kit:
        return _single_availability(page, start, end, zone, closed)
    components = list(
        KitComponent.objects.filter(kit=page).select_related("item").order_by("sort_order")
    )
    if not components:
        return Availability(start, end, 0, 0, [(day, 0) for day in date_range(start, end)])
    parts = [
        (_single_availability(c.item, start, end, zone, closed), c.quantity) for c in components
    ]
    total = min(part.units_total // quantity for part, quantity in parts)
    free = min(part.units_free // quantity for part, quantity in parts)
    days = [
        (day, min(part.days[index][1] // quantity for part, quantity in parts))
        for index, day in enumerate(date_range(start, end))
    ]
    return Availability(start, end, total, free, days)


# --- Rates -----------------------------------------------------------------------------------

RATE_PREFERENCE = (RateColumn.MEMBER, RateColumn.STANDARD, RateColumn.COMMERCIAL)


def rate_column_for(borrower: Contact, on_date: dt.date, commercial: bool = False) -> str:
    """The rates a borrower pays for a booking picked up on ``on_date``: commercial for a
    commercial production; else those of a membership current that day (by its type:
    ``MembershipRate``, members' rates by default); else the non-members' rates. A membership
    ending the day before gives nothing."""
    if commercial:
        return RateColumn.COMMERCIAL
    types = list(
        Membership.objects.filter(contact=borrower, start_date__lte=on_date)
        .current(today=on_date)
        .values_list("membership_type_id", flat=True)
    )
    if not types:
        return RateColumn.STANDARD
    mapped = dict(
        MembershipRate.objects.filter(membership_type_id__in=types).values_list(
            "membership_type_id", "column"
        )
    )
    columns = {mapped.get(type_id, RateColumn.MEMBER) for type_id in types}
    for column in RATE_PREFERENCE:
        if column in columns:
            return column
    return RateColumn.STANDARD


def is_weekend(period: Period) -> bool:
    """Picked up on a Friday or Saturday and back by the Monday after."""
    pickup = period.pickup_at.date()
    if pickup.weekday() not in (4, 5):
        return False
    monday = pickup + dt.timedelta(days=7 - pickup.weekday())
    return period.return_at.date() <= monday


@dataclass(frozen=True)
class Price:
    amount: Decimal
    detail: str


def price_for(page: EquipmentPage, column: str, period: Period, currency: str) -> Price:
    """The cheapest of: days × daily rate; weeks × weekly rate and the remaining days (never
    more than a week's rate); the weekend rate for a Friday or Saturday to Monday loan."""
    rates = page.rates(column)
    daily, weekend, weekly = rates["daily"], rates["weekend"], rates["weekly"]
    days = period.days()
    options: list[Price] = []

    def money(amount):
        return format_money(amount, currency)

    if daily is not None:
        options.append(
            Price(
                daily * days,
                ngettext("%(count)s day × %(rate)s", "%(count)s days × %(rate)s", days)
                % {"count": days, "rate": money(daily)},
            )
        )
    if weekly is not None:
        weeks, rest = divmod(days, 7)
        rest_cost = min(rest * daily, weekly) if daily is not None else (weekly if rest else 0)
        if rest and daily is None:
            weeks, rest_cost = weeks + 1, Decimal(0)
        amount = weeks * weekly + rest_cost
        detail = ngettext(
            "%(count)s week × %(rate)s", "%(count)s weeks × %(rate)s", max(weeks, 1)
        ) % {"count": max(weeks, 1), "rate": money(weekly)}
        if rest_cost:
            detail += " + " + money(rest_cost)
        options.append(Price(amount, detail))
    if weekend is not None and is_weekend(period):
        options.append(Price(weekend, _("weekend rate (%(rate)s)") % {"rate": money(weekend)}))
    if not options:
        return Price(Decimal(0), _("rate on request"))
    return min(options, key=lambda price: price.amount)


def _kit_instance_size(kit_page) -> int:
    return sum(c.quantity for c in kit_page.kit_components.all()) or 1


def price_booking(booking: Booking, save: bool = True) -> Booking:
    """Compute the rates of ``booking`` (unless they are frozen): its rate column from the
    borrower's membership on the pick-up date, each unit's (or kit's) price, the deposit,
    the subtotal and the total after the discount."""
    if booking.rates_frozen:
        return booking
    site = booking.site
    # What a line says (« 2 jours × 60,00 $ ») is kept: in the organization's language.
    with translation.override(OrganizationSettings.for_site(site).language):
        return _price_booking(booking, site, save)


def _price_booking(booking: Booking, site, save: bool) -> Booking:
    zone = organization_zone(site)
    currency = OrganizationSettings.for_site(site).currency
    period = Period(booking.pickup_at.astimezone(zone), booking.return_at.astimezone(zone))
    column = rate_column_for(booking.borrower, period.pickup_at.date(), booking.commercial)
    lines = list(booking.lines.select_related("equipment", "kit").order_by("pk"))
    pages: dict = {}

    def page_of(twin):
        if twin.pk not in pages:
            pages[twin.pk] = twin.page()
        return pages[twin.pk]

    deposit = Decimal(0)
    kit_lines: dict[int, list[BookingLine]] = defaultdict(list)
    for line in lines:
        if line.kit_id:
            kit_lines[line.kit_id].append(line)
            continue
        page = page_of(line.equipment)
        price = price_for(page, column, period, currency)
        line.price, line.rate_detail = price.amount, price.detail
        deposit += page.deposit or 0
    for grouped in kit_lines.values():
        kit_page = page_of(grouped[0].kit)
        instances = max(1, len(grouped) // _kit_instance_size(kit_page))
        price = price_for(kit_page, column, period, currency)
        for index, line in enumerate(grouped):
            if index == 0:
                line.price = price.amount * instances
                line.rate_detail = (
                    f"{instances} × {kit_page.title} — {price.detail}"
                    if instances > 1
                    else f"{kit_page.title} — {price.detail}"
                )
            else:
                line.price = Decimal(0)
                line.rate_detail = _("included in the kit “%(kit)s”") % {"kit": kit_page.title}
        deposit += (kit_page.deposit or 0) * instances
    booking.rate_column = column
    booking.currency = currency
    booking.subtotal = sum((line.price for line in lines), Decimal(0))
    booking.total = max(booking.subtotal - booking.discount, Decimal(0))
    if not booking.pk or booking.deposit == 0:
        booking.deposit = deposit
    if save:
        BookingLine.objects.bulk_update(lines, ["price", "rate_detail"])
        booking.save()
    return booking


# --- Conflicts -------------------------------------------------------------------------------


def format_day(day: dt.date) -> str:
    return date_format(day, "j F Y")


def day_ranges(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days grouped: [(first, last), …]."""
    ranges: list[list[dt.date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def describe_days(days: list[dt.date]) -> str:
    parts = []
    for first, last in day_ranges(days):
        if first == last:
            parts.append(format_day(first))
        else:
            parts.append(
                _("%(first)s to %(last)s") % {"first": format_day(first), "last": format_day(last)}
            )
    return ", ".join(parts)


class BookingError(ValidationError):
    """A booking that cannot be made as asked, with a message for the person who asked."""


class BookingConflict(BookingError):
    """Units are taken for some of the asked dates. ``message`` names the dates; ``staff_detail``
    adds which bookings hold the units (for staff only)."""

    def __init__(self, message, *, days=(), staff_detail=""):
        super().__init__(message, code="conflict")
        self.days = list(days)
        self.staff_detail = staff_detail

    def message_for(self, staff: bool) -> str:
        text = self.messages[0]
        if staff and self.staff_detail:
            return f"{text} {self.staff_detail}"
        return text


def conflict_for(page: EquipmentPage, quantity: int, period: Period, site, exclude=None):
    """The conflict to report when ``quantity`` units of ``page`` are not free for ``period``."""
    zone = organization_zone(site)
    start = period.pickup_at.astimezone(zone).date()
    end = period.blocked_until(site).astimezone(zone).date()
    short_days = [
        day for day, free in availability(page, start, end, site=site).days if free < quantity
    ] or [start]
    message = _("“%(item)s” is not free for these dates: taken on %(days)s.") % {
        "item": page.title,
        "days": describe_days(short_days),
    }
    holders = (
        Booking.objects.active()
        .filter(
            lines__equipment__translation_key=page.translation_key,
            lines__active=True,
            lines__starts_at__lt=period.blocked_until(site),
            lines__blocked_until__gt=period.pickup_at,
        )
        .exclude(pk=getattr(exclude, "pk", None))
        .annotate(borrower_name=record_name("borrower"))
        .distinct()
        .order_by("pickup_at")[:5]
    )
    staff_detail = "; ".join(
        _("booking %(number)s (%(borrower)s, %(start)s – %(end)s)")
        % {
            "number": booking.number,
            "borrower": booking.borrower_name or "—",
            "start": format_day(booking.pickup_at.astimezone(zone).date()),
            "end": format_day(booking.return_at.astimezone(zone).date()),
        }
        for booking in holders
    )
    if staff_detail:
        staff_detail = _("Held by: %(bookings)s.") % {"bookings": staff_detail}
    return BookingConflict(message, days=short_days, staff_detail=staff_detail)


# --- Checks before booking -------------------------------------------------------------------


def check_closures(site, period: Period) -> None:
    zone = organization_zone(site)
    closed = closed_days(site, period.pickup_at.date(), period.return_at.date())
    messages = (
        (
            period.pickup_at,
            _("The equipment desk is closed on %(day)s: choose another pick-up day."),
        ),
        (
            period.return_at,
            _("The equipment desk is closed on %(day)s: choose another return day."),
        ),
    )
    for moment, message in messages:
        day = moment.astimezone(zone).date()
        if day in closed:
            raise BookingError(message % {"day": format_day(day)}, code="closed")


def trainings_needed(page: EquipmentPage):
    """The trainings booking ``page`` needs (a kit's and its components')."""
    needed = {page.required_training_id} if page.required_training_id else set()
    if page.is_kit:
        needed |= set(
            page.kit_components.exclude(item__required_training=None).values_list(
                "item__required_training", flat=True
            )
        )
    return needed


def check_training(borrower: Contact, page: EquipmentPage, period: Period) -> None:
    needed = trainings_needed(page)
    if not needed:
        return
    held = set(
        Qualification.objects.filter(contact=borrower, training_id__in=needed)
        .valid_on(period.pickup_at.date(), period.return_at.date())
        .values_list("training_id", flat=True)
    )
    missing = needed - held
    if missing:
        from .models import Training

        names = ", ".join(Training.objects.filter(pk__in=missing).values_list("name", flat=True))
        raise BookingError(
            _("“%(item)s” needs a training the borrower's record does not show: %(trainings)s.")
            % {"item": page.title, "trainings": names},
            code="training",
        )


# --- Making and changing bookings ------------------------------------------------------------


def is_overlap_error(error: Exception) -> bool:
    text = str(error)
    return "rentals_unit_booked_once" in text or "unit already booked" in text


def _lock_units(twin_ids) -> None:
    """Serialise requests for the same items: on PostgreSQL, the units' rows are locked until
    the transaction ends; SQLite's ``BEGIN IMMEDIATE`` already serialises every write."""
    if connection.vendor == "postgresql":
        list(
            EquipmentUnit.objects.select_for_update()
            .filter(equipment_id__in=twin_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _free_units(twin: Equipment, count: int, start, until, exclude_booking=None) -> list[int]:
    busy = BookingLine.objects.blocking(start, until).filter(unit__equipment=twin)
    if exclude_booking is not None:
        busy = busy.exclude(booking=exclude_booking)
    return list(
        EquipmentUnit.objects.bookable()
        .filter(equipment=twin)
        .exclude(pk__in=busy.values("unit_id"))
        .order_by("inventory_number", "pk")
        .values_list("pk", flat=True)[:count]
    )


def _twin_of(page: EquipmentPage) -> Equipment:
    twin = page.get_private_twin()
    if twin is None:
        raise BookingError(_("This item has no inventory record yet."), code="no_twin")
    return twin


def _plan_lines(page: EquipmentPage, quantity: int) -> list[tuple[EquipmentPage, int, bool]]:
    """``(item page, units, part of a kit)`` to book for ``quantity`` of ``page``."""
    if not page.is_kit:
        return [(page, quantity, False)]
    components = list(page.kit_components.select_related("item").order_by("sort_order"))
    if not components:
        raise BookingError(
            _("The kit “%(kit)s” has no items yet.") % {"kit": page.title}, code="empty_kit"
        )
    return [(c.item, c.quantity * quantity, True) for c in components]


def request_booking(
    site,
    borrower: Contact,
    items: list[tuple[EquipmentPage, int]],
    start,
    end,
    *,
    user=None,
    online: bool = False,
    commercial: bool = False,
    production_title: str = "",
    notes: str = "",
    units: dict | None = None,
) -> Booking:
    """Book ``items`` (``(page, quantity)``) for ``borrower`` from ``start`` to ``end`` (dates
    or date-times in the organization's zone), picking free units, or the ``units`` staff chose
    (page pk → list of unit pks). All units or none: a ``BookingConflict`` names the dates that
    collide, a ``BookingError`` any other reason (closed day, training, item not bookable)."""
    period = start if isinstance(start, Period) else Period.from_values(site, start, end)
    if borrower.site_id != site.pk:
        raise BookingError(_("This borrower belongs to another organization."), code="site")
    if not items:
        raise BookingError(_("Choose at least one item."), code="no_item")
    for page, quantity in items:
        if quantity < 1:
            raise BookingError(_("The quantity must be at least 1."), code="quantity")
        if _twin_of(page).site_id != site.pk:
            raise BookingError(_("This item belongs to another organization."), code="site")
        if online and not page.online_requests:
            raise BookingError(
                _("“%(item)s” cannot be requested online: contact the equipment desk.")
                % {"item": page.title},
                code="not_online",
            )
        check_training(borrower, page, period)
    if online and period.pickup_at < timezone.now():
        raise BookingError(_("The pick-up date has passed."), code="past")
    if online and (period.return_at - period.pickup_at).days >= MAX_WINDOW_DAYS:
        raise BookingError(
            _("Ask for at most %(days)s days at a time.") % {"days": MAX_WINDOW_DAYS},
            code="too_long",
        )
    check_closures(site, period)
    buffer = rental_settings(site).buffer
    until = period.return_at + buffer
    plan = []
    for page, quantity in items:
        for item_page, count, in_kit in _plan_lines(page, quantity):
            if in_kit and _twin_of(item_page).site_id != site.pk:
                # A kit whose parts were picked in another organization's catalogue.
                raise BookingError(_("This item belongs to another organization."), code="site")
            plan.append((page, item_page, count, in_kit))
    try:
        with transaction.atomic():
            twins = {item_page.pk: _twin_of(item_page) for _, item_page, _, _ in plan}
            kit_twins = {page.pk: _twin_of(page) for page, _, _, in_kit in plan if in_kit}
            _lock_units([twin.pk for twin in twins.values()])
            booking = Booking.objects.create(
                site=site,
                borrower=borrower,
                pickup_at=period.pickup_at,
                return_at=period.return_at,
                commercial=commercial,
                production_title=production_title,
                notes=notes,
                requested_online=online,
                requested_by=user if getattr(user, "is_authenticated", False) else None,
            )
            lines = []
            for page, item_page, count, in_kit in plan:
                twin = twins[item_page.pk]
                chosen = (units or {}).get(item_page.pk)
                if chosen:
                    unit_ids = list(
                        EquipmentUnit.objects.bookable()
                        .filter(equipment=twin, pk__in=chosen)
                        .values_list("pk", flat=True)
                    )
                    if len(unit_ids) != len(set(chosen)):
                        raise BookingError(
                            _("A chosen unit is not one of this item's bookable units."),
                            code="unit",
                        )
                else:
                    unit_ids = _free_units(twin, count, period.pickup_at, until)
                if len(unit_ids) < count:
                    raise conflict_for(item_page, count, period, site)
                lines.extend(
                    BookingLine(
                        booking=booking,
                        equipment=twin,
                        unit_id=unit_id,
                        kit=kit_twins.get(page.pk) if in_kit else None,
                        starts_at=period.pickup_at,
                        blocked_until=until,
                    )
                    for unit_id in unit_ids
                )
            BookingLine.objects.bulk_create(lines)
            price_booking(booking)
            availability_changed(site)
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        # Another request took a unit between our check and our write: say which dates.
        page = items[0][0]
        raise conflict_for(page, items[0][1], period, site) from None
    return booking


def sync_lines(booking: Booking) -> None:
    """Carry the booking's period and status onto its lines (the rows the no-overlap rule
    reads); a ``BookingConflict`` if that makes a unit held twice."""
    until = booking.return_at + rental_settings(booking.site).buffer
    try:
        with transaction.atomic():
            booking.lines.update(
                starts_at=booking.pickup_at,
                blocked_until=until,
                active=booking.status not in INACTIVE_STATUSES,
            )
            availability_changed(booking.site)
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        line = booking.lines.select_related("equipment").first()
        zone = organization_zone(booking.site)
        period = Period(booking.pickup_at.astimezone(zone), booking.return_at.astimezone(zone))
        raise conflict_for(
            line.equipment.page(), 1, period, booking.site, exclude=booking
        ) from None


ALLOWED = {
    BookingStatus.REQUESTED: {
        BookingStatus.CONFIRMED,
        BookingStatus.REFUSED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.CHECKED_OUT,
        BookingStatus.CANCELLED,
        BookingStatus.REQUESTED,
    },
    BookingStatus.CHECKED_OUT: {BookingStatus.RETURNED},
    BookingStatus.RETURNED: set(),
    BookingStatus.CANCELLED: {BookingStatus.REQUESTED},
    BookingStatus.REFUSED: {BookingStatus.REQUESTED},
}


def change_status(booking: Booking, status: str, *, user=None, note: str = "") -> Booking:
    """Move ``booking`` to ``status`` if the step is allowed (a ``BookingError`` otherwise):
    confirming freezes its rates; refusing or cancelling frees its units; reopening takes them
    back if they are still free. Listeners of ``booking_status_changed`` tell the borrower."""
    previous = booking.status
    if status == previous:
        return booking
    if status not in ALLOWED[BookingStatus(previous)]:
        raise BookingError(
            _("A booking cannot go from “%(from)s” to “%(to)s”.")
            % {"from": BookingStatus(previous).label, "to": BookingStatus(status).label},
            code="transition",
        )
    with transaction.atomic():
        booking.status = status
        now = timezone.now()
        if status == BookingStatus.REQUESTED:
            booking.rates_frozen_at = None
        if status in (BookingStatus.CONFIRMED, BookingStatus.REFUSED, BookingStatus.CANCELLED):
            booking.decided_by = user if getattr(user, "is_authenticated", False) else None
            booking.decision_note = note  # what the e-mail of this decision says, or nothing
        if status == BookingStatus.CONFIRMED:
            price_booking(booking, save=True)
            booking.rates_frozen_at = now
        if status == BookingStatus.CHECKED_OUT:
            booking.checked_out_at = booking.checked_out_at or now
        if status == BookingStatus.RETURNED:
            booking.returned_at = booking.returned_at or now
        booking.save()
        sync_lines(booking)
    transaction.on_commit(
        lambda: booking_status_changed.send(
            sender=Booking, booking=booking, previous=previous, user=user
        )
    )
    return booking


def reschedule(booking: Booking, start, end) -> Booking:
    """New dates for a booking (staff): its units stay, if they are free then."""
    period = Period.from_values(booking.site, start, end)
    check_closures(booking.site, period)
    with transaction.atomic():
        booking.pickup_at, booking.return_at = period.pickup_at, period.return_at
        booking.save()
        sync_lines(booking)
        price_booking(booking)
    return booking


def assign_unit(line: BookingLine, unit: EquipmentUnit) -> BookingLine:
    """Give ``line`` another unit of the same item (staff), if it is free."""
    if unit.equipment_id != line.equipment_id or unit.status != UnitStatus.AVAILABLE:
        raise BookingError(_("This unit is not a bookable unit of the same item."), code="unit")
    try:
        with transaction.atomic():
            line.unit = unit
            line.save(update_fields=["unit"])
            availability_changed(line.booking.site)
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        raise BookingConflict(
            _("Unit %(unit)s is already booked for these dates.") % {"unit": unit.inventory_number}
        ) from None
    return line
