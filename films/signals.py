"""What the public sees of screenings changes with them: a screening saved or deleted one by one
(the admin's screenings listing) forgets the cached pages of its organization, of the film's
(and, through ``public_cache``'s dependents, of the network it shares with). Imports write in
bulk and forget them themselves (``films.boxoffice``)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site

from public_cache.generations import invalidate_sites

from .models import Screening


def _forget(site_id: int, film_id: int) -> None:
    url_path = Page.objects.filter(pk=film_id).values_list("url_path", flat=True).first()
    invalidate_sites(site_ids=[site_id], url_paths=[url_path] if url_path else [])


def screening_changed(sender, instance, **kwargs):
    transaction.on_commit(partial(_forget, instance.site_id, instance.film_id))


def sites_showing_films_of(site_ids) -> set[int]:
    """``public_cache``'s ``register_public_cache_dependents``: the organizations whose pages
    show films of these sites (a member cinema's agenda and programme list the network's films:
    a film renamed, unpublished or given a new version changes them)."""
    roots = list(Site.objects.filter(pk__in=site_ids).values_list("root_page__path", flat=True))
    if not roots:
        return set()
    within = Q()
    for path in roots:
        within |= Q(film__path__startswith=path)
    return set(
        Screening.objects.filter(within)
        .exclude(site_id__in=site_ids)
        .order_by()
        .values_list("site_id", flat=True)
        .distinct()
    )


def connect() -> None:
    post_save.connect(screening_changed, sender=Screening, dispatch_uid="films_screening_saved")
    post_delete.connect(screening_changed, sender=Screening, dispatch_uid="films_screening_deleted")
