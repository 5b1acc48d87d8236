"""What the CRM holds about a person, declared to the privacy registry (``privacy.personal_data``).

A person is found, in one organization, by an e-mail address: the CRM records (kind « person »)
whose main or secondary e-mail it is, and the record of a member-space account signed up under
it. From there: the record and its pages (public profile, all translations, with their revisions
and photo), the private twin, consents, timeline notes, memberships, affiliations, the member
account and its login, and the import reports that quote the person.

Membership fees are accounting records: a membership with a fee paid is kept, tied to an
anonymized record, for six years after the fiscal year (Quebec's Tax Administration Act, s. 35;
France's Commercial Code, art. L123-22, keeps them ten), and so is the record any other plugin
keeps for the same reason (a booking), anonymized.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.personal_data import (
    DataSubject,
    ErasureContext,
    LegalRetention,
    Outcome,
    PersonalDataSource,
)
from privacy.registry import private_fields

from .models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ContactNote,
    MemberAccount,
    Membership,
    PersonPage,
)

#: Accounting records (membership fees, rental invoices): six years after the fiscal year.
ACCOUNTING_RETENTION = LegalRetention(
    reason=gettext_lazy(
        "Accounting record: kept six years after the end of the fiscal year (Quebec Tax "
        "Administration Act, s. 35), without the person's identity."
    ),
    years=6,
)


def accounting_retention_period(site) -> list[tuple]:
    """For the privacy page: what the law keeps, and for how long."""
    return [
        (
            gettext_lazy("Membership fees and rental invoices (accounting records)"),
            gettext_lazy("six years after the end of the fiscal year, then destroyed"),
        )
    ]


def contacts_of(subject: DataSubject) -> list[Contact]:
    """The person's CRM records in the subject's organization (kind « person »)."""

    def find():
        email = subject.email
        if not email:
            return []
        matches = models.Q(email__iexact=email) | models.Q(secondary_email__iexact=email)
        matches |= models.Q(member_account__user__email__iexact=email)
        return list(
            Contact.objects.filter(site=subject.site, kind=Contact.Kind.PERSON, anonymized_at=None)
            .filter(matches)
            .distinct()
            .order_by("pk")
        )

    return subject.remember("crm_blocks.contacts", find)


def person_pages_of(subject: DataSubject) -> list[PersonPage]:
    keys = [contact.translation_key for contact in contacts_of(subject)]
    return list(PersonPage.objects.filter(translation_key__in=keys).select_related("locale"))


# --- The record and its pages -------------------------------------------------------------------


def _export_record(contact: Contact) -> dict:
    # Both what is published and what staff see in the editor (the latest version, a draft).
    live = person_pages_of_contact(contact)
    pages = [page.get_latest_revision_as_object() for page in live]
    first = pages[0] if pages else None
    summaries = dict.fromkeys(page.summary for page in [*live, *pages] if page.summary)
    return {
        _("name"): first.title if first else "",
        _("given name"): first.given_name if first else "",
        _("family name"): first.family_name if first else "",
        _("summary"): " | ".join(summaries),
        _("published"): any(page.live for page in pages),
        _("addresses of the public profile"): [
            page.full_url or page.url_path for page in pages if page.live
        ],
        _("links"): [f"{link.label}: {link.url}" for page in pages for link in page.links.all()],
        _("photo"): first.photo.file.name if first and first.photo else "",
        _("e-mail"): contact.email,
        _("secondary e-mail"): contact.secondary_email,
        _("phone"): contact.phone,
        _("mobile phone"): contact.mobile_phone,
        _("street address"): contact.street_address,
        _("postal code"): contact.postal_code,
        _("city"): contact.locality,
        _("province or region"): contact.region,
        _("country"): contact.country,
        _("birth date"): contact.birth_date,
        _("private notes"): contact.notes,
        _("internal tags"): [tag.name for tag in contact.tags.all()],
        _("external id"): contact.external_id,
        _("created"): contact.created_at,
        _("updated"): contact.updated_at,
    }


def person_pages_of_contact(contact: Contact) -> list[PersonPage]:
    return list(PersonPage.objects.filter(translation_key=contact.translation_key).order_by("pk"))


def _record_identifiers(contact: Contact):
    yield from (contact.email, contact.secondary_email, contact.phone, contact.mobile_phone)
    yield from (contact.street_address, contact.external_id)
    for page in person_pages_of_contact(contact):
        yield page.title
        if page.given_name and page.family_name:
            yield f"{page.given_name} {page.family_name}"


def _is_kept_elsewhere(contact: Contact) -> bool:
    """Whether a record kept for a legal reason still points to ``contact``: a membership with a
    fee, or a record another plugin protects (a booking)."""
    if contact.memberships.filter(fee__gt=0).exists():
        return True
    collector = Collector(using=router.db_for_write(Contact))
    try:
        collector.collect([contact])
    except ProtectedError:
        return True
    return False


def _record_outcome(contact: Contact) -> Outcome:
    return Outcome.ANONYMIZED if _is_kept_elsewhere(contact) else Outcome.DELETED


def _delete_pages(contact: Contact, context: ErasureContext) -> None:
    """Every translation of the record's page, with its revisions (Wagtail deletes them with the
    page), and its photo when no other page uses it."""
    pages = person_pages_of_contact(contact)
    photos = {page.photo for page in pages if page.photo_id}
    for page in pages:
        context.forget(page)
        page.delete()
    for photo in photos:
        if not PersonPage.objects.filter(photo=photo).exists():
            context.forget(photo)
            for rendition in photo.renditions.all():
                context.delete_file(rendition.file.storage, rendition.file.name)
            context.delete_file(photo.file.storage, photo.file.name)
            photo.delete()


def _erase_record(contact: Contact, context: ErasureContext) -> Outcome:
    _delete_pages(contact, context)
    context.forget(contact)
    if not _is_kept_elsewhere(contact):
        contact.delete()
        return Outcome.DELETED
    # Every field registered as private is emptied: a private field added later is too.
    for name in private_fields(Contact):
        field = Contact._meta.get_field(name)
        if field.many_to_many:
            getattr(contact, name).clear()
        else:
            setattr(contact, name, None if field.null else "")
    contact.anonymized_at = context.now or timezone.now()
    contact.save()
    return Outcome.ANONYMIZED


def _unpublish_record(contact: Contact, user) -> int:
    """Every live translation of the person's page goes back to draft (out of the site, its
    search, sitemap, feeds and structured data); the record and its pages stay."""
    withdrawn = 0
    for page in person_pages_of_contact(contact):
        if page.live:
            page.unpublish(user=user if getattr(user, "pk", None) else None)
            withdrawn += 1
    return withdrawn


# --- The record's companions --------------------------------------------------------------------


def _consents(subject):
    return ConsentRecord.objects.filter(contact__in=contacts_of(subject)).order_by("given_on", "pk")


def _export_consent(consent: ConsentRecord) -> dict:
    return {
        _("purpose"): consent.purpose,
        _("wording shown"): consent.wording,
        _("date"): consent.given_on,
        _("source"): consent.get_source_display(),
        _("withdrawn on"): consent.withdrawn_on,
    }


def _notes(subject):
    return ContactNote.objects.filter(contact__in=contacts_of(subject)).order_by("created_at", "pk")


def _export_note(note: ContactNote) -> dict:
    return {_("date"): note.created_at, _("note"): note.body}


def _memberships(subject):
    return (
        Membership.objects.filter(contact__in=contacts_of(subject))
        .select_related("membership_type")
        .order_by("start_date", "pk")
    )


def _export_membership(membership: Membership) -> dict:
    return {
        _("membership type"): membership.membership_type.name,
        _("start"): membership.start_date,
        _("end"): membership.end_date,
        _("fee paid"): membership.fee,
        _("status"): membership.get_status_display(),
    }


def _membership_outcome(membership: Membership) -> Outcome:
    return Outcome.ANONYMIZED if membership.fee > 0 else Outcome.DELETED


def _erase_membership(membership: Membership, context: ErasureContext) -> Outcome:
    context.forget(membership)
    if membership.fee > 0:
        # The membership holds nothing personal but its link to the record, which is anonymized.
        return Outcome.ANONYMIZED
    membership.delete()
    return Outcome.DELETED


def _affiliations(subject):
    return (
        Affiliation.objects.filter(person__in=contacts_of(subject))
        .select_related("organization")
        .order_by("pk")
    )


def _unpublish_affiliation(affiliation: Affiliation, user) -> int:
    """The person leaves the organization's public page (the role stays in the CRM)."""
    if not affiliation.public:
        return 0
    affiliation.public = False
    affiliation.save(update_fields=["public"])
    return 1


