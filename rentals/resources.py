"""Equipment and bookings as spreadsheet rows (kinds ``equipment`` and ``bookings``).

**Equipment** (``EquipmentResource``): one row per unit. Rows with the same ``name`` (case,
accents and spacing aside) are one item: one ``EquipmentPage`` below the organization's
catalogue, each row one of its ``EquipmentUnit``\\ s, found again by its inventory number (unique
within the organization), so that re-importing a file updates instead of duplicating.

- The item's columns (category, brand, model, rates, deposit, training) may be repeated on every
  row of the item or written once: the rows of one item must agree, an empty cell takes what the
  other rows say. When the file has such a column, what its rows say wins (all empty: empty).
- A row without an inventory number is the item alone: a kit (which has no units of its own:
  its rates and deposit), or an item whose units the file does not list.
- ``requires_training`` names one of the organization's trainings; a name it does not know
  becomes a new training (staff then fill its description and validity). Decided so because
  the move from an old spreadsheet names the trainings there, and refusing every row until
  someone typed them in the admin would only add a step.
- ``kit`` names the kits a unit belongs to (separated by ``;``). A kit's components are then
  counted from the units that name it, per item: three units of « Trépied Sachtler » naming
  « Kit documentaire » make the kit take three tripods. Units the file does not list keep the
  kits they had (so a filtered export imports back unchanged). A kit it does not know is made
  (a page of category kit, without rates unless a row of its own gives them).
- A unit found under another item moves to the item its row names, unless it was ever booked:
  its bookings' lines name the item it had.

New items are drafts, or published with "Publish" (``--publish``) by someone who may publish;
an update of a published item goes live unless an editor's draft is pending
(``spreadsheets.pages``).
Units are private records: always written.

**Bookings** (``BookingResource``): one row per booking, for the move from an old spreadsheet
and for the accountant. Every row goes through the booking desk's rules (``rentals.services``):
the borrower is a record of the organization (by e-mail or name), ``items`` are inventory
numbers, and a row whose units are taken — by an existing booking or by another row of the file
— is refused with the desk's conflict message; the whole file is then refused. A row that
matches an existing booking (same borrower, dates and units, nothing else changed) is unchanged,
so an export imports back without duplicating anything. Exports end with a totals row per
currency.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext, pgettext_lazy
from import_export import fields
from import_export.results import RowResult
from wagtail.models import Page, Site

from crm_blocks.models import Contact
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationSettings
from public_cache.generations import invalidate_sites
from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from spreadsheets.files import CellValueError, parse_date, parse_decimal
from spreadsheets.pages import PageRowsMixin
from spreadsheets.resources import (
    DateWidget,
    LabelChoiceWidget,
    SheetRowResult,
    SpreadsheetResource,
    TextWidget,
    YesNoWidget,
    chunked,
    column,
    distinct_cells,
)
from spreadsheets.text import fold, name_key

from .models import (
    INACTIVE_STATUSES,
    Booking,
    BookingLine,
    BookingStatus,
    Equipment,
    EquipmentCategory,
    EquipmentIndexPage,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    RateColumn,
    Training,
    UnitCondition,
    UnitStatus,
)
from .services import (
    BookingConflict,
    BookingError,
    Period,
    availability_changed,
    change_status,
    check_closures,
    check_training,
    conflict_for,
    format_day,
    organization_zone,
    price_booking,
    rental_settings,
    request_booking,
)

# --- Cells ----------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[;\n]+")
_TIME = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?(?::(\d{2})(?:\.\d+)?)?$")
_DATE_AND_TIME = re.compile(r"^(\S+?)(?:[T ]\s*(\S.*))?$")


def split_list(text: str) -> list[str]:
    """``"CAM-1; CAM-2"`` (or one per line) → ``["CAM-1", "CAM-2"]``, blanks dropped."""
    return [piece.strip() for piece in _SEPARATORS.split(text or "") if piece.strip()]


def parse_time(text: str) -> dt.time:
    """``10:00``, ``10h``, ``10 h 30``, ``10:00:00``; ``ValueError`` in the user's language."""
    match = _TIME.match(text.strip())
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise ValueError(
        gettext("“%(value)s” is not a time: write 10:00 or 10h30.") % {"value": text.strip()}
    )


