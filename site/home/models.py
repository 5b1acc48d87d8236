"""The reference website: home page, standard pages and each organization's identity."""

from zoneinfo import available_timezones

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from crm_blocks.blocks import BASIC_BLOCKS
from crm_blocks.models.addresses import PublicAddress
from structured_data.graph import GraphContext
from structured_data.mixins import StructuredDataPageMixin


class OrganizationLanguage(models.TextChoices):
    """The language of an organization's site, with its regional variant."""

    FR_CA = "fr-ca", _("French (Canada)")
    FR_FR = "fr-fr", _("French (France)")
    EN = "en", _("English")

    @property
    def content_language(self) -> str:
        """The Wagtail content locale the variant maps to (``fr`` or ``en``)."""
        return self.value.split("-")[0]


class OrganizationKindChoices(models.TextChoices):
    PRODUCTION_CENTRE = "production_centre", _("Film production centre")
    CINEMA = "cinema", _("Independent cinema")
    NETWORK = "network", _("Network or association")
    FESTIVAL = "festival", _("Festival")
    DISTRIBUTOR = "distributor", _("Distributor")
    GALLERY = "gallery", _("Gallery")
    OTHER = "other", _("Other cultural organization")


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(available_timezones())]


@register_setting(icon="group")
class OrganizationSettings(ClusterableModel, PublicAddress, BaseSiteSetting):
    """Who the organization is: shown in the header and footer and reused by every output."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=100, blank=True, help_text=_("Shown in the header.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=OrganizationKindChoices.choices,
        default=OrganizationKindChoices.OTHER,
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    description = models.TextField(_("short description"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=OrganizationLanguage.choices,
        default=OrganizationLanguage.FR_CA,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="America/Toronto"
    )

    select_related = ["logo"]
    #: Saving these settings drops the cached structured data of the site's pages.
    structured_data_site_setting = True

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("legal_name"),
                    FieldPanel("short_name"),
                    FieldPanel("kind"),
                    FieldPanel("logo"),
                    FieldPanel("description"),
                    FieldRowPanel([FieldPanel("language"), FieldPanel("time_zone")]),
                ],
                heading=_("Identity"),
            ),
            ObjectList(
                [
                    PublicAddress.address_panel(heading=_("Public address")),
                    InlinePanel("contact_points", heading=_("Contact points"), label=_("Contact")),
                    InlinePanel(
                        "social_profiles", heading=_("Social profiles"), label=_("Profile")
                    ),
                ],
                heading=_("Contact"),
            ),
        ]
    )

    class Meta:
        verbose_name = pgettext_lazy("tenant", "organization")
        verbose_name_plural = pgettext_lazy("tenant", "organizations")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.short_name or self.legal_name

    @cached_property
    def html_language(self) -> str:
        """``fr-CA``, ``fr-FR`` or ``en``: the regional tag for the ``lang`` attribute."""
        language, _sep, region = self.language.partition("-")
        return f"{language}-{region.upper()}" if region else language

    @property
    def content_language(self) -> str:
        return OrganizationLanguage(self.language).content_language



class OrganizationContactPoint(Orderable):
    """A public way to reach the organization (reception, rentals desk, press)."""

    settings = ParentalKey(
        OrganizationSettings, on_delete=models.CASCADE, related_name="contact_points"
    )
    label = models.CharField(_("label"), max_length=100, help_text=_("For example: reception."))
    email = models.EmailField(_("public e-mail"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)

    panels = [
        FieldPanel("label"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")

    def __str__(self):
        return self.label


class OrganizationSocialProfile(Orderable):
    settings = ParentalKey(
        OrganizationSettings, on_delete=models.CASCADE, related_name="social_profiles"
    )
    label = models.CharField(_("network"), max_length=60, help_text=_("For example: Instagram."))
    url = models.URLField(_("profile address"))

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("url")])]

    class Meta(Orderable.Meta):
        verbose_name = _("social profile")
        verbose_name_plural = _("social profiles")

    def __str__(self):
        return self.label


class HomePage(StructuredDataPageMixin, Page):
    """The root page of one organization's website: its graph is about the organization."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BASIC_BLOCKS, blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.StandardPage",
        "crm_blocks.PersonIndexPage",
        "crm_blocks.OrganizationIndexPage",
    ]

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
