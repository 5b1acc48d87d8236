"""An item's schema.org nodes (``structured_data``, ARCHITECTURE §5): a ``Product`` that the
organization leases out.

Built from the page it is given (the page class calls it through ``output_view``):

- the product (``…#product``): its name, summary, brand (``Brand``), model, category, photos
  (``ImageObject``s with their credit and description, the first one as the page's primary
  image);
- its offers, one per column of rates with a daily rate of its own (non-members, members,
  commercial productions): each an ``Offer`` whose ``businessFunction`` is GoodRelations'
  ``LeaseOut`` (a rental, not a sale), offered by the organization (its ``@id``), in its
  currency, with one ``UnitPriceSpecification`` per rate the column has: per day
  (``unitCode`` ``DAY``), per week (``WEE``), per weekend (``unitText``), and whether the item
  has a unit that can be booked at all (``availability``).

Nothing of the units (inventory and serial numbers, purchase prices, where they are) nor of
the bookings (who, what they paid) is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils.translation import gettext

from organizations.models import OrganizationCurrency, OrganizationSettings
from structured_data.graph import GraphContext
from structured_data.mixins import image_node
from structured_data.nodes import (
    Brand,
    Node,
    Offer,
    Product,
    Ref,
    UnitPriceSpecification,
    WebPage,
)

from .models import EquipmentUnit, UnitStatus

#: Photos as the editor ordered them (rows saved without a position first, on every database).
IN_ORDER = (F("sort_order").asc(nulls_first=True), "pk")

SCHEMA = "https://schema.org/"
#: GoodRelations' business function of a rental (schema.org documents its values there).
LEASE_OUT = "http://purl.org/goodrelations/v1#LeaseOut"
#: UN/CEFACT Common Codes of the periods rates are given for.
UNIT_CODES = {"daily": "DAY", "weekly": "WEE"}
#: The columns of rates, their ``@id`` suffix and their offer's name.
COLUMNS = (
    ("standard", "", "daily_rate"),
    ("member", "-members", "member_daily_rate"),
    ("commercial", "-commercial", "commercial_daily_rate"),
)


def product_id(url: str) -> str:
    return f"{url}#product"


def _price(value: Decimal) -> str:
    return f"{value:.2f}"


def _currency(context: GraphContext) -> str:
    if context.site is None:
        return OrganizationCurrency.CAD
    request = context.request
    if request is not None and getattr(request, "_wagtail_site", None) == context.site:
        return OrganizationSettings.for_request(request).currency
    return OrganizationSettings.for_site(context.site).currency


def offer_names() -> dict[str, str]:
    return {
        "standard": gettext("Rental, non-members' rates"),
        "member": gettext("Rental, members' rates"),
        "commercial": gettext("Rental, commercial productions' rates"),
    }


def price_specifications(rates: dict, currency: str) -> list[UnitPriceSpecification]:
    specifications = []
    for period in ("daily", "weekend", "weekly"):
        amount = rates.get(period)
        if amount is None:
            continue
        unit = (
            {"unit_code": UNIT_CODES[period]}
            if period in UNIT_CODES
            else {"unit_text": gettext("weekend")}
        )
        specifications.append(
            UnitPriceSpecification(price=_price(amount), price_currency=currency, **unit)
        )
    return specifications


def offers(page, context: GraphContext, currency: str, bookable: bool) -> list[Offer]:
    """One lease-out offer per column of rates with its own daily rate."""
    names = offer_names()
    result = []
    for column, suffix, daily_field in COLUMNS:
        if getattr(page, daily_field) is None:
            continue
        rates = page.rates(column)
        result.append(
            Offer(
                id=f"{context.page_url}#offer{suffix}",
                name=names[column],
                url=context.page_url,
                business_function=LEASE_OUT,
                price_currency=currency,
                price_specification=price_specifications(rates, currency),
                offered_by=Ref(id=context.organization_id) if context.site else None,
                availability=SCHEMA + ("InStock" if bookable else "OutOfStock"),
            )
        )
    return result


def equipment_nodes(page, context: GraphContext) -> Iterable[Node]:
    """The item page's nodes: the product with its offers, and its photos."""
    node_id = product_id(context.page_url)
    context.main_entity_id = node_id
    context.main_entity_type = "Product"

    photos = page.photos.all()
    if isinstance(photos, QuerySet):  # a preview's photos are still in memory
        photos = photos.select_related("image").order_by(*IN_ORDER)
    images = []
    for position, photo in enumerate(photos, start=1):
        image_id = (
            f"{context.page_url}#primaryimage"
            if position == 1
            else f"{context.page_url}#photo-{position}"
        )
        credit = {"credit_text": photo.credit} if photo.credit else {}
        images.append(image_node(photo.image, context, image_id, caption=photo.alt, **credit))
    bookable = has_bookable_unit(page)
    yield Product(
        id=node_id,
        name=page.title,
        description=page.summary or page.search_description or None,
        url=context.page_url,
        brand=Brand(name=page.brand) if page.brand else None,
        model=page.product_model or None,
        category=page.get_category_display(),
        image=[image.ref() for image in images] or None,
        offers=offers(page, context, _currency(context), bookable) or None,
    )
    yield from images
    if images:
        # The page shows the first photo first: its WebPage says so (merged by ``@id``).
        yield WebPage(id=context.webpage_id, primary_image_of_page=images[0].ref())


def has_bookable_unit(page) -> bool:
    """Whether the item can be booked at all: one of its units is neither in repair nor
    retired (for a kit, one of each of its items'). A yes or a no, nothing of the units."""
    if page.is_kit:
        keys = set(page.kit_components.values_list("item__translation_key", flat=True))
    else:
        keys = {page.translation_key}
    if not keys:
        return False
    with_units = set(
        EquipmentUnit.objects.filter(
            equipment__translation_key__in=keys, status=UnitStatus.AVAILABLE
        )
        .order_by()
        .values_list("equipment__translation_key", flat=True)
        .distinct()
    )
    return with_units == keys
