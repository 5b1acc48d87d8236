"""Writes of private twins. Typed, keyword-only where they enforce rules, transactional,
validated."""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .models import PrivateRecord
from .pages import PrivateTwinPageMixin, twin_model_of


def private_twin_for_page(page: Page, *, site: Site | None = None) -> PrivateRecord:
    """The record's twin, created on first need: one per ``translation_key``, so that the
    translations of a record share their private details. ``site`` (by default the page's)
    is the organization a new twin belongs to."""
    model = twin_model_of(page)
    if model is None:
        raise TypeError(f"{type(page).__name__} has no private twin.")
    twin = model.objects.for_page(page).first()
    if twin is not None:
        return twin
    specific = page if isinstance(page, PrivateTwinPageMixin) else page.specific
    twin, _created = model.objects.get_or_create(
        translation_key=page.translation_key,
        defaults={"site": site or page.get_site(), **specific.private_twin_defaults()},
    )
    return twin


@transaction.atomic
def private_twin_update(*, twin: PrivateRecord, data: dict) -> PrivateRecord:
    """Write ``data`` (twin field → value) on ``twin`` after validating it (model and
    constraints); nothing is written when nothing changed."""
    changed = False
    for name, value in data.items():
        if getattr(twin, name) != value:
            setattr(twin, name, value)
            changed = True
    if changed:
        twin.full_clean()
        twin.save()
    return twin


def save_private_details(request, page: Page) -> None:
    """Write what the editor typed in a page form's private fields to the record's twin (an
    ``after_create_page`` / ``after_edit_page`` hook: the page exists by then; also a
    ``before_publish_page`` one, since publishing an edit hands ``after_edit_page`` a page
    reloaded from the database, without what was typed). The values are written once."""
    data = page.__dict__.pop("_private_twin_data", None)
    if data is None:
        return
    private_twin_update(twin=private_twin_for_page(page), data=data)


def private_twins_for_new_pages(model, pages, *, site, now, insert) -> None:
    """``create_twin_with_page`` for pages a bulk creator makes without ``post_save`` (the
    spreadsheets' bulk page path calls it as a ``bulk_create_page_companions`` hook, and its
    ``insert`` writes the batch's twins in one statement); twins made beforehand (the
    importer's, with the private columns) are kept."""
    twin_model = twin_model_of(model)
    if twin_model is None:
        return
    if site is None:
        raise ValueError(_("Records can only be created inside an organization's site."))
    timestamps = {
        field.attname: now
        for field in twin_model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    insert(
        twin_model,
        [
            {
                "site_id": site.pk,
                "translation_key": page.translation_key,
                **page.private_twin_defaults(),
                **timestamps,
            }
            for page in pages
        ],
    )
