"""Writes that enforce the CRM's rules. Typed, keyword-only, transactional, validated."""

import difflib

from django.db import transaction
from django.db.models.functions import Lower
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


# --- Spreadsheets ----------------------------------------------------------------------------
# Import lives in ``importing.py`` (validation, preview, all-or-nothing writes) and export in
# ``exporting.py`` (streamed files); both work through the resources of ``resources.py``.


def records_export(
    *,
    kind: str,
    fmt: str,
    site: Site | None = None,
    queryset=None,
    language: str | None = None,
) -> bytes:
    """Records of ``kind`` as a CSV (UTF-8 with BOM), XLSX or ODS file: all of ``site``'s, or
    those of ``queryset`` (a listing already scoped to the user's organizations), with
    canonical headers or, given a ``language``, headers in that language.

    The whole file in memory: for tests and small files. Downloads and commands stream with
    ``exporting.export_response`` and ``exporting.export_file``.
    """
    import io

    from .exporting import export_file

    output = io.BytesIO()
    export_file(kind=kind, fmt=fmt, site=site, queryset=queryset, language=language, output=output)
    return output.getvalue()
