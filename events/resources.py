"""Events as spreadsheet rows (``events``), and their dates as rows for funders' reports
(``event_occurrences``, export only).

An event row is the page itself (``spreadsheets.pages.PageResource``): found again by its
``external_id``, new rows become drafts (or published pages with "Publish") below the
organization's agenda. A few columns stand for more than one field of the page:

- ``start`` and ``end`` are local date-times (``2027-03-09 19:00``, ``09/03/2027 19:00``): a
  date without a time is an all-day event; ``end`` may be a time alone (the same day);
- ``venue`` names one of the organization's organization records; a name it does not know
  becomes a new record (kind "other", published with the row's address) when the file is
  written;
- ``accessibility`` lists the five features, by code or label, separated by ``;``.

What a row says is checked as the editor's form checks it (``EventPage.event_errors``); a
single invalid row and nothing is written. Pages the import publishes get their occurrence
rows at once (``events.services.event_occurrences_sync_many``): the bulk page path sends no
``page_published`` signal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from import_export import fields
from wagtail.models import Page

from crm_blocks.models import OrganizationIndexPage, OrganizationPage
from organizations.models import OrganizationCurrency, OrganizationKind, OrganizationSettings
from spreadsheets.bulk import pages_bulk_create
from spreadsheets.files import TIME_OF_DAY, parse_date, parse_decimal, parse_time
from spreadsheets.pages import PageResource
from spreadsheets.resources import (
    LabelChoiceWidget,
    SpreadsheetResource,
    TextWidget,
    chunked,
    column,
    distinct_cells,
)
from spreadsheets.text import name_key

from .models import (
    EventAccessibility,
    EventAttendance,
    EventAudience,
    EventIndexPage,
    EventKind,
    EventOccurrence,
    EventPage,
    EventStatus,
)
from .models.pages import LANGUAGE_CHOICES
from .recurrence import RecurrenceRule, format_date_list, parse_date_list
from .services import event_occurrences_sync_many

# --- Cells ----------------------------------------------------------------------------------

_ISO_T = re.compile(r"^(\d{4}-\d{2}-\d{2})T")


def parse_local_datetime(value, *, time_alone: bool = False):
    """``(date, time)`` of a cell: ``2027-03-09 19:00``, ``09/03/2027 19:00``, a date alone
    (all day: no time), a date or date-time cell; with ``time_alone``, a time alone too
    (``(None, time)``). Blank is ``(None, None)``."""
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        moment = value.time().replace(microsecond=0)
        return value.date(), (moment if moment != dt.time(0) else None)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, dt.time):
        if time_alone:
            return None, value.replace(microsecond=0)
        raise ValueError(gettext("Give the date too: 2027-03-09 19:00."))
    text = _ISO_T.sub(r"\1 ", str(value).strip())
    if not text:
        return None, None
    if time_alone and TIME_OF_DAY.match(text) and "/" not in text and "-" not in text:
        return None, parse_time(text)
    date_part, _space, time_part = text.partition(" ")
    day = parse_date(date_part)
    time_part = time_part.strip()
    return day, (parse_time(time_part) if time_part else None)


def format_local_datetime(day: dt.date | None, time: dt.time | None) -> str:
    """The inverse of ``parse_local_datetime``: ``2027-03-09 19:00``, ``2027-03-09`` (all day),
    ``21:00`` (a time alone)."""
    parts = []
    if day is not None:
        parts.append(day.isoformat())
    if time is not None:
        parts.append(time.strftime("%H:%M:%S" if time.second else "%H:%M"))
    return " ".join(parts)


class LocalDateTimeWidget(TextWidget):
    """A date and, unless the event lasts all day, a time, in the event's time zone."""

    def __init__(self, *, time_alone: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.time_alone = time_alone

    def clean(self, value, row=None, **kwargs):
        return parse_local_datetime(value, time_alone=self.time_alone)

    def describe(self) -> str:
        hint = gettext(
            "A date then, unless the event lasts all day, a time, in the event's time zone: "
            "2027-03-09 19:00 or 09/03/2027 19:00."
        )
        if self.time_alone:
            hint += " " + gettext("A time alone (21:00) ends the event the day it starts.")
        return hint


class DateListWidget(TextWidget):
    """Dates separated by ``;`` (``2027-03-09; 09/03/2027``), kept as the page keeps them."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row)
        try:
            return format_date_list(parse_date_list(text))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def describe(self) -> str:
        return gettext("Dates separated by “;”: 2027-03-09; 09/03/2027.")


class RecurrenceWidget(TextWidget):
    """An iCalendar rule (RRULE), written back in one fixed order."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row)
        if not text:
            return ""
        try:
            return RecurrenceRule.parse(text).as_rrule()
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def describe(self) -> str:
        return gettext(
            "How the event repeats, as an iCalendar rule: FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601 "
            "(every Tuesday until 1 June 2027). Empty: it does not repeat."
        )


class OptionalAmountWidget(TextWidget):
    """An amount written the French or English way; blank is no amount (not 0)."""

    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext(
            "An amount: 12,50 or 12.50, or a number cell. Empty: no price given; 0: free."
        )


class CodeChoiceWidget(LabelChoiceWidget):
    """A choice by its code or label, written back as its code (a currency, a language)."""

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AccessibilityWidget(TextWidget):
    """Accessibility features by code or label, separated by ``;``: the fields that are true."""

    choices = list(EventAccessibility.FIELDS.items())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookup = LabelChoiceWidget(self.choices)

    def clean(self, value, row=None, **kwargs):
        features = set()
        for piece in re.split(r"[;\n]+", super().clean(value, row)):
            if not piece.strip():
                continue
            code = self.lookup.code_for(piece)
            if code is None:
                raise ValueError(
                    gettext("“%(value)s” is not one of: %(choices)s.")
                    % {
                        "value": piece.strip(),
                        "choices": "; ".join(str(c[1]) for c in self.choices),
                    }
                )
            features.add(code)
        return features

    def render(self, value, obj=None, **kwargs):
        return "; ".join(str(label) for name, label in self.choices if name in (value or ()))

    def describe(self) -> str:
        return gettext("Any of these, separated by “;”: %(choices)s.") % {
            "choices": "; ".join(str(label) for _name, label in self.choices)
        }


# --- Events ---------------------------------------------------------------------------------

#: Column → the page fields it stands for, for columns that are not one field each.
COMPOSITE_COLUMNS = {
    "start": ("start_date", "start_time"),
    "end": ("end_date", "end_time"),
    "venue": ("venue_id",),
    "accessibility": tuple(EventAccessibility.FIELDS),
}
#: Page field → the column its errors are shown in.
FIELD_COLUMNS = {
    "start_date": "start",
    "start_time": "start",
    "end_date": "end",
    "end_time": "end",
    "street_address": "address",
    "locality": "city",
}


def _field(name: str, widget, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


class EventResource(PageResource):
    """Events: ``external_id, title, kind, start, end, time_zone, recurrence, exceptions, dates,
    venue, address, city, postal_code, status, attendance, online_url, price, member_price,
    currency, ticket_url, audience, accessibility, language, summary``."""

    page_model = EventPage
    index_model = EventIndexPage
    page_fields = {
        "external_id": "external_id",
        "title": "title",
        "kind": "kind",
        "time_zone": "time_zone",
        "recurrence": "recurrence",
        "exceptions": "exceptions",
        "dates": "dates",
        "address": "street_address",
        "city": "locality",
        "postal_code": "postal_code",
        "status": "status",
        "attendance": "attendance",
        "online_url": "online_url",
        "price": "price",
        "member_price": "member_price",
        "currency": "currency",
        "ticket_url": "ticket_url",
        "audience": "audience",
        "language": "language",
        "summary": "summary",
    }
    sheet_columns = (
        column(
            "external_id",
            pgettext_lazy("spreadsheet column", "external id"),
            "identifiant",
            "id externe",
            "référence",
            "ref",
        ),
        column(
            "title", pgettext_lazy("spreadsheet column", "title"), "titre", "nom", required=True
        ),
        column("kind", pgettext_lazy("spreadsheet column", "kind"), "type", "genre"),
        column(
            "start",
            pgettext_lazy("spreadsheet column", "start"),
            "début",
            "date",
            "date de début",
            "start date",
            required=True,
        ),
        column("end", pgettext_lazy("spreadsheet column", "end"), "fin", "date de fin", "end date"),
        column(
            "time_zone",
            pgettext_lazy("spreadsheet column", "time zone"),
            "fuseau",
            "timezone",
            help=gettext_lazy(
                "A time zone such as America/Toronto or Europe/Paris. Empty: the organization's."
            ),
        ),
        column(
            "recurrence",
            pgettext_lazy("spreadsheet column", "recurrence"),
            "rrule",
            "répétition",
            "récurrence",
        ),
        column(
            "exceptions",
            pgettext_lazy("spreadsheet column", "excluded dates"),
            "exclusions",
            "dates exclues",
            "exdate",
        ),
        column(
            "dates",
            pgettext_lazy("spreadsheet column", "other dates"),
            "autres dates",
            "rdate",
        ),
        column(
            "venue",
            pgettext_lazy("spreadsheet column", "venue"),
            "lieu",
            "salle",
            help=gettext_lazy(
                "The name of one of your organization records; a name not found becomes a new "
                "record of a place, with the address of the row."
            ),
        ),
        column(
            "address",
            pgettext_lazy("spreadsheet column", "address"),
            "adresse",
            "street address",
            "adresse municipale",
        ),
        column("city", pgettext_lazy("spreadsheet column", "city"), "ville", "locality"),
        column(
            "postal_code",
            pgettext_lazy("spreadsheet column", "postal code"),
            "code postal",
            "zip",
            "postcode",
        ),
        column("status", pgettext_lazy("spreadsheet column", "status"), "statut", "état"),
        column(
            "attendance",
            pgettext_lazy("spreadsheet column", "attendance"),
            "participation",
            "mode",
            "format",
        ),
        column(
            "online_url",
            pgettext_lazy("spreadsheet column", "online link"),
            "lien en ligne",
            "url",
        ),
        column("price", pgettext_lazy("spreadsheet column", "price"), "prix", "tarif"),
        column(
            "member_price",
            pgettext_lazy("spreadsheet column", "member price"),
            "prix membre",
            "tarif membre",
        ),
        column(
            "currency",
            pgettext_lazy("spreadsheet column", "currency"),
            "devise",
            "monnaie",
            help=gettext_lazy("A currency code: CAD, EUR or CHF. Empty: the organization's."),
        ),
        column(
            "ticket_url",
            pgettext_lazy("spreadsheet column", "ticket link"),
            "billetterie",
            "lien billetterie",
            "inscription",
        ),
        column("audience", pgettext_lazy("spreadsheet column", "audience"), "public"),
        column(
            "accessibility", pgettext_lazy("spreadsheet column", "accessibility"), "accessibilité"
        ),
        column(
            "language",
            pgettext_lazy("spreadsheet column", "language"),
            "langue",
            help=gettext_lazy("A language code: fr, en, es… Empty: not said."),
        ),
        column("summary", pgettext_lazy("spreadsheet column", "summary"), "résumé", "description"),
    )

    external_id = _field("external_id", TextWidget(), "external_id")
    title = _field("title", TextWidget(), "title")
    kind = _field("kind", LabelChoiceWidget(EventKind.choices, default=EventKind.OTHER), "kind")
    start = _field("start", LocalDateTimeWidget())
    end = _field("end", LocalDateTimeWidget(time_alone=True))
    time_zone = _field("time_zone", TextWidget(), "time_zone")
    recurrence = _field("recurrence", RecurrenceWidget(), "recurrence")
    exceptions = _field("exceptions", DateListWidget(), "exceptions")
    dates = _field("dates", DateListWidget(), "dates")
    venue = _field("venue", TextWidget())
    address = _field("address", TextWidget(), "street_address")
    city = _field("city", TextWidget(), "locality")
    postal_code = _field("postal_code", TextWidget(), "postal_code")
    status = _field(
        "status", LabelChoiceWidget(EventStatus.choices, default=EventStatus.SCHEDULED), "status"
    )
    attendance = _field(
        "attendance",
        LabelChoiceWidget(EventAttendance.choices, default=EventAttendance.IN_PERSON),
        "attendance",
    )
    online_url = _field("online_url", TextWidget(), "online_url")
    price = _field("price", OptionalAmountWidget(), "price")
    member_price = _field("member_price", OptionalAmountWidget(), "member_price")
    currency = _field(
        "currency", CodeChoiceWidget(OrganizationCurrency.choices, default=""), "currency"
    )
    ticket_url = _field("ticket_url", TextWidget(), "ticket_url")
    audience = _field(
        "audience",
        LabelChoiceWidget(EventAudience.choices, default=EventAudience.EVERYONE),
        "audience",
    )
    accessibility = _field("accessibility", AccessibilityWidget())
    language = _field("language", CodeChoiceWidget(LANGUAGE_CHOICES, default=""), "language")
    summary = _field("summary", TextWidget(), "summary")

    class Meta(PageResource.Meta):
        model = EventPage
        fields = (
            "external_id",
            "title",
            "kind",
            "start",
            "end",
            "time_zone",
            "recurrence",
            "exceptions",
            "dates",
            "venue",
            "address",
            "city",
            "postal_code",
            "status",
            "attendance",
            "online_url",
            "price",
            "member_price",
            "currency",
            "ticket_url",
            "audience",
            "accessibility",
            "language",
            "summary",
        )

    @classmethod
    def column_model_field(cls, name: str):
        if name in COMPOSITE_COLUMNS:
            return None
        return super().column_model_field(name)

    # Values of a page, both ways ----------------------------------------------------------

    @classmethod
    def draft_attributes(cls) -> list[str]:
        """Every page attribute a column reads or writes."""
        attributes = list(cls.page_fields.values())
        for names in COMPOSITE_COLUMNS.values():
            attributes.extend(names)
        return attributes

    def apply_draft_values(self, page, content: dict) -> None:
        page._draft_content = content
        for attribute in self.draft_attributes():
            key = attribute.removesuffix("_id") if attribute == "venue_id" else attribute
            if key in content:
                field = self.page_model._meta.get_field(key)
                value = content[key] if attribute == "venue_id" else field.to_python(content[key])
                setattr(page, attribute, value)

    def row_values(self, page) -> dict:
        columns = set(self._columns)
        values = {}
        for name in columns:
            attributes = COMPOSITE_COLUMNS.get(name) or (
                (self.page_fields[name],) if name in self.page_fields else ()
            )
            for attribute in attributes:
                values[attribute] = getattr(page, attribute)
        return values

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        name = field.column_name
        if name not in COMPOSITE_COLUMNS:
            return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
        if name not in row:
            return None
        value = field.widget.clean(row[name], row=row)
        if name in ("start", "end"):
            day, time = value
            setattr(instance, f"{name}_date", day)
            setattr(instance, f"{name}_time", time)
        elif name == "accessibility":
            for feature in EventAccessibility.FIELDS:
                setattr(instance, feature, feature in value)
        elif name == "venue":
            self.read_venue(instance, value, row)
        return None

    def cell_value(self, page, name: str):
        """What column ``name`` holds for ``page``, as exports write it."""
        if name in ("start", "end"):
            return format_local_datetime(
                getattr(page, f"{name}_date"), getattr(page, f"{name}_time")
            )
        if name == "accessibility":
            return self.fields[name].widget.render(
                {feature for feature in EventAccessibility.FIELDS if getattr(page, feature)}
            )
        if name == "venue":
            pending = getattr(page, "_venue_name", None)
            if pending is not None:
                return pending
            return self.venue_titles.get(page.venue_id, "") if page.venue_id else ""
        field = self.fields.get(name)
        return field.export(page) if field is not None else ""

    def export_cell(self, page, column: str):
        return self.cell_value(page, column)

    def current_values(self, instance) -> dict:
        return {c.name: self.cell_value(instance, c.name) for c in self.sheet_columns}

    # Venues --------------------------------------------------------------------------------

    @property
    def venue_titles(self) -> dict[int, str]:
        if not hasattr(self, "_venue_titles"):
            self._venue_titles = {}
        return self._venue_titles

    def organization_pages(self):
        """The organization's organization records, in every language."""
        return self.scope_queryset(OrganizationPage.objects.all(), [self.site])

    def prepare(self, dataset) -> None:
        super().prepare(dataset)
        names = {name_key(name) for name in distinct_cells(dataset, "venue")}
        self.venues_by_name: dict[str, int] = {}
        if names:
            # Names compare folded (« Cinéma du Parc » is "cinema du parc"), so every record's
            # title is read: one query, a few thousand short rows at most. The published
            # record first, then the oldest: what staff most likely mean.
            for pk, title in (
                self.organization_pages().order_by("-live", "pk").values_list("pk", "title")
            ):
                key = name_key(title)
                if key in names:
                    self.venues_by_name.setdefault(key, pk)
                    self.venue_titles.setdefault(pk, title)
        # Titles of the venues the file's existing events point at (for "unchanged" rows).
        venue_ids = {p.venue_id for p in self.pages_by_key.values() if p.venue_id}
        missing = sorted(venue_ids - set(self.venue_titles))
        for chunk in chunked(missing):
            self.venue_titles.update(
                OrganizationPage.objects.filter(pk__in=chunk).values_list("pk", "title")
            )
        #: name key → the new record a row asks for: (name, street address, city, postal code).
        self.new_venues: dict[str, tuple[str, str, str, str]] = {}
        self.venue_index = None
        self.can_add_venue = self.can_publish_venue = False
        if names - set(self.venues_by_name):
            self.venue_index = self.section_page(OrganizationIndexPage)
            if self.venue_index is not None:
                permissions = (
                    self.venue_index.permissions_for_user(self.user) if self.user else None
                )
                self.can_add_venue = permissions is None or bool(permissions.can_add_subpage())
                self.can_publish_venue = permissions is None or bool(permissions.can_publish())

    def section_page(self, model) -> Page | None:
        roots = Page.objects.filter(translation_key=self.site.root_page.translation_key)
        for root in roots.order_by("pk"):
            index = model.objects.descendant_of(root).order_by("path").first()
            if index is not None:
                return index
        return None

    def read_venue(self, instance, name: str, row) -> None:
        instance._venue_name = None
        key = name_key(name or "")
        if not key:
            instance.venue_id = None
            return
        if key in self.venues_by_name:
            instance.venue_id = self.venues_by_name[key]
            return
        if self.venue_index is None or not self.can_add_venue:
            raise ValueError(
                gettext(
                    "No organization record is called “%(name)s”, and you may not create one: "
                    "create it first, or ask someone of the CRM staff."
                )
                % {"name": name}
            )
        instance.venue_id = None
        instance._venue_name = " ".join(name.split())
        self.new_venues.setdefault(
            key,
            (
                instance._venue_name,
                str(row.get("address") or "").strip(),
                str(row.get("city") or "").strip(),
                str(row.get("postal_code") or "").strip(),
            ),
        )

    # Checks --------------------------------------------------------------------------------

    def check_row(self, instance, row) -> None:
        errors = {}
        try:
            super().check_row(instance, row)
        except ValidationError as error:
            errors.update(error.message_dict)
        if instance.start_date is None and (instance.pk is None or "start" in row):
            errors.setdefault("start", [gettext("An event needs its start date.")])
        if instance.start_date is not None:
            for name, error in instance.event_errors().items():
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                errors.setdefault(FIELD_COLUMNS.get(name, name), messages)
        if errors:
            raise ValidationError(errors)

    # Writing -------------------------------------------------------------------------------

    def write(self) -> None:
        self.create_venues()
        published_updates = [p.pk for p in self.pending_updates if self.publishes_update(p)]
        super().write()
        published = [p.pk for p in self.pending_new if self.publish and p.live]
        published += published_updates
        for chunk in chunked(published):
            event_occurrences_sync_many(chunk, site=self.site)

    def create_venues(self) -> None:
        """The places rows name that have no record yet: one published organization record
        each (a draft when the user may not publish there), made through the bulk page path
        as the CRM's import makes them (with their private twin)."""
        if not self.new_venues:
            return
        pages = [
            OrganizationPage(
                title=name,
                kind=OrganizationKind.OTHER,
                street_address=street,
                locality=city,
                postal_code=code,
            )
            for name, street, city, code in self.new_venues.values()
        ]
        pages_bulk_create(
            parent=self.venue_index,
            pages=pages,
            user=self.user,
            publish=self.can_publish_venue,
        )
        created = {name_key(page.title): page.pk for page in pages}
        for page in [*self.pending_new, *self.pending_updates]:
            name = getattr(page, "_venue_name", None)
            if name:
                page.venue_id = created[name_key(name)]
                if hasattr(page, "_row_values"):
                    page._row_values["venue_id"] = page.venue_id

    # Export --------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None, chunk_size: int = 500) -> Iterator[list]:
        pages = self.site_pages() if queryset is None else queryset
        ids = list(pages.order_by("pk").values_list("pk", flat=True))
        for chunk in chunked(ids, chunk_size):
            batch = self.apply_drafts(
                list(self.page_model.objects.filter(pk__in=chunk).order_by("pk"))
            )
            missing = sorted({p.venue_id for p in batch if p.venue_id} - set(self.venue_titles))
            self.venue_titles.update(
                OrganizationPage.objects.filter(pk__in=missing).values_list("pk", "title")
            )
            for page in batch:
                yield [self.cell_value(page, c.name) for c in self.sheet_columns]


# --- The dates of events, for reports -------------------------------------------------------


class EventOccurrenceResource(SpreadsheetResource):
    """One row per date of the organization's published events (export only): what funders'
    reports count. Times are local, in each event's time zone."""

    sheet_columns = (
        column("title", pgettext_lazy("spreadsheet column", "title")),
        column("external_id", pgettext_lazy("spreadsheet column", "external id")),
        column("date", pgettext_lazy("spreadsheet column", "date")),
        column("start", pgettext_lazy("spreadsheet column", "start")),
        column("end", pgettext_lazy("spreadsheet column", "end")),
        column("status", pgettext_lazy("spreadsheet column", "status")),
        column("venue", pgettext_lazy("spreadsheet column", "venue")),
        column("city", pgettext_lazy("spreadsheet column", "city")),
        column("kind", pgettext_lazy("spreadsheet column", "kind")),
        column("audience", pgettext_lazy("spreadsheet column", "audience")),
        column("price", pgettext_lazy("spreadsheet column", "price")),
    )

    class Meta(SpreadsheetResource.Meta):
        model = EventOccurrence
        fields = ()

    def get_queryset(self):
        return EventOccurrence.objects.filter(site=self.site)

    def prepare(self, dataset) -> None:
        raise ValidationError(gettext("The dates of events can be exported, not imported."))

    def iter_export_rows(self, queryset=None, chunk_size: int = 1000) -> Iterator[list]:
        rows = self.get_queryset() if queryset is None else queryset
        ids = list(rows.order_by("start", "pk").values_list("pk", flat=True))
        zones: dict[int, str] = {}
        for chunk in chunked(ids, chunk_size):
            batch = (
                EventOccurrence.objects.filter(pk__in=chunk)
                .select_related("event", "event__venue")
                .order_by("start", "pk")
            )
            for occurrence in batch:
                if occurrence.site_id not in zones:
                    zones[occurrence.site_id] = OrganizationSettings.for_site(
                        occurrence.site
                    ).time_zone
                yield self.row(occurrence, zones[occurrence.site_id])

    @staticmethod
    def row(occurrence: EventOccurrence, default_zone: str) -> list:
        event = occurrence.event
        tz = ZoneInfo(event.time_zone or default_zone)
        start = occurrence.start.astimezone(tz)
        end = occurrence.end.astimezone(tz) if occurrence.end else None
        if occurrence.status != EventOccurrence.Status.SCHEDULED:
            status = occurrence.get_status_display()
        else:
            status = event.get_status_display()
        venue = event.venue
        price = event.price
        if price is None and event.is_free:
            price = Decimal("0")
        return [
            event.title,
            event.external_id,
            occurrence.local_date,
            "" if occurrence.all_day else start.strftime("%H:%M"),
            "" if occurrence.all_day or end is None else end.strftime("%H:%M"),
            status,
            venue.title if venue is not None else event.place_name,
            (venue.locality if venue is not None else "") or event.locality,
            event.get_kind_display(),
            event.get_audience_display(),
            price,
        ]
