"""The sign-in pages under the admin: enrolment, the code page, recovery codes, and staff
resetting a colleague's second factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from . import devices
from .forms import CodeForm
from .policy import has_device, two_factor_required


def next_url(request) -> str:
    """``next`` if it is an address of this site, else the admin's home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    """Enrol an authenticator app: QR code and key, then a first code; the recovery codes are
    shown once, on the answer to that code."""
    user = request.user
    target = next_url(request)
    if has_device(user):
        return redirect(target if user.is_verified() else reverse("signin_verify"))
    device = devices.pending_device(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = devices.confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return TemplateResponse(
                request,
                "signin/recovery_codes.html",
                {"codes": codes, "next": target, "first_time": True},
            )
        form.add_error(
            "code",
            _(
                "This code does not match. Check the time of your phone, and type the code the "
                "app shows now."
            ),
        )
    return TemplateResponse(
        request,
        "signin/enrol.html",
        {
            "form": form,
            "qr_code": devices.qr_code_svg(device),
            "secret": devices.secret_text(device),
            "required": two_factor_required(user),
            "next": target,
        },
    )


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The code page, before any admin page, for whoever has a device."""
    user = request.user
    target = next_url(request)
    if user.is_verified() or not has_device(user):
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = devices.check_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = devices.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)s is left. Make new ones from your "
                        "account page.",
                        "You used a recovery code: %(count)s are left. Make new ones from your "
                        "account page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(target)
        if throttled:
            form.add_error("code", _("Too many wrong codes lately: wait a minute, then try again."))
        else:
            form.add_error("code", _("This code does not work. Try the one the app shows now."))
    return TemplateResponse(request, "signin/verify.html", {"form": form, "next": target})


@never_cache
def manage(request):
    """The account's second factor: enrol, or make new recovery codes."""
    user = request.user
    if not has_device(user):
        return redirect(reverse("signin_enrol") + "?next=" + reverse("signin_manage"))
    if request.method == "POST":
        codes = devices.new_recovery_codes(user)
        return TemplateResponse(
            request,
            "signin/recovery_codes.html",
            {"codes": codes, "next": reverse("signin_manage"), "first_time": False},
        )
    return TemplateResponse(
        request,
        "signin/manage.html",
        {
            "remaining": devices.remaining_recovery_codes(user),
            "header_title": _("Two-step sign-in"),
            "header_icon": "key",
        },
    )


def can_reset(by, user) -> bool:
    """Superusers reset anyone's second factor; user managers, anyone's but a superuser's."""
    if by.pk == user.pk:
        return False
    if by.is_superuser:
        return True
    return by.has_perm("auth.change_user") and not user.is_superuser


def reset(request, user_id):
    """Remove a colleague's devices (a lost phone): they enrol again at their next sign-in.

    Who may not reset anyone is refused before the id is read: the answer says nothing of
    which ids exist."""
    if not (request.user.is_superuser or request.user.has_perm("auth.change_user")):
        raise PermissionDenied
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not can_reset(request.user, user):
        raise PermissionDenied
    if request.method == "POST":
        devices.reset(user, by=request.user)
        messages.success(
            request,
            _(
                "The second factor of %(user)s was removed: they will enrol a new device at their "
                "next sign-in."
            )
            % {"user": user.get_full_name() or user.get_username()},
        )
        return redirect("wagtailusers_users:index")
    return TemplateResponse(
        request,
        "signin/reset_confirm.html",
        {
            "target": user,
            "has_device": has_device(user),
            "header_title": _("Reset two-step sign-in"),
            "header_icon": "key",
        },
    )
