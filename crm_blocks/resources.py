"""Spreadsheet rows <-> CRM data: people, organizations and memberships.

They build on the spreadsheets plugin's ``SpreadsheetResource`` (bound to one organization,
columns declared once, two-phase import) and are declared as kinds in ``declarations.py``.

A record is two things: a private ``Contact`` and its public page. The record resources below are
``Contact`` resources (``ContactContactRecordResource``) whose page values travel on the instance as
``_page_<column>``; new records become pages through the bulk page path.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Iterator
from functools import cached_property
from operator import attrgetter
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import CharField, ExpressionWrapper, F, TextField
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields
from wagtail.fields import StreamField
from wagtail.models import Page, Revision

from organizations.models import OrganizationKind
from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from spreadsheets.files import CellValueError, parse_date
from spreadsheets.pages import PageRowsMixin
from spreadsheets.resources import (
    AmountWidget,
    DateWidget,
    LabelChoiceWidget,
    SpreadsheetResource,
    TextWidget,
    chunked,
    column,
    distinct_cells,
    paragraphs_to_stream,
    raw_stream_to_paragraphs,
)
from spreadsheets.text import fold, name_key
from structured_data.graph import invalidate_graphs

from .models import (
    Affiliation,
    Contact,
    Membership,
    MembershipStatus,
    MembershipType,
    OrganizationIndexPage,
    OrganizationPage,
    PersonIndexPage,
    PersonPage,
)
from .models.contacts import record_name

#: Columns of a record's private details, the same for people and organizations.
EMAIL_COLUMN = column(
    "email",
    pgettext_lazy("spreadsheet column", "email"),
    "e-mail",
    "mail",
    "adresse courriel",
    "courriel",
)
PHONE_COLUMN = column(
    "phone", pgettext_lazy("spreadsheet column", "phone"), "telephone", "tel", "tél"
)
NOTES_COLUMN = column("notes", pgettext_lazy("spreadsheet column", "notes"), "note", "remarques")
EXTERNAL_ID_COLUMN = column(
    "external_id",
    pgettext_lazy("spreadsheet column", "external id"),
    "identifiant",
    "id externe",
    "référence",
)



# --- Records (people, organizations) ---------------------------------------------------------


class PageValueField(fields.Field):
    """A column stored on the record's page rather than on its Contact."""

    def __init__(self, column: str, **kwargs):
        kwargs.setdefault("widget", TextWidget())
        super().__init__(attribute=f"_page_{column}", column_name=column, **kwargs)


def text_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


