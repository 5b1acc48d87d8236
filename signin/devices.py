"""A user's devices: the authenticator app (TOTP, RFC 6238) and the recovery codes.

- ``pending_device``: the app being enrolled, its key kept in the session (nothing is saved
  until a first code checks out), the same however often the enrolment page is reloaded;
- ``confirm``: the first code confirms it and makes ``RECOVERY_CODES`` recovery codes, each good
  once, shown to the user once (django-otp stores them as they are: each is worth one second
  factor, after the password, never a sign-in alone);
- ``check_code``: which device accepts a code (six digits: the app; anything else: a recovery
  code, spent by the check), with django-otp's throttling: after a failure each further try
  waits twice as long;
- ``reset``: staff remove a colleague's devices (lost phone); logged in Wagtail's history.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from wagtail.log_actions import log

RECOVERY_CODES = 10
APP_CODE = re.compile(r"^\d{6}$")
#: The session key of the key of the app being enrolled.
PENDING_KEY = "signin_pending_key"


def pending_device(request) -> TOTPDevice:
    """The app being enrolled, not saved: its key waits in the session until a first code
    checks out, the same however often the page is reloaded, and nothing is written before."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = random_hex(20)
    return TOTPDevice(user=request.user, name=_("Authenticator app"), key=key, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, as authenticator apps ask for it."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an inline SVG QR code: made here, no image from elsewhere."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ``RECOVERY_CODES`` new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Save ``device`` once its first ``code`` checks out: the recovery codes, or None."""
    if not APP_CODE.match(code):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=device.tolerance):
        return None
    # The request's user is a lazy object, which Wagtail's log does not recognise as a user.
    user = get_user_model()._default_manager.get(pk=request.user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    device.user = user
    device.confirmed = True
    device.last_t = totp.t()  # this code cannot sign in again
    device.drift = totp.drift
    device.save()
    request.session.pop(PENDING_KEY, None)
    log(instance=user, action="signin.enrol", user=user)
    return new_recovery_codes(user)


def check_code(user, code: str):
    """``(device, throttled)``: the confirmed device that accepts ``code``, if any, and
    whether a device refused to check it yet (too many failures lately)."""
    model = TOTPDevice if APP_CODE.match(code) else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in model.objects.filter(user=user, confirmed=True).select_for_update():
            allowed, _data = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                return device, False
    return None, throttled


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset(user, by) -> int:
    """Remove every device of ``user``; they enrol again at their next sign-in if required."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    log(instance=user, action="signin.reset", user=by)
    return removed
