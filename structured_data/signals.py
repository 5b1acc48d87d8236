"""Cached graphs are forgotten when what they show changes, for the sites concerned only (see
``graph.invalidate_graphs``); published pages are checked again by the worker (see ``tasks``)
once the change is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .graph import invalidate_graphs
from .models import PageCheck
from .tasks import check_page_task, check_site_task


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance=None, **kwargs):
    """A title in a breadcrumb, a person on a card: any published page may appear in other
    pages' graphs, so the graphs of its site are dropped (and rebuilt on the next visit)."""
    if instance is not None:
        invalidate_graphs(url_paths=[instance.url_path])


@receiver(page_published)
def check_published_page(sender, instance=None, **kwargs):
    """The page as now published is checked in the background, after the commit (its check is
    what the dashboard counts)."""
    if instance is not None:
        page_id = instance.pk
        transaction.on_commit(lambda: check_page_task.enqueue(page_id))


@receiver(page_unpublished)
def forget_unpublished_check(sender, instance=None, **kwargs):
    if instance is not None:
        PageCheck.objects.filter(page_id=instance.pk).delete()


@receiver(post_page_move)
def page_moved(sender, instance=None, url_path_before="", url_path_after="", **kwargs):
    """A moved page changes the URLs of the site it left and of the site it joined."""
    invalidate_graphs(url_paths=[url_path_before, url_path_after])


@receiver(post_save)
@receiver(post_delete)
def site_settings_changed(sender, instance=None, **kwargs):
    """A site, and settings that feed every graph of their site (``structured_data_site_setting
    = True`` on a model with a ``site``)."""
    if sender is Site:
        site_id = instance.pk
    elif getattr(sender, "structured_data_site_setting", False):
        site_id = instance.site_id
    else:
        return
    invalidate_graphs(site_ids=[site_id])
    # Every published page of the site shows the organization: check them all again.
    transaction.on_commit(lambda: check_site_task.enqueue(site_id))


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance=None, **kwargs):
    """A page made private (or public again) leaves or joins the cards and mentions of other
    pages' graphs: its site's graphs are dropped."""
    url_paths = list(Page.objects.filter(pk=instance.page_id).values_list("url_path", flat=True))
    if url_paths:  # none when the restriction goes with its deleted page
        invalidate_graphs(url_paths=url_paths)