def _export_affiliation(affiliation: Affiliation) -> dict:
    return {
        _("organization"): str(affiliation.organization),
        _("role"): affiliation.role,
        _("start"): affiliation.start_date,
        _("end"): affiliation.end_date,
        _("shown publicly"): affiliation.public,
    }


def _accounts(subject):
    return MemberAccount.objects.filter(contact__in=contacts_of(subject)).select_related("user")


def _export_account(account: MemberAccount) -> dict:
    user = account.user
    return {
        _("login"): user.get_username(),
        _("e-mail"): user.email,
        _("first name"): user.first_name,
        _("last name"): user.last_name,
        _("account created on"): user.date_joined,
        _("last signed in on"): user.last_login,
        _("last invited on"): account.invited_at,
    }


def _account_identifiers(account: MemberAccount):
    user = account.user
    yield from (user.email, user.get_username())
    if user.first_name and user.last_name:
        yield f"{user.first_name} {user.last_name}"


def _user_is_only_this_member(account: MemberAccount) -> bool:
    user = account.user
    return not (
        user.is_staff
        or user.is_superuser
        or user.member_accounts.exclude(pk=account.pk).exists()
        or user.groups.exclude(organization_role__role="members").exists()
    )


def _erase_account(account: MemberAccount, context: ErasureContext) -> Outcome:
    user = account.user
    context.forget(account)
    context.forget(user)
    account.delete()
    if _user_is_only_this_member(account):
        user.delete()
    return Outcome.DELETED


