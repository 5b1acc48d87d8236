"""The published privacy page of each organization (Quebec's Law 25 and the GDPR): the person in
charge of personal information and how to reach them, the purposes asked for consent in their
current words, how long information is kept, the visitor's rights and how to exercise them, and
the processors used. Generated from the visited organization's settings, in the visitor's
language, at ``/confidentialite/`` (French) and ``/en/privacy/`` (English)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.template.response import TemplateResponse
from wagtail.models import Site

from organizations.models import OrganizationLanguage, OrganizationSettings

from .consents import active_purposes
from .models import PrivacySettings
from .retention_periods import retention_periods


@dataclass(frozen=True)
class Authority:
    name: str
    url: str


#: Where a person may complain: Quebec's Commission d'accès à l'information, or France's CNIL.
#: Their official names, the same in every language.
QUEBEC_AUTHORITY = Authority(
    "Commission d’accès à l’information du Québec", "https://www.cai.gouv.qc.ca/"
)
FRANCE_AUTHORITY = Authority(
    "Commission nationale de l’informatique et des libertés (CNIL)", "https://www.cnil.fr/"
)


def supervisory_authority(organization: OrganizationSettings) -> Authority:
    """The CNIL for an organization based in France (its French of France, or a European time
    zone), Quebec's Commission d'accès à l'information otherwise."""
    in_france = organization.language == OrganizationLanguage.FR_FR or (
        organization.time_zone or ""
    ).startswith("Europe/")
    return FRANCE_AUTHORITY if in_france else QUEBEC_AUTHORITY


def privacy_page(request):
    """The visited organization's privacy page (404 outside any organization's site)."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    organization = OrganizationSettings.for_site(site)
    settings = PrivacySettings.for_site(site)
    return TemplateResponse(
        request,
        "privacy/privacy_page.html",
        {
            "privacy": settings,
            "officer_title": settings.officer_title(),
            "extra_text": settings.extra_text(),
            "processors": list(settings.processors.all()),
            "purposes": active_purposes(site),
            "retention_periods": retention_periods(site),
            "authority": supervisory_authority(organization),
        },
    )
