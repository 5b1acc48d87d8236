"""Handling a person's request, step by step: record it, check who asks, build their copy, erase,
stop disseminating, complete or refuse — each step in the request's history.

Staff act from the admin (``privacy.request_views``), members from their member space; both go
through these functions, which check the order of the steps (no copy, no erasure before the
identity is checked) and say what is wrong in the user's language (``RequestError``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .erasure import erase_subject
from .models import ErasureProof, PrivacyRequest, PrivacyRequestEvent
from .personal_data import DataSubject, dissemination_stop
from .portability import export_subject

Action = PrivacyRequestEvent.Action
Kind = PrivacyRequest.Kind
Status = PrivacyRequest.Status

#: Kinds whose answer is a copy of the data.
COPY_KINDS = (Kind.ACCESS, Kind.PORTABILITY)


class RequestError(ValidationError):
    """A step that cannot be taken now; its message says why, in the user's language."""


def _event(request: PrivacyRequest, action: str, user=None) -> None:
    PrivacyRequestEvent.objects.create(
        request=request, action=action, user=user if getattr(user, "pk", None) else None
    )


def subject_of(request: PrivacyRequest) -> DataSubject:
    return DataSubject(site=request.site, email=request.email)


def _require_open(request: PrivacyRequest) -> None:
    if not request.is_open:
        raise RequestError(_("This request is closed."))


def _require_identity(request: PrivacyRequest) -> None:
    if not request.identity_checked:
        raise RequestError(_("Check the person's identity first."))


@transaction.atomic
def request_record(
    *,
    site,
    kind: str,
    email: str,
    name: str = "",
    language: str = "fr",
    channel: str = PrivacyRequest.Channel.EMAIL,
    details: str = "",
    received_on: datetime.date | None = None,
    identity_check: str = "",
    user=None,
) -> PrivacyRequest:
    """A new request; with ``identity_check`` (how the identity was checked), already checked."""
    request = PrivacyRequest(
        site=site,
        kind=kind,
        email=(email or "").strip().lower(),
        name=name,
        language=language,
        channel=channel,
        details=details,
        received_on=received_on or timezone.localdate(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    request.full_clean(exclude=["due_on"])
    request.save()
    _event(request, Action.RECORDED, user)
    if identity_check:
        request_identity_check(request=request, how=identity_check, user=user)
    return request


@transaction.atomic
def request_identity_check(*, request: PrivacyRequest, how: str, user=None) -> PrivacyRequest:
    _require_open(request)
    how = (how or "").strip()
    if not how:
        raise RequestError(_("Say how the identity was checked."))
    request.identity_check = how
    request.identity_checked_at = timezone.now()
    request.identity_checked_by = user if getattr(user, "pk", None) else None
    if request.status == Status.RECEIVED:
        request.status = Status.IN_PROGRESS
    request.save()
    _event(request, Action.IDENTITY_CHECKED, user)
    return request


def request_copy_check(request: PrivacyRequest) -> None:
    """Why the copy cannot be built now (raises), if it cannot."""
    _require_open(request)
    _require_identity(request)
    if request.kind not in COPY_KINDS:
        raise RequestError(_("Only a request of access or portability gets a copy of the data."))


def request_copy_build(request: PrivacyRequest) -> PrivacyRequest:
    """Build the person's copy (the worker's task calls this) and keep it with the request."""
    request_copy_check(request)
    data = export_subject(subject_of(request), language=request.language)
    with transaction.atomic():
        request.export_file = data
        request.export_built_at = timezone.now()
        request.save(update_fields=["export_file", "export_built_at"])
        _event(request, Action.EXPORT_BUILT)
    return request


def request_copy_downloaded(request: PrivacyRequest, user=None) -> None:
    request.export_downloaded_at = timezone.now()
    request.save(update_fields=["export_downloaded_at"])
    _event(request, Action.EXPORT_DOWNLOADED, user)


def request_erase(*, request: PrivacyRequest, user=None) -> ErasureProof:
    """Erase the person's data (the request itself keeps only the reference) and complete it."""
    _require_open(request)
    _require_identity(request)
    if request.kind != Kind.ERASURE:
        raise RequestError(_("Only a request of erasure erases the person's data."))
    with transaction.atomic():
        proof = erase_subject(subject_of(request), user=user, request=request)
        request.refresh_from_db()
        request.status = Status.COMPLETED
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at"])
        _event(request, Action.COMPLETED, user)
    return proof


@transaction.atomic
def request_stop_dissemination(*, request: PrivacyRequest, user=None) -> int:
    """Unpublish everything the registered sources publish about the person (their pages,
    credits, listings), keeping the records; returns how many items were withdrawn."""
    _require_open(request)
    _require_identity(request)
    if request.kind != Kind.CESSATION:
        raise RequestError(_("Only a request of cessation of dissemination stops it."))
    withdrawn = dissemination_stop(subject_of(request), user=user)
    _event(request, Action.DISSEMINATION_STOPPED, user)
    return withdrawn


@transaction.atomic
def request_close(*, request: PrivacyRequest, refused: bool, answer: str, user=None):
    """Complete or refuse the request with the answer given to the person (required to
    refuse: the law asks for reasons)."""
    _require_open(request)
    answer = (answer or "").strip()
    if refused and not answer:
        raise RequestError(_("Give the reasons of the refusal: the person is told them."))
    request.answer = answer
    request.status = Status.REFUSED if refused else Status.COMPLETED
    request.completed_at = timezone.now()
    request.save(update_fields=["answer", "status", "completed_at"])
    _event(request, Action.REFUSED if refused else Action.COMPLETED, user)
    return request
