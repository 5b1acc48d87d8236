"""The privacy part of a demo organization (``load_demo_content``): an open request of access
from one of its people, and an erasure completed with its proof, so that the « Vie privée »
screens show a request to handle and what an erasure leaves behind."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from privacy.handling import request_erase, request_identity_check, request_record
from privacy.models import PrivacyRequest

from .models import Contact, PersonIndexPage, PersonPage

ERASED_NAME = "Gaëlle Fortin"
ERASED_EMAIL = "gaelle.fortin@exemple.org"


def load_demo_privacy(*, site, today: dt.date | None = None, log=None) -> int:
    """Once per organization (a site that has requests is left as it is); returns how many
    requests it recorded."""
    if PrivacyRequest.objects.filter(site=site).exists():
        return 0
    today = today or timezone.localdate()
    person = (
        Contact.objects.filter(site=site, kind=Contact.Kind.PERSON, anonymized_at=None)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    index = PersonIndexPage.objects.filter(path__startswith=site.root_page.path).first()
    if person is None or index is None:
        return 0
    with transaction.atomic():
        access = request_record(
            site=site,
            kind=PrivacyRequest.Kind.ACCESS,
            email=person.email,
            name=str(person),
            channel=PrivacyRequest.Channel.EMAIL,
            details="Je voudrais savoir ce que vous conservez à mon sujet.",
            received_on=today - dt.timedelta(days=5),
        )
        request_identity_check(request=access, how="Courriel reçu de l’adresse au dossier")
        # A former volunteer who asked to be forgotten: recorded, checked, erased.
        page = index.add_child(instance=PersonPage(title=ERASED_NAME, live=False))
        Contact.objects.filter(translation_key=page.translation_key).update(email=ERASED_EMAIL)
        erasure = request_record(
            site=site,
            kind=PrivacyRequest.Kind.ERASURE,
            email=ERASED_EMAIL,
            name=ERASED_NAME,
            channel=PrivacyRequest.Channel.MAIL,
            received_on=today - dt.timedelta(days=12),
            identity_check="Lettre signée, comparée à la fiche d’inscription",
        )
        request_erase(request=erasure)
    if log:
        log(f"“{site.site_name}”: an open request of access and a completed erasure.")
    return 2
