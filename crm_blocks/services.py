"""Writes that enforce the CRM's rules. Typed, keyword-only, transactional, validated."""

from django.db import transaction
from wagtail.models import Page, Site

from privacy.services import private_twin_for_page, private_twin_update

from .models import Contact, ContactNote


def contact_for_page(page: Page, *, site: Site | None = None) -> Contact:
    """The record's ``Contact``, created on first need; one per ``translation_key``, so that
    the French and English pages of a record share their private details."""
    return private_twin_for_page(page, site=site)


def contact_update_private_details(*, contact: Contact, data: dict) -> Contact:
    """Write private fields on ``contact`` after validating them (model and constraints)."""
    return private_twin_update(twin=contact, data=data)


@transaction.atomic
def contact_note_create(*, contact: Contact, author, body: str) -> ContactNote:
    note = ContactNote(contact=contact, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note
