"""What the cinema network holds about a person, declared to the privacy registry
(``privacy.personal_data``).

- The distributors' contacts (``DistributorContact``) listed under the person's e-mail in the
  members' directory: name, role, e-mail, phone and the consent they gave; deleted.
- The film credits (director, actor) that point to the person's record page: the record's
  erasure deletes the page, which would leave an empty credit on the film; the credit goes
  first, from the film and from its revisions. The film stays.

A cinema's profile (``CinemaProfile``: classification, labels, screens, seats) describes a
cinema, not a person: nothing to declare.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_blocks.personal_data import person_pages_of
from events.personal_data import drop_children_from_revisions
from organizations.scoping import site_root_pages
from privacy.personal_data import DataSubject, ErasureContext, Outcome, PersonalDataSource

from .models import DistributorContact, FilmCredit


def _distributor_contacts(subject: DataSubject):
    if not subject.email:
        return DistributorContact.objects.none()
    return (
        DistributorContact.objects.filter(site=subject.site, email__iexact=subject.email)
        .select_related("distributor")
        .order_by("pk")
    )


def _export_distributor_contact(contact: DistributorContact) -> dict:
    return {
        _("distributor"): contact.distributor.title,
        _("name"): contact.name,
        _("role"): contact.role,
        _("territory"): contact.territory,
        _("e-mail"): contact.email,
        _("phone"): contact.phone,
        _("validated on"): contact.validated_at,
        _("consent given on"): contact.consent_at,
        _("consent"): contact.consent_text,
    }


def _credits(subject: DataSubject):
    pages = [page.pk for page in person_pages_of(subject)]
    if not pages:
        return FilmCredit.objects.none()
    within = models.Q()
    for path in site_root_pages(subject.site).values_list("path", flat=True):
        within |= models.Q(film__path__startswith=path)
    return (
        FilmCredit.objects.filter(within, person_id__in=pages)
        .select_related("film")
        .order_by("film__title", "pk")
    )


def _export_credit(credit: FilmCredit) -> dict:
    return {
        _("film"): credit.film.title,
        _("role"): credit.get_role_display(),
        _("character"): credit.character,
    }


def _erase_credit(credit: FilmCredit, context: ErasureContext) -> Outcome:
    drop_children_from_revisions(credit.film, "credits", credit)
    context.forget(credit)
    credit.delete()
    return Outcome.DELETED


def films_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource(
            key="films.distributor_contacts",
            label=gettext_lazy("Your listing as a distributor's contact"),
            find=_distributor_contacts,
            export=_export_distributor_contact,
            identifiers=lambda contact: (contact.name, contact.phone),
            order=300,
        ),
        PersonalDataSource(
            key="films.credits",
            label=gettext_lazy("Your film credits"),
            find=_credits,
            export=_export_credit,
            erase=_erase_credit,
            order=300,
        ),
    ]
