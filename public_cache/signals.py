"""Everything the admin changes that a public page shows reaches ``invalidate_sites``, for the
sites concerned only.

- pages: published, unpublished (a scheduled expiry, a deletion too: Wagtail unpublishes a
  live page it deletes), moved or reordered;
- view restrictions: a page made private, or public again;
- sites (name, home page, host name: see also ``routing``);
- site settings: any model that declares ``public_site_lookup``, the path from a row to its
  site id (``OrganizationSettings``: ``"site_id"``; its contact points and social profiles:
  ``"settings__site_id"``), connected model by model in ``connect_site_settings``;
- images: a file replaced or a focal point moved changes the renditions the pages using it
  show; those pages (and settings, such as a logo) are found in Wagtail's reference index.

Imports that write pages in bulk (no signals) call ``invalidate_sites`` themselves.
"""

from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .generations import invalidate_sites
from .routing import forget_sites

#: Image fields whose change shows on the pages that use the image.
IMAGE_FIELDS_SHOWN = {
    "file",
    "title",
    "description",
    "focal_point_x",
    "focal_point_y",
    "focal_point_width",
    "focal_point_height",
}


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance=None, **kwargs):
    """A title in a menu or a breadcrumb, a person on a card or in a list: any published page
    may appear on its site's other pages, so the site's caches are dropped."""
    if instance is not None:
        invalidate_sites(url_paths=[instance.url_path])


@receiver(post_page_move)
def page_moved(sender, instance=None, url_path_before="", url_path_after="", **kwargs):
    """A moved page changes the URLs of the site it left and of the site it joined (and a
    reordered one, the order of its site's menu)."""
    invalidate_sites(url_paths=[url_path_before, url_path_after])


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def site_changed(sender, instance=None, **kwargs):
    """A site's name or home page; its host name changes which site answers a request."""
    forget_sites()
    invalidate_sites(site_ids=[instance.pk])


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance=None, **kwargs):
    """A page made private (or public again) leaves or joins its site's menus, cards and lists."""
    url_paths = list(Page.objects.filter(pk=instance.page_id).values_list("url_path", flat=True))
    if url_paths:  # none when the restriction goes with its deleted page
        invalidate_sites(url_paths=url_paths)


def site_id_of(instance, lookup: str):
    """Follow ``lookup`` (``"settings__site_id"``) from ``instance``; ``None`` when a step is
    gone (a contact point deleted with its settings: the settings' own signal covers it)."""
    value = instance
    try:
        for attribute in lookup.split("__"):
            value = getattr(value, attribute)
            if value is None:
                return None
    except ObjectDoesNotExist:
        return None
    return value


def site_setting_changed(sender, instance=None, **kwargs):
    site_id = site_id_of(instance, sender.public_site_lookup)
    if site_id is not None:
        invalidate_sites(site_ids=[site_id])


def connect_site_settings() -> None:
    """Listen to the models that declare ``public_site_lookup``, and to those only: a receiver
    for every model would keep Django from deleting any row in bulk without loading it."""
    for model in apps.get_models():
        if getattr(model, "public_site_lookup", None):
            uid = f"public_cache_setting_{model._meta.label_lower}"
            post_save.connect(site_setting_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(site_setting_changed, sender=model, dispatch_uid=uid)
    image_model = get_image_model()
    post_save.connect(image_changed, sender=image_model, dispatch_uid="public_cache_image")
    post_delete.connect(image_changed, sender=image_model, dispatch_uid="public_cache_image")


def image_changed(sender, instance=None, update_fields=None, created=False, **kwargs):
    """The sites of the pages and settings that use the image (Wagtail's reference index)."""
    if created or (update_fields is not None and not IMAGE_FIELDS_SHOWN & set(update_fields)):
        return
    ids_by_type = defaultdict(list)
    for content_type_id, object_id in ReferenceIndex.get_references_to(instance).values_list(
        "base_content_type_id", "object_id"
    ):
        ids_by_type[content_type_id].append(object_id)
    url_paths, site_ids = [], []
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        if issubclass(model, Page):
            url_paths += Page.objects.filter(pk__in=ids).values_list("url_path", flat=True)
        elif lookup := getattr(model, "public_site_lookup", None):
            site_ids += model._default_manager.filter(pk__in=ids).values_list(lookup, flat=True)
    if url_paths or site_ids:
        invalidate_sites(url_paths=url_paths, site_ids=site_ids)
