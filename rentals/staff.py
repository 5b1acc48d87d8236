"""What staff do to a booking from its screen, on top of ``rentals.services``, which holds every
rule (free units, trainings, closures, kits, rates, statuses): make a booking with a discount
and a deposit of their own, see its rates before confirming, change its items, dates and
details, give a line another unit.

Each change is one transaction: a conflict or a closed day leaves the booking as it was.
Rates shown before confirming come from the services' own pricing run in a transaction that is
rolled back (``dry_run``), so that what staff see is what confirming freezes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm_blocks.models import Contact
from organizations.models import OrganizationSettings
from organizations.money import format_money

from .models import (
    Booking,
    BookingLine,
    BookingStatus,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    RateColumn,
    UnitStatus,
)
from .services import (
    BookingError,
    assign_unit,
    price_booking,
    request_booking,
    reschedule,
)


class _RolledBack(Exception):
    def __init__(self, result):
        super().__init__("dry run")
        self.result = result


def dry_run(work):
    """``work()``'s result, with everything it wrote to the database undone (its on-commit
    callbacks forgotten too)."""
    try:
        with transaction.atomic():
            raise _RolledBack(work())
    except _RolledBack as done:
        return done.result


# --- Reading a booking's items and rates -----------------------------------------------------


def first_pages(translation_keys, model=EquipmentPage) -> dict:
    """The first page made (its original language) of each translation key, in one query."""
    pages = {}
    for page in model.objects.filter(translation_key__in=set(translation_keys)).order_by("pk"):
        pages.setdefault(page.translation_key, page)
    return pages


@dataclass
class RateLine:
    item: str
    unit: str
    serial: str
    price: str
    detail: str
    in_kit: str = ""


@dataclass
class Rates:
    """A booking's rates as staff read them: the column its borrower pays, each unit's price,
    the subtotal, discount, total and deposit (formatted in the organization's currency)."""

    column: str
    column_label: str
    lines: list[RateLine]
    subtotal: str
    discount: str
    total: str
    deposit: str
    frozen_at: dt.datetime | None = None
    #: When they were frozen, on the organization's clock.
    frozen_on: str = ""
    has_discount: bool = False
    computed_deposit: Decimal | None = None


def rates_of(booking: Booking) -> Rates:
    """The rates stored on ``booking`` and its lines."""
    settings = OrganizationSettings.for_site(booking.site)
    currency = booking.currency or settings.currency
    frozen_on = ""
    if booking.rates_frozen_at:
        moment = booking.rates_frozen_at.astimezone(ZoneInfo(settings.time_zone))
        frozen_on = date_format(moment, "DATETIME_FORMAT")
    lines = list(booking.lines.select_related("unit", "equipment", "kit").order_by("pk"))
    keys = {line.equipment.translation_key for line in lines}
    keys |= {line.kit.translation_key for line in lines if line.kit_id}
    pages = first_pages(keys)

    def title(twin):
        page = pages.get(twin.translation_key)
        return page.title if page else str(twin.translation_key)

    column = booking.rate_column or RateColumn.STANDARD
    return Rates(
        column=column,
        column_label=str(RateColumn(column).label),
        lines=[
            RateLine(
                item=title(line.equipment),
                unit=line.unit.inventory_number,
                serial=line.unit.serial_number,
                price=format_money(line.price, currency),
                detail=line.rate_detail,
                in_kit=title(line.kit) if line.kit_id else "",
            )
            for line in lines
        ],
        subtotal=format_money(booking.subtotal, currency),
        discount=format_money(booking.discount, currency),
        total=format_money(booking.total, currency),
        deposit=format_money(booking.deposit, currency),
        frozen_at=booking.rates_frozen_at,
        frozen_on=frozen_on,
        has_discount=bool(booking.discount),
    )


def live_rates(booking: Booking) -> Rates:
    """The rates confirming would freeze now (the borrower's membership today, the items'
    rates today); the stored ones once frozen. ``computed_deposit`` is what the items' deposits
    add up to, for telling a deposit staff typed from the computed one."""
    if booking.rates_frozen:
        return rates_of(booking)
    stored_deposit = booking.deposit

    def price():
        booking.deposit = Decimal(0)
        price_booking(booking)
        computed = booking.deposit
        if stored_deposit:
            booking.deposit = stored_deposit
            booking.save(update_fields=["deposit"])
        rates = rates_of(booking)
        rates.computed_deposit = computed
        return rates

    rates = dry_run(price)
    booking.refresh_from_db()
    return rates


@dataclass
class ItemCount:
    page: EquipmentPage
    quantity: int


def booking_items(booking: Booking) -> list[ItemCount]:
    """The items of ``booking`` as it was asked for: each item and kit with its quantity (a
    kit's units count as whole kits)."""
    lines = list(booking.lines.select_related("equipment", "kit").order_by("pk"))
    singles = Counter(line.equipment.translation_key for line in lines if not line.kit_id)
    kits = Counter(line.kit.translation_key for line in lines if line.kit_id)
    order = []
    for line in lines:
        key = line.kit.translation_key if line.kit_id else line.equipment.translation_key
        if key not in order:
            order.append(key)
    pages = first_pages(order)
    sizes = dict(
        KitComponent.objects.filter(kit__translation_key__in=list(kits))
        .values("kit__translation_key")
        .annotate(size=models.Sum("quantity"))
        .values_list("kit__translation_key", "size")
    )
    counted = []
    for key in order:
        page = pages.get(key)
        if page is None:
            continue
        quantity = max(1, kits[key] // (sizes.get(key) or 1)) if key in kits else singles[key]
        counted.append(ItemCount(page, quantity))
    return counted


# --- Making and changing bookings ------------------------------------------------------------


@dataclass
class BookingDraft:
    """What the booking form says."""

    site: object
    borrower: Contact
    items: list[tuple[EquipmentPage, int]]
    pickup_at: dt.datetime
    return_at: dt.datetime
    commercial: bool = False
    discount: Decimal = Decimal(0)
    #: ``None``: the items' deposits.
    deposit: Decimal | None = None
    production_title: str = ""
    notes: str = ""
    units: dict = field(default_factory=dict)


def _apply_amounts(booking: Booking, discount: Decimal, deposit: Decimal | None) -> None:
    booking.discount = discount or Decimal(0)
    # The services compute the deposit when the booking holds none.
    booking.deposit = deposit if deposit else Decimal(0)
    price_booking(booking)


def booking_create(draft: BookingDraft, *, user) -> Booking:
    """A booking made by staff (``request_booking``), with their discount and deposit; a
    ``BookingConflict`` or ``BookingError`` writes nothing."""
    with transaction.atomic():
        booking = request_booking(
            draft.site,
            draft.borrower,
            draft.items,
            draft.pickup_at,
            draft.return_at,
            user=user,
            commercial=draft.commercial,
            production_title=draft.production_title,
            notes=draft.notes,
            units=draft.units or None,
        )
        _apply_amounts(booking, draft.discount, draft.deposit)
    return booking


def booking_preview(draft: BookingDraft, *, user) -> Rates:
    """The rates the booking would get (or the conflict it would meet), nothing kept."""
    return dry_run(lambda: live_rates(booking_create(draft, user=user)))


def _remove_units(booking: Booking, page: EquipmentPage, count: int) -> None:
    """Give back ``count`` of ``page`` (an item, or whole kits), the last booked first."""
    twin = page.get_private_twin()
    lines = BookingLine.objects.filter(booking=booking)
    if page.is_kit:
        for component in page.kit_components.select_related("item"):
            item_twin = component.item.get_private_twin()
            ids = list(
                lines.filter(kit=twin, equipment=item_twin)
                .order_by("-pk")
                .values_list("pk", flat=True)[: component.quantity * count]
            )
            BookingLine.objects.filter(pk__in=ids).delete()
    else:
        ids = list(
            lines.filter(kit=None, equipment=twin)
            .order_by("-pk")
            .values_list("pk", flat=True)[:count]
        )
        BookingLine.objects.filter(pk__in=ids).delete()


def _add_items(booking: Booking, items, *, user) -> None:
    """Book ``items`` for ``booking``'s borrower and period through ``request_booking`` (every
    rule applies: free units, trainings, kits), then hand its units over to ``booking``."""
    extra = request_booking(
        booking.site,
        booking.borrower,
        items,
        booking.pickup_at,
        booking.return_at,
        user=user,
        commercial=booking.commercial,
    )
    BookingLine.objects.filter(booking=extra).update(booking=booking)
    extra.delete()


def change_items(booking: Booking, items: list[tuple[EquipmentPage, int]], *, user) -> bool:
    """Make ``booking`` hold ``items`` (``(page, quantity)``): fewer units are given back, more
    are booked with every rule of a new request. Only while the booking waits for a decision
    (its rates are not frozen) and nothing went out. Whether anything changed."""
    wanted: dict[int, tuple[EquipmentPage, int]] = {}
    for page, quantity in items:
        previous = wanted.get(page.pk, (page, 0))[1]
        wanted[page.pk] = (page, previous + quantity)
    current = {count.page.pk: (count.page, count.quantity) for count in booking_items(booking)}
    if {pk: q for pk, (_p, q) in wanted.items()} == {pk: q for pk, (_p, q) in current.items()}:
        return False
    if booking.status != BookingStatus.REQUESTED or booking.rates_frozen:
        raise BookingError(
            _("Reopen the booking to change its items: its rates are confirmed."),
            code="frozen",
        )
    if not wanted:
        raise BookingError(
            _("A booking keeps at least one item: cancel it instead."), code="no_item"
        )
    for pk, (page, quantity) in current.items():
        kept = wanted.get(pk, (page, 0))[1]
        if kept < quantity:
            _remove_units(booking, page, quantity - kept)
    more = [
        (page, quantity - current.get(pk, (page, 0))[1])
        for pk, (page, quantity) in wanted.items()
        if quantity > current.get(pk, (page, 0))[1]
    ]
    if more:
        _add_items(booking, more, user=user)
    return True


@dataclass
class BookingChanges:
    """What the booking screen's form says (the borrower stays: another borrower is another
    booking)."""

    items: list[tuple[EquipmentPage, int]] | None
    pickup_at: dt.datetime
    return_at: dt.datetime
    commercial: bool
    discount: Decimal
    deposit: Decimal | None
    production_title: str
    notes: str


def booking_update(booking: Booking, changes: BookingChanges, *, user) -> Booking:
    """Apply the booking screen's form: items (while requested), dates (``reschedule``: the
    units stay if they are free then), details; rates follow unless they are frozen. All or
    nothing: a ``BookingConflict`` or ``BookingError`` leaves the booking as it was."""
    try:
        with transaction.atomic():
            if changes.items is not None:
                change_items(booking, changes.items, user=user)
            if (changes.pickup_at, changes.return_at) != (booking.pickup_at, booking.return_at):
                went_out = any(line.checked_out_at for line in booking.lines.all())
                if went_out and changes.pickup_at != booking.pickup_at:
                    raise BookingError(
                        _("The units went out: only the return can move."), code="out"
                    )
                reschedule(booking, changes.pickup_at, changes.return_at)
            booking.production_title = changes.production_title
            booking.notes = changes.notes
            if booking.rates_frozen:
                booking.save(update_fields=["production_title", "notes", "updated_at"])
            else:
                booking.commercial = changes.commercial
                booking.save(
                    update_fields=["production_title", "notes", "commercial", "updated_at"]
                )
                _apply_amounts(booking, changes.discount, changes.deposit)
    except Exception:
        booking.refresh_from_db()
        raise
    return booking


# --- Units -----------------------------------------------------------------------------------


def unit_choices(booking: Booking) -> dict[int, list[EquipmentUnit]]:
    """For each line of ``booking`` that has not gone out: its unit, then the other bookable
    units of its item that no other booking holds for its period (and none of its own lines)."""
    lines = list(booking.lines.select_related("unit").order_by("pk"))
    open_lines = [line for line in lines if not line.checked_out_at]
    if not open_lines:
        return {}
    twins = {line.equipment_id for line in open_lines}
    start, until = open_lines[0].starts_at, open_lines[0].blocked_until
    busy = set(
        BookingLine.objects.blocking(start, until)
        .filter(unit__equipment_id__in=twins)
        .exclude(booking=booking)
        .values_list("unit_id", flat=True)
    )
    own = {line.unit_id for line in lines}
    free = defaultdict(list)
    for unit in EquipmentUnit.objects.filter(
        equipment_id__in=twins, status=UnitStatus.AVAILABLE
    ).order_by("inventory_number", "pk"):
        if unit.pk not in busy and unit.pk not in own:
            free[unit.equipment_id].append(unit)
    return {line.pk: [line.unit, *free[line.equipment_id]] for line in open_lines}


def assign_units(booking: Booking, wanted: dict[int, int]) -> list[BookingLine]:
    """Give lines of ``booking`` the units staff chose (line id → unit id) with
    ``assign_unit``; all or none. The lines that changed."""
    changed = []
    with transaction.atomic():
        lines = {line.pk: line for line in booking.lines.select_related("unit", "booking__site")}
        for line_id, unit_id in wanted.items():
            line = lines.get(line_id)
            if line is None or line.unit_id == unit_id:
                continue
            if line.checked_out_at:
                raise BookingError(
                    _("Unit %(unit)s went out: it cannot be swapped any more.")
                    % {"unit": line.unit.inventory_number},
                    code="out",
                )
            unit = EquipmentUnit.objects.filter(pk=unit_id, equipment_id=line.equipment_id).first()
            if unit is None:
                raise BookingError(
                    _("This unit is not a bookable unit of the same item."), code="unit"
                )
            changed.append(assign_unit(line, unit))
    return changed
