"""The admin's screens for requests about personal information (« Demandes »).

The listing and the form come from the viewset (``privacy.request_viewsets``); a request is
handled on its own screen: its details and history, then the steps its kind calls for — check
the identity, prepare and download the copy, review then confirm the erasure (what will be
deleted, anonymized and kept, and why), stop the dissemination, complete or refuse with an
answer. Every screen is for the people in charge of the request's organization
(``privacy.manage_privacy`` through one of its groups); another organization's request is
"not found".
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from organizations.permissions import site_ids_with_permissions

from .erasure import erasure_plan
from .handling import (
    COPY_KINDS,
    RequestError,
    request_close,
    request_copy_check,
    request_copy_downloaded,
    request_erase,
    request_identity_check,
    request_stop_dissemination,
    subject_of,
)
from .models import PrivacyRequest
from .tasks import build_copy_task

MANAGE = "privacy.manage_privacy"
URL_NAMESPACE = "privacy_request"


def request_url(name: str, request: PrivacyRequest) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", args=[request.pk])


def managed_requests(user):
    """The requests of the organizations where ``user`` is in charge of privacy."""
    if user.is_superuser:
        return PrivacyRequest.objects.all()
    return PrivacyRequest.objects.filter(site_id__in=site_ids_with_permissions(user, [MANAGE]))


class IdentityForm(forms.Form):
    how = forms.CharField(
        label=gettext_lazy("How was the identity checked?"),
        max_length=255,
        help_text=gettext_lazy(
            "For example: photo ID shown at the desk; answer from the address on file."
        ),
    )


class CloseForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer given to the person"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("Required to refuse: the person is told the reasons."),
    )


class RequestViewMixin(WagtailAdminTemplateMixin):
    header_icon = "lock"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.is_authenticated:
            raise PermissionDenied
        self.privacy_request = get_object_or_404(
            managed_requests(request.user).select_related("site"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self):
        return str(self.privacy_request)

    def back(self):
        return redirect(request_url("handle", self.privacy_request))

    def failed(self, error: RequestError):
        for message in error.messages:
            messages.error(self.request, message)
        return self.back()


class RequestHandleView(RequestViewMixin, View):
    template_name = "privacy/admin/request_handle.html"
    page_title = gettext_lazy("Request about personal information")

    @cached_property
    def steps(self) -> dict:
        request = self.privacy_request
        return {
            "identity": request.is_open and not request.identity_checked,
            "copy": request.is_open and request.identity_checked and request.kind in COPY_KINDS,
            "erase": request.is_open
            and request.identity_checked
            and request.kind == PrivacyRequest.Kind.ERASURE,
            "stop": request.is_open
            and request.identity_checked
            and request.kind == PrivacyRequest.Kind.CESSATION,
            "close": request.is_open,
        }

    def get(self, request, *args, **kwargs):
        privacy_request = self.privacy_request
        context = self.get_context_data(
            privacy_request=privacy_request,
            events=privacy_request.events.select_related("user"),
            proofs=privacy_request.erasure_proofs.all(),
            steps=self.steps,
            identity_form=IdentityForm(),
            close_form=CloseForm(initial={"answer": privacy_request.answer}),
            edit_url=reverse(f"{URL_NAMESPACE}:edit", args=[privacy_request.pk]),
            urls={
                name: request_url(name, privacy_request)
                for name in ("identity", "copy", "download", "erase", "stop", "close")
            },
        )
        return self.render_to_response(context)


class RequestPostView(RequestViewMixin, View):
    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])


class IdentityView(RequestPostView):
    def post(self, request, *args, **kwargs):
        form = IdentityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say how the identity was checked."))
            return self.back()
        try:
            request_identity_check(
                request=self.privacy_request, how=form.cleaned_data["how"], user=request.user
            )
        except RequestError as error:
            return self.failed(error)
        messages.success(request, _("The identity check is recorded."))
        return self.back()


class CopyView(RequestPostView):
    def post(self, request, *args, **kwargs):
        try:
            request_copy_check(self.privacy_request)
        except RequestError as error:
            return self.failed(error)
        build_copy_task.enqueue(self.privacy_request.pk)
        messages.success(
            request,
            _("The copy is being prepared: it can be downloaded from this screen once ready."),
        )
        return self.back()


def copy_filename(privacy_request: PrivacyRequest) -> str:
    return f"renseignements-personnels-{privacy_request.pk}-{privacy_request.received_on}.zip"


def copy_response(privacy_request: PrivacyRequest) -> HttpResponse:
    response = HttpResponse(bytes(privacy_request.export_file), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=copy_filename(privacy_request)
    )
    response["Cache-Control"] = "private, no-store"
    return response


class DownloadView(RequestViewMixin, View):
    def get(self, request, *args, **kwargs):
        privacy_request = self.privacy_request
        if not privacy_request.export_file:
            messages.error(request, _("The copy is not ready yet."))
            return self.back()
        request_copy_downloaded(privacy_request, request.user)
        return copy_response(privacy_request)


class EraseView(RequestViewMixin, View):
    """GET: what the erasure will do; POST: do it."""

    template_name = "privacy/admin/request_erase.html"
    page_title = gettext_lazy("Erase the person's data")

    def get(self, request, *args, **kwargs):
        privacy_request = self.privacy_request
        if privacy_request.kind != PrivacyRequest.Kind.ERASURE or not privacy_request.is_open:
            return self.back()
        context = self.get_context_data(
            privacy_request=privacy_request,
            plan=erasure_plan(subject_of(privacy_request)),
            handle_url=request_url("handle", privacy_request),
            erase_url=request_url("erase", privacy_request),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        try:
            proof = request_erase(request=self.privacy_request, user=request.user)
        except RequestError as error:
            return self.failed(error)
        messages.success(
            request,
            _("The person's data are erased. Proof reference: %(reference)s")
            % {"reference": proof.reference},
        )
        return self.back()


class StopView(RequestPostView):
    def post(self, request, *args, **kwargs):
        try:
            withdrawn = request_stop_dissemination(request=self.privacy_request, user=request.user)
        except RequestError as error:
            return self.failed(error)
        messages.success(
            request,
            _("Dissemination stopped: %(count)d public item(s) withdrawn; the records are kept.")
            % {"count": withdrawn},
        )
        return self.back()


class CloseView(RequestPostView):
    def post(self, request, *args, **kwargs):
        form = CloseForm(request.POST)
        form.is_valid()
        refused = request.POST.get("action") == "refuse"
        try:
            request_close(
                request=self.privacy_request,
                refused=refused,
                answer=form.cleaned_data.get("answer", ""),
                user=request.user,
            )
        except RequestError as error:
            return self.failed(error)
        messages.success(
            request, _("The request is refused.") if refused else _("The request is completed.")
        )
        return self.back()
