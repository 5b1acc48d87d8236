"""The equipment catalogue as open data (``opendata``'s ``register_dataset_sources``):
« Catalogue d'équipement », the published items with their public daily rates.

Only what the catalogue's pages show: no unit's inventory number, serial number, purchase
price or location (``rentals.models.inventory`` is private) — one query whatever the number of
items.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opendata.fields import Field, FieldType
from opendata.sources import LiveSource
from organizations.models import OrganizationSettings

from .models import EquipmentCategory, EquipmentPage, RateColumn

EQUIPMENT_FIELDS = (
    Field("name", _("Name")),
    Field("category", _("Category"), facet=True),
    Field("brand", _("Brand"), facet=True),
    Field("model", _("Model")),
    Field("summary", _("Summary")),
    Field("daily_rate", _("Daily rate"), FieldType.DECIMAL),
    Field("member_daily_rate", _("Member daily rate"), FieldType.DECIMAL),
    Field("commercial_daily_rate", _("Commercial daily rate"), FieldType.DECIMAL),
    Field("weekly_rate", _("Weekly rate"), FieldType.DECIMAL),
    Field("currency", _("Currency")),
    Field("is_kit", _("Kit"), FieldType.BOOLEAN, facet=True),
    Field("page_url", _("Page on the portal"), FieldType.URL),
)


def equipment_records(site):
    """The organization's published equipment pages, in the catalogue's order."""
    currency = OrganizationSettings.for_site(site).currency
    categories = dict(EquipmentCategory.choices)
    pages = (
        EquipmentPage.objects.published(within=site.root_page)
        .defer("description", "specifications")
        .order_by("title", "pk")
    )
    for page in pages:
        yield {
            "_id": str(page.pk),
            "name": page.title,
            "category": str(categories.get(page.category, "")),
            "brand": page.brand,
            "model": page.product_model,
            "summary": page.summary,
            # Each column as the item's page shows it (a column without a daily rate of its
            # own pays the non-members' rates).
            "daily_rate": page.rates(RateColumn.STANDARD)["daily"],
            "member_daily_rate": page.rates(RateColumn.MEMBER)["daily"],
            "commercial_daily_rate": page.rates(RateColumn.COMMERCIAL)["daily"],
            "weekly_rate": page.rates(RateColumn.STANDARD)["weekly"],
            "currency": currency,
            "is_kit": page.is_kit,
            "page_url": page.get_full_url() or "",
        }


def rentals_dataset_sources():
    return [
        LiveSource(
            "rentals.equipment",
            _("Equipment catalogue"),
            fields=EQUIPMENT_FIELDS,
            records=equipment_records,
            description=_("The published items of the equipment catalogue and their rates."),
        )
    ]
