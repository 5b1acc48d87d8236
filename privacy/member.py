"""« My personal information » in the member space (registered with the member space's hooks,
``crm_blocks.member_space``; the views are for the visited organization's members only, with
``request.member_account`` set).

A member downloads a copy of everything the organization holds about them (a request of access
recorded for them, their identity checked by their login, the copy built by the worker), asks
for the erasure of their data (recorded for the person in charge, who confirms it), and follows
their requests. They reach their own requests only; another's answers "not found".
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .handling import RequestError, request_copy_downloaded, request_record
from .models import PrivacyRequest
from .request_views import copy_response
from .tasks import build_copy_task

#: The paths below ``/espace-membre/`` (French, like the member space's own).
DATA_PATH = "mes-renseignements/"
#: What the request's history says of how the identity was checked.
IDENTITY_BY_LOGIN = gettext_lazy("Signed in to their member space")


class ErasureForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "privacy_%s")
        super().__init__(*args, **kwargs)

    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I ask the organization to erase my personal information. I understand that my "
            "member space and my records will be deleted, except what the law requires it to "
            "keep, anonymized."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm your request.")},
    )
    details = forms.CharField(
        label=gettext_lazy("Anything to add (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def member_email(account) -> str:
    return (account.contact.email or account.user.email or "").strip().lower()


def member_requests(account):
    email = member_email(account)
    if not email:
        return PrivacyRequest.objects.none()
    return PrivacyRequest.objects.filter(site=account.site, email__iexact=email)


def _section_context(account, form=None) -> dict:
    requests = list(member_requests(account).order_by("-received_on", "-pk")[:10])
    return {
        "requests": [
            {
                "request": request,
                "download_url": reverse("privacy_member_copy", args=[request.pk])
                if request.export_file
                else "",
            }
            for request in requests
        ],
        "copy_url": reverse("privacy_member_copy_request"),
        "erasure_url": reverse("privacy_member_erasure"),
        "erasure_pending": any(
            request.kind == PrivacyRequest.Kind.ERASURE and request.is_open for request in requests
        ),
        "form": form or ErasureForm(),
    }


def privacy_section(request, account) -> list[dict]:
    """The member's home page: « My personal information », in one query (their requests)."""
    return [
        {
            "title": _("My personal information"),
            "template": "privacy/member/section.html",
            "context": _section_context(account),
        }
    ]


def _record(request, kind: str, details: str = "") -> PrivacyRequest:
    account = request.member_account
    return request_record(
        site=account.site,
        kind=kind,
        email=member_email(account),
        name=str(account.contact),
        language=translation.get_language() or "fr",
        channel=PrivacyRequest.Channel.MEMBER_SPACE,
        details=details,
        identity_check=str(IDENTITY_BY_LOGIN),
        user=request.user,
    )


def copy_request_view(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not member_email(request.member_account):
        messages.error(request, _("Your record has no e-mail address: ask the organization."))
        return redirect("member_space")
    try:
        privacy_request = _record(request, PrivacyRequest.Kind.ACCESS)
    except RequestError as error:
        messages.error(request, error.messages[0])
        return redirect("member_space")
    build_copy_task.enqueue(privacy_request.pk)
    messages.success(
        request,
        _("Your copy is being prepared: it will be offered here for download once ready."),
    )
    return redirect("member_space")


def copy_download_view(request, pk: int):
    privacy_request = get_object_or_404(
        member_requests(request.member_account).exclude(export_file=b""), pk=pk
    )
    request_copy_downloaded(privacy_request, request.user)
    return copy_response(privacy_request)


def erasure_request_view(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ErasureForm(request.POST)
    if not form.is_valid() or not member_email(request.member_account):
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("member_space")
    _record(request, PrivacyRequest.Kind.ERASURE, details=form.cleaned_data["details"])
    messages.success(
        request,
        _(
            "Your request is recorded. The person in charge of personal information will "
            "answer within 30 days."
        ),
    )
    return redirect("member_space")


def privacy_member_urls() -> list:
    return [
        path(f"{DATA_PATH}copie/", copy_request_view, name="privacy_member_copy_request"),
        path(f"{DATA_PATH}copie/<int:pk>/", copy_download_view, name="privacy_member_copy"),
        path(f"{DATA_PATH}effacement/", erasure_request_view, name="privacy_member_erasure"),
    ]
