"""« My API keys » in the member space (``crm_blocks.member_space``): a member lists their
keys, makes one (shown once, with how to send it) and revokes one.

Keys are made only while the membership is current; when it has ended, the member still sees
their keys, marked inactive, and is told why. A member reaches their own keys only: another
member's key answers "not found". The views are mounted below ``/espace-membre/`` by
``register_member_space_urls``: members of the visited organization only, never cached.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crm_blocks.members import is_current_member
from organizations.models import OrganizationSettings

from .apikeys import NAME_MAX_LENGTH, ApiKeyError, api_key_create, api_key_revoke
from .models import ApiKey

#: The paths below ``/espace-membre/`` (French, like the member space's own).
KEYS_PATH = "cles-api/"


class ApiKeyForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Its own ids: other sections of the member's home page have forms too.
        kwargs.setdefault("auto_id", "api_key_%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(
        label=gettext_lazy("Name of the key"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy(
            "Where you use it, to tell your keys apart: “Office spreadsheet”, “Partners’ website”."
        ),
    )


class KeyState:
    ACTIVE = "active"
    INACTIVE = "inactive"
    REVOKED = "revoked"

    LABELS = {
        # In context: a key (« clé ») is feminine in French.
        ACTIVE: pgettext_lazy("API key state", "Active"),
        INACTIVE: pgettext_lazy("API key state", "Inactive (membership ended)"),
        REVOKED: pgettext_lazy("API key state", "Revoked"),
    }


def key_state(key: ApiKey, current_member: bool) -> str:
    """Whether ``key`` works: revoked, inactive while its member's membership is not current,
    active otherwise."""
    if key.revoked_at is not None:
        return KeyState.REVOKED
    return KeyState.ACTIVE if current_member else KeyState.INACTIVE


def _keys_context(account, current_member: bool, form=None) -> dict:
    """What the section and the keys page show: the member's keys, the latest first."""
    keys = list(account.api_keys.order_by("-created_at", "-pk"))
    return {
        "keys": [
            {
                "key": key,
                "state": key_state(key, current_member),
                "state_label": KeyState.LABELS[key_state(key, current_member)],
                "revoke_url": reverse("opendata_member_key_revoke", args=[key.pk]),
            }
            for key in keys
        ],
        "current_member": current_member,
        "form": form or ApiKeyForm(),
        "create_url": reverse("opendata_member_keys"),
        "time_zone": OrganizationSettings.for_site(account.site).time_zone or "UTC",
    }


def api_keys_section(request, account) -> list[dict]:
    """The member's home page: « My API keys », in three queries (the membership, the keys,
    nothing else)."""
    current_member = is_current_member(account.contact, account.site)
    return [
        {
            "title": _("My API keys"),
            "template": "opendata/member/section_keys.html",
            "context": _keys_context(account, current_member),
        }
    ]


def usage_context(request, secret: str) -> dict:
    """How to send the key: the addresses of both APIs on this organization's host."""
    return {
        "explore_url": request.build_absolute_uri("/api/explore/v2.1/catalog/datasets"),
        "ckan_url": request.build_absolute_uri("/api/3/action/package_list"),
        "secret": secret,
    }


def api_keys_view(request):
    """GET: the member's keys and the form to make one. POST: make it, and show it once."""
    account = request.member_account
    current_member = is_current_member(account.contact, account.site)
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                key, secret = api_key_create(
                    account=account, name=form.cleaned_data["name"], user=request.user
                )
            except ApiKeyError as error:
                form.add_error(None, error)
            else:
                context = {"key": key, **usage_context(request, secret)}
                return TemplateResponse(request, "opendata/member/key_created.html", context)
        status = 403 if not current_member else 400
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"account": account, "section": _keys_context(account, current_member, form)}
    return TemplateResponse(request, "opendata/member/keys.html", context, status=status)


def api_key_revoke_view(request, pk: int):
    """POST: the member's own key stops working (another's answers "not found")."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    key = get_object_or_404(ApiKey, pk=pk, account=request.member_account)
    if api_key_revoke(key=key, user=request.user):
        messages.success(
            request,
            _("The key %(prefix)s no longer works.") % {"prefix": str(key)},
        )
    return redirect("opendata_member_keys")


def member_api_key_urls() -> list:
    return [
        path(KEYS_PATH, api_keys_view, name="opendata_member_keys"),
        path(
            f"{KEYS_PATH}<int:pk>/revoquer/", api_key_revoke_view, name="opendata_member_key_revoke"
        ),
    ]
