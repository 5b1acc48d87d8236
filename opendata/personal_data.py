"""What the data portal holds about a person, declared to the privacy registry
(``privacy.personal_data``).

- The member's API keys (``ApiKey``, through their member account): their names and when they
  were made, last used and revoked; deleted (before the member account, which the CRM deletes).
- A dataset whose published contact point is the person's e-mail: the dataset is the
  organization's and stays, without its contact point (the page and its revisions).

Who uploaded a dataset's table (``DatasetTable.uploaded_by``) is a staff login, emptied when
that login is deleted; the rows of an uploaded table are the organization's published data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_blocks.personal_data import contacts_of
from organizations.scoping import site_root_pages
from privacy.personal_data import DataSubject, ErasureContext, Outcome, PersonalDataSource

from .models import ApiKey, DatasetPage

#: The dataset fields that name its contact point.
CONTACT_FIELDS = ("contact_name", "contact_email")


def _api_keys(subject: DataSubject):
    return ApiKey.objects.filter(
        account__site=subject.site, account__contact__in=contacts_of(subject)
    ).order_by("created_at", "pk")


def _export_api_key(key: ApiKey) -> dict:
    return {
        _("name"): key.name,
        _("key"): f"{key.prefix}…",
        _("created on"): key.created_at,
        _("last used on"): key.last_used_at,
        _("revoked on"): key.revoked_at,
    }


def _contact_points(subject: DataSubject):
    if not subject.email:
        return DatasetPage.objects.none()
    within = models.Q()
    for path in site_root_pages(subject.site).values_list("path", flat=True):
        within |= models.Q(path__startswith=path)
    return DatasetPage.objects.filter(within, contact_email__iexact=subject.email).order_by("pk")


def _export_contact_point(page: DatasetPage) -> dict:
    return {
        _("dataset"): page.title,
        _("contact point"): page.contact_name,
        _("contact e-mail"): page.contact_email,
    }


def _erase_contact_point(page: DatasetPage, context: ErasureContext) -> Outcome:
    """The dataset stays, published as it was, without its contact point; so do its versions."""
    blanks = dict.fromkeys(CONTACT_FIELDS, "")
    DatasetPage.objects.filter(pk=page.pk).update(**blanks)
    for revision in page.revisions.all():
        if any(revision.content.get(name) for name in CONTACT_FIELDS):
            revision.content.update(blanks)
            revision.save(update_fields=["content"])
    return Outcome.ANONYMIZED


def opendata_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource(
            key="opendata.api_keys",
            label=gettext_lazy("Your API keys"),
            find=_api_keys,
            export=_export_api_key,
            order=150,
        ),
        PersonalDataSource(
            key="opendata.contact_points",
            label=gettext_lazy("Datasets that give you as their contact point"),
            find=_contact_points,
            export=_export_contact_point,
            erase=_erase_contact_point,
            outcome=lambda page: Outcome.ANONYMIZED,
            identifiers=lambda page: (page.contact_name,),
            order=300,
        ),
    ]


# --- Retention (``privacy.retention``) ---------------------------------------------------------


def _revoked_keys(site, cutoff):
    return ApiKey.objects.filter(account__site=site, revoked_at__lt=cutoff).order_by("pk")


def _delete_keys(site, keys, now) -> int:
    ApiKey.objects.filter(pk__in=[key.pk for key in keys]).delete()
    return len(keys)


def opendata_retention_rules():
    from privacy.retention import RetentionRule, RetentionUnit

    return [
        RetentionRule(
            key="opendata.revoked_api_keys",
            label=gettext_lazy("Revoked API keys"),
            unit=RetentionUnit.DAYS,
            default=30,
            find=_revoked_keys,
            describe=lambda key: f"{key.prefix}… ({key.revoked_at:%Y-%m-%d})",
            apply=_delete_keys,
        )
    ]