class ContactRecordResource(PageRowsMixin, SpreadsheetResource):
    """Rows of one organization's records of one kind (people or organizations).

    ``page_fields`` maps a column to a page attribute. Records are matched by ``external_id``,
    then by e-mail (then by ``match_by_name``); new rows become pages under the organization's
    index page for the kind, as drafts unless ``publish``.
    """

    contact_kind: str = ""
    title_column = "name"

    class Meta(SpreadsheetResource.Meta):
        model = Contact
        import_id_fields = ()

    def unchecked_fields(self):
        return ["translation_key", "site", "kind"]

    # Matching ------------------------------------------------------------------------------

    def get_queryset(self):
        return Contact.objects.filter(site=self.site, kind=self.contact_kind)

    def init_instance(self, row=None):
        return Contact(site=self.site, kind=self.contact_kind)

    def prepare(self, dataset) -> None:
        headers = list(dataset.headers or [])
        self._columns = headers
        self.check_can_publish()

        def cells(name):
            return distinct_cells(dataset, name)

        self.by_email: dict[str, Contact] = {}
        self.by_external_id: dict[str, Contact] = {}
        emails = [email.lower() for email in cells("email")]
        for chunk in chunked(emails):
            for contact in (
                self.get_queryset()
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
            ):
                self.by_email[contact.email.lower()] = contact
        for chunk in chunked(cells("external_id")):
            for contact in self.get_queryset().filter(external_id__in=chunk):
                self.by_external_id[contact.external_id] = contact
        self.prepare_more(dataset, cells)
        found = [*self.by_email.values(), *self.by_external_id.values(), *self.extra_contacts()]
        self.pages_by_key = self.load_pages({c.translation_key for c in found})
        self.prepare_records(found)
        self.seen_keys: dict[tuple, int] = {}

    def prepare_records(self, contacts: list[Contact]) -> None:
        """Fetch what the rows of existing ``contacts`` need beyond their pages (import and
        export alike)."""

    def prepare_more(self, dataset, cells) -> None:
        """Other lookups a kind needs (organizations by name, affiliations)."""

    def extra_contacts(self) -> list[Contact]:
        return []

    def find_contact(self, row) -> Contact | None:
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            return self.by_external_id.get(external_id)
        email = str(row.get("email") or "").strip().lower()
        if email:
            return self.by_email.get(email)
        return self.match_by_name(row)

    def match_by_name(self, row) -> Contact | None:
        return None

    def get_instance(self, instance_loader, row):
        contact = self.find_contact(row)
        if contact is not None:
            contact._record_page = self.pages_by_key.get(contact.translation_key)
        return contact

    def row_keys(self, row) -> list[tuple]:
        """The natural keys of ``row`` within the file, to refuse a record given twice: its
        external id and its e-mail are each unique, so each is checked on its own."""
        keys = []
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            keys.append(("external_id", external_id))
        email = str(row.get("email") or "").strip().lower()
        if email:
            keys.append(("email", email))
        return keys

    # Values --------------------------------------------------------------------------------

    def after_init_instance(self, instance, new, row, **kwargs):
        page = getattr(instance, "_record_page", None)
        for name in self.page_fields:
            value = self.read_page_value(page, name) if page is not None else ""
            setattr(instance, f"_page_{name}", value)
        self.after_init_record(instance, page)
        super().after_init_instance(instance, new, row, **kwargs)

    def after_init_record(self, instance, page) -> None:
        """Other values a kind carries on the instance."""

    def read_page_value(self, page, name) -> str:
        return getattr(page, self.page_fields[name]) or ""

    def write_page_value(self, page, name, value) -> None:
        setattr(page, self.page_fields[name], value)

    def check_row(self, instance, row) -> None:
        errors = {}
        for key in self.row_keys(row):
            first = self.seen_keys.setdefault(key, self._current_row)
            if first != self._current_row:
                errors.setdefault(
                    key[0],
                    gettext("This record is already on row %(row)s of the file.") % {"row": first},
                )
        email = (instance.email or "").lower()
        if email:
            owner = self.by_email.get(email)
            if owner is not None and owner.pk != instance.pk:
                errors["email"] = gettext(
                    "Another record of your organization already uses this e-mail."
                )
        if instance.external_id:
            owner = self.by_external_id.get(instance.external_id)
            if owner is not None and owner.pk != instance.pk:
                errors["external_id"] = gettext(
                    "Another record of your organization already uses this external id."
                )
        if instance.pk is None and not self.record_title(instance):
            errors[self.title_column] = gettext("A name is needed to create a record.")
        for name, attribute in self.page_fields.items():
            value = getattr(instance, f"_page_{name}")
            if not isinstance(value, str) or name not in row:
                continue
            try:
                self.check_page_value(name, attribute, value)
            except ValidationError as error:
                errors.setdefault(name, " ".join(error.messages))
        if errors:
            raise ValidationError(errors)

    def check_page_value(self, name, attribute, value) -> None:
        model_field = self.page_model._meta.get_field(attribute)
        if getattr(model_field, "max_length", None) is None:
            return
        model_field.clean(value, None)

    def record_title(self, instance) -> str:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def new_page(self, instance) -> Page:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def apply_page_values(self, page, instance) -> bool:
        """Copy the row's page values onto ``page``; whether anything changed."""
        changed = False
        for name in self.page_fields:
            value = getattr(instance, f"_page_{name}")
            if self.read_page_value(page, name) != value:
                self.write_page_value(page, name, value)
                changed = True
        title = self.record_title(instance)
        if title and page.title != title:
            page.title = title
            changed = True
        if changed:
            page.set_derived_fields()
        return changed

    # Writing -------------------------------------------------------------------------------

    def write(self) -> None:
        parent = self.index_page()
        Page.objects.select_for_update().filter(pk=parent.pk).first()
        self.check_still_new()

        new_pages = []
        columns = set(self._columns)
        for contact in self.pending_new:
            page = self.new_page(contact)
            # Only the file's columns: a column the file lacks keeps the page's default.
            for name in self.page_fields:
                if name in columns:
                    self.write_page_value(page, name, getattr(contact, f"_page_{name}"))
            new_pages.append(page)
        for start in range(0, len(new_pages), self.write_batch_size):
            batch = new_pages[start : start + self.write_batch_size]
            contacts = self.pending_new[start : start + self.write_batch_size]
            # The private twin first, with the page's key: the bulk path keeps it.
            for contact, page in zip(contacts, batch, strict=True):
                page.translation_key = contact.translation_key = uuid.uuid4()
                contact._record_page = page
            Contact.objects.bulk_create(contacts)
            pages_bulk_create(parent=parent, pages=batch, user=self.user, publish=self.publish)
            self.tick(len(batch))

        contact_fields = [f for f in self.contact_fields() if f in columns] + ["updated_at"]
        for start in range(0, len(self.pending_updates), self.write_batch_size):
            batch = self.pending_updates[start : start + self.write_batch_size]
            changed_pages, publish_flags, contact_updates = [], [], []
            for contact in batch:
                page = getattr(contact, "_record_page", None)
                if contact._before_contact != self.contact_values(contact):
                    contact_updates.append(contact)
                if page is None:
                    continue
                page = self.draft_of(page)
                if self.apply_page_values(page, contact):
                    changed_pages.append(page)
                    # "Publish" is for new records. An update goes live only where the record
                    # is live without a pending draft (a private draft, or an editor's
                    # unfinished work, is never published by a spreadsheet), and only for
                    # users who may publish; otherwise it becomes a new draft.
                    publish_flags.append(self.publishes_update(page))
            if contact_updates:
                # Only the file's columns: a colleague's edit of another field meanwhile stays.
                Contact.objects.bulk_update(contact_updates, contact_fields)
            if changed_pages:
                pages_bulk_update(pages=changed_pages, user=self.user, publish=publish_flags)
            self.tick(len(batch))
        self.write_more()
        invalidate_graphs(url_paths=[parent.url_path])

    def write_more(self) -> None:
        """What a kind writes once its records exist (affiliations)."""

    def contact_fields(self) -> list[str]:
        """The ``Contact`` fields a file may change: its columns read into the record's private
        details rather than onto its page (``_page_…``) or elsewhere (``_affiliations``)."""
        return [
            name
            for c in self.sheet_columns
            if (name := c.name) in self.fields and not self.fields[name].attribute.startswith("_")
        ]

    def contact_values(self, contact) -> dict:
        """``contact``'s values of ``contact_fields``: compared before and after a row to tell
        whether its private details need writing."""
        return {name: getattr(contact, name) for name in self.contact_fields()}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        instance._before_contact = getattr(instance, "_before_contact_values", None)
        return super().skip_row(instance, original, row, import_validation_errors)

    def current_values(self, instance):
        values = super().current_values(instance)
        if not hasattr(instance, "_before_contact_values"):
            instance._before_contact_values = self.contact_values(instance)
        return values

    def check_still_new(self) -> None:
        """Refuse to write if a record the file creates was created meanwhile (the same file
        imported twice at once): the second import stops instead of duplicating."""
        emails = [c.email.lower() for c in self.pending_new if c.email]
        ids = [c.external_id for c in self.pending_new if c.external_id]
        taken = False
        for chunk in chunked(emails):
            taken = (
                taken
                or self.get_queryset()
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .exists()
            )
        for chunk in chunked(ids):
            taken = taken or self.get_queryset().filter(external_id__in=chunk).exists()
        if taken:
            raise ValidationError(
                gettext(
                    "Some of these records were created while the file was being checked "
                    "(was it imported twice at once?). Nothing was written: start again."
                )
            )

    # Export ----------------------------------------------------------------------------------

    def export_queryset(self, queryset=None):
        """The contacts to export, oldest first (a stable order: two exports compare line by
        line): the organization's records of this kind, or those of ``queryset``."""
        queryset = (
            self.get_queryset() if queryset is None else queryset.filter(kind=self.contact_kind)
        )
        return queryset.order_by("pk")

    def iter_export_rows(self, queryset=None, chunk_size: int = 2000) -> Iterator[list]:
        """Rows as ``current_values`` gives them, ``chunk_size`` contacts at a time.

        Contacts are read as tuples of the columns they hold (``values_list``), not as model
        instances; everything else a chunk needs is fetched for the whole chunk by
        ``export_batch``. A constant number of queries per chunk, whatever the row count.
        """
        contact_fields = {field.attname for field in Contact._meta.concrete_fields}
        columns = [
            attribute
            for c in self.sheet_columns
            if c.name in self.fields and (attribute := self.fields[c.name].attribute)
            if attribute in contact_fields
        ]
        contacts = self.export_queryset(queryset)
        # The key as the database gives it (no UUID object per row): only compared with pages'.
        key = ExpressionWrapper(F("translation_key"), output_field=CharField())
        rows = contacts.values_list("pk", key, *columns)
        batch: list[tuple] = []
        for values in rows.iterator(chunk_size=chunk_size):
            batch.append(values)
            if len(batch) >= chunk_size:
                yield from self.export_batch(batch, columns=columns, contacts=contacts)
                batch = []
        if batch:
            yield from self.export_batch(batch, columns=columns, contacts=contacts)

    def export_batch(self, batch: list[tuple], *, columns: list[str], contacts) -> Iterable[list]:
        """The rows of a chunk of ``contacts`` (the exported queryset), given as
        ``(pk, translation_key, *columns)`` tuples in primary key order.

        Each record's original page is read as the values of ``page_fields`` and its title,
        or, when it has unpublished changes, as its latest draft (the revision's content, as
        ``Page.with_content_json`` would read it): the export shows what staff last saved. The
        kind's hooks then see light stand-ins for model instances, holding just those values:
        ``prepare_records`` the chunk's contacts as named tuples, ``read_page_value`` and
        ``after_init_record`` one record and its page at a time (a StreamField as its raw
        data, without building blocks). The rows are the ones an import compares against, at
        a fraction of the cost of model instances.
        """
        names = ("pk", "translation_key", *columns)
        meta = self.page_model._meta
        fields = sorted({"title", *self.page_fields.values()})
        streams = {name for name in fields if isinstance(meta.get_field(name), StreamField)}
        # A StreamField's stored JSON as text: its converter would build a StreamValue per row.
        selected = [
            ExpressionWrapper(F(name), output_field=TextField()) if name in streams else name
            for name in fields
        ]
        # The chunk's pages in one query, the database matching them to the chunk's contacts.
        keys = contacts.filter(pk__gte=batch[0][0], pk__lte=batch[-1][0]).values("translation_key")
        found: dict = {}
        for key, draft, revision_id, *values in (
            self.page_model.objects.filter(translation_key__in=keys)
            .order_by("-pk")
            .values_list(
                ExpressionWrapper(F("translation_key"), output_field=CharField()),
                "has_unpublished_changes",
                "latest_revision_id",
                *selected,
            )
        ):
            # The lowest pk (the original page, not a translation) comes last and wins.
            found[key] = (revision_id if draft else None, values)
        contents: dict = {}
        for chunk in chunked(sorted(r for r, _values in found.values() if r)):
            contents.update(Revision.objects.filter(pk__in=chunk).values_list("pk", "content"))
        pages = {}
        for key, (revision_id, values) in found.items():
            content = contents.get(revision_id)
            if content is None:
                pages[key] = (values, streams)
            else:
                draft = [
                    meta.get_field(name).to_python(content[name])
                    if name in content
                    else meta.get_field(name).get_default()
                    for name in fields
                ]
                pages[key] = (draft, ())

        def page_of(key):
            # Made for each row and dropped with it: objects kept for a whole chunk cost the
            # garbage collector a pass over them at every collection.
            values, raw_streams = pages.get(key, (None, ()))
            if values is None:
                return None
            page = dict(zip(fields, values, strict=True))
            for name in raw_streams:
                page[name] = SimpleNamespace(raw_data=json.loads(page[name] or "[]"))
            return SimpleNamespace(**page)

        exported_contact = namedtuple("ExportedContact", names)
        self.prepare_records([exported_contact._make(values) for values in batch])
        read_page_value, after_init_record = self.read_page_value, self.after_init_record
        page_columns = [(name, f"_page_{name}") for name in self.page_fields]
        attributes = [
            self.fields[c.name].attribute if c.name in self.fields else None
            for c in self.sheet_columns
        ]
        if None in attributes or len(attributes) < 2:  # (a column without a field is blank)

            def row(record):
                return [getattr(record, a) if a is not None else None for a in attributes]

        else:
            row = attrgetter(*attributes)
        for values in batch:
            record = SimpleNamespace(**dict(zip(names, values, strict=True)))
            page = page_of(record.translation_key)
            for name, attribute in page_columns:
                setattr(record, attribute, read_page_value(page, name) if page is not None else "")
            after_init_record(record, page)
            yield list(row(record))


