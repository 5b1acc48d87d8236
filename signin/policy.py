"""Who must sign in with a second factor, and whether they have one.

``SIGNIN_2FA_REQUIRED_ROLES`` lists ``"superusers"`` and organization role codes
(``OrganizationRole``): a user in the group of one of these roles, in any organization, must
enrol a device before the admin opens. Anyone else may enrol (from their account page); whoever
has a confirmed device is asked for a code before any admin page, required or not.
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

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


def has_device(user) -> bool:
    """Whether ``user`` has a confirmed device (an app's codes)."""
    return user_has_device(user, confirmed=True)
