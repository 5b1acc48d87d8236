"""Writes that enforce the CRM's rules. Typed, keyword-only, transactional, validated."""

import difflib
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .models import Contact, ContactNote
from .text import fold

#: ``Contact`` fields that the page editor's "Private (CRM)" tab writes.
PAGE_FORM_PRIVATE_FIELDS = {
    "private_email": "email",
    "private_phone": "phone",
    "private_notes": "notes",
}

#: How alike two normalised names must be to be called near-identical (0–1).
SIMILAR_NAME_RATIO = 0.88


def contact_kind_for(page) -> str:
    return getattr(page.specific_class, "contact_kind", Contact.Kind.PERSON)


def contact_for_page(page: Page, *, site: Site | None = None) -> Contact:
    """The record's ``Contact``, created on first need; one per ``translation_key``, so that
    the French and English pages of a record share their private details."""
    contact = Contact.objects.filter(translation_key=page.translation_key).first()
    if contact is not None:
        return contact
    site = site or page.get_site()
    contact, _created = Contact.objects.get_or_create(
        translation_key=page.translation_key,
        defaults={"site": site, "kind": contact_kind_for(page)},
    )
    return contact


@transaction.atomic
def contact_update_private_details(*, contact: Contact, data: dict) -> Contact:
    """Write private fields on ``contact`` after validating them (model and constraints)."""
    changed = False
    for name, value in data.items():
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    if changed:
        contact.full_clean()
        contact.save()
    return contact


@transaction.atomic
def contact_note_create(*, contact: Contact, author, body: str) -> ContactNote:
    note = ContactNote(contact=contact, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


def normalise_name(name: str) -> str:
    """Lower case, without accents, punctuation or word order: ``"Tremblay, Élise"`` and
    ``"elise tremblay"`` normalise alike."""
    words = "".join(c if c.isalnum() else " " for c in fold(name)).split()
    return " ".join(sorted(words))


def similar_records(*, site: Site, kind: str, name: str, exclude_key=None) -> list[Page]:
    """Pages of ``site``'s records of ``kind`` whose name is near-identical to ``name``."""
    target = normalise_name(name)
    if not target:
        return []
    keys = Contact.objects.filter(site=site, kind=kind).values("translation_key")
    candidates = Page.objects.filter(translation_key__in=keys)
    if exclude_key is not None:
        candidates = candidates.exclude(translation_key=exclude_key)
    found, seen = [], set()
    for pk, title, key in candidates.values_list("pk", "title", "translation_key"):
        if key in seen:
            continue
        ratio = difflib.SequenceMatcher(None, target, normalise_name(title)).ratio()
        if ratio >= SIMILAR_NAME_RATIO:
            seen.add(key)
            found.append(pk)
    return list(Page.objects.filter(pk__in=found).order_by("title"))


def records_with_email(*, site: Site, kind: str, email: str, exclude_key=None):
    contacts = Contact.objects.annotate(email_lower=Lower("email")).filter(
        site=site, kind=kind, email_lower=email.lower()
    )
    if exclude_key is not None:
        contacts = contacts.exclude(translation_key=exclude_key)
    return contacts.with_name()


# --- Spreadsheet import and export ---------------------------------------------------------


@dataclass
class RowError:
    row: int  # as the spreadsheet software numbers it (the header is row 1)
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def record_resource_class(kind: str):
    from .resources import RECORD_RESOURCES

    try:
        return RECORD_RESOURCES[kind]
    except KeyError:
        raise ValueError(
            _("Unknown kind of records “%(kind)s”: use %(choices)s.")
            % {"kind": kind, "choices": ", ".join(RECORD_RESOURCES)}
        ) from None


def record_index_page(site: Site, kind: str):
    """Where new records of ``kind`` go: the organization's index page for them."""
    from .models import OrganizationIndexPage, PersonIndexPage

    model = PersonIndexPage if kind == "people" else OrganizationIndexPage
    roots = Page.objects.filter(translation_key=site.root_page.translation_key)
    for root in roots.order_by("pk"):
        index = model.objects.descendant_of(root).order_by("path").first()
        if index is not None:
            return index
    raise ValueError(
        _("This organization has no page to hold these records yet: add a “%(model)s” page.")
        % {"model": model._meta.verbose_name}
    )


def records_import(
    *,
    site: Site,
    kind: str,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    publish: bool = False,
) -> ImportReport:
    """Import a spreadsheet of ``kind`` ("people", "organizations") into ``site``'s records.

    All or nothing: one invalid row and nothing is written (the report names the row and the
    field). Rows are matched to existing records by their natural key within ``site`` only, so
    a row can never touch another organization's record.
    """
    from .spreadsheets import match_headers, read_table, restore

    resource_class = record_resource_class(kind)
    table = read_table(data, filename)
    match = match_headers(
        table.headers,
        {name: [name, *aliases] for name, aliases in resource_class.header_aliases.items()},
    )
    columns = [header for header in table.headers if header in match.mapping]
    dataset = tablib.Dataset(headers=[match.mapping[header] for header in columns])
    positions = [table.headers.index(header) for header in columns]
    for row in table.dataset:
        dataset.append([restore(row[position]) for position in positions])

    resource = resource_class(site=site, index_page=record_index_page(site, kind), publish=publish)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    report = ImportReport(dry_run=dry_run, unknown_columns=match.unknown, rows=result.rows)
    for row_result in result.rows:
        if row_result.import_type == "new":
            report.new += 1
        elif row_result.import_type == "update":
            report.updated += 1
        elif row_result.import_type == "skip":
            report.unchanged += 1
    for invalid in result.invalid_rows:
        spreadsheet_row = table.row_numbers[invalid.number - 1]
        for field_name, messages in invalid.error_dict.items():
            for message in messages:
                report.errors.append(RowError(spreadsheet_row, field_name, str(message)))
    for number, errors in result.row_errors():
        spreadsheet_row = table.row_numbers[number - 1]
        for error in errors:
            report.errors.append(RowError(spreadsheet_row, "", str(error.error)))
    for error in result.base_errors:
        report.errors.append(RowError(0, "", str(error.error)))
    return report


def records_export(*, kind: str, fmt: str, site: Site | None = None, queryset=None) -> bytes:
    """Records of ``kind`` as a CSV (UTF-8 with BOM), XLSX or ODS file: all of ``site``'s, or
    those of ``queryset`` (a listing already scoped to the user's organizations)."""
    from .spreadsheets import write_table

    if queryset is None and site is None:
        raise ValueError("records_export needs a site or a queryset")
    resource = record_resource_class(kind)(site=site)
    return write_table(resource.export(queryset), fmt)
