"""Writes that enforce the CRM's rules. Typed, keyword-only, transactional, validated."""

import difflib

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Abs, Length, Lower
from wagtail.models import Page, Site, get_page_models

from spreadsheets.text import fold

from .models import Contact, ContactNote

#: ``Contact`` fields that the page editor's "Private (CRM)" tab writes.
PAGE_FORM_PRIVATE_FIELDS = {
    "private_email": "email",
    "private_phone": "phone",
    "private_notes": "notes",
}

#: How alike two normalised names must be to be called near-identical (0–1).
SIMILAR_NAME_RATIO = 0.88
#: How many records, those that share the most fragments of the name, are compared letter by
#: letter: the warning costs the same in a CRM of a hundred records or of a hundred thousand.
SIMILAR_NAME_CANDIDATES = 50
#: At most this many fragments of a name are looked for (a name of some thirty letters).
SIMILAR_NAME_FRAGMENTS = 64


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


def name_fragments(normalised: str) -> list[str]:
    """The two- and three-letter pieces of each word of a normalised name (a word of one or two
    letters whole): a near-identical name shares most of them, even with a typo in every word,
    whatever the order of its words."""
    fragments: dict[str, None] = {}
    for word in normalised.split():
        if len(word) <= 2:
            fragments[word] = None
            continue
        for size in (3, 2):
            for start in range(len(word) - size + 1):
                fragments[word[start : start + size]] = None
    return list(fragments)[:SIMILAR_NAME_FRAGMENTS]


def _record_page_model(kind: str):
    return next(
        (model for model in get_page_models() if getattr(model, "contact_kind", None) == kind),
        Page,
    )


def similar_records(*, site: Site, kind: str, name: str, exclude_key=None) -> list[Page]:
    """Pages of ``site``'s records of ``kind`` whose name is near-identical to ``name``.

    The database ranks the organization's records by how many fragments of the name their
    folded name (``sort_name``) holds, the closest in length first among equals; only the
    ``SIMILAR_NAME_CANDIDATES`` best are compared letter by letter (``difflib``), so the cost
    does not grow with the size of the CRM. Two queries, whatever its size."""
    target = normalise_name(name)
    if not target:
        return []
    keys = Contact.objects.filter(site=site, kind=kind).values("translation_key")
    model = _record_page_model(kind)
    # sort_name is folded like the fragments; a page model without it is searched by title.
    field = "sort_name__contains" if hasattr(model, "sort_name") else "title__icontains"
    shared = sum(
        (
            Case(
                When(**{field: fragment}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for fragment in name_fragments(target)
        ),
        Value(0),
    )
    candidates = model.objects.filter(translation_key__in=keys)
    if exclude_key is not None:
        candidates = candidates.exclude(translation_key=exclude_key)
    candidates = (
        candidates.annotate(
            shared=shared,
            length_gap=Abs(Length("title") - len(name.strip())),
        )
        .order_by("-shared", "length_gap", "pk")
        .values_list("pk", "title", "translation_key")[:SIMILAR_NAME_CANDIDATES]
    )
    found, seen = [], set()
    for pk, title, key in candidates:
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
