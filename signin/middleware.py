"""The admin's door: a second factor before any admin page, and admin sessions that end.

``TwoFactorMiddleware`` (after django-otp's ``OTPMiddleware``): a signed-in user on an admin
address who has not passed a second factor in this session is sent to the code page if they
have a device, to the enrolment page if they must have one (``signin.policy``), and let through
otherwise (editors who chose not to enrol). The login and logout pages, Wagtail's translated
JavaScript strings and icons, and the sign-in pages themselves stay open. Nothing outside the
admin is concerned: public pages, the member space and API keys work as before.

``AdminSessionExpiryMiddleware``: a session that reaches the admin ends after
``SIGNIN_ADMIN_IDLE_SECONDS`` without a request and ``SIGNIN_ADMIN_SESSION_SECONDS`` after it
began (0: no limit); the user is logged out and sent to the login page with a message.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .policy import has_device, two_factor_required

#: Admin URL names that a user who has not passed the second factor may still open.
OPEN_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",  # the icons every admin page fetches, the sign-in pages' too
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "signin_verify",
        "signin_enrol",
    }
)

#: Session keys: when the admin session began, and when it was last seen (seconds).
STARTED_KEY = "signin_admin_started"
SEEN_KEY = "signin_admin_seen"
#: The last-seen time is written at most this often (a write of the session each time).
SEEN_GRANULARITY = 60


def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(request) -> bool:
    return request.path_info.startswith(admin_prefix())


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_admin_path(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        if user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()})
        if has_device(user):
            return redirect(f"{reverse('signin_verify')}?{query}")
        if two_factor_required(user):
            return redirect(f"{reverse('signin_enrol')}?{query}")
        return None


class AdminSessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expired = self.expired(request)
        if expired:
            path = request.get_full_path()
            logout(request)
            messages.info(request, expired)
            return redirect_to_login(path, reverse("wagtailadmin_login"))
        return self.get_response(request)

    def expired(self, request) -> str:
        """The message saying why this admin session ends now, or ``""``."""
        idle = getattr(settings, "SIGNIN_ADMIN_IDLE_SECONDS", 0)
        absolute = getattr(settings, "SIGNIN_ADMIN_SESSION_SECONDS", 0)
        user = getattr(request, "user", None)
        if not (idle or absolute) or user is None or not user.is_authenticated:
            return ""
        if not is_admin_path(request):
            return ""
        now = int(time.time())
        session = request.session
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        if started is None:
            session[STARTED_KEY] = session[SEEN_KEY] = now
            return ""
        if absolute and now - started >= absolute:
            return _("Your admin session has reached its time limit: please sign in again.")
        if idle and seen is not None and now - seen >= idle:
            minutes = max(1, round(idle / 60))
            return ngettext(
                "Your admin session has ended after %(minutes)s minute without activity: "
                "please sign in again.",
                "Your admin session has ended after %(minutes)s minutes without activity: "
                "please sign in again.",
                minutes,
            ) % {"minutes": minutes}
        if seen is None or now - seen >= SEEN_GRANULARITY:
            session[SEEN_KEY] = now
        return ""
