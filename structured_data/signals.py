"""Published pages are checked again by the worker (see ``tasks``) once a change is committed:
what the dashboard counts. (Cached graphs are forgotten by ``public_cache``'s one rule.)"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished

from public_cache.signals import site_id_of

from .models import PageCheck
from .tasks import check_page_task, check_site_task


@receiver(page_published)
def check_published_page(sender, instance=None, **kwargs):
    """The page as now published is checked in the background, after the commit."""
    if instance is not None:
        page_id = instance.pk
        transaction.on_commit(lambda: check_page_task.enqueue(page_id))


@receiver(page_unpublished)
def forget_unpublished_check(sender, instance=None, **kwargs):
    if instance is not None:
        PageCheck.objects.filter(page_id=instance.pk).delete()


def check_site_again(site_id) -> None:
    """Every published page of the site shows the organization: check them all again."""
    if site_id is not None:
        transaction.on_commit(lambda: check_site_task.enqueue(site_id))


@receiver(post_save, sender=Site)
def site_changed(sender, instance=None, **kwargs):
    check_site_again(instance.pk)


def site_setting_changed(sender, instance=None, **kwargs):
    check_site_again(site_id_of(instance, sender.public_site_lookup))


def connect_site_settings() -> None:
    """The settings that every page of their site shows (``public_site_lookup``)."""
    for model in apps.get_models():
        if getattr(model, "public_site_lookup", None):
            uid = f"structured_data_check_{model._meta.label_lower}"
            post_save.connect(site_setting_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(site_setting_changed, sender=model, dispatch_uid=uid)
