"""Each site's *generation*: part of the key of everything cached of what its public sees.

A change moves the generation of the sites it concerns on (``invalidate_sites``): their cached
pages and graphs are no longer found, and are rebuilt on the next visit; entries under old
generations simply expire. Nothing is deleted key by key, so that a change costs the same
whatever the size of the site.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction


def generation_key(site_id) -> str:
    return f"public-cache:generation:{site_id}"


def _new_generation() -> int:
    """A generation the site's counter has never reached: the clock in nanoseconds.

    A counter can be lost (culled, evicted, a cache restarted) while entries cached under its
    values live on. Were it to restart from a fixed value, it would reach those values again and
    serve their stale entries; a counter starts from the clock instead, and is only ever
    incremented by one per change, so it stays far behind the clock."""
    return time.time_ns()


def site_generation(site_id) -> int:
    """The site's current generation, part of every key of its cached pages and graphs.

    Read it *before* reading what is to be cached (see ``invalidate_site``)."""
    key = generation_key(site_id)
    generation = cache.get(key)
    if generation is None:
        generation = _new_generation()
        if not cache.add(key, generation, None):  # another process started it first
            generation = cache.get(key, generation)
    return generation


def _move_on(site_id) -> None:
    key = generation_key(site_id)
    try:
        cache.incr(key)
    except ValueError:  # lost: a new value, never one a cached entry may be keyed by
        cache.set(key, _new_generation(), None)


def invalidate_site(site_id) -> None:
    """Forget everything cached of one site: now, and again once the change is committed.

    Now, for what this process reads next inside the same transaction. Again after the commit,
    because another process may have read the new generation *before* the commit, then the old
    rows, and cached them under it: the second move forgets that. Whoever reads the generation
    after the commit reads the committed rows (``site_generation`` is read before them), so
    nothing stale outlives the change. Callers say what changed through ``invalidate_sites``."""
    _move_on(site_id)
    transaction.on_commit(partial(_move_on, site_id))


def sites_concerned(*, url_paths: Iterable[str] = (), site_ids: Iterable = ()) -> set:
    """The sites whose public pages a change concerns: those given, and every site whose tree
    holds one of ``url_paths`` (in any of its languages)."""
    concerned = set(site_ids)
    url_paths = [url_path for url_path in url_paths if url_path]
    if url_paths:
        from wagtail.models import Site

        roots = Site.get_site_root_paths()  # cached by Wagtail: no query in the usual case
        for url_path in url_paths:
            concerned.update(root.site_id for root in roots if url_path.startswith(root.root_path))
    return concerned


def dependent_sites(site_ids: set) -> set:
    """The sites whose public pages show what ``site_ids`` publish (a network's agenda shows
    its members' events), as plugins declare them through the ``register_public_cache_dependents``
    hook: ``fn(site_ids) -> site ids``. One step only: what a dependent shows of its own
    dependents is not followed further."""
    if not site_ids:
        return set()
    from wagtail import hooks

    found = set()
    for dependents in hooks.get_hooks("register_public_cache_dependents"):
        found.update(dependents(frozenset(site_ids)))
    return found - site_ids


def invalidate_sites(*, url_paths: Iterable[str] = (), site_ids: Iterable = ()) -> None:
    """Forget the cached pages and graphs of the sites a change concerns, and only theirs: the
    one rule for signals and importers alike.

    A page published, unpublished, moved or imported (its ``url_path``; before and after a
    move) concerns every site whose tree holds it, in any of its languages: any of that site's
    pages may show it (a menu, a breadcrumb, a card, a list). A ``Site`` or one of its settings
    concerns that site (``site_ids``). So do the sites that show what those publish
    (``dependent_sites``: a network's agenda and its members). Other organizations' caches stay
    warm.
    """
    concerned = sites_concerned(url_paths=url_paths, site_ids=site_ids)
    for site_id in concerned | dependent_sites(concerned):
        invalidate_site(site_id)
