"""Documents staff upload go to their organization's private collection unless they pick another.

Wagtail's upload screens start on the first collection the user may add to: the organization's
public one. Here they start on its private collection (``organization_private_collection``),
whose documents only the organization's signed-in staff may open; a public document is one
choice away. Superusers keep Wagtail's default (they work for every organization).

- the one-document form and the chooser's upload tab: ``OrganizationDocumentForm``, set as
  ``WAGTAILDOCS_DOCUMENT_FORM_BASE``;
- the multiple upload screen, whose collection list is not a form field: ``MultipleAddView``,
  served at Wagtail's own address (``document_upload_urls``).
"""

from __future__ import annotations

from django.urls import path
from wagtail.documents.forms import BaseDocumentForm
from wagtail.documents.views import multiple
from wagtail.models import Collection, CollectionViewRestriction

from .scoping import sites_for_user


def private_collection_for_user(user, allowed=None) -> Collection | None:
    """The private collection of the organization ``user`` works for (the first in tree order
    if several), among ``allowed`` collections when given; ``None`` for a superuser."""
    if getattr(user, "is_superuser", False):
        return None
    collections = Collection.objects.filter(
        view_restrictions__restriction_type=CollectionViewRestriction.GROUPS,
        view_restrictions__groups__organization_role__site__in=sites_for_user(user),
    )
    if allowed is not None:
        collections = collections.filter(pk__in=[collection.pk for collection in allowed])
    return collections.order_by("path").first()


class OrganizationDocumentForm(BaseDocumentForm):
    """Wagtail's document form, starting on the uploader's private collection."""

    def __init__(self, *args, **kwargs):
        user = kwargs.get("user")
        explicit = "collection" in (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        if explicit or self.instance.pk or "collection" not in self.fields or user is None:
            return
        choices = list(self.collections)
        if self.instance.collection_id in {collection.pk for collection in choices}:
            return  # a collection chosen already (the multiple uploader's second step)
        private = private_collection_for_user(user, allowed=choices)
        if private is not None:
            self.initial["collection"] = private.pk


class MultipleAddView(multiple.AddView):
    """Wagtail's multiple upload screen, starting on the uploader's private collection when the
    address names none (the document listing names the collection it is filtered on)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        collections = context.get("collections")
        if collections and not context.get("selected_collection_id"):
            private = private_collection_for_user(self.request.user, allowed=collections)
            if private is not None:
                context["selected_collection_id"] = str(private.pk)
        return context


def document_upload_urls():
    """Admin URLs answered before Wagtail's own (registered with a lower hook order)."""
    return [path("documents/multiple/add/", MultipleAddView.as_view())]
