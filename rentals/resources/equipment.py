"""Equipment as spreadsheet rows: one row per unit (see the package's docstring)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from wagtail.models import Page, Site

from public_cache.generations import invalidate_sites
from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from spreadsheets.pages import PageRowsMixin
from spreadsheets.resources import (
    DateWidget,
    SpreadsheetResource,
    TextWidget,
    chunked,
    column,
)
from spreadsheets.text import name_key

from ..models import (
    BookingLine,
    Equipment,
    EquipmentCategory,
    EquipmentIndexPage,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    Training,
    UnitCondition,
)
from ..services import (
    availability_changed,
)
from .cells import (
    CATEGORY_SYNONYMS,
    CONDITION_SYNONYMS,
    OptionalAmountWidget,
    SynonymChoiceWidget,
    is_blank,
    sheet_field,
    split_list,
)

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

    inventory_number = sheet_field("inventory_number", TextWidget(), "inventory_number")
    name = sheet_field("name", TextWidget())
    category = sheet_field(
        "category", SynonymChoiceWidget(EquipmentCategory.choices, synonyms=CATEGORY_SYNONYMS)
    )
    brand = sheet_field("brand", TextWidget())
    model = sheet_field("model", TextWidget())
    serial_number = sheet_field("serial_number", TextWidget(), "serial_number")
    purchase_date = sheet_field("purchase_date", DateWidget(), "purchase_date")
    purchase_price = sheet_field("purchase_price", OptionalAmountWidget(), "purchase_price")
    condition = sheet_field(
        "condition",
        SynonymChoiceWidget(
            UnitCondition.choices, synonyms=CONDITION_SYNONYMS, default=UnitCondition.GOOD
        ),
        "condition",
    )
    daily_rate = sheet_field("daily_rate", OptionalAmountWidget())
    weekend_rate = sheet_field("weekend_rate", OptionalAmountWidget())
    weekly_rate = sheet_field("weekly_rate", OptionalAmountWidget())
    member_daily_rate = sheet_field("member_daily_rate", OptionalAmountWidget())
    member_weekend_rate = sheet_field("member_weekend_rate", OptionalAmountWidget())
    member_weekly_rate = sheet_field("member_weekly_rate", OptionalAmountWidget())
    deposit = sheet_field("deposit", OptionalAmountWidget())
    requires_training = sheet_field("requires_training", TextWidget())
    kit = sheet_field("kit", TextWidget())

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
                if is_blank(cell):
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
            if name in ITEM_FIELDS and not is_blank(row[name]):
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
        """The unit's own fields as its model checks them (lengths, choices, amounts), without
        a query; uniqueness was checked against the organization's units in ``prepare``, and
        the unit's item is the row's, of this organization."""
        errors = dict(import_validation_errors or {})
        if not instance._item_only:
            try:
                instance.clean_fields(
                    exclude=[*errors, "site", "equipment", "location", "status", "notes"]
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
        the kits as rows of their own (for a listing's units: the kits they name). A listing
        of several organizations' units (staff of more than one) gives each one's in turn."""
        if self.site is None:
            sites = queryset.order_by().values_list("site", flat=True).distinct()
            for site in Site.objects.filter(pk__in=sites).order_by("pk"):
                resource = type(self)(site=site, user=self.user)
                yield from resource.iter_export_rows(queryset.filter(site=site))
            return
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