def parse_moment(value) -> dt.date | dt.datetime | None:
    """A local date (the desk's usual hour) or date and time: ``2027-03-12 14:00``,
    ``12/03/2027 14h``, ``2027-03-12T14:00``, a date or date-time cell; blank is ``None``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE_AND_TIME.match(text)
    day = parse_date(match.group(1))
    if not match.group(2):
        return day
    return dt.datetime.combine(day, parse_time(match.group(2)))


class OptionalAmountWidget(TextWidget):
    """An amount written the French or English way (``1 234,50``); empty is no amount."""

    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext("An amount: 1234,50 or 1 234,50 or 1234.50, or a number cell. Empty: none.")


class SynonymChoiceWidget(LabelChoiceWidget):
    """A choice by its code, its label in any of the installation's languages, or one of the
    words staff use for it in their own spreadsheets (``synonyms``, folded)."""

    def __init__(self, choices, *, synonyms: dict[str, str], default=None, **kwargs):
        super().__init__(choices, default=default, **kwargs)
        self.synonyms = synonyms

    def lookup(self) -> dict[str, str]:
        return {**{fold(word): code for word, code in self.synonyms.items()}, **super().lookup()}


CATEGORY_SYNONYMS = {
    "caméras": EquipmentCategory.CAMERA,
    "objectif": EquipmentCategory.LENS,
    "objectifs": EquipmentCategory.LENS,
    "optique": EquipmentCategory.LENS,
    "lenses": EquipmentCategory.LENS,
    "éclairage": EquipmentCategory.LIGHTING,
    "lumière": EquipmentCategory.LIGHTING,
    "lumières": EquipmentCategory.LIGHTING,
    "light": EquipmentCategory.LIGHTING,
    "son": EquipmentCategory.SOUND,
    "audio": EquipmentCategory.SOUND,
    "machinerie": EquipmentCategory.GRIP,
    "support": EquipmentCategory.GRIP,
    "grip": EquipmentCategory.GRIP,
    "moniteur": EquipmentCategory.MONITORING,
    "moniteurs": EquipmentCategory.MONITORING,
    "batteries": EquipmentCategory.POWER,
    "alimentation": EquipmentCategory.POWER,
    "power": EquipmentCategory.POWER,
    "montage": EquipmentCategory.EDITING,
    "salle de montage": EquipmentCategory.EDITING,
    "editing": EquipmentCategory.EDITING,
    "salle": EquipmentCategory.ROOM,
    "studio": EquipmentCategory.ROOM,
    "trousse": EquipmentCategory.KIT,
    "ensemble": EquipmentCategory.KIT,
    "autre": EquipmentCategory.OTHER,
    "divers": EquipmentCategory.OTHER,
}
CONDITION_SYNONYMS = {
    "neuf": UnitCondition.NEW,
    "neuve": UnitCondition.NEW,
    "bon": UnitCondition.GOOD,
    "bonne": UnitCondition.GOOD,
    "bon état": UnitCondition.GOOD,
    "très bon": UnitCondition.GOOD,
    "passable": UnitCondition.FAIR,
    "moyen": UnitCondition.FAIR,
    "correct": UnitCondition.FAIR,
    "usé": UnitCondition.WORN,
    "usée": UnitCondition.WORN,
    "usagé": UnitCondition.WORN,
}
STATUS_SYNONYMS = {
    "demandé": BookingStatus.REQUESTED,
    "demandée": BookingStatus.REQUESTED,
    "en attente": BookingStatus.REQUESTED,
    "confirmé": BookingStatus.CONFIRMED,
    "confirmée": BookingStatus.CONFIRMED,
    "réservé": BookingStatus.CONFIRMED,
    "réservée": BookingStatus.CONFIRMED,
    "sorti": BookingStatus.CHECKED_OUT,
    "sortie": BookingStatus.CHECKED_OUT,
    "prêté": BookingStatus.CHECKED_OUT,
    "en cours": BookingStatus.CHECKED_OUT,
    "retourné": BookingStatus.RETURNED,
    "rendu": BookingStatus.RETURNED,
    "rentré": BookingStatus.RETURNED,
    "annulé": BookingStatus.CANCELLED,
    "annulée": BookingStatus.CANCELLED,
    "refusé": BookingStatus.REFUSED,
    "refusée": BookingStatus.REFUSED,
}


def _field(name: str, widget, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Equipment ------------------------------------------------------------------------------

#: Column → the page field it fills, for the item's columns that are one field each.
ITEM_FIELDS = {
    "category": "category",
    "brand": "brand",
    "model": "product_model",
    "daily_rate": "daily_rate",
    "weekend_rate": "weekend_rate",
    "weekly_rate": "weekly_rate",
    "member_daily_rate": "member_daily_rate",
    "member_weekend_rate": "member_weekend_rate",
    "member_weekly_rate": "member_weekly_rate",
    "deposit": "deposit",
}
#: Columns that describe the item (the same for all its units).
ITEM_COLUMNS = (*ITEM_FIELDS, "requires_training")
#: Columns that describe the unit.
UNIT_COLUMNS = ("serial_number", "purchase_date", "purchase_price", "condition")
#: What an item column holds when its cells are all empty.
EMPTY = {"brand": "", "model": "", "requires_training": ""}


@dataclass
class ItemPlan:
    """What a file says of one item (all its rows), and what it is in the database."""

    name: str
    page: EquipmentPage | None = None
    twin: Equipment | None = None
    #: Column → the value the file gives (from its first non-empty cell), and which row gave it.
    values: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    #: Rows of the file that describe the item (its units' rows and its own).
    rows: list[int] = field(default_factory=list)
    unit_rows: list[int] = field(default_factory=list)
    #: Rows that name it in their ``kit`` column.
    kit_rows: list[int] = field(default_factory=list)


class EquipmentResource(PageRowsMixin, SpreadsheetResource):
    """Equipment, one row per unit: ``inventory_number, name, category, brand, model,
    serial_number, purchase_date, purchase_price, condition, daily_rate, weekend_rate,
    weekly_rate, member_daily_rate, member_weekend_rate, member_weekly_rate, deposit,
    requires_training, kit`` (see the module's docstring)."""

    page_model = EquipmentPage
    index_model = EquipmentIndexPage
    #: For the import screen's hints: the page field each column fills.
    page_fields = {"name": "title", **ITEM_FIELDS}

    sheet_columns = (
        column(
            "inventory_number",
            pgettext_lazy("spreadsheet column", "inventory number"),
            "numéro d'inventaire",
            "n° d'inventaire",
            "no d'inventaire",
            "inventaire",
            "inventory",
            "asset tag",
            required=True,
            help=gettext_lazy(
                "Unique within your organization: the row updates the unit that has it. Empty: "
                "the row describes the item alone (a kit, or an item without units)."
            ),
        ),
        column(
            "name",
            pgettext_lazy("spreadsheet column", "name"),
            "nom",
            "article",
            "équipement",
            "item",
            "title",
            "titre",
            required=True,
            help=gettext_lazy(
                "The item's name: rows with the same name are units of one item (case and "
                "accents aside)."
            ),
        ),
        column("category", pgettext_lazy("spreadsheet column", "category"), "catégorie", "type"),
        column(
            "brand", pgettext_lazy("spreadsheet column", "brand"), "marque", "fabricant", "make"
        ),
        column("model", pgettext_lazy("spreadsheet column", "model"), "modèle", "product model"),
        column(
            "serial_number",
            pgettext_lazy("spreadsheet column", "serial number"),
            "numéro de série",
            "n° de série",
            "no de série",
            "série",
            "serial",
            "s/n",
        ),
        column(
            "purchase_date",
            pgettext_lazy("spreadsheet column", "purchase date"),
            "date d'achat",
            "acheté le",
        ),
        column(
            "purchase_price",
            pgettext_lazy("spreadsheet column", "purchase price"),
            "prix d'achat",
            "coût d'achat",
            "valeur",
        ),
        column("condition", pgettext_lazy("spreadsheet column", "condition"), "état"),
        column(
            "daily_rate",
            pgettext_lazy("spreadsheet column", "daily rate"),
            "tarif jour",
            "tarif journalier",
            "prix jour",
        ),
        column(
            "weekend_rate",
            pgettext_lazy("spreadsheet column", "weekend rate"),
            "tarif fin de semaine",
            "tarif week-end",
            "tarif weekend",
        ),
        column(
            "weekly_rate",
            pgettext_lazy("spreadsheet column", "weekly rate"),
            "tarif semaine",
            "tarif hebdomadaire",
        ),
        column(
            "member_daily_rate",
            pgettext_lazy("spreadsheet column", "member daily rate"),
            "tarif membre jour",
            "tarif jour membre",
            "tarif jour membres",
        ),
        column(
            "member_weekend_rate",
            pgettext_lazy("spreadsheet column", "member weekend rate"),
            "tarif membre fin de semaine",
            "tarif fin de semaine membre",
            "tarif membre week-end",
            "tarif week-end membre",
        ),
        column(
            "member_weekly_rate",
            pgettext_lazy("spreadsheet column", "member weekly rate"),
            "tarif membre semaine",
            "tarif semaine membre",
            "tarif membre hebdomadaire",
        ),
        column(
            "deposit",
            pgettext_lazy("spreadsheet column", "deposit"),
            "dépôt",
            "caution",
            "dépôt de garantie",
        ),
        column(
            "requires_training",
            pgettext_lazy("spreadsheet column", "required training"),
            "formation requise",
            "formation",
            "training",
            help=gettext_lazy(
                "The name of one of your trainings; a name not found becomes a new training. "
                "Empty: no training needed."
            ),
        ),
        column(
            "kit",
            pgettext_lazy("spreadsheet column", "kit"),
            "kits",
            "trousse",
            help=gettext_lazy(
                "The kits this unit is part of, separated by “;”. A kit takes as many units of "
                "each item as name it; a kit not found is created."
            ),
        ),
    )

    inventory_number = _field("inventory_number", TextWidget(), "inventory_number")
    name = _field("name", TextWidget())
    category = _field(
        "category", SynonymChoiceWidget(EquipmentCategory.choices, synonyms=CATEGORY_SYNONYMS)
    )
    brand = _field("brand", TextWidget())
    model = _field("model", TextWidget())
    serial_number = _field("serial_number", TextWidget(), "serial_number")
    purchase_date = _field("purchase_date", DateWidget(), "purchase_date")
    purchase_price = _field("purchase_price", OptionalAmountWidget(), "purchase_price")
    condition = _field(
        "condition",
        SynonymChoiceWidget(
            UnitCondition.choices, synonyms=CONDITION_SYNONYMS, default=UnitCondition.GOOD
        ),
        "condition",
    )
    daily_rate = _field("daily_rate", OptionalAmountWidget())
    weekend_rate = _field("weekend_rate", OptionalAmountWidget())
    weekly_rate = _field("weekly_rate", OptionalAmountWidget())
    member_daily_rate = _field("member_daily_rate", OptionalAmountWidget())
    member_weekend_rate = _field("member_weekend_rate", OptionalAmountWidget())
    member_weekly_rate = _field("member_weekly_rate", OptionalAmountWidget())
    deposit = _field("deposit", OptionalAmountWidget())
    requires_training = _field("requires_training", TextWidget())
    kit = _field("kit", TextWidget())

    class Meta(SpreadsheetResource.Meta):
        model = EquipmentUnit
        import_id_fields = ()
        fields = (
            "inventory_number",
            "name",
            "category",
            "brand",
            "model",
            "serial_number",
            "purchase_date",
            "purchase_price",
            "condition",
            "daily_rate",
            "weekend_rate",
            "weekly_rate",
            "member_daily_rate",
            "member_weekend_rate",
            "member_weekly_rate",
            "deposit",
            "requires_training",
            "kit",
        )

    def get_queryset(self):
        return EquipmentUnit.objects.filter(site=self.site)

    # What the organization has -------------------------------------------------------------

    def load_inventory(self) -> None:
        """The organization's items (each as its latest draft, in its first language), their
        twins, units, trainings and kits: a few queries, whatever the file."""
        pages: dict = {}
        for page in self.scope_pages().order_by("-pk"):
            pages[page.translation_key] = page  # the lowest pk: the item's first language
        self.pages = self.apply_drafts(sorted(pages.values(), key=lambda page: page.pk))
        self.pages_by_pk = {page.pk: page for page in self.pages}
        self.pages_by_name: dict[str, EquipmentPage] = {}
        for page in self.pages:
            self.pages_by_name.setdefault(name_key(page.title), page)
        self.twins = {
            twin.translation_key: twin
            for twin in Equipment.objects.filter(site=self.site, translation_key__in=list(pages))
        }
        twin_pages = {self.twins[key].pk: page for key, page in pages.items() if key in self.twins}
        self.units: list[EquipmentUnit] = list(
            EquipmentUnit.objects.filter(site=self.site).order_by("inventory_number", "pk")
        )
        self.units_by_item: dict[int, list[EquipmentUnit]] = defaultdict(list)
        for unit in self.units:
            page = twin_pages.get(unit.equipment_id)
            unit._item_page = page
            if page is not None:
                self.units_by_item[page.pk].append(unit)
        self.trainings = {t.pk: t for t in Training.objects.filter(site=self.site)}
        self.trainings_by_name = {name_key(t.name): t for t in self.trainings.values()}
        self.components = self.kit_components([p for p in self.pages if p.is_kit])
        self.assigned = self.kit_assignment()

    def scope_pages(self):
        roots = Page.objects.filter(translation_key=self.site.root_page.translation_key)
        scope = Q(pk__in=[])
        for path in roots.values_list("path", flat=True):
            scope |= Q(path__startswith=path)
        return EquipmentPage.objects.filter(scope)

    def apply_draft_values(self, page, content: dict) -> None:
        super().apply_draft_values(page, content)
        if "required_training" in content:
            page.required_training_id = content["required_training"]

    def kit_components(self, kits: list) -> dict[int, list[list[int]]]:
        """Kit page pk → ``[[item page pk, quantity], …]`` in their order, as each kit's latest
        draft has them."""
        found: dict[int, list[list[int]]] = {kit.pk: [] for kit in kits}
        live = [kit.pk for kit in kits if getattr(kit, "_draft_content", None) is None]
        for kit in kits:
            content = getattr(kit, "_draft_content", None)
            if content is not None:
                for child in content.get("kit_components") or ():
                    found[kit.pk].append([child["item"], child.get("quantity") or 1])
        for kit_id, item_id, quantity in (
            KitComponent.objects.filter(kit_id__in=live)
            .order_by("sort_order", "pk")
            .values_list("kit_id", "item_id", "quantity")
        ):
            found[kit_id].append([item_id, quantity])
        return found

    def kit_assignment(self) -> dict[int, list[EquipmentPage]]:
        """Unit pk → the kits it is counted in: a kit taking ``n`` units of an item counts the
        item's units by inventory number, the next kit the units after them, starting again
        from the first when there are too few (what exports write in ``kit``)."""
        assigned: dict[int, list[EquipmentPage]] = defaultdict(list)
        kits = sorted(
            (self.pages_by_pk[pk] for pk in self.components), key=lambda p: name_key(p.title)
        )
        following: dict[int, int] = defaultdict(int)  # item pk → its next unit to count
        for kit in kits:
            wanted: dict[int, int] = defaultdict(int)
            for item_id, quantity in self.components[kit.pk]:
                wanted[item_id] += quantity
            for item_id, quantity in wanted.items():
                units = self.units_by_item.get(item_id, [])
                taken = min(quantity, len(units))
                for offset in range(taken):
                    unit = units[(following[item_id] + offset) % len(units)]
                    assigned[unit.pk].append(kit)
                if units:
                    following[item_id] = (following[item_id] + taken) % len(units)
        return assigned

    def item_values(self, page: EquipmentPage | None) -> dict:
        """Column → what ``page`` holds, as a file writes it (codes, amounts, names)."""
        if page is None:
            return {}
        values = {"name": page.title}
        for column_name, attribute in ITEM_FIELDS.items():
            values[column_name] = getattr(page, attribute)
        training = self.trainings.get(page.required_training_id)
        values["requires_training"] = training.name if training else ""
        return values

    def kit_cell(self, unit: EquipmentUnit) -> str:
        return "; ".join(kit.title for kit in self.assigned.get(unit.pk, ()))

    # Phase 1 -------------------------------------------------------------------------------

    def prepare(self, dataset) -> None:
        self._columns = list(dataset.headers or [])
        self._row_count = len(dataset)
        self.check_page_permissions()
        self.load_inventory()
        self.units_by_number = {unit.inventory_number: unit for unit in self.units}
        self.booked_units = set()
        for chunk in chunked(sorted({u.pk for u in self.units})):
            self.booked_units.update(
                BookingLine.objects.filter(unit_id__in=chunk).values_list("unit_id", flat=True)
            )
        self.items: dict[str, ItemPlan] = {}
        self.conflicts: dict[tuple[int, str], int] = {}
        self.seen_numbers: dict[str, int] = {}
        self.read_items(dataset)
        self.plan_kits()

    def plan_for(self, name: str) -> ItemPlan:
        key = name_key(name)
        if key not in self.items:
            page = self.pages_by_name.get(key)
            twin = self.twins.get(page.translation_key) if page is not None else None
            self.items[key] = ItemPlan(name=" ".join(name.split()), page=page, twin=twin)
        return self.items[key]

    def read_items(self, dataset) -> None:
        """What the whole file says of each item, before any row is checked: each row then
        compares with the others, and an empty cell takes what they say."""
        columns = [c for c in ITEM_COLUMNS if c in self._columns]
        #: Inventory number → (item name, kit names) of each unit row.
        self.unit_kits: dict[str, tuple[str, list[str]]] = {}
        for index, row in enumerate(dataset.dict):
            number = self._row_numbers[index]
            name = str(row.get("name") or "").strip()
            if not name:
                continue
            plan = self.plan_for(name)
            plan.rows.append(number)
            inventory_number = str(row.get("inventory_number") or "").strip()
            if inventory_number:
                plan.unit_rows.append(number)
                kit_names = split_list(str(row.get("kit") or ""))
                self.unit_kits.setdefault(inventory_number, (name, kit_names))
                for kit_name in kit_names:
                    self.plan_for(kit_name).kit_rows.append(number)
            for column_name in columns:
                cell = row.get(column_name)
                if _blank(cell):
                    continue
                try:
                    value = self.fields[column_name].widget.clean(cell, row=row)
                except ValueError:
                    continue  # the row itself says what is wrong
                if column_name == "requires_training":
                    value = " ".join(value.split())
                known = plan.values.get(column_name)
                same = (
                    name_key(known) == name_key(value)
                    if column_name == "requires_training" and known is not None
                    else known == value
                )
                if column_name not in plan.values:
                    plan.values[column_name] = value
                    plan.sources[column_name] = number
                elif not same:
                    self.conflicts[(number, column_name)] = plan.sources[column_name]

    def final_values(self, plan: ItemPlan) -> dict:
        """What the item will hold once the file is written (file columns only)."""
        current = self.item_values(plan.page)
        values = {"name": plan.page.title if plan.page is not None else plan.name}
        for column_name in ITEM_COLUMNS:
            if not plan.rows:  # a kit only named by its units' rows: the file gives no value
                values[column_name] = current.get(column_name, EMPTY.get(column_name))
                continue
            if column_name not in self._columns:
                values[column_name] = current.get(column_name, EMPTY.get(column_name))
                continue
            value = plan.values.get(column_name, EMPTY.get(column_name))
            if column_name == "requires_training" and value:
                known = self.trainings_by_name.get(name_key(value))
                value = known.name if known is not None else value
            values[column_name] = value
        if values.get("category") is None:
            default = EquipmentCategory.KIT if plan.kit_rows else EquipmentCategory.OTHER
            values["category"] = current.get("category") or default
        return values

    def is_kit(self, plan: ItemPlan) -> bool:
        return self.final_values(plan).get("category") == EquipmentCategory.KIT

    def init_instance(self, row=None):
        unit = EquipmentUnit(site=self.site)
        unit._item_only = not str((row or {}).get("inventory_number") or "").strip()
        return unit

    def get_instance(self, instance_loader, row):
        number = str(row.get("inventory_number") or "").strip()
        if number:
            return self.units_by_number.get(number)
        plan = self.items.get(name_key(str(row.get("name") or "")))
        if plan is None or plan.page is None:
            return None
        # The item alone, already known: a row that updates (or leaves) its page.
        unit = EquipmentUnit(site=self.site)
        unit._item_only = True
        unit._item_page = plan.page
        return unit

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._item_only = getattr(instance, "_item_only", False)
        page = getattr(instance, "_item_page", None)
        instance._values = self.item_values(page)
        instance._values["kit"] = "" if instance.pk is None else self.kit_cell(instance)
        super().after_init_instance(instance, new, row, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Unit columns fill the unit; the item's columns are read (to check the row's own
        cells) and the item's values are the whole file's (``check_row``)."""
        name = field.column_name
        if name not in row:
            return
        if name in ITEM_COLUMNS or name in ("name", "kit"):
            value = field.widget.clean(row[name], row=row)
            if name in ITEM_FIELDS and not _blank(row[name]):
                self.check_page_value(name, value)
            if name == "requires_training" and value:
                try:
                    Training._meta.get_field("name").clean(value, None)
                except ValidationError as error:
                    raise ValueError(" ".join(error.messages)) from None
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def check_page_value(self, name: str, value) -> None:
        try:
            EquipmentPage._meta.get_field(ITEM_FIELDS[name]).clean(value, None)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def check_row(self, instance, row) -> None:
        errors: dict[str, str] = {}
        number = str(row.get("inventory_number") or "").strip()
        name = str(row.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": gettext("Give the item's name.")})
        plan = self.items[name_key(name)]
        values = self.final_values(plan)
        kit = self.is_kit(plan)
        for column_name in ITEM_COLUMNS:
            first = self.conflicts.get((self._current_row, column_name))
            if first is not None:
                errors[column_name] = gettext(
                    "Row %(row)s gives “%(name)s” another value here: the rows of one item "
                    "must agree (or leave the cell empty)."
                ) % {"row": first, "name": values["name"]}
        if plan.page is None and not self.can_add:
            errors["name"] = self.cannot_add_message()
        kit_names = split_list(str(row.get("kit") or ""))
        if number:
            first = self.seen_numbers.setdefault(number, self._current_row)
            if first != self._current_row:
                errors["inventory_number"] = gettext(
                    "This unit is already on row %(row)s of the file."
                ) % {"row": first}
            if kit:
                errors["inventory_number"] = gettext(
                    "“%(name)s” is a kit: a kit has no units of its own. Leave its inventory "
                    "number empty, and name the kit in the “kit” column of its items' rows."
                ) % {"name": values["name"]}
            moved_from = getattr(instance, "_item_page", None)
            if (
                instance.pk is not None
                and instance.pk in self.booked_units
                and moved_from is not None
                and moved_from is not plan.page
            ):
                errors["name"] = gettext(
                    "Unit %(unit)s has bookings as “%(item)s”: it cannot become a unit of "
                    "another item. Give it a new inventory number, or keep its item."
                ) % {"unit": number, "item": moved_from.title}
        elif kit_names:
            errors["kit"] = gettext(
                "Name kits on the rows of units (with an inventory number): a kit counts units."
            )
        kit_titles = []
        for kit_name in kit_names:
            kit_plan = self.plan_for(kit_name)
            if kit_plan is plan:
                errors["kit"] = gettext("An item cannot be part of itself.")
            elif not self.is_kit(kit_plan):
                errors["kit"] = gettext(
                    "“%(name)s” is an item, not a kit: give kits the category “%(kit)s”."
                ) % {
                    "name": kit_plan.page.title if kit_plan.page else kit_name,
                    "kit": _kit_label(),
                }
            kit_titles.append(self.final_values(kit_plan)["name"])
        if errors:
            raise ValidationError(errors)
        instance._values = {
            key: value for key, value in values.items() if key == "name" or key in self._columns
        }
        if "kit" in self._columns:
            cell = "; ".join(sorted(dict.fromkeys(kit_titles), key=name_key))
            before = getattr(instance, "_before", {}).get("kit") or ""
            involved = {name_key(n) for n in [*split_list(before), *kit_titles]}
            if instance.pk is not None and not involved & self.changed_kits:
                cell = before  # which units a kit counts is a matter of counts, not of units
            instance._values["kit"] = cell

    def current_values(self, instance) -> dict:
        values = dict(instance._values)
        for name in ("inventory_number", *UNIT_COLUMNS):
            values[name] = getattr(instance, name)
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if instance._item_only:
            if getattr(instance, "_item_page", None) is None:
                return False
        elif instance.pk is None:
            return False
        instance._after = self.current_values(instance)
        return all(instance._before.get(name) == instance._after.get(name) for name in row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The unit's own fields as its model checks them (lengths, choices, amounts);
        uniqueness was checked against the organization's units in ``prepare``."""
        errors = dict(import_validation_errors or {})
        if not instance._item_only:
            try:
                instance.full_clean(
                    exclude=[*errors, "site", "equipment", "location", "status", "notes"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if instance._item_only:
            return
        instance._plan = self.items[name_key(str(row.get("name") or ""))]
        super().save_instance(instance, is_create, row, **kwargs)

    # Phase 2 -------------------------------------------------------------------------------

    def write(self) -> None:
        parent = self.index_page()
        Page.objects.select_for_update().filter(pk=parent.pk).first()
        trainings = self.create_trainings()
        plans = list(self.items.values())
        items = [plan for plan in plans if not self.is_kit(plan)]
        kits = [plan for plan in plans if self.is_kit(plan)]
        self.create_pages([p for p in items if p.page is None], parent, trainings)
        self.write_units()
        components = self.new_components() if "kit" in self._columns else {}
        self.create_pages([p for p in kits if p.page is None], parent, trainings, components)
        self.update_pages([p for p in plans if p.page is not None], trainings, components)
        self.tick(max(0, 2 * self._row_count - getattr(self, "_done", 0)))
        availability_changed(self.site)
        invalidate_sites(url_paths=[parent.url_path])

    def create_trainings(self) -> dict[str, Training]:
        """Training name (folded) → training, the ones rows name and the organization lacks
        made now."""
        wanted: dict[str, str] = {}
        for plan in self.items.values():
            name = self.final_values(plan).get("requires_training") or ""
            if name and name_key(name) not in self.trainings_by_name:
                wanted.setdefault(name_key(name), name)
        created = Training.objects.bulk_create(
            [Training(site=self.site, name=name) for name in wanted.values()]
        )
        if created and created[0].pk is None:  # a database that does not return ids
            created = list(Training.objects.filter(site=self.site, name__in=wanted.values()))
        return {**self.trainings_by_name, **{name_key(t.name): t for t in created}}

    def page_values(self, plan: ItemPlan, trainings) -> dict:
        """Page attribute → value, for the file's columns."""
        values = self.final_values(plan)
        attributes = {}
        for column_name, attribute in ITEM_FIELDS.items():
            if column_name in values:
                attributes[attribute] = values[column_name]
        if "requires_training" in values:
            name = values["requires_training"]
            attributes["required_training_id"] = trainings[name_key(name)].pk if name else None
        return attributes

    def create_pages(self, plans, parent, trainings, components=None) -> None:
        """New items (or kits, with their components) and their private twins, through the
        bulk page path."""
        for start in range(0, len(plans), self.write_batch_size):
            batch = plans[start : start + self.write_batch_size]
            pages, twins = [], []
            for plan in batch:
                page = EquipmentPage(title=plan.name, locale_id=parent.locale_id)
                for attribute, value in self.page_values(plan, trainings).items():
                    setattr(page, attribute, value)
                if components is not None and plan.name in components.get("new", {}):
                    page.kit_components = [
                        KitComponent(item_id=item_id, quantity=quantity)
                        for item_id, quantity in components["new"][plan.name]
                    ]
                # The private twin first, with the page's key: the bulk path keeps it.
                page.translation_key = uuid.uuid4()
                plan.twin = Equipment(site=self.site, translation_key=page.translation_key)
                pages.append(page)
                twins.append(plan.twin)
            Equipment.objects.bulk_create(twins)
            if twins and twins[0].pk is None:
                found = Equipment.objects.filter(
                    translation_key__in=[t.translation_key for t in twins]
                ).in_bulk(field_name="translation_key")
                for plan, twin in zip(batch, twins, strict=True):
                    plan.twin = found[twin.translation_key]
            pages_bulk_create(parent=parent, pages=pages, user=self.user, publish=self.publish)
            for plan, page in zip(batch, pages, strict=True):
                plan.page = page

    def write_units(self) -> None:
        for plan in self.items.values():
            if plan.twin is None and plan.page is not None:
                plan.twin, _created = Equipment.objects.get_or_create(
                    translation_key=plan.page.translation_key, defaults={"site": self.site}
                )
        for unit in self.pending_new:
            unit.site = self.site
            unit.equipment = unit._plan.twin
        EquipmentUnit.objects.bulk_create(self.pending_new, batch_size=self.write_batch_size)
        self.tick(len(self.pending_new))
        columns = [name for name in UNIT_COLUMNS if name in self._columns]
        for unit in self.pending_updates:
            unit.equipment = unit._plan.twin
        EquipmentUnit.objects.bulk_update(
            self.pending_updates, ["equipment", *columns], batch_size=self.write_batch_size
        )
        self.tick(len(self.pending_updates))

    def item_token(self, item_id: int):
        """How a kit's component names its item while the file is read: the item's key (its
        folded name) when the file describes it, else its page's pk."""
        page = self.pages_by_pk.get(item_id)
        if page is not None:
            plan = self.items.get(name_key(page.title))
            if plan is not None and plan.page is page:
                return name_key(page.title)
        return item_id

    def plan_kits(self) -> None:
        """What each kit the file touches will take (``kit_parts``: kit key → ``[[item, quantity],
        …]``, an item being its key or its page's pk) and which kits change (``changed_kits``).

        For every item whose units the file lists, a kit takes as many of its units as name
        the kit — the listed units as their rows say, the others as before — plus whatever
        the kit asked beyond the units the item had (so a kit asking more than there is keeps
        asking it). Without a ``kit`` column, kits are left as they are."""
        self.kit_parts: dict[str, list[list]] = {}
        self.kit_targets: dict[str, ItemPlan] = {}
        self.changed_kits: set[str] = set()
        if "kit" not in self._columns:
            return
        listed: dict[str, list[set[str]]] = defaultdict(list)  # item → each unit's kits
        for item_name, kit_names in self.unit_kits.values():
            listed[name_key(item_name)].append({name_key(name) for name in kit_names})
        for token in list(listed):
            page = self.items[token].page
            for unit in self.units_by_item.get(page.pk, []) if page is not None else ():
                if unit.inventory_number not in self.unit_kits:
                    kits = self.assigned.get(unit.pk, ())
                    listed[token].append({name_key(kit.title) for kit in kits})
        current: dict[str, list[list]] = {}
        kit_pages: dict[str, EquipmentPage] = {}
        for kit_id, parts in self.components.items():
            key = name_key(self.pages_by_pk[kit_id].title)
            kit_pages.setdefault(key, self.pages_by_pk[kit_id])
            current.setdefault(key, [[self.item_token(item), q] for item, q in parts])
        kit_keys = {key for kits in listed.values() for unit_kits in kits for key in unit_kits}
        kit_keys |= {key for key, parts in current.items() if any(t in listed for t, _q in parts)}
        for key in sorted(kit_keys):
            plan = self.items.get(key) or self.plan_for(kit_pages[key].title)
            before = current.get(key, []) if plan.page is not None else []
            had: dict = defaultdict(int)
            for token, quantity in before:
                had[token] += quantity
            counts = {}
            for token, kits in listed.items():
                page = self.items[token].page
                units_before = len(self.units_by_item.get(page.pk, [])) if page else 0
                counts[token] = sum(key in unit_kits for unit_kits in kits) + max(
                    0, had[token] - units_before
                )
            parts, seen = [], set()
            for token, _quantity in before:
                if token not in seen:
                    seen.add(token)
                    if quantity := counts.get(token, had[token]):
                        parts.append([token, quantity])
            parts += [[t, q] for t, q in counts.items() if t not in seen and q]
            self.kit_parts[key] = parts
            self.kit_targets[key] = plan
            if plan.page is None or parts != [list(p) for p in had.items()]:
                self.changed_kits.add(key)

    def new_components(self) -> dict:
        """``kit_parts`` with page pks, now that every item has its page: ``{"existing": {kit
        pk: [[item pk, quantity], …]}, "new": {kit name: […]}}``."""
        result: dict = {"existing": {}, "new": {}}
        for key, parts in self.kit_parts.items():
            plan = self.kit_targets[key]
            resolved = [
                [self.items[token].page.pk if isinstance(token, str) else token, quantity]
                for token, quantity in parts
            ]
            if plan.page is None or plan.page.pk not in self.pages_by_pk:
                result["new"][plan.name] = resolved
            else:
                result["existing"][plan.page.pk] = resolved
        return result

    def update_pages(self, plans, trainings, components) -> None:
        """Existing items and kits whose values the file changes: a new revision each,
        published where the rules of ``spreadsheets.pages`` say."""
        changed, flags = [], []
        for plan in plans:
            if not plan.rows and plan.page.pk not in components.get("existing", {}):
                continue
            page = plan.page
            values = self.page_values(plan, trainings) if plan.rows else {}
            different = {
                attribute: value
                for attribute, value in values.items()
                if getattr(page, attribute) != value
            }
            parts = components.get("existing", {}).get(page.pk)
            if parts is not None and parts == [
                list(part) for part in self._merged(self.components.get(page.pk, []))
            ]:
                parts = None
            if not different and parts is None:
                continue
            draft = self.draft_of(page)
            for attribute, value in different.items():
                setattr(draft, attribute, value)
            if parts is not None:
                kept = {c.item_id: c for c in draft.kit_components.all()}
                draft.kit_components = [
                    _component(kept.get(item_id), item_id, quantity) for item_id, quantity in parts
                ]
            changed.append(draft)
            flags.append(self.publishes_update(page))
        for start in range(0, len(changed), self.write_batch_size):
            pages_bulk_update(
                pages=changed[start : start + self.write_batch_size],
                user=self.user,
                publish=flags[start : start + self.write_batch_size],
            )

    @staticmethod
    def _merged(parts):
        """``parts`` with an item given twice counted once (as ``new_components`` writes)."""
        totals: dict[int, int] = {}
        for item_id, quantity in parts:
            totals[item_id] = totals.get(item_id, 0) + quantity
        return [[item_id, quantity] for item_id, quantity in totals.items()]

    # Export --------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None) -> Iterator[list]:
        """Each unit (of ``queryset``, or every one of the organization's) as a row, by item
        and inventory number; then, for the whole organization, the items without units and
        the kits as rows of their own (for a listing's units: the kits they name)."""
        self.load_inventory()
        if queryset is None:
            units = self.units
        else:
            wanted = set(queryset.values_list("pk", flat=True))
            units = [unit for unit in self.units if unit.pk in wanted]
        by_item: dict[int, list[EquipmentUnit]] = defaultdict(list)
        for unit in units:
            if unit._item_page is not None:
                by_item[unit._item_page.pk].append(unit)
        order = sorted(self.pages, key=lambda page: (name_key(page.title), page.pk))
        named_kits: set[int] = set()
        for page in order:
            if page.is_kit:
                continue
            if page.pk not in by_item:
                if queryset is None:
                    yield self.export_row(page, None)
                continue
            for unit in by_item[page.pk]:
                named_kits.update(kit.pk for kit in self.assigned.get(unit.pk, ()))
                yield self.export_row(page, unit)
        for page in order:
            if page.is_kit and (queryset is None or page.pk in named_kits):
                yield self.export_row(page, None)

    def export_row(self, page: EquipmentPage, unit: EquipmentUnit | None) -> list:
        values = self.item_values(page)
        values["kit"] = self.kit_cell(unit) if unit is not None else ""
        for name in ("inventory_number", *UNIT_COLUMNS):
            values[name] = getattr(unit, name) if unit is not None else None
        category = self.fields["category"].widget
        condition = self.fields["condition"].widget
        values["category"] = category.render(values["category"])
        values["condition"] = condition.render(values["condition"]) if unit is not None else ""
        values["inventory_number"] = values["inventory_number"] or ""
        values["serial_number"] = values["serial_number"] or ""
        return [values.get(c.name) for c in self.sheet_columns]


def _component(existing, item_id: int, quantity: int) -> KitComponent:
    if existing is not None:
        existing.quantity = quantity
        return existing
    return KitComponent(item_id=item_id, quantity=quantity)


def _kit_label() -> str:
    return str(EquipmentCategory.KIT.label)


# --- Bookings -------------------------------------------------------------------------------

#: The words a totals row carries in its ``number`` column (any language): such a row of an
#: export is skipped on import.
TOTAL_WORDS = {"total", "totals", "totaux", "sous-total"}


class LocalMomentWidget(TextWidget):
    """A date or a date and time in the organization's time zone."""

    def clean(self, value, row=None, **kwargs):
        return parse_moment(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext(
            "A date, or a date and a time, in your organization's time zone: 2027-03-12 14:00 "
            "or 12/03/2027 14h. A date alone: the equipment desk's usual hour."
        )


class InventoryNumbersWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return split_list(super().clean(value, row))

    def describe(self) -> str:
        return gettext("Inventory numbers of the units, separated by “;”: CAM-01; TRP-03.")


@dataclass
class BookingRow:
    """One row of a bookings file, as the desk will book it."""

    number: int
    borrower: Contact | None = None
    units: list[EquipmentUnit] = field(default_factory=list)
    period: Period | None = None
    until: dt.datetime | None = None
    status: str = BookingStatus.CONFIRMED
    existing: Booking | None = None


class BookingResource(SpreadsheetResource):
    """Bookings: ``number, borrower, borrower_email, items, item_names, pickup, return,
    status, production_title, commercial, rate_column, subtotal, discount, total, deposit,
    currency, notes`` (see the module's docstring). On import, ``number``, ``item_names`` and
    ``currency`` are read, not written: numbers are given by the database, names come with the
    units, and the currency is the organization's."""

    sheet_columns = (
        column(
            "number",
            pgettext_lazy("spreadsheet column", "booking number"),
            "numéro",
            "no",
            "n°",
            help=gettext_lazy("Given by Liens Mutuels; ignored on import."),
        ),
        column(
            "borrower",
            pgettext_lazy("spreadsheet column", "borrower"),
            "emprunteur",
            "emprunteuse",
            "membre",
            "client",
            help=gettext_lazy(
                "The name of a person or organization record (when the e-mail is empty)."
            ),
        ),
        column(
            "borrower_email",
            pgettext_lazy("spreadsheet column", "borrower e-mail"),
            "courriel de l'emprunteur",
            "courriel",
            "e-mail",
            "email",
            help=gettext_lazy("The e-mail of a person or organization record."),
        ),
        column(
            "items",
            pgettext_lazy("spreadsheet column", "units"),
            "unités",
            "numéros d'inventaire",
            "inventaire",
            "inventory numbers",
            required=True,
        ),
        column(
            "item_names",
            pgettext_lazy("spreadsheet column", "equipment"),
            "équipement",
            "articles",
            help=gettext_lazy("The items' names, for reading; ignored on import."),
        ),
        column(
            "pickup",
            pgettext_lazy("spreadsheet column", "pick-up"),
            "retrait",
            "cueillette",
            "départ",
            "sortie",
            "date de retrait",
            "pick-up date",
            "start",
            "début",
            required=True,
        ),
        column(
            "return",
            pgettext_lazy("spreadsheet column", "return"),
            "retour",
            "date de retour",
            "return date",
            "end",
            "fin",
            required=True,
        ),
        column(
            "status",
            pgettext_lazy("spreadsheet column", "booking status"),
            "statut",
            "status",
            help=gettext_lazy(
                "Requested, confirmed, checked out, returned, cancelled or refused. Empty: "
                "returned if the return date has passed, confirmed otherwise."
            ),
        ),
        column(
            "production_title",
            pgettext_lazy("spreadsheet column", "production title"),
            "titre de la production",
            "production",
            "projet",
        ),
        column(
            "commercial",
            pgettext_lazy("spreadsheet column", "commercial production"),
            "production commerciale",
            "commercial",
        ),
        column(
            "rate_column",
            pgettext_lazy("spreadsheet column", "rates applied"),
            "tarifs appliqués",
            "tarif",
            "rates",
            help=gettext_lazy(
                "Non-members, members or commercial productions. Empty: from the borrower's "
                "membership on the pick-up date."
            ),
        ),
        column("subtotal", pgettext_lazy("spreadsheet column", "subtotal"), "sous-total"),
        column("discount", pgettext_lazy("spreadsheet column", "discount"), "rabais", "remise"),
        column(
            "total",
            pgettext_lazy("spreadsheet column", "total"),
            "montant",
            "montant total",
            help=gettext_lazy(
                "Amounts given are kept as billed (subtotal − discount = total); empty ones are "
                "computed from the rates."
            ),
        ),
        column("deposit", pgettext_lazy("spreadsheet column", "deposit"), "dépôt", "caution"),
        column(
            "currency",
            pgettext_lazy("spreadsheet column", "currency"),
            "devise",
            "monnaie",
            help=gettext_lazy("Your organization's currency (CAD, EUR…); empty is the same."),
        ),
        column("notes", pgettext_lazy("spreadsheet column", "notes"), "note", "remarques"),
    )

    number = _field("number", TextWidget())
    borrower = _field("borrower", TextWidget())
    borrower_email = _field("borrower_email", TextWidget())
    items = _field("items", InventoryNumbersWidget())
    item_names = _field("item_names", TextWidget())
    pickup = _field("pickup", LocalMomentWidget())
    return_at = _field("return", LocalMomentWidget())
    status = _field("status", SynonymChoiceWidget(BookingStatus.choices, synonyms=STATUS_SYNONYMS))
    production_title = _field("production_title", TextWidget(), "production_title")
    commercial = _field("commercial", YesNoWidget())
    rate_column = _field("rate_column", LabelChoiceWidget(RateColumn.choices))
    subtotal = _field("subtotal", OptionalAmountWidget())
    discount = _field("discount", OptionalAmountWidget())
    total = _field("total", OptionalAmountWidget())
    deposit = _field("deposit", OptionalAmountWidget())
    currency = _field("currency", TextWidget())
    notes = _field("notes", TextWidget(), "notes")

    class Meta(SpreadsheetResource.Meta):
        model = Booking
        import_id_fields = ()
        fields = (
            "number",
            "borrower",
            "borrower_email",
            "items",
            "item_names",
            "pickup",
            "return",
            "status",
            "production_title",
            "commercial",
            "rate_column",
            "subtotal",
            "discount",
            "total",
            "deposit",
            "currency",
            "notes",
        )

    #: Columns compared to tell an existing booking unchanged (the others are its key).
    COMPARED = (
        "status",
        "production_title",
        "commercial",
        "rate_column",
        "subtotal",
        "discount",
        "total",
        "deposit",
        "notes",
    )
    AMOUNTS = ("subtotal", "discount", "total", "deposit")

    def get_queryset(self):
        return Booking.objects.filter(site=self.site)

    # Phase 1 -------------------------------------------------------------------------------

    def prepare(self, dataset) -> None:
        self._columns = list(dataset.headers or [])
        self._row_count = len(dataset)
        self.zone = organization_zone(self.site)
        self.buffer = rental_settings(self.site).buffer
        self.currency = OrganizationSettings.for_site(self.site).currency
        contacts = Contact.objects.filter(site=self.site)
        self.by_email: dict[str, list[Contact]] = defaultdict(list)
        for chunk in chunked([e.lower() for e in distinct_cells(dataset, "borrower_email")]):
            for contact in (
                contacts.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .with_name()
            ):
                self.by_email[contact.email_lower].append(contact)
        self.by_name: dict[str, list[Contact]] = defaultdict(list)
        names = {name_key(name) for name in distinct_cells(dataset, "borrower")}
        if names:
            for contact in contacts.with_name().order_by("pk"):
                if name_key(contact.name or "") in names:
                    self.by_name[name_key(contact.name)].append(contact)
        numbers = set()
        for text in distinct_cells(dataset, "items"):
            numbers.update(split_list(text))
        self.units: dict[str, EquipmentUnit] = {}
        for chunk in chunked(sorted(numbers)):
            for unit in EquipmentUnit.objects.filter(
                site=self.site, inventory_number__in=chunk
            ).select_related("equipment"):
                self.units[unit.inventory_number] = unit
        keys = {unit.equipment.translation_key for unit in self.units.values()}
        self.pages: dict = {}
        for chunk in chunked(sorted(keys, key=str)):
            for page in EquipmentPage.objects.filter(translation_key__in=chunk).order_by("-pk"):
                self.pages[page.translation_key] = page
        #: Rows already checked: what each holds, to refuse rows taking the same units.
        self.held: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
        self.rows: dict[int, BookingRow] = {}
        self.now = timezone.now()

    @staticmethod
    def is_total_row(row) -> bool:
        """A totals row of an export: « Total » in the number column, no units."""
        number = fold(str(row.get("number") or "").strip())
        if not number or not _blank(row.get("items")):
            return False
        return number in TOTAL_WORDS or number == fold(pgettext("spreadsheet totals row", "Total"))

    def import_row(self, row, instance_loader, **kwargs):
        """A totals row (of an export imported back) is left aside, as an unchanged row."""
        if not self.is_total_row(row):
            return super().import_row(row, instance_loader, **kwargs)
        result = SheetRowResult()
        result.import_type = RowResult.IMPORT_TYPE_SKIP
        result.sheet_row = (self._row_numbers[kwargs["row_number"] - 1], row)
        self.tick()
        return result

    def init_instance(self, row=None):
        return Booking(site=self.site)

    def get_instance(self, instance_loader, row):
        return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        name = field.column_name
        if name not in row:
            return
        value = field.widget.clean(row[name], row=row)
        if field.attribute:
            setattr(instance, field.attribute, value)
        else:
            setattr(instance, f"_cell_{name}", value)

    def cell(self, instance, name, default=None):
        return getattr(instance, f"_cell_{name}", default)

    def check_row(self, instance, row) -> None:
        errors: dict[str, str] = {}
        plan = BookingRow(number=self._current_row)
        self.rows[self._current_row] = plan
        instance._plan = plan
        plan.borrower = self.find_borrower(instance, row, errors)
        plan.units = self.find_units(instance, errors)
        pickup, return_at = self.cell(instance, "pickup"), self.cell(instance, "return")
        if pickup is None:
            errors["pickup"] = gettext("Give the pick-up date.")
        if return_at is None:
            errors["return"] = gettext("Give the return date.")
        if pickup is not None and return_at is not None:
            try:
                plan.period = Period.from_values(self.site, pickup, return_at)
            except ValidationError as error:
                errors["return"] = " ".join(error.messages)
        status = self.cell(instance, "status")
        if status is None and plan.period is not None:
            status = (
                BookingStatus.RETURNED
                if plan.period.return_at < self.now
                else BookingStatus.CONFIRMED
            )
        plan.status = status or BookingStatus.CONFIRMED
        instance.status = plan.status
        instance.commercial = bool(self.cell(instance, "commercial"))
        instance.rate_column = self.cell(instance, "rate_column") or ""
        for name in self.AMOUNTS:
            setattr(instance, f"_file_{name}", self.cell(instance, name))
        self.check_amounts(instance, errors)
        currency = (self.cell(instance, "currency") or "").strip().upper()
        if currency and currency != self.currency:
            errors["currency"] = gettext(
                "Your organization keeps its accounts in %(currency)s: convert this booking's "
                "amounts, or leave the currency empty."
            ) % {"currency": self.currency}
        if not errors and plan.period is not None and plan.borrower is not None:
            plan.until = plan.period.return_at + self.buffer
            plan.existing = self.existing_booking(plan)
            if plan.existing is None:
                self.check_rules(plan, errors)
            elif self.differences(instance, plan.existing, row):
                errors[""] = gettext(
                    "This booking is already in Liens Mutuels (booking %(number)s) with other "
                    "values: change it on its own screen."
                ) % {"number": plan.existing.number}
        if errors:
            raise ValidationError(errors)
        instance.borrower = plan.borrower
        instance.pickup_at, instance.return_at = plan.period.pickup_at, plan.period.return_at

    def find_borrower(self, instance, row, errors) -> Contact | None:
        email = (self.cell(instance, "borrower_email") or "").strip().lower()
        name = (self.cell(instance, "borrower") or "").strip()
        if email:
            found, what = self.by_email.get(email, []), "borrower_email"
        elif name:
            found, what = self.by_name.get(name_key(name), []), "borrower"
        else:
            errors["borrower"] = gettext("Give the borrower's e-mail or name.")
            return None
        if len(found) > 1:
            errors[what] = gettext(
                "Several records of your organization have this %(what)s: give the "
                "borrower's e-mail instead, or make the names differ."
            ) % {"what": gettext("e-mail") if what == "borrower_email" else gettext("name")}
            return None
        if not found:
            errors[what] = gettext(
                "No person or organization record of your organization has this %(what)s: "
                "import the people first."
            ) % {"what": gettext("e-mail") if what == "borrower_email" else gettext("name")}
            return None
        return found[0]

    def find_units(self, instance, errors) -> list[EquipmentUnit]:
        numbers = list(dict.fromkeys(self.cell(instance, "items") or []))
        if not numbers:
            errors["items"] = gettext("Give the inventory numbers of the units borrowed.")
            return []
        unknown = [number for number in numbers if number not in self.units]
        if unknown:
            errors["items"] = gettext(
                "No unit of your organization has these inventory numbers: %(numbers)s."
            ) % {"numbers": ", ".join(unknown)}
            return []
        units = [self.units[number] for number in numbers]
        missing = [u for u in units if u.equipment.translation_key not in self.pages]
        if missing:
            errors["items"] = gettext("Unit %(unit)s belongs to no item of the catalogue.") % {
                "unit": missing[0].inventory_number
            }
            return []
        return units

    def check_amounts(self, instance, errors) -> None:
        given = {name: getattr(instance, f"_file_{name}") for name in self.AMOUNTS}
        for name, value in given.items():
            if value is None:
                continue
            if value < 0:
                errors[name] = gettext("Amounts cannot be negative.")
                continue
            try:
                Booking._meta.get_field(name).clean(value, None)
            except ValidationError as error:
                errors[name] = " ".join(error.messages)
        subtotal, discount, total = given["subtotal"], given["discount"], given["total"]
        if not errors and None not in (subtotal, discount, total) and subtotal - discount != total:
            errors["total"] = gettext(
                "The subtotal less the discount (%(expected)s) is not the total."
            ) % {"expected": subtotal - discount}

    def existing_booking(self, plan: BookingRow) -> Booking | None:
        """The organization's booking with this row's borrower, dates and units, if any."""
        candidates = Booking.objects.filter(
            site=self.site,
            borrower=plan.borrower,
            pickup_at=plan.period.pickup_at,
            return_at=plan.period.return_at,
        ).prefetch_related("lines")
        wanted = {unit.pk for unit in plan.units}
        for booking in candidates:
            if {line.unit_id for line in booking.lines.all()} == wanted:
                return booking
        return None

    def check_rules(self, plan: BookingRow, errors) -> None:
        """What the desk would refuse: a closed day, a training the borrower lacks, a unit
        not bookable, a unit another row or booking holds."""
        if plan.status in INACTIVE_STATUSES:
            return  # it holds nothing: no rule of the desk applies
        try:
            check_closures(self.site, plan.period)
        except BookingError as error:
            errors["pickup"] = error.messages[0]
            return
        pages = self.item_pages(plan.units)
        for page in dict.fromkeys(pages.values()):
            try:
                check_training(plan.borrower, page, plan.period)
            except BookingError as error:
                errors["items"] = error.messages[0]
                return
        for unit in plan.units:
            if unit.status != UnitStatus.AVAILABLE:
                errors["items"] = gettext("Unit %(unit)s is “%(status)s”: it cannot be booked.") % {
                    "unit": unit.inventory_number,
                    "status": unit.get_status_display(),
                }
                return
        for unit in plan.units:
            for start, until, row in self.held[unit.pk]:
                if start < plan.until and plan.period.pickup_at < until:
                    errors["items"] = gettext(
                        "Unit %(unit)s is already booked on row %(row)s of the file for these "
                        "dates (%(start)s – %(end)s)."
                    ) % {
                        "unit": unit.inventory_number,
                        "row": row,
                        "start": format_day(plan.period.pickup_at.astimezone(self.zone).date()),
                        "end": format_day(plan.period.return_at.astimezone(self.zone).date()),
                    }
                    return
        busy = set(
            BookingLine.objects.blocking(plan.period.pickup_at, plan.until)
            .filter(unit__in=plan.units)
            .values_list("unit_id", flat=True)
        )
        for unit in plan.units:
            if unit.pk in busy:
                conflict = conflict_for(pages[unit.pk], 1, plan.period, self.site)
                errors["items"] = gettext("Unit %(unit)s: %(conflict)s") % {
                    "unit": unit.inventory_number,
                    "conflict": conflict.message_for(staff=True),
                }
                return
        for unit in plan.units:
            self.held[unit.pk].append((plan.period.pickup_at, plan.until, plan.number))

    def item_pages(self, units) -> dict[int, EquipmentPage]:
        return {unit.pk: self.pages[unit.equipment.translation_key] for unit in units}

    def current_values(self, instance) -> dict:
        values = {name: getattr(instance, name, None) for name in ("production_title", "notes")}
        values["status"] = instance.status
        values["commercial"] = instance.commercial
        values["rate_column"] = instance.rate_column
        for name in self.AMOUNTS:
            values[name] = getattr(instance, name)
        return values

    def differences(self, instance, existing: Booking, row) -> list[str]:
        """The columns of ``row`` in which it says something else than ``existing`` (an
        empty amount or rate column says nothing: it would be computed)."""
        before = self.current_values(existing)
        changed = []
        for name in self.COMPARED:
            if name not in row:
                continue
            value = (
                getattr(instance, f"_file_{name}")
                if name in self.AMOUNTS
                else getattr(instance, name)
            )
            if name in (*self.AMOUNTS, "rate_column") and value in (None, ""):
                continue
            if value != before[name]:
                changed.append(name)
        return changed

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row that is an existing booking, unchanged (``check_row`` refused a changed one)."""
        return not import_validation_errors and instance._plan.existing is not None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for name in ("production_title", "notes"):
            if name in errors:
                continue
            try:
                Booking._meta.get_field(name).clean(getattr(instance, name), instance)
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    # Phase 2 -------------------------------------------------------------------------------

    def write(self) -> None:
        for instance in self.pending_new:
            try:
                self.write_booking(instance)
            except BookingError as error:
                message = (
                    error.message_for(staff=True)
                    if isinstance(error, BookingConflict)
                    else error.messages[0]
                )
                raise ValidationError(
                    gettext("Row %(row)s: %(message)s Nothing was written.")
                    % {"row": instance._plan.number, "message": message}
                ) from None
            self.tick()
        self.tick(max(0, 2 * self._row_count - getattr(self, "_done", 0)))
        availability_changed(self.site)

    def write_booking(self, instance) -> Booking:
        """One row through the desk's services: the booking of its units, then each step of
        its status (confirmed, checked out, returned), dated by the row."""
        plan: BookingRow = instance._plan
        pages = self.item_pages(plan.units)
        by_page: dict[int, list[int]] = defaultdict(list)
        items: dict[int, EquipmentPage] = {}
        for unit in plan.units:
            page = pages[unit.pk]
            items[page.pk] = page
            by_page[page.pk].append(unit.pk)
        if plan.status in INACTIVE_STATUSES:
            booking = self.inactive_booking(instance, plan, pages)
        else:
            booking = request_booking(
                self.site,
                plan.borrower,
                [(page, len(by_page[pk])) for pk, page in items.items()],
                plan.period,
                None,
                user=self.user,
                commercial=instance.commercial,
                production_title=instance.production_title or "",
                notes=instance.notes or "",
                units=dict(by_page),
            )
            # An imported booking is history, not news: listeners do not write to borrowers.
            booking.notify_borrower = False
            steps = {
                BookingStatus.REQUESTED: [],
                BookingStatus.CONFIRMED: [BookingStatus.CONFIRMED],
                BookingStatus.CHECKED_OUT: [BookingStatus.CONFIRMED, BookingStatus.CHECKED_OUT],
                BookingStatus.RETURNED: [
                    BookingStatus.CONFIRMED,
                    BookingStatus.CHECKED_OUT,
                    BookingStatus.RETURNED,
                ],
            }[plan.status]
            if BookingStatus.CHECKED_OUT in steps:
                booking.checked_out_at = min(plan.period.pickup_at, self.now)
            if BookingStatus.RETURNED in steps:
                booking.returned_at = min(plan.period.return_at, self.now)
            for step in steps:
                change_status(booking, step, user=self.user)
        self.apply_amounts(booking, instance)
        return booking

    def inactive_booking(self, instance, plan: BookingRow, pages) -> Booking:
        """A cancelled or refused booking holds no unit: written as such, its lines inactive
        (the rule against double booking is about the units a booking holds)."""
        booking = Booking.objects.create(
            site=self.site,
            borrower=plan.borrower,
            pickup_at=plan.period.pickup_at,
            return_at=plan.period.return_at,
            status=plan.status,
            commercial=instance.commercial,
            production_title=instance.production_title or "",
            notes=instance.notes or "",
            requested_by=self.user,
        )
        BookingLine.objects.bulk_create(
            BookingLine(
                booking=booking,
                equipment_id=unit.equipment_id,
                unit=unit,
                starts_at=plan.period.pickup_at,
                blocked_until=plan.until,
                active=False,
            )
            for unit in plan.units
        )
        return price_booking(booking)

    def apply_amounts(self, booking: Booking, instance) -> None:
        """The amounts the file gives (as billed) over the computed ones; the others follow
        so that subtotal − discount = total."""
        given = {name: getattr(instance, f"_file_{name}") for name in self.AMOUNTS}
        if instance.rate_column:
            booking.rate_column = instance.rate_column
        if all(value is None for value in given.values()) and not instance.rate_column:
            return
        if given["subtotal"] is not None:
            booking.subtotal = given["subtotal"]
        if given["discount"] is not None:
            booking.discount = given["discount"]
        if given["total"] is not None:
            booking.total = given["total"]
            if given["discount"] is None:
                booking.discount = max(booking.subtotal - booking.total, Decimal(0))
            if given["subtotal"] is None:
                booking.subtotal = booking.total + booking.discount
        else:
            booking.total = max(booking.subtotal - booking.discount, Decimal(0))
        if given["deposit"] is not None:
            booking.deposit = given["deposit"]
        booking.save(
            update_fields=["rate_column", "subtotal", "discount", "total", "deposit", "updated_at"]
        )

    # Export --------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None, chunk_size: int = 500) -> Iterator[list]:
        """The bookings (of ``queryset``, or all of the organization's) by pick-up, then one
        totals row per currency: what an accountant sums up."""
        bookings = self.get_queryset() if queryset is None else queryset
        ids = list(bookings.order_by("pickup_at", "pk").values_list("pk", flat=True))
        totals: dict[str, list] = {}
        zones: dict[int, object] = {}
        statuses = dict(BookingStatus.choices)
        columns = dict(RateColumn.choices)
        for chunk in chunked(ids, chunk_size):
            batch = list(
                Booking.objects.filter(pk__in=chunk)
                .annotate(borrower_name=record_name("borrower"))
                .select_related("borrower")
                .prefetch_related("lines__unit")
                .order_by("pickup_at", "pk")
            )
            twins = {line.equipment_id for b in batch for line in b.lines.all()}
            keys = dict(Equipment.objects.filter(pk__in=twins).values_list("pk", "translation_key"))
            titles: dict = {}
            for key, title in (
                Page.objects.filter(translation_key__in=keys.values())
                .order_by("-pk")
                .values_list("translation_key", "title")
            ):
                titles[key] = title
            for booking in batch:
                if booking.site_id not in zones:
                    zones[booking.site_id] = organization_zone(booking.site)
                zone = zones[booking.site_id]
                lines = sorted(booking.lines.all(), key=lambda line: line.unit.inventory_number)
                names: dict[str, int] = {}
                for line in lines:
                    title = titles.get(keys.get(line.equipment_id), "")
                    names[title] = names.get(title, 0) + 1
                currency = booking.currency
                total = totals.setdefault(
                    currency, [0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
                )
                total[0] += 1
                for index, name in enumerate(self.AMOUNTS, start=1):
                    total[index] += getattr(booking, name)
                yield [
                    booking.number,
                    booking.borrower_name or str(booking.borrower.email),
                    booking.borrower.email,
                    "; ".join(line.unit.inventory_number for line in lines),
                    "; ".join(
                        f"{title} × {count}" if count > 1 else title
                        for title, count in names.items()
                    ),
                    _local(booking.pickup_at, zone),
                    _local(booking.return_at, zone),
                    str(statuses.get(booking.status, booking.status)),
                    booking.production_title,
                    booking.commercial,
                    str(columns.get(booking.rate_column, booking.rate_column)),
                    booking.subtotal,
                    booking.discount,
                    booking.total,
                    booking.deposit,
                    currency,
                    booking.notes,
                ]
        for currency, (count, subtotal, discount, total, deposit) in sorted(totals.items()):
            yield [
                pgettext("spreadsheet totals row", "Total"),
                ngettext("%(count)s booking", "%(count)s bookings", count) % {"count": count},
                "",
                "",
                "",
                None,
                None,
                "",
                "",
                None,
                "",
                subtotal,
                discount,
                total,
                deposit,
                currency,
                "",
            ]


# "return" is a Python keyword: its field is declared as ``return_at``, and keyed by its column
# (the import screen's hints and the import's columns find fields by column).
BookingResource.fields["return"] = BookingResource.fields.pop("return_at")


def _local(moment: dt.datetime, zone) -> dt.datetime:
    """A date-time as the organization's clock shows it (spreadsheets have no time zones)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def bookings_in_period(queryset, start: dt.date | None, end: dt.date | None, site=None):
    """The bookings of ``queryset`` picked up from ``start`` to ``end`` (local days, both
    included; either may be ``None``): each booking counts in the period of its pick-up, so
    that two periods' exports never count one twice."""
    if start is None and end is None:
        return queryset
    zone = organization_zone(site) if site is not None else timezone.get_current_timezone()
    if start is not None:
        queryset = queryset.filter(
            pickup_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=zone)
        )
    if end is not None:
        queryset = queryset.filter(
            pickup_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        )
    return queryset


def period_from_query(params) -> tuple[dt.date | None, dt.date | None]:
    """``?from=2027-01-01&to=2027-03-31`` (or ``31/03/2027``) of a listing's export link;
    a value that is not a date is ignored, as the listing's own filters ignore one."""
    found = []
    for name in ("from", "to"):
        try:
            found.append(parse_date(params.get(name) or None))
        except CellValueError:
            found.append(None)
    return found[0], found[1]


class BookingPeriodExportMixin:
    """For the bookings listing's index view (with ``SpreadsheetIndexMixin``): an export of
    ``bookings`` keeps to the period of ``?from=…&to=…`` (pick-up dates), on top of the
    listing's own filters."""

    def spreadsheet_queryset(self, kind: str):
        queryset = super().spreadsheet_queryset(kind)
        if kind != "bookings":
            return queryset
        start, end = period_from_query(self.request.GET)
        if start is None and end is None:
            return queryset
        sites = list(queryset.order_by().values_list("site", flat=True).distinct()[:2])
        site = Site.objects.get(pk=sites[0]) if len(sites) == 1 else None
        return bookings_in_period(queryset, start, end, site=site)
