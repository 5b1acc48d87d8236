"""Keep each record page paired with its private Contact."""

from django.db import transaction
from django.db.models.constants import OnConflict
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.models import Page

from spreadsheets.sql import Row, insert_rows

from .models import Contact


def _is_record_page(sender) -> bool:
    return hasattr(sender, "contact_kind")


@receiver(post_save)
def create_contact_for_new_record(sender, instance, created, raw=False, **kwargs):
    if raw or not created or not _is_record_page(sender):
        return
    from .services import contact_for_page

    contact_for_page(instance)


def delete_orphan_contact(translation_key) -> None:
    if not Page.objects.filter(translation_key=translation_key).exists():
        Contact.objects.filter(translation_key=translation_key).delete()


@receiver(post_delete)
def delete_contact_with_last_page(sender, instance, **kwargs):
    """Deleting a record deletes its private details — unless a translation still exists.

    Checked once the deletion is committed: while Django deletes a page, its base ``Page`` row
    outlives the ``PersonPage`` row that sends this signal.
    """
    if not _is_record_page(sender):
        return
    key = instance.translation_key
    transaction.on_commit(lambda: delete_orphan_contact(key))


def create_contacts_in_bulk(model, pages, *, site, now, using: str) -> None:
    """``create_contact_for_new_record`` for pages the bulk path creates (it sends no
    ``post_save``): one insert per batch; Contacts made beforehand (the importer's, with the
    private columns) are kept. Registered as a ``bulk_create_page_companions`` hook."""
    if not _is_record_page(model):
        return
    if site is None:
        raise ValueError(_("Records can only be created inside an organization's site."))
    rows = [
        Row(
            Contact,
            site_id=site.pk,
            kind=model.contact_kind,
            translation_key=page.translation_key,
            created_at=now,
            updated_at=now,
        )
        for page in pages
    ]
    insert_rows(Contact, rows, using=using, on_conflict=OnConflict.IGNORE, raw=True)
