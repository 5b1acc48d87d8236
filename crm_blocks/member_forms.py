"""The member space's forms: logging in (members of the visited organization only, failures
counted), and asking for a new password link.

Failed logins are counted in the default cache, per login and organization and per client
address, for ``MEMBER_LOGIN_LOCKOUT_SECONDS`` (15 minutes): past ``MEMBER_LOGIN_FAILURES``
(10) for one login, or ``MEMBER_LOGIN_FAILURES_PER_ADDRESS`` (50) from one address, the form
refuses to check passwords until the time has passed. Behind a reverse proxy, set
``MEMBER_SPACE_CLIENT_HEADER`` to the header it writes the client's address in
(``HTTP_X_REAL_IP``); by default the connection's own address counts.
"""

from __future__ import annotations

import hashlib
import math

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .member_space import request_site
from .members import send_password_link
from .models import MemberAccount

#: Password links sent to one member in an hour at most, whoever asks for them.
RESET_LINKS_PER_HOUR = 3


def login_failures_allowed() -> int:
    return getattr(settings, "MEMBER_LOGIN_FAILURES", 10)


def address_failures_allowed() -> int:
    return getattr(settings, "MEMBER_LOGIN_FAILURES_PER_ADDRESS", 50)


def lockout_seconds() -> int:
    return getattr(settings, "MEMBER_LOGIN_LOCKOUT_SECONDS", 15 * 60)


def client_address(request) -> str:
    header = getattr(settings, "MEMBER_SPACE_CLIENT_HEADER", "")
    address = request.META.get(header, "") if header else ""
    return (address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", ""))[:64]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _count(key: str, timeout: int) -> None:
    if not cache.add(key, 1, timeout=timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=timeout)


class MemberLoginForm(AuthenticationForm):
    """Django's login form, for the members of the organization being visited: anyone else
    (another organization's member, staff without an account here) is told, like someone who
    typed a wrong password, that the e-mail or password is wrong."""

    username = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "This e-mail and password do not open a member space here. Check them, or ask "
            "for a new password."
        ),
        "inactive": _("This account is inactive."),
    }

    def _keys(self) -> tuple[str, str]:
        site = request_site(self.request)
        login = (self.data.get(self.add_prefix("username")) or "").strip().lower()
        return (
            f"member-login:{getattr(site, 'pk', 0)}:{_digest(login)}",
            f"member-login-address:{_digest(client_address(self.request))}",
        )

    @property
    def throttled(self) -> bool:
        """Too many failures lately, for this login or from this address."""
        login_key, address_key = self._keys()
        return (
            cache.get(login_key, 0) >= login_failures_allowed()
            or cache.get(address_key, 0) >= address_failures_allowed()
        )

    def clean_username(self):
        """Logins are e-mails: typed in any case, they name the stored login."""
        username = self.cleaned_data["username"].strip()
        User = get_user_model()
        stored = list(
            User._default_manager.annotate(login=Lower(User.USERNAME_FIELD))
            .filter(login=username.lower())
            .values_list(User.USERNAME_FIELD, flat=True)[:2]
        )
        return stored[0] if len(stored) == 1 else username

    def clean(self):
        if self.throttled:
            minutes = math.ceil(lockout_seconds() / 60)
            raise ValidationError(
                ngettext(
                    "Too many failed attempts: try again in %(minutes)s minute, or ask for a "
                    "new password.",
                    "Too many failed attempts: try again in %(minutes)s minutes, or ask for a "
                    "new password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            for key in self._keys():
                _count(key, lockout_seconds())
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not MemberAccount.objects.of_user(user, request_site(self.request)).exists():
            raise self.get_invalid_login_error()
        cache.delete(self._keys()[0])


class MemberPasswordResetForm(PasswordResetForm):
    """The "I forgot my password" form: a new link for the member of the visited organization
    who uses this e-mail (their login or their login's e-mail), whether they chose a password
    already or not (an invitation that got lost). The page says the same whether or not anyone
    matched."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def accounts(self, site, email: str):
        User = get_user_model()
        email = email.strip().lower()
        return (
            MemberAccount.objects.for_site(site)
            .filter(user__is_active=True)
            .annotate(
                login=Lower(f"user__{User.USERNAME_FIELD}"),
                login_email=Lower(f"user__{User.get_email_field_name()}"),
            )
            .filter(Q(login=email) | Q(login_email=email))
            .select_related("user", "contact", "site")
        )

    def save(self, request=None, **kwargs):
        site = request_site(request) if request is not None else None
        if site is None:
            return
        for account in self.accounts(site, self.cleaned_data["email"]):
            if not account.user.email:
                continue
            key = f"member-password-links:{account.pk}"
            if cache.get(key, 0) >= RESET_LINKS_PER_HOUR:
                continue
            _count(key, 3600)
            send_password_link(account, invitation=False)
