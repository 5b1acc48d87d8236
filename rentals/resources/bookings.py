"""Bookings as spreadsheet rows: the move from an old spreadsheet, and the accountant's export
(see the package's docstring)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext, pgettext_lazy
from import_export.results import RowResult
from wagtail.models import Page, Site

from crm_blocks.models import Contact
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationSettings
from spreadsheets.files import CellValueError, parse_date
from spreadsheets.resources import (
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

from ..models import (
    INACTIVE_STATUSES,
    Booking,
    BookingLine,
    BookingStatus,
    Equipment,
    EquipmentPage,
    EquipmentUnit,
    RateColumn,
    UnitStatus,
)
from ..services import (
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
from .cells import (
    STATUS_SYNONYMS,
    InventoryNumbersWidget,
    LocalMomentWidget,
    OptionalAmountWidget,
    SynonymChoiceWidget,
    is_blank,
    sheet_field,
    split_list,
)

#: The words a totals row carries in its ``number`` column (any language): such a row of an
#: export is skipped on import.
TOTAL_WORDS = {"total", "totals", "totaux", "sous-total"}


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
                "Non-members, members or commercial productions, kept with the amounts the "
                "file gives. Otherwise: from the borrower's membership on the pick-up date."
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

    number = sheet_field("number", TextWidget())
    borrower = sheet_field("borrower", TextWidget())
    borrower_email = sheet_field("borrower_email", TextWidget())
    items = sheet_field("items", InventoryNumbersWidget())
    item_names = sheet_field("item_names", TextWidget())
    pickup = sheet_field("pickup", LocalMomentWidget())
    return_at = sheet_field("return", LocalMomentWidget())
    status = sheet_field(
        "status", SynonymChoiceWidget(BookingStatus.choices, synonyms=STATUS_SYNONYMS)
    )
    production_title = sheet_field("production_title", TextWidget(), "production_title")
    commercial = sheet_field("commercial", YesNoWidget())
    rate_column = sheet_field("rate_column", LabelChoiceWidget(RateColumn.choices))
    subtotal = sheet_field("subtotal", OptionalAmountWidget())
    discount = sheet_field("discount", OptionalAmountWidget())
    total = sheet_field("total", OptionalAmountWidget())
    deposit = sheet_field("deposit", OptionalAmountWidget())
    currency = sheet_field("currency", TextWidget())
    notes = sheet_field("notes", TextWidget(), "notes")

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
        if not number or not is_blank(row.get("items")):
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
        """The amounts the file gives (as billed), and the rates it says they were billed at,
        over the computed ones; the others follow so that subtotal − discount = total. Without
        amounts, the rates are the desk's (``price_booking``), whatever the file says."""
        given = {name: getattr(instance, f"_file_{name}") for name in self.AMOUNTS}
        if all(value is None for value in given.values()):
            return
        if instance.rate_column:
            booking.rate_column = instance.rate_column
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
