"""Who must sign in with a second factor, and whether they have one.

``SIGNIN_2FA_REQUIRED_ROLES`` lists ``"superusers"`` and organization role codes
(``OrganizationRole``): a user in the group of one of these roles, in any organization, must
enrol a device before the admin opens. Anyone else may enrol (from their account page); whoever
has a confirmed device is asked for a code before any admin page, required or not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

SUPERUSERS = "superusers"


def required_roles() -> list[str]:
    return list(getattr(settings, "SIGNIN_2FA_REQUIRED_ROLES", []) or [])


def two_factor_required(user) -> bool:
    """Whether ``user`` may not reach the admin without a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = required_roles()
    if not roles:
        return False
    if user.is_superuser and SUPERUSERS in roles:
        return True
    codes = [role for role in roles if role != SUPERUSERS]
    return bool(codes) and user.groups.filter(organization_role__role__in=codes).exists()


def device_cache_key(user) -> str:
    """Per user, and per account: a user id that comes back (SQLite reuses the highest id
    after a deletion) names another account, whose answer is not this one's."""
    joined = user.date_joined.timestamp() if getattr(user, "date_joined", None) else 0
    return f"signin:has-device:{user.pk}:{joined}"


def has_device(user) -> bool:
    """Whether ``user`` has a confirmed device (an app's codes; recovery codes come with it).

    Asked on every admin request: kept in the shared cache, forgotten whenever a device of the
    user is saved or deleted (``signin.signals``), so that it costs no query."""
    key = device_cache_key(user)
    known = cache.get(key)
    if known is None:
        known = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        cache.set(key, known, timeout=24 * 60 * 60)
    return known