class PersonResource(ContactRecordResource):
    """People: ``email, first_name, last_name, phone, notes, bio`` (and ``external_id``,
    ``affiliations``). French headers work too: ``courriel, prénom, nom, téléphone, notes,
    biographie``."""

    contact_kind = Contact.Kind.PERSON
    page_model = PersonPage
    index_model = PersonIndexPage
    page_fields = {"first_name": "given_name", "last_name": "family_name", "bio": "bio"}
    title_column = "last_name"
    sheet_columns = (
        EMAIL_COLUMN,
        column(
            "first_name", pgettext_lazy("spreadsheet column", "first name"), "given name", "prénom"
        ),
        column(
            "last_name",
            pgettext_lazy("spreadsheet column", "last name"),
            "family name",
            "surname",
            "nom de famille",
            "nom",
            required=True,
        ),
        PHONE_COLUMN,
        NOTES_COLUMN,
        column("bio", pgettext_lazy("spreadsheet column", "biography"), "biographie"),
        EXTERNAL_ID_COLUMN,
        column(
            "affiliations",
            pgettext_lazy("spreadsheet column", "affiliations"),
            "organisations",
            help=_("“Organization (role); Other organization (role)”"),
        ),
    )

    email = text_field("email")
    first_name = PageValueField("first_name")
    last_name = PageValueField("last_name")
    phone = text_field("phone")
    notes = text_field("notes")
    bio = PageValueField("bio")
    external_id = text_field("external_id")
    affiliations = fields.Field(
        attribute="_affiliations", column_name="affiliations", widget=TextWidget()
    )

    class Meta(ContactRecordResource.Meta):
        fields = (
            "email",
            "first_name",
            "last_name",
            "phone",
            "notes",
            "bio",
            "external_id",
            "affiliations",
        )

    def read_page_value(self, page, name):
        if name == "bio":
            return raw_stream_to_paragraphs(list(page.bio.raw_data))
        if name in ("first_name", "last_name") and not (page.given_name or page.family_name):
            # Entered in the editor as a full name only: the last word is taken as the family
            # name, so that the row can create the record again elsewhere.
            first, _space, last = page.title.strip().rpartition(" ")
            return first if name == "first_name" else last
        return super().read_page_value(page, name)

    def write_page_value(self, page, name, value):
        if name == "bio":
            page.bio = paragraphs_to_stream(value)
        else:
            super().write_page_value(page, name, value)

    def check_page_value(self, name, attribute, value):
        if name != "bio":
            super().check_page_value(name, attribute, value)

    def record_title(self, instance) -> str:
        return " ".join(
            part for part in (instance._page_first_name, instance._page_last_name) if part
        ).strip()

    def new_page(self, instance):
        return PersonPage(title=self.record_title(instance))

    def match_by_name(self, row):
        """A person without e-mail or id is found by name when exactly one record of the
        organization without e-mail bears it: re-importing the same file does not duplicate."""
        name = name_key(" ".join(str(row.get(c) or "") for c in ("first_name", "last_name")))
        found = self.by_name.get(name)
        return found if found is not None and found is not AMBIGUOUS else None

    def prepare_more(self, dataset, cells) -> None:
        self.by_name = {}
        headers = list(dataset.headers or [])
        nameless = "email" not in headers or any(
            not str(row[headers.index("email")] or "").strip() for row in dataset
        )
        if nameless and "external_id" not in headers:
            pages = PersonPage.objects.filter(
                translation_key__in=self.get_queryset().filter(email="").values("translation_key")
            ).only("title", "translation_key")
            keys = {}
            for page in pages:
                key = name_key(page.title)
                if keys.setdefault(key, page.translation_key) != page.translation_key:
                    keys[key] = AMBIGUOUS
            contacts = {
                c.translation_key: c
                for c in self.get_queryset().filter(
                    translation_key__in=[k for k in keys.values() if k is not AMBIGUOUS]
                )
            }
            self.by_name = {
                key: (value if value is AMBIGUOUS else contacts.get(value))
                for key, value in keys.items()
            }
        self.organizations = {}
        if "affiliations" in headers:
            for key, contact in organization_records(self.site).items():
                self.organizations[key] = contact
        self.affiliations_by_person = defaultdict(list)

    def extra_contacts(self):
        return [c for c in self.by_name.values() if c is not None and c is not AMBIGUOUS]

    def prepare_records(self, contacts) -> None:
        """Each person's affiliations, as ``(organization name, role)`` pairs."""
        self._affiliations = {}
        for chunk in chunked([c.pk for c in contacts]):
            for person_id, role, name in (
                Affiliation.objects.filter(person_id__in=chunk)
                .annotate(organization_name=_organization_name())
                .order_by("pk")
                .values_list("person_id", "role", "organization_name")
            ):
                self._affiliations.setdefault(person_id, []).append((name or "", role))

    def after_init_record(self, instance, page) -> None:
        entries = self._affiliations.get(instance.pk, []) if instance.pk else []
        instance._affiliations = format_affiliations(entries)
        instance._affiliation_entries = entries

    def check_row(self, instance, row) -> None:
        errors = {}
        try:
            super().check_row(instance, row)
        except ValidationError as error:
            errors = error.message_dict
        if "affiliations" in row and "affiliations" not in errors:
            wanted, unknown = [], []
            for name, role in parse_affiliations(instance._affiliations):
                organization = self.organizations.get(name_key(name))
                if organization is None or organization is AMBIGUOUS:
                    unknown.append(name)
                else:
                    wanted.append((organization, name, role))
            if unknown:
                errors["affiliations"] = [
                    gettext(
                        "No single organization record is named %(names)s: import "
                        "organizations first, or check the spelling."
                    )
                    % {"names": ", ".join(f"“{n}”" for n in unknown)}
                ]
            else:
                existing = {(fold(n), fold(r)) for n, r in instance._affiliation_entries}
                missing = [w for w in wanted if (fold(w[1]), fold(w[2])) not in existing]
                instance._new_affiliations = missing
                if not missing:
                    # Only additions count: affiliations are never removed by an import.
                    instance._affiliations = instance._before.get("affiliations", "")
        if errors:
            raise ValidationError(errors)

    def write_more(self) -> None:
        affiliations = [
            Affiliation(person=contact, organization=organization, role=role)
            for contact in [*self.pending_new, *self.pending_updates]
            for organization, _name, role in getattr(contact, "_new_affiliations", [])
        ]
        Affiliation.objects.bulk_create(affiliations, batch_size=self.write_batch_size)


