"""Making and revoking members' API keys: what the member space, the admin and the
``create_api_key`` command share.

A key is made for a member whose membership is current today (a key made otherwise would not
work anyway: ``opendata.access.resolve_key`` refuses it), named after where it is used, and
shown once; only its digest is kept (``ApiKey.issue``). Revoking keeps the row (who made it,
when it was last used): the key answers as refused from then on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Site

from crm_blocks.members import is_current_member
from crm_blocks.models import MemberAccount

from .models import ApiKey

NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length
#: The admin history's entry for a revoked key (who revoked it: the member or staff).
REVOKE_ACTION = "opendata.api_key.revoke"


class ApiKeyError(ValidationError):
    """A key cannot be made as asked; the message says why, in the reader's language."""


def member_for_email(site: Site, email: str) -> MemberAccount:
    """The member of ``site`` whose login's e-mail or person's record's e-mail is ``email``
    (whatever its case), or :class:`ApiKeyError`."""
    address = email.strip().lower()
    accounts = []
    if address:
        accounts = list(
            MemberAccount.objects.for_site(site)
            .annotate(user_email=Lower("user__email"), contact_email=Lower("contact__email"))
            .filter(Q(user_email=address) | Q(contact_email=address))
            .select_related("contact", "site", "user")
            .order_by("pk")[:2]
        )
    if not accounts:
        raise ApiKeyError(
            _("No member of this organization has the e-mail “%(address)s”.")
            % {"address": email.strip()},
            code="no_member",
        )
    if len(accounts) > 1:
        raise ApiKeyError(
            _("Several members of this organization have the e-mail “%(address)s”.")
            % {"address": email.strip()},
            code="several_members",
        )
    return accounts[0]


def api_key_create(*, account: MemberAccount, name: str = "", user=None) -> tuple[ApiKey, str]:
    """A new key for ``account`` and the key itself (to show once): refused, with nothing
    written, when the membership is not current or the name too long. ``user`` (the member,
    or none for the command) is recorded in the key's history."""
    name = " ".join(name.split())
    if len(name) > NAME_MAX_LENGTH:
        raise ApiKeyError(
            _("A key's name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
            code="name_too_long",
        )
    if not is_current_member(account.contact, account.site):
        raise ApiKeyError(
            _("API keys are for members whose membership is current: renew it to make a key."),
            code="not_current",
        )
    with transaction.atomic():
        key, secret = ApiKey.issue(account, name)
        log(key, "wagtail.create", user=user)
    return key, secret


def api_key_revoke(*, key: ApiKey, user=None) -> bool:
    """Stop ``key`` from working, recording who did in its history; ``False`` when it was
    already revoked."""
    if key.revoked_at is not None:
        return False
    with transaction.atomic():
        key.revoke()
        log(key, REVOKE_ACTION, user=user)
    return True
