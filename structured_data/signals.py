"""Cached graphs are forgotten when what they show changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .graph import invalidate_site


def _invalidate_all_sites():
    for site_id in Site.objects.values_list("pk", flat=True):
        invalidate_site(site_id)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def page_changed(sender, instance=None, **kwargs):
    """A title in a breadcrumb, a person on a card, a page's URL: any published page may appear in
    other pages' graphs, so its site's cached graphs are dropped. (Sites are few; graphs are
    rebuilt on the next visit.)"""
    _invalidate_all_sites()


@receiver(post_save)
@receiver(post_delete)
def site_settings_changed(sender, instance=None, **kwargs):
    """Organization settings and sites feed every graph of their site."""
    if sender is Site or getattr(sender, "structured_data_site_setting", False):
        _invalidate_all_sites()
