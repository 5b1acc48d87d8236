"""The reference website: each organization's home page and its standard pages.

The organization's identity (``OrganizationSettings``) lives in the ``organizations`` plugin."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from crm_blocks.blocks import BASIC_BLOCKS
from organizations.registry import section_page_models
from structured_data.graph import GraphContext
from structured_data.mixins import StructuredDataPageMixin


class HomePage(StructuredDataPageMixin, Page):
    """The root page of one organization's website: its graph is about the organization."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BASIC_BLOCKS, blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["wagtailcore.Page"]

    @classmethod
    def clean_subpage_models(cls):
        """Standard pages, and the section pages of every installed plugin (the organizations
        registry): a plugin's agenda or film list can sit below the home page without this
        site naming it."""
        return [StandardPage, *section_page_models()]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def structured_data_entities(self, context: GraphContext):
        context.main_entity_id = context.organization_id
        context.main_entity_type = "Organization"
        return ()

    def structured_data_description(self) -> str:
        return self.search_description or self.introduction


class StandardPage(StructuredDataPageMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BASIC_BLOCKS, blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    def structured_data_description(self) -> str:
        return self.search_description or self.introduction
