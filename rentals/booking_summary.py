"""A booking as its borrower reads it, in the member space and in the e-mails about it: its
items by name, its amounts in the organization's currency, the address of its page.

Nothing here names another borrower, a unit's serial or inventory number, or staff's notes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from wagtail.models import Page

from organizations.models import OrganizationSettings
from organizations.money import format_money

from .models import Booking, BookingLine, BookingStatus, EquipmentIndexPage


def catalogue_for(site) -> EquipmentIndexPage | None:
    """The organization's equipment catalogue (in its own language first): the member's
    booking pages are routes of it."""
    root = site.root_page
    catalogues = EquipmentIndexPage.objects.live().descendant_of(root)
    return (
        catalogues.filter(locale_id=root.locale_id).order_by("path").first()
        or catalogues.order_by("path").first()
    )


def booking_url(catalogue: EquipmentIndexPage | None, booking: Booking, request=None) -> str:
    """The booking's page in the member space: relative for a request on the organization's
    site, absolute without a request (an e-mail)."""
    if catalogue is None:
        return ""
    suburl = catalogue.reverse_subpage("booking", args=[booking.pk])
    base = catalogue.get_url(request) if request is not None else catalogue.get_full_url()
    return f"{base}{suburl}" if base else ""


def _titles(keys) -> dict:
    """The title of each record (``translation_key``), in the active language when the page
    is translated, else in its first language."""
    language = (translation.get_language() or "").split("-")[0]
    titles: dict = {}
    rows = (
        Page.objects.filter(translation_key__in=keys)
        .order_by("pk")
        .values_list("translation_key", "title", "locale__language_code")
    )
    for key, title, page_language in rows:
        if key not in titles or page_language == language:
            titles[key] = title
    return titles


def booking_items(bookings) -> dict[int, list[str]]:
    """For each booking (by pk), its items as the borrower asked for them: a kit by its name,
    several units of one item as « 2 × Projecteur LED ». Two queries, whatever the number of
    bookings."""
    ids = [booking.pk for booking in bookings]
    lines = list(
        BookingLine.objects.filter(booking_id__in=ids)
        .order_by("booking_id", "pk")
        .values_list("booking_id", "equipment__translation_key", "kit__translation_key")
    )
    titles = _titles({key for _b, item, kit in lines for key in (item, kit) if key})
    counts: dict[int, dict] = defaultdict(dict)
    for booking_id, item, kit in lines:
        key = ("kit", kit) if kit else ("item", item)
        counts[booking_id][key] = counts[booking_id].get(key, 0) + 1
    items: dict[int, list[str]] = {}
    for booking_id in ids:
        names = []
        for (kind, key), count in counts.get(booking_id, {}).items():
            title = titles.get(key, "—")
            names.append(title if kind == "kit" or count == 1 else f"{count} × {title}")
        items[booking_id] = names
    return items


def line_rows(booking: Booking, currency: str) -> list[dict]:
    """The booking's priced rows: a kit once (its price and how it was computed), other items
    once per item with their number of units. Two queries."""
    lines = list(
        BookingLine.objects.filter(booking=booking)
        .order_by("pk")
        .values_list("equipment__translation_key", "kit__translation_key", "price", "rate_detail")
    )
    titles = _titles({key for item, kit, _p, _d in lines for key in (item, kit) if key})
    rows: dict = {}
    for item, kit, price, detail in lines:
        key = ("kit", kit) if kit else ("item", item)
        row = rows.setdefault(
            key, {"title": titles.get(key[1], "—"), "units": 0, "amount": Decimal(0), "detail": ""}
        )
        row["units"] += 1
        row["amount"] += price or 0
        if not row["detail"] and price:
            row["detail"] = detail
    for (kind, _key), row in rows.items():
        if kind == "item" and row["units"] > 1:
            row["title"] = f"{row['units']} × {row['title']}"
        row["price"] = format_money(row["amount"], booking.currency or currency)
    return list(rows.values())


@dataclass
class BookingSummary:
    """What the borrower reads of one booking."""

    booking: Booking
    items: list[str] = field(default_factory=list)
    url: str = ""
    currency: str = ""

    @property
    def number(self) -> str:
        return self.booking.number

    @property
    def status_label(self) -> str:
        return BookingStatus(self.booking.status).label

    @property
    def cancellable(self) -> bool:
        """A request staff have not answered yet: the member may still withdraw it."""
        return self.booking.status == BookingStatus.REQUESTED

    def money(self, amount: Decimal | None) -> str:
        return format_money(amount, self.booking.currency or self.currency)

    @property
    def total(self) -> str:
        return self.money(self.booking.total)

    @property
    def subtotal(self) -> str:
        return self.money(self.booking.subtotal)

    @property
    def discount(self) -> str:
        return self.money(self.booking.discount) if self.booking.discount else ""

    @property
    def deposit(self) -> str:
        return self.money(self.booking.deposit) if self.booking.deposit else ""


def summaries(bookings, site, request=None) -> list[BookingSummary]:
    """The borrower's view of ``bookings`` (all of ``site``), in a fixed number of queries."""
    bookings = list(bookings)
    if not bookings:
        return []
    catalogue = catalogue_for(site)
    currency = OrganizationSettings.for_site(site).currency
    items = booking_items(bookings)
    return [
        BookingSummary(
            booking=booking,
            items=items.get(booking.pk, []),
            url=booking_url(catalogue, booking, request),
            currency=currency,
        )
        for booking in bookings
    ]
