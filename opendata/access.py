"""Who may read what: the public, or the members of the dataset's organization.

Members-only datasets and columns are read by:

- a logged-in member of the organization whose membership is current today;
- the organization's staff (the roles that work in the admin);
- an API key of such a member (``Authorization: Apikey KEY``, ``?apikey=KEY``, or CKAN's bare
  ``Authorization: KEY``), while the key is not revoked, the membership is current and the
  member's login is active.

Anyone else — anonymous visitors, members of another organization, members whose membership
ended — reads the public part only. A key that is sent but refused (unknown, revoked, membership
ended, another organization's) is an error each API answers in its own shape, never a silent
downgrade to public data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Site

from crm_blocks.members import is_current_member
from crm_blocks.models import MemberAccount
from organizations.scoping import sites_for_user

from .models import ApiKey
from .models.keys import digest


@dataclass(frozen=True)
class Audience:
    """Who is reading ``site``'s data: ``members`` when they may read members-only parts."""

    site_id: int
    members: bool = False
    key: ApiKey | None = None
    staff: bool = False

    def may_read(self, dataset) -> bool:
        return self.members or not dataset.members_only


PUBLIC = "public"


class KeyRefused(Exception):
    """An API key was sent and cannot be used. ``reason``: ``unknown``, ``revoked``,
    ``expired`` (the membership ended), ``other_organization``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def key_from_request(request) -> str:
    """The API key the request carries, or ``""``: ``Authorization: Apikey KEY``, CKAN's bare
    ``Authorization: KEY`` (or its older ``X-CKAN-API-Key: KEY``, which ``ckanapi`` still
    sends), or ``?apikey=KEY``. Another scheme (``Basic`` for a proxy's password) is not ours."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _space, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "apikey":
            if value:
                return value
            # « Apikey » alone is a client that sent an empty key, not a key named so.
        elif not value:  # CKAN's clients send the bare key
            return scheme
    legacy = request.headers.get("X-CKAN-API-Key", "").strip()
    if legacy:
        return legacy
    return request.GET.get("apikey", "").strip()


def resolve_key(site: Site, secret: str) -> ApiKey:
    """The usable key for ``secret`` in ``site``, or :class:`KeyRefused`."""
    key = (
        ApiKey.objects.filter(key_digest=digest(secret))
        .select_related("account__contact", "account__site", "account__user")
        .first()
    )
    if key is None:
        raise KeyRefused("unknown")
    if key.revoked_at is not None:
        raise KeyRefused("revoked")
    if key.account.site_id != site.pk:
        raise KeyRefused("other_organization")
    # A login the staff deactivated reads no more through its keys than through its session.
    if not key.account.user.is_active or not is_current_member(key.account.contact, site):
        raise KeyRefused("expired")
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 300:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def audience_for(request, site: Site, *, api: bool = False) -> Audience:
    """Who ``request`` reads ``site``'s data as. With ``api``, a key in the request counts
    (and raises :class:`KeyRefused` when refused); pages ignore keys."""
    if api:
        secret = key_from_request(request)
        if secret:
            key = resolve_key(site, secret)
            return Audience(site.pk, members=True, key=key)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Audience(site.pk)
    cache = request.__dict__.setdefault("_opendata_audience", {})
    if site.pk not in cache:
        if sites_for_user(user).filter(pk=site.pk).exists():
            cache[site.pk] = Audience(site.pk, members=True, staff=True)
        else:
            account = MemberAccount.objects.of_user(user, site).select_related("contact").first()
            member = account is not None and is_current_member(account.contact, site)
            cache[site.pk] = Audience(site.pk, members=member)
    return cache[site.pk]
