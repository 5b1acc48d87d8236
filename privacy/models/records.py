"""The private twin of a record page: what may never be published, kept out of the page.

A record page (a person, an organization…) holds only public fields: a page's fields reach its
revisions, the search index, templates, JSON-LD and APIs. Its private details live in a
``PrivateRecord`` subclass keyed to the page's ``translation_key``, so that the translations of
one record share one twin, and nothing private ever enters a revision.

The twin says who may see it (``view_permission`` held through a group of the record's
organization in one of ``view_roles``); ``privacy.pages.PrivateTwinPageMixin`` pairs a page class
with its twin, and ``privacy.registry`` lists which of its fields are private.
"""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Page, Site

from organizations.permissions import user_has_site_permission
from organizations.registry import OrganizationRole
from organizations.scoping import SiteScopedQuerySet


class PrivateRecordQuerySet(SiteScopedQuerySet):
    """Reads of twins: only through the organizations a user works for (``for_user``)."""

    def for_page(self, page):
        """The twin of ``page`` (whichever translation): a queryset of at most one."""
        return self.filter(translation_key=page.translation_key)


class PrivateRecord(models.Model):
    """One record's private details, shared by all translations of its page.

    Subclasses add the private fields, register them (``privacy.registry.PrivateFields``) and
    may narrow who sees them. ``site`` and ``translation_key`` are bookkeeping, not personal data.
    """

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_records",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    translation_key = models.UUIDField(_("record key"), unique=True, editable=False)

    objects = PrivateRecordQuerySet.as_manager()

    #: ``"app_label.codename"`` a user must hold to see the twin; by default its view
    #: permission (``"crm_blocks.view_contact"``).
    view_permission: ClassVar[str | None] = None
    #: Roles of the record's organization whose groups may grant ``view_permission``.
    view_roles: ClassVar[tuple[str, ...]] = (OrganizationRole.CRM_STAFF,)
    #: Fields of this base that hold no personal data (the privacy tests check that every other
    #: field of a subclass is registered as private or declared non-sensitive).
    non_sensitive_fields: ClassVar[tuple[str, ...]] = ("id", "site", "translation_key")

    class Meta:
        abstract = True

    @classmethod
    def get_view_permission(cls) -> str:
        return cls.view_permission or f"{cls._meta.app_label}.view_{cls._meta.model_name}"

    @classmethod
    def user_can_view(cls, user, site: Site | None) -> bool:
        """Whether ``user`` may see the private details of ``site``'s records of this kind: the
        permission must come from a group of that organization, in one of ``view_roles``."""
        return user_has_site_permission(user, site, cls.get_view_permission(), cls.view_roles)

    def pages(self):
        """The record's pages, one per language."""
        return Page.objects.filter(translation_key=self.translation_key).select_related("locale")
