"""What django-axes answers to a locked-out login, and the client address it counts.

The answer is a page in the request's language (French first) saying how long to wait, with
HTTP 429; the admin's login form and the member space's get the same page. The wait counts from
the last failure (``AXES_COOLOFF_TIME``).
"""

from __future__ import annotations

import datetime as dt
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def client_address(request) -> str:
    """The client's address: a header the reverse proxy writes (``SIGNIN_CLIENT_HEADER``, or
    the member space's ``MEMBER_SPACE_CLIENT_HEADER``), else the connection's own."""
    header = getattr(settings, "SIGNIN_CLIENT_HEADER", "") or getattr(
        settings, "MEMBER_SPACE_CLIENT_HEADER", ""
    )
    address = request.META.get(header, "") if header else ""
    return (address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", ""))[:64]


def retry_minutes(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts. For your security, this account is locked from "
        "here for %(minutes)s minute: try again after that, or ask for a new password.",
        "Too many failed sign-in attempts. For your security, this account is locked from "
        "here for %(minutes)s minutes: try again after that, or ask for a new password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    minutes = retry_minutes(request)
    retry_at = timezone.localtime(timezone.now() + dt.timedelta(minutes=minutes))
    message = lockout_message(minutes)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    # Rendered now: django-axes hands it out after the view's response was rendered.
    response = render(
        request,
        "signin/lockout.html",
        {"message": message, "minutes": minutes, "retry_at": retry_at},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    response["Cache-Control"] = "no-store"
    return response
