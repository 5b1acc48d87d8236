"""Keep every page that has a private twin paired with it, whatever its page class."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page

from .pages import twin_model_of
from .services import private_twin_for_page


@receiver(post_save, dispatch_uid="privacy_create_twin_with_page")
def create_twin_with_page(sender, instance, created, raw=False, **kwargs):
    if raw or not created or twin_model_of(sender) is None:
        return
    private_twin_for_page(instance)


def delete_orphan_twin(model, translation_key) -> None:
    """Delete the twin of a record whose last page is gone — but a twin an erasure kept,
    anonymized, for a legal reason (its ``anonymized_at`` is set: an accounting record points to
    it)."""
    if Page.objects.filter(translation_key=translation_key).exists():
        return
    twins = model.objects.filter(translation_key=translation_key)
    if any(field.name == "anonymized_at" for field in model._meta.concrete_fields):
        twins = twins.filter(anonymized_at=None)
    twins.delete()


@receiver(post_delete, dispatch_uid="privacy_delete_twin_with_last_page")
def delete_twin_with_last_page(sender, instance, **kwargs):
    """Deleting a record deletes its private details — unless a translation still exists.

    Checked once the deletion is committed: while Django deletes a page, its base ``Page`` row
    outlives the specific row (``PersonPage``…) that sends this signal.
    """
    model = twin_model_of(sender)
    if model is None:
        return
    key = instance.translation_key
    transaction.on_commit(lambda: delete_orphan_twin(model, key))
