"""What both APIs do alike: find the organization from the host, the reader from the request
(an API key, a member's session, or the public), and count requests against the rate limits.

Each API answers refusals in its own documented shape; this module only decides.

Rate limits: per key (``OPENDATA_RATE_LIMIT_PER_KEY`` requests a minute, 600 by default) for
requests with a key, per address (``OPENDATA_RATE_LIMIT_PER_ADDRESS``, 120) otherwise; every
answer carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (the
Unix time the window ends), and a refused one ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

from crm_blocks.member_forms import client_address

from ..access import Audience, KeyRefused, audience_for
from ..models import DatasetPage

WINDOW_SECONDS = 60


@dataclass
class RateLimit:
    limit: int
    remaining: int
    reset: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(self.reset),
        }
        if self.exceeded:
            headers["Retry-After"] = str(max(self.reset - int(time.time()), 1))
        return headers


def count_request(request, audience: Audience) -> RateLimit:
    """Count this request in its window (the key's, or the address's) and say what is left."""
    if audience.key is not None:
        limit = getattr(settings, "OPENDATA_RATE_LIMIT_PER_KEY", 600)
        who = f"key:{audience.key.pk}"
    else:
        limit = getattr(settings, "OPENDATA_RATE_LIMIT_PER_ADDRESS", 120)
        # Hashed: an address from a proxy's header may hold characters a cache key may not
        # (spaces for memcached), and the cache need not keep readers' addresses.
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        who = f"address:{address}"
    now = int(time.time())
    window = now - now % WINDOW_SECONDS
    key = f"opendata:rate:{who}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
            used = 1
    return RateLimit(limit=limit, remaining=limit - used, reset=window + WINDOW_SECONDS)


@dataclass
class ApiRequest:
    """An API request resolved: its organization, its reader and its rate limit. ``refused``
    is the ``KeyRefused`` reason when a key was sent and cannot be used."""

    site: Site | None
    audience: Audience | None
    rate: RateLimit | None = None
    refused: str = ""


def resolve(request) -> ApiRequest:
    site = Site.find_for_request(request)
    if site is None:
        return ApiRequest(None, None)
    try:
        audience = audience_for(request, site, api=True)
    except KeyRefused as refusal:
        audience = Audience(site.pk)
        return ApiRequest(site, audience, count_request(request, audience), refusal.reason)
    return ApiRequest(site, audience, count_request(request, audience))


def datasets_of(site: Site):
    """The organization's published datasets (every access: callers keep what the reader may
    read, and members-only ones listed as restricted where a catalogue says so)."""
    return DatasetPage.objects.published(within=site.root_page).specific().order_by("title")


def readable_datasets(site: Site, audience: Audience):
    datasets = datasets_of(site)
    if not audience.members:
        datasets = datasets.filter(access="public")
    return datasets
