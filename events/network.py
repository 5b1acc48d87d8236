"""Who is in a network's agenda, and what the public may see of several sites at once.

A network's agenda lists the public events of the organizations that chose it
(``NetworkSharing``: ``network`` and ``share_events``) and that it accepted (its
``NetworkMembers``), whatever their number, in a fixed number
of queries: the members in one, their home pages in one, their view restrictions in one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from wagtail.models import Page, PageViewRestriction, Site

from .models import NetworkSharing

#: ``{member site id: network site id}`` of the sharing members, kept in the cache (read at
#: every change of public content, see ``network_followers``).
FOLLOWERS_KEY = "events:network-followers"


def network_members(network: Site) -> list[Site]:
    """The organizations that share their public events with ``network``: one query."""
    return list(
        Site.objects.filter(
            networksharing__network=network,
            networksharing__share_events=True,
            accepted_by_networks__site=network,
        )
        .exclude(pk=network.pk)
        .select_related("organizationsettings")
        .order_by("site_name", "pk")
    )


def public_pages_q(site_ids: Iterable[int]) -> Q:
    """A filter on pages keeping the live pages of these sites (in every language) that no
    view restriction hides: two queries whatever the number of sites. (``organizations.
    scoping.public_pages_for_site``, for several sites at once.)"""
    site_ids = list(site_ids)
    if not site_ids:
        return Q(pk__in=[])
    root_keys = Site.objects.filter(pk__in=site_ids).values("root_page__translation_key")
    roots = list(Page.objects.filter(translation_key__in=root_keys).values_list("path", flat=True))
    if not roots:
        return Q(pk__in=[])
    within = Q()
    for path in roots:
        within |= Q(path__startswith=path)
    steplen = Page.steplen
    ancestors = {path[:end] for path in roots for end in range(steplen, len(path) + 1, steplen)}
    near = Q(page__path__in=ancestors)
    for path in roots:
        near |= Q(page__path__startswith=path)
    restricted = list(PageViewRestriction.objects.filter(near).values_list("page__path", flat=True))
    hidden = Q()
    for path in restricted:
        hidden |= Q(path__startswith=path)
    keep = within & Q(live=True)
    return keep & ~hidden if restricted else keep


def network_followers() -> dict[int, int]:
    """``{member site id: network site id}`` of every sharing member, from the cache."""
    followers = cache.get(FOLLOWERS_KEY)
    if followers is None:
        followers = dict(
            NetworkSharing.objects.filter(
                share_events=True,
                network__isnull=False,
                site__accepted_by_networks__site=F("network"),
            ).values_list("site_id", "network_id")
        )
        cache.set(FOLLOWERS_KEY, followers, None)
    return followers


def forget_followers() -> None:
    cache.delete(FOLLOWERS_KEY)
    transaction.on_commit(partial(cache.delete, FOLLOWERS_KEY))


def networks_following(site_ids: Iterable[int]) -> set[int]:
    """``public_cache``'s ``register_public_cache_dependents``: the networks whose agenda shows
    what these sites publish, so that a member's event reaches the network's agenda at once."""
    followers = network_followers()
    return {followers[site_id] for site_id in site_ids if site_id in followers}
