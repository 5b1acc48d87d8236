"""The base of the CRM's record resources (a ``Contact`` and its page per row), the columns
of private details people and organizations share, and the affiliations notation."""

from __future__ import annotations

import json
import re
import uuid
from collections import namedtuple
from collections.abc import Iterable, Iterator
from operator import attrgetter
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import CharField, ExpressionWrapper, F, TextField
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from import_export import fields
from wagtail.fields import StreamField
from wagtail.models import Page, Revision

from public_cache.generations import invalidate_sites
from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from spreadsheets.pages import PageRowsMixin
from spreadsheets.resources import (
    SpreadsheetResource,
    TextWidget,
    chunked,
    column,
    distinct_cells,
)
from spreadsheets.text import name_key

from ..consents import record_import_consents
from ..models import (
    Contact,
    OrganizationPage,
)
from ..models.contacts import record_name

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
        self.check_page_permissions()

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
        elif instance.pk is None and not self.can_add:
            errors[self.title_column] = self.cannot_add_message()
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
            if self.publish:
                # People published by a spreadsheet: their consent to a public profile is
                # logged first, as the importer stated it (``record_import_consents``).
                record_import_consents(contacts=contacts, user=self.user)
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
        invalidate_sites(url_paths=[parent.url_path])

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


AMBIGUOUS = object()


def organization_name_annotation():
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