# --- Import reports ---------------------------------------------------------------------------


def _import_jobs(subject):
    from spreadsheets.models import ImportJob

    identifiers = _subject_identifiers(subject)
    return [
        job
        for job in ImportJob.objects.filter(site=subject.site).order_by("pk")
        if _job_quotes(job, identifiers)
    ]


def _subject_identifiers(subject: DataSubject) -> set[str]:
    def compute():
        found = {subject.email}
        for contact in contacts_of(subject):
            found.update(_record_identifiers(contact))
        return {value.strip().lower() for value in found if value and len(value.strip()) >= 5}

    return subject.remember("crm_blocks.identifiers", compute)


def _file_text(data: bytes) -> str:
    """An uploaded spreadsheet's text: CSV as is, XLSX and ODS from their XML parts."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return " ".join(
                    archive.read(name).decode("utf-8", "replace")
                    for name in archive.namelist()
                    if name.endswith(".xml")
                )
        except zipfile.BadZipFile:
            pass
    return data.decode("utf-8", "replace")


def _job_text(job) -> str:
    parts = [
        job.filename,
        json.dumps(job.plan, ensure_ascii=False),
        json.dumps(job.report, ensure_ascii=False),
        job.error,
    ]
    return " ".join(parts).lower()


def _job_quotes(job, identifiers: set[str]) -> bool:
    text = _job_text(job)
    if any(value in text for value in identifiers):
        return True
    content = _file_text(bytes(job.data or b"")).lower()
    return any(value in content for value in identifiers)


def _redact(value, identifiers: set[str]):
    if isinstance(value, str):
        lowered = value.lower()
        for identifier in identifiers:
            start = lowered.find(identifier)
            while start != -1:
                value = value[:start] + "▒" * len(identifier) + value[start + len(identifier) :]
                lowered = value.lower()
                start = lowered.find(identifier)
        return value
    if isinstance(value, list):
        return [_redact(item, identifiers) for item in value]
    if isinstance(value, dict):
        return {
            _redact(key, identifiers): _redact(item, identifiers) for key, item in value.items()
        }
    return value


def _export_job(job) -> dict:
    return {
        _("file name"): job.filename,
        _("imported on"): job.created_at,
        _("kind of records"): job.kind,
        _("status"): job.get_status_display(),
    }


def _erase_job(job, context: ErasureContext) -> Outcome:
    """The import stays in the history, without its file (which quotes other people too, and is
    no longer needed once imported) and with the person's values blotted out of its report."""
    identifiers = _subject_identifiers(context.subject) | {
        value.lower() for value in context.identifiers if value and len(value) >= 5
    }
    job.data = b""
    job.filename = _redact(job.filename, identifiers)
    job.plan = _redact(job.plan, identifiers)
    job.report = _redact(job.report, identifiers)
    job.error = _redact(job.error, identifiers)
    job.save()
    context.forget(job)
    return Outcome.ANONYMIZED


