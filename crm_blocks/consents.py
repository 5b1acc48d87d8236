"""The consent log of CRM records: consents asked separately per purpose
(``privacy.ConsentPurpose``), each logged with the version of the words agreed to, the date, the
source and who recorded it; withdrawal takes effect at once.

Typed, keyword-only, transactional, validated. Withdrawing the « public profile » consent
unpublishes every translation of the person's page in the same transaction, so that it leaves
the site, its search, sitemap, feeds, datasets and structured data (they read live pages only).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Page

from privacy.models import ConsentPurpose
from privacy.models.consents import PUBLIC_PROFILE

from .members import organization_today
from .models import ConsentRecord, Contact


def active_consents(contact: Contact):
    """The contact's consents in force (given, not withdrawn), by purpose."""
    return contact.consents.filter(withdrawn_on__isnull=True, purpose_ref__isnull=False)


def has_consent(contact: Contact, code: str) -> bool:
    """Whether ``contact`` consents today to the purpose ``code`` of its organization. Privacy by
    default: no consent recorded means no."""
    return (
        active_consents(contact)
        .filter(purpose_ref__code=code, purpose_ref__site_id=contact.site_id)
        .exists()
    )


def _purpose_of(contact: Contact, purpose: ConsentPurpose | str) -> ConsentPurpose:
    if isinstance(purpose, str):
        found = ConsentPurpose.objects.filter(site_id=contact.site_id, code=purpose).first()
        if found is None:
            raise ValidationError(
                _("This organization asks no consent for “%(code)s”.") % {"code": purpose}
            )
        purpose = found
    if purpose.site_id != contact.site_id:
        # Never another organization's purpose: its words were not shown to this person.
        raise ValidationError(_("This consent purpose is another organization's."))
    if not purpose.active:
        raise ValidationError(
            _("“%(purpose)s” is no longer asked: it cannot be consented to.") % {"purpose": purpose}
        )
    return purpose


@transaction.atomic
def give_consent(
    *,
    contact: Contact,
    purpose: ConsentPurpose | str,
    source: str,
    user=None,
    given_on=None,
    language: str | None = None,
) -> ConsentRecord:
    """Log ``contact``'s consent to ``purpose`` (a purpose of its organization or its code), in
    the purpose's current words, from ``source`` (``ConsentRecord.Source``), recorded by
    ``user``. A consent already in force is returned as it is: the log holds one live consent
    per purpose."""
    purpose = _purpose_of(contact, purpose)
    if source not in ConsentRecord.Source.values:
        raise ValidationError(_("Unknown source of consent “%(source)s”.") % {"source": source})
    # One writer at a time per record, so that two clicks do not log two consents.
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    existing = active_consents(contact).filter(purpose_ref=purpose).first()
    if existing is not None:
        return existing
    wording = purpose.current_wording()
    if wording is None:
        raise ValidationError(
            _("“%(purpose)s” has no wording yet: write it before asking for consent.")
            % {"purpose": purpose}
        )
    record = ConsentRecord(
        contact=contact,
        purpose_ref=purpose,
        wording_version=wording,
        purpose=purpose.name(language)[:200],
        wording=wording.text(language),
        given_on=given_on or organization_today(contact.site),
        source=source,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        recorded_at=timezone.now(),
    )
    record.full_clean(exclude=["contact"])
    record.save()
    return record


@transaction.atomic
def withdraw_consent(*, record: ConsentRecord, user=None) -> list[Page]:
    """Withdraw the consent ``record`` today, at once. A withdrawn « public profile » unpublishes
    every translation of the person's page; the pages unpublished are returned."""
    # The row alone is locked (PostgreSQL locks no nullable side of a join).
    record = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    if record.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    contact = record.contact
    today = organization_today(contact.site)
    record.withdrawn_on = max(today, record.given_on)
    record.withdrawn_by = user if getattr(user, "is_authenticated", False) else None
    record.save(update_fields=["withdrawn_on", "withdrawn_by"])
    unpublished = []
    purpose = record.purpose_ref
    if purpose is not None and purpose.code == PUBLIC_PROFILE and not has_consent(
        contact, PUBLIC_PROFILE
    ):
        actor = user if getattr(user, "is_authenticated", False) else None
        for page in contact.pages().live().specific():
            # The person's will, not the staff member's page permissions, decides.
            UnpublishPageAction(page, user=actor).execute(skip_permission_checks=True)
            unpublished.append(page)
    return unpublished


def consent_from_page_form(request, page) -> None:
    """Log the public-profile consent ticked in a person page's form, once the page exists (an
    ``after_create_page`` / ``after_edit_page`` hook, and before the page is published)."""
    source = page.__dict__.pop("_public_profile_consent", None)
    if not source:
        return
    contact = Contact.objects.for_page(page).first()
    if contact is not None:
        give_consent(contact=contact, purpose=PUBLIC_PROFILE, source=source, user=request.user)


def record_import_consents(*, contacts, user=None) -> int:
    """People a spreadsheet import publishes: the importer, who chose to publish them, states
    that they consented to a public profile. Logged in one statement per organization, with the
    purpose's current words, source « import » and who imported (the importer's help text says
    so). The number of consents logged."""
    by_site: dict[int, list[Contact]] = {}
    for contact in contacts:
        if contact.kind == Contact.Kind.PERSON:
            by_site.setdefault(contact.site_id, []).append(contact)
    logged = 0
    now = timezone.now()
    recorder = user if getattr(user, "is_authenticated", False) else None
    for site_id, people in by_site.items():
        purpose = ConsentPurpose.objects.filter(
            site_id=site_id, code=PUBLIC_PROFILE, active=True
        ).first()
        wording = purpose.current_wording() if purpose else None
        if wording is None:
            continue
        today = organization_today(people[0].site)
        records = ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    contact=contact,
                    purpose_ref=purpose,
                    wording_version=wording,
                    purpose=purpose.name()[:200],
                    wording=wording.text(),
                    given_on=today,
                    source=ConsentRecord.Source.IMPORT,
                    recorded_by=recorder,
                    recorded_at=now,
                )
                for contact in people
            ]
        )
        logged += len(records)
    return logged