#: Marks a name that several records share, so it cannot identify one.
AMBIGUOUS = object()


def _organization_name():
    return record_name("organization")


def organization_records(site) -> dict[str, Contact]:
    """Folded organization name → its record (``AMBIGUOUS`` when several share it)."""
    found: dict = {}
    contacts = {
        c.translation_key: c
        for c in Contact.objects.filter(site=site, kind=Contact.Kind.ORGANIZATION)
    }
    pages = OrganizationPage.objects.filter(translation_key__in=list(contacts)).order_by("pk")
    seen = set()
    for title, key in pages.values_list("title", "translation_key"):
        if key in seen:
            continue
        seen.add(key)
        name = name_key(title)
        found[name] = AMBIGUOUS if name in found else contacts[key]
    return found


def format_affiliations(entries: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name} ({role})" if role else name for name, role in entries)


def parse_affiliations(text: str) -> list[tuple[str, str]]:
    """``"Organization (role); Other"`` → ``[("Organization", "role"), ("Other", "")]``."""
    entries = []
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)\s*\(([^()]*)\)", part)
        entries.append((match[1].strip(), match[2].strip()) if match else (part, ""))
    return entries


class OrganizationResource(ContactRecordResource):
    """Organizations: ``email, name, kind, website, street_address, postal_code, city, phone,
    notes`` (and ``external_id``); found by external id, e-mail, or name and postal code."""

    contact_kind = Contact.Kind.ORGANIZATION
    page_model = OrganizationPage
    index_model = OrganizationIndexPage
    page_fields = {
        "kind": "kind",
        "website": "website",
        "street_address": "street_address",
        "postal_code": "postal_code",
        "city": "locality",
    }
    sheet_columns = (
        EMAIL_COLUMN,
        column(
            "name",
            pgettext_lazy("spreadsheet column", "name"),
            "organization",
            "organisme",
            "organisation",
            "nom",
            required=True,
        ),
        column("kind", pgettext_lazy("spreadsheet column", "kind"), "type", "genre"),
        column(
            "website", pgettext_lazy("spreadsheet column", "website"), "site web", "site", "web"
        ),
        column(
            "street_address",
            pgettext_lazy("spreadsheet column", "street address"),
            "address",
            "adresse",
        ),
        column(
            "postal_code",
            pgettext_lazy("spreadsheet column", "postal code"),
            "postcode",
            "zip",
            "code postal",
        ),
        column(
            "city", pgettext_lazy("spreadsheet column", "city"), "locality", "ville", "municipalité"
        ),
        PHONE_COLUMN,
        NOTES_COLUMN,
        EXTERNAL_ID_COLUMN,
    )

    email = text_field("email")
    name = PageValueField("name")
    kind = PageValueField("kind")
    website = PageValueField("website")
    street_address = PageValueField("street_address")
    postal_code = PageValueField("postal_code")
    city = PageValueField("city")
    phone = text_field("phone")
    notes = text_field("notes")
    external_id = text_field("external_id")

    class Meta(ContactRecordResource.Meta):
        fields = (
            "email",
            "name",
            "kind",
            "website",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "notes",
            "external_id",
        )

    @cached_property
    def kind_widget(self) -> LabelChoiceWidget:
        """Reads the "kind" column: a code, or a label in any of the installation's languages."""
        return LabelChoiceWidget(OrganizationKind.choices)

    def after_init_record(self, instance, page) -> None:
        instance._page_name = page.title if page is not None else ""

    def prepare_more(self, dataset, cells) -> None:
        headers = list(dataset.headers or [])
        self.by_name_and_code = {}
        if "name" not in headers:
            return
        names = {name_key(n) for n in cells("name")}
        contacts = {c.translation_key: c for c in self.get_queryset()}
        pages = OrganizationPage.objects.filter(translation_key__in=list(contacts))
        for title, code, key in pages.values_list("title", "postal_code", "translation_key"):
            name = name_key(title)
            if name in names:
                self.by_name_and_code.setdefault((name, fold(code).replace(" ", "")), contacts[key])

    def extra_contacts(self):
        return list(self.by_name_and_code.values())

    def find_contact(self, row):
        """By external id or e-mail; failing that, by name and postal code (an organization
        first imported without e-mail is found again when a later file has one)."""
        return super().find_contact(row) or self.match_by_name(row)

    def match_by_name(self, row):
        name = name_key(str(row.get("name") or ""))
        code = fold(str(row.get("postal_code") or "")).replace(" ", "")
        return self.by_name_and_code.get((name, code)) if name else None

    def row_keys(self, row):
        keys = super().row_keys(row)
        if not keys and str(row.get("name") or "").strip():
            name = name_key(str(row["name"]))
            keys = [("name", name, fold(str(row.get("postal_code") or "")).replace(" ", ""))]
        return keys

    def check_row(self, instance, row) -> None:
        errors = {}
        kind = instance._page_kind
        if kind and kind not in OrganizationKind.values:
            # A kind may be given by its label, in any of the installation's languages.
            code = self.kind_widget.code_for(kind)
            if code is not None:
                instance._page_kind = code
            else:
                errors["kind"] = [
                    gettext("Unknown kind “%(kind)s”; use one of: %(choices)s.")
                    % {
                        "kind": kind,
                        "choices": ", ".join(str(label) for label in OrganizationKind.labels),
                    }
                ]
                instance._page_kind = ""
        try:
            super().check_row(instance, row)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)

    def record_title(self, instance) -> str:
        return (instance._page_name or "").strip()

    def new_page(self, instance):
        return OrganizationPage(
            title=self.record_title(instance), kind=instance._page_kind or OrganizationKind.OTHER
        )