def crm_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource(
            key="crm_blocks.consents",
            label=gettext_lazy("Consents"),
            find=_consents,
            export=_export_consent,
            order=100,
        ),
        PersonalDataSource(
            key="crm_blocks.notes",
            label=gettext_lazy("Timeline notes"),
            find=_notes,
            export=_export_note,
            order=100,
        ),
        PersonalDataSource(
            key="crm_blocks.memberships",
            label=gettext_lazy("Memberships"),
            find=_memberships,
            export=_export_membership,
            erase=_erase_membership,
            outcome=_membership_outcome,
            retention=ACCOUNTING_RETENTION,
            order=100,
        ),
        PersonalDataSource(
            key="crm_blocks.affiliations",
            label=gettext_lazy("Roles in organizations"),
            find=_affiliations,
            export=_export_affiliation,
            order=100,
            unpublish=_unpublish_affiliation,
        ),
        PersonalDataSource(
            key="crm_blocks.member_account",
            label=gettext_lazy("Member-space account"),
            find=_accounts,
            export=_export_account,
            erase=_erase_account,
            identifiers=_account_identifiers,
            order=200,
        ),
        PersonalDataSource(
            key="spreadsheets.import_reports",
            label=gettext_lazy("Spreadsheet imports that quote you"),
            find=_import_jobs,
            export=_export_job,
            erase=_erase_job,
            outcome=lambda job: Outcome.ANONYMIZED,
            order=800,
        ),
        PersonalDataSource(
            key="crm_blocks.record",
            label=gettext_lazy("Your record and public profile"),
            find=contacts_of,
            export=_export_record,
            erase=_erase_record,
            outcome=_record_outcome,
            identifiers=_record_identifiers,
            retention=ACCOUNTING_RETENTION,
            order=900,
            unpublish=_unpublish_record,
        ),
    ]


# --- Retention (``privacy.retention``) ---------------------------------------------------------


def subject_for_contact(contact: Contact) -> DataSubject:
    """The person of one record, as an erasure sees them (even a record without an e-mail)."""
    subject = DataSubject(site=contact.site, email=contact.email or "")
    subject.memo["crm_blocks.contacts"] = [contact]
    return subject


def _inactive_people(site, cutoff):
    """People whose record, pages, memberships and login have not moved since ``cutoff``."""
    recent_pages = PersonPage.objects.filter(
        models.Q(latest_revision_created_at__gte=cutoff) | models.Q(last_published_at__gte=cutoff)
    ).values("translation_key")
    return (
        Contact.objects.filter(
            site=site, kind=Contact.Kind.PERSON, anonymized_at=None, updated_at__lt=cutoff
        )
        .exclude(translation_key__in=recent_pages)
        .exclude(memberships__end_date__gte=cutoff.date())
        .exclude(memberships__end_date=None, memberships__start_date__isnull=False)
        .exclude(member_account__user__last_login__gte=cutoff)
        .distinct()
        .order_by("pk")
    )


def _erase_inactive(site, contacts, now) -> int:
    from privacy.erasure import erase_subject

    for contact in contacts:
        erase_subject(subject_for_contact(contact), by_name=str(_("retention rule")))
    return len(contacts)


def _finished_imports(site, cutoff):
    from spreadsheets.models import ImportJob, ImportJobStatus

    finished = (ImportJobStatus.DONE, ImportJobStatus.FAILED, ImportJobStatus.CANCELLED)
    return ImportJob.objects.filter(site=site, status__in=finished, updated_at__lt=cutoff).order_by(
        "pk"
    )


def _delete_imports(site, jobs, now) -> int:
    from spreadsheets.models import ImportJob

    ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return len(jobs)


def crm_retention_rules():
    from privacy.retention import RetentionRule, RetentionUnit

    return [
        RetentionRule(
            key="crm_blocks.inactive_people",
            label=gettext_lazy(
                "People with no activity (record, page, membership, login), erased with "
                "everything the plugins hold about them"
            ),
            unit=RetentionUnit.YEARS,
            default=None,
            find=_inactive_people,
            describe=str,
            apply=_erase_inactive,
            action=gettext_lazy("erased"),
        ),
        RetentionRule(
            key="spreadsheets.import_reports",
            label=gettext_lazy("Finished spreadsheet imports (their file and report)"),
            unit=RetentionUnit.DAYS,
            default=90,
            find=_finished_imports,
            describe=lambda job: f"{job.filename} ({job.created_at:%Y-%m-%d})",
            apply=_delete_imports,
        ),
    ]
