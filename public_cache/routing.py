"""Which site answers a request, without a query: Wagtail's own rules
(``wagtail.models.sites.get_site_for_hostname``) applied to a cached list of the sites.

The page cache needs the site *before* the request reaches Wagtail (its key and generation are
the site's), and a cached page must cost no query. The list is forgotten whenever a site is
saved or deleted (``signals``), now and again after the commit, like a generation.
"""

from __future__ import annotations

from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.http.request import split_domain_port

SITES_KEY = "public-cache:sites"

# Wagtail's order of preference (wagtail.models.sites): lower is better.
_HOSTNAME_PORT, _HOSTNAME_DEFAULT, _DEFAULT, _HOSTNAME = range(4)


def _sites() -> list[tuple[int, str, int, bool]]:
    sites = cache.get(SITES_KEY)
    if sites is None:
        from wagtail.models import Site

        sites = list(Site.objects.values_list("pk", "hostname", "port", "is_default_site"))
        cache.set(SITES_KEY, sites, None)
    return sites


def forget_sites() -> None:
    cache.delete(SITES_KEY)
    transaction.on_commit(partial(cache.delete, SITES_KEY))


def site_id_for(hostname: str, port: int) -> int | None:
    """The id of the site Wagtail serves ``hostname:port`` from, or ``None``."""
    ranked = []
    for site_id, site_hostname, site_port, is_default in _sites():
        if site_hostname == hostname and site_port == port:
            rank = _HOSTNAME_PORT
        elif site_hostname == hostname and is_default:
            rank = _HOSTNAME_DEFAULT
        elif is_default:
            rank = _DEFAULT
        elif site_hostname == hostname:
            rank = _HOSTNAME
        else:
            continue
        ranked.append((rank, site_id))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[0])
    best_rank, best_id = ranked[0]
    if len(ranked) == 1 or best_rank in (_HOSTNAME_PORT, _HOSTNAME_DEFAULT):
        return best_id
    if best_rank == _DEFAULT:
        # The default site, unless exactly one other site has this host name.
        return ranked[1][1] if len(ranked) == 2 else best_id
    return None


def site_id_for_request(request) -> int | None:
    """As ``Site.find_for_request``: the raw host (no ``ALLOWED_HOSTS`` check) and the port."""
    hostname = split_domain_port(request._get_raw_host())[0]
    return site_id_for(hostname, int(request.get_port()))