# --- Memberships ---------------------------------------------------------------------------


class MembershipResource(SpreadsheetResource):
    """Memberships: ``email`` (or ``external_id``) of the member, ``membership_type`` by name,
    ``start_date``, ``end_date``, ``fee``, ``status``. A membership is found by its member, its
    type and its start date: re-importing the same file updates, never duplicates."""

    sheet_columns = (
        column(
            "email",
            pgettext_lazy("spreadsheet column", "member email"),
            "email",
            "e-mail",
            "courriel",
            "courriel du membre",
        ),
        column(
            "external_id",
            pgettext_lazy("spreadsheet column", "member external id"),
            "external id",
            "identifiant",
            "id externe",
        ),
        column(
            "membership_type",
            pgettext_lazy("spreadsheet column", "membership type"),
            "type",
            "type d'adhésion",
            "adhésion",
            required=True,
        ),
        column(
            "start_date",
            pgettext_lazy("spreadsheet column", "start date"),
            "start",
            "début",
            "date de début",
            required=True,
        ),
        column(
            "end_date", pgettext_lazy("spreadsheet column", "end date"), "end", "fin", "date de fin"
        ),
        column(
            "fee",
            pgettext_lazy("spreadsheet column", "fee paid"),
            "fee",
            "amount",
            "montant",
            "cotisation",
        ),
        column("status", pgettext_lazy("spreadsheet column", "status"), "statut", "état"),
    )

    email = fields.Field(attribute="_email", column_name="email", widget=TextWidget())
    external_id = fields.Field(
        attribute="_external_id", column_name="external_id", widget=TextWidget()
    )
    membership_type = fields.Field(
        attribute="_type_name", column_name="membership_type", widget=TextWidget()
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    fee = fields.Field(attribute="fee", column_name="fee", widget=AmountWidget())
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=LabelChoiceWidget(
            [c for c in MembershipStatus.choices if c[0] != MembershipStatus.EXPIRED],
            default=MembershipStatus.ACTIVE,
        ),
    )

    class Meta(SpreadsheetResource.Meta):
        model = Membership
        import_id_fields = ()
        fields = (
            "email",
            "external_id",
            "membership_type",
            "start_date",
            "end_date",
            "fee",
            "status",
        )

    def get_queryset(self):
        return Membership.objects.filter(contact__site=self.site)

    def unchecked_fields(self):
        return ["contact", "membership_type"]

    def column_for_field(self, name):
        return {"contact": "email"}.get(name, name)

    def prepare(self, dataset) -> None:
        def cells(name):
            return distinct_cells(dataset, name)

        people = Contact.objects.filter(site=self.site)
        fields = ("pk", "email", "external_id")
        self.by_email, self.by_external_id = {}, {}
        # A person and an organization may share an e-mail (or an id): such a key names no
        # single member, and the row must say which one by the other key.
        for chunk in chunked([e.lower() for e in cells("email")]):
            found = people.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk)
            for member in found.values_list(*fields, named=True):
                key = member.email.lower()
                self.by_email[key] = AMBIGUOUS if key in self.by_email else member
        for chunk in chunked(cells("external_id")):
            for member in people.filter(external_id__in=chunk).values_list(*fields, named=True):
                key = member.external_id
                self.by_external_id[key] = AMBIGUOUS if key in self.by_external_id else member
        self.types = {name_key(t.name): t for t in MembershipType.objects.filter(site=self.site)}
        members = {
            m.pk: m
            for m in [*self.by_email.values(), *self.by_external_id.values()]
            if m is not AMBIGUOUS
        }
        types = {t.pk: t for t in self.types.values()}
        self.existing = {}
        for chunk in chunked(list(members)):
            for membership in Membership.objects.filter(contact_id__in=chunk):
                membership._member = members[membership.contact_id]
                membership._type = types.get(membership.membership_type_id)
                key = (membership.contact_id, membership.membership_type_id, membership.start_date)
                self.existing[key] = membership
        self.seen_keys = {}

    def init_instance(self, row=None):
        return Membership()

    def membership_type_of(self, name) -> MembershipType | None:
        cache = self.__dict__.setdefault("_types_by_text", {})
        if name not in cache:
            cache[name] = self.types.get(name_key(str(name or "")))
        return cache[name]

    def get_instance(self, instance_loader, row):
        member = self.member(row)
        membership_type = self.membership_type_of(row.get("membership_type"))
        if member is None or member is AMBIGUOUS or membership_type is None:
            return None
        try:
            start = parse_date(row.get("start_date"))
        except CellValueError:
            return None
        return self.existing.get((member.pk, membership_type.pk, start))

    def member(self, row):
        """The member's ``(pk, email, external_id)``, found by external id or e-mail."""
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            return self.by_external_id.get(external_id)
        email = str(row.get("email") or "").strip().lower()
        return self.by_email.get(email) if email else None

    def after_init_instance(self, instance, new, row, **kwargs):
        member = getattr(instance, "_member", None)
        membership_type = getattr(instance, "_type", None)
        instance._email = member.email if member else ""
        instance._external_id = member.external_id if member else ""
        instance._type_name = membership_type.name if membership_type else ""
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row) -> None:
        errors = {}
        member = self.member(row)
        if member is AMBIGUOUS:
            column_name = "external_id" if str(row.get("external_id") or "").strip() else "email"
            errors[column_name] = gettext(
                "Several records of your organization (a person and an organization) have this "
                "%(what)s: give the member's other key (e-mail or external id) instead."
            ) % {"what": gettext("e-mail") if column_name == "email" else gettext("external id")}
            member = None
        elif member is None:
            column_name = "external_id" if str(row.get("external_id") or "").strip() else "email"
            if not str(row.get(column_name) or "").strip():
                errors["email"] = gettext("Give the member's e-mail or external id.")
            else:
                errors[column_name] = gettext(
                    "No record of your organization has this %(what)s: import the people first."
                ) % {
                    "what": gettext("e-mail") if column_name == "email" else gettext("external id")
                }
        else:
            instance.contact_id = member.pk
        membership_type = self.membership_type_of(instance._type_name)
        if membership_type is None:
            errors["membership_type"] = gettext(
                "Unknown membership type “%(name)s”; your organization has: %(choices)s."
            ) % {
                "name": instance._type_name,
                "choices": ", ".join(t.name for t in self.types.values()) or "—",
            }
        else:
            instance.membership_type_id = membership_type.pk
            instance._type_name = membership_type.name
        if member is not None and membership_type is not None and instance.start_date:
            key = (member.pk, membership_type.pk, instance.start_date)
            first = self.seen_keys.setdefault(key, self._current_row)
            if first != self._current_row:
                errors["start_date"] = gettext(
                    "This membership is already on row %(row)s of the file."
                ) % {"row": first}
        if instance.start_date is None and "start_date" in row:
            errors.setdefault("start_date", gettext("A start date is needed."))
        if instance.end_date and instance.start_date and instance.end_date < instance.start_date:
            errors["end_date"] = gettext("The end date must come after the start date.")
        if instance.fee is not None and instance.fee < 0:
            errors["fee"] = gettext("The fee cannot be negative.")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Widgets parsed every cell and ``check_row`` applied the model's constraints: only
        the amount's digits are left to check (``full_clean`` per row would cost more than
        writing the row)."""
        errors = dict(import_validation_errors or {})
        if "fee" not in errors:
            try:
                Membership._meta.get_field("fee").clean(instance.fee, instance)
            except ValidationError as error:
                errors["fee"] = error.messages
        if errors:
            raise ValidationError(errors)

    def current_values(self, instance):
        return {
            "email": instance._email,
            "external_id": instance._external_id,
            "membership_type": instance._type_name,
            "start_date": instance.start_date,
            "end_date": instance.end_date,
            "fee": instance.fee,
            "status": instance.status,
        }

    def write(self) -> None:
        # The same file imported twice at once: the second to write stops (SQLite lets one
        # writer in at a time; on PostgreSQL the check runs in the writing transaction).
        keys = {(m.contact_id, m.membership_type_id, m.start_date) for m in self.pending_new}
        for chunk in chunked(sorted({m.contact_id for m in self.pending_new})):
            existing = Membership.objects.filter(contact_id__in=chunk).values_list(
                "contact_id", "membership_type_id", "start_date"
            )
            if any(tuple(key) in keys for key in existing):
                raise ValidationError(
                    gettext(
                        "Some of these memberships were created while the file was being "
                        "checked (was it imported twice at once?). Nothing was written: start "
                        "again."
                    )
                )
        Membership.objects.bulk_create(self.pending_new, batch_size=self.write_batch_size)
        self.tick(len(self.pending_new))
        Membership.objects.bulk_update(
            self.pending_updates,
            ["start_date", "end_date", "fee", "status"],
            batch_size=self.write_batch_size,
        )
        self.tick(len(self.pending_updates))

    def iter_export_rows(self, queryset=None, chunk_size: int = 2000):
        queryset = self.get_queryset() if queryset is None else queryset
        rows = queryset.order_by("pk").values_list(
            "contact__email",
            "contact__external_id",
            "membership_type__name",
            "start_date",
            "end_date",
            "fee",
            "status",
        )
        labels = {code: str(label) for code, label in MembershipStatus.choices}
        for email, external_id, type_name, start, end, fee, status in rows.iterator(
            chunk_size=chunk_size
        ):
            yield [email, external_id, type_name, start, end, fee, labels.get(status, status)]
