"""An organization is a Wagtail ``Site``: its identity (``OrganizationSettings``), the groups
that work for it (``OrganizationGroup``) and what the registry gave it (``OrganizationProvision``).

``OrganizationSettings`` and ``OrganizationGroup`` were born in the reference site and in the
CRM; they moved here without touching their tables (``db_table`` keeps the old names, see
migration ``0001_settings_and_groups_from_home_and_crm``).
"""

from zoneinfo import available_timezones

from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Site

from structured_data.mixins import postal_address_node
from structured_data.nodes import GeoCoordinates, PostalAddress

from .registry import OrganizationRole, role_choices
from .translations import TranslatedInlinePanel, TranslatedTexts, translation_panels


class OrganizationKind(models.TextChoices):
    """What kind of cultural organization this is: one vocabulary for an installation's
    organizations (their settings) and for the organizations their CRM knows."""

    PRODUCTION_CENTRE = "production_centre", _("Film production centre")
    PRODUCTION_COMPANY = "production_company", _("Production company")
    DISTRIBUTOR = "distributor", _("Distributor")
    CINEMA = "cinema", _("Cinema")
    FESTIVAL = "festival", _("Festival")
    GALLERY = "gallery", _("Gallery")
    SCHOOL = "school", _("School")
    FUNDER = "funder", _("Funder")
    PARTNER = "partner", _("Partner")
    MEDIA = "media", _("Media")
    NETWORK = "network", _("Network or association")
    OTHER = "other", _("Other")


class OrganizationLanguage(models.TextChoices):
    """The language of an organization's site, with its regional variant."""

    FR_CA = "fr-ca", _("French (Canada)")
    FR_FR = "fr-fr", _("French (France)")
    EN = "en", _("English")

    @property
    def content_language(self) -> str:
        """The Wagtail content locale the variant maps to (``fr`` or ``en``)."""
        return self.value.split("-")[0]

    @property
    def html_language(self) -> str:
        """``fr-CA``, ``fr-FR`` or ``en``: the regional tag for ``lang`` attributes."""
        language, _sep, region = self.value.partition("-")
        return f"{language}-{region.upper()}" if region else language


class OrganizationCurrency(models.TextChoices):
    """The currency of an organization's fees and prices."""

    CAD = "CAD", _("Canadian dollar")
    EUR = "EUR", _("Euro")
    CHF = "CHF", _("Swiss franc")

    @classmethod
    def for_language(cls, language: str) -> "OrganizationCurrency":
        """The likely currency of an organization of that language variant: euros in France,
        dollars in Canada (and for an English-speaking organization, until told otherwise)."""
        return cls.EUR if language == OrganizationLanguage.FR_FR else cls.CAD


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(available_timezones())]


class PublicAddress(models.Model):
    """A public postal address with coordinates, and its schema.org form; shared by
    organization settings and the CRM's organization pages. (A record's *private* postal address
    lives in its private twin.)"""

    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("province or region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True

    @staticmethod
    def address_panel(**kwargs) -> MultiFieldPanel:
        return MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("locality")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("country")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            **kwargs,
        )

    @property
    def has_address(self) -> bool:
        return bool(self.street_address or self.locality)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def postal_address_node(self) -> PostalAddress | None:
        return postal_address_node(
            street_address=self.street_address,
            postal_code=self.postal_code,
            locality=self.locality,
            region=self.region,
            country=self.country,
        )

    def geo_node(self) -> GeoCoordinates | None:
        if not self.has_coordinates:
            return None
        return GeoCoordinates(latitude=float(self.latitude), longitude=float(self.longitude))


@register_setting(icon="group")
class OrganizationSettings(TranslatedTexts, ClusterableModel, PublicAddress, BaseSiteSetting):
    """Who the organization is: shown in the header and footer and reused by every output
    (its time zone by the agenda, its language by every page's ``lang`` and ``og:locale``).

    Its names and description are typed in its own language, with their translations for the
    site's pages in other languages (``organizations.translations``)."""

    translated_fields = ("legal_name", "short_name", "description")

    legal_name = models.CharField(_("legal name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=100, blank=True, help_text=_("Shown in the header.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=OrganizationKind.choices,
        default=OrganizationKind.OTHER,
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
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=OrganizationCurrency.choices,
        default=OrganizationCurrency.CAD,
        help_text=_("The currency of membership fees and prices."),
    )

    select_related = ["logo"]
    #: Every public page of the site shows them (header, footer, graph): saving them forgets the
    #: site's cached pages and graphs (``public_cache``), found from a row by this path.
    public_site_lookup = "site_id"

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("legal_name"),
                    *translation_panels("legal_name"),
                    FieldPanel("short_name"),
                    *translation_panels("short_name"),
                    FieldPanel("kind"),
                    FieldPanel("logo"),
                    FieldPanel("description"),
                    *translation_panels("description"),
                    FieldRowPanel(
                        [FieldPanel("language"), FieldPanel("time_zone"), FieldPanel("currency")]
                    ),
                ],
                heading=_("Identity"),
            ),
            ObjectList(
                [
                    PublicAddress.address_panel(heading=_("Public address")),
                    TranslatedInlinePanel(
                        "contact_points", heading=_("Contact points"), label=_("Contact")
                    ),
                    TranslatedInlinePanel(
                        "social_profiles", heading=_("Social profiles"), label=_("Profile")
                    ),
                ],
                heading=_("Contact"),
            ),
        ]
    )

    class Meta:
        db_table = "home_organizationsettings"
        verbose_name = pgettext_lazy("tenant", "organization")
        verbose_name_plural = pgettext_lazy("tenant", "organizations")

    def __str__(self):
        return self.display_name

    @classmethod
    def base_queryset(cls):
        """With the contact points and social profiles that every page's footer and graph show:
        read once per request (``for_request``), whoever asks."""
        return super().base_queryset().prefetch_related("contact_points", "social_profiles")

    @property
    def display_name(self) -> str:
        """The short name, else the legal name, in the active language."""
        return self.translated("short_name") or self.translated("legal_name")

    @property
    def translations_source_language(self) -> str:
        """The language its texts are typed in (``organizations.translations``)."""
        return self.content_language

    @cached_property
    def html_language(self) -> str:
        """``fr-CA``, ``fr-FR`` or ``en``: the regional tag for the ``lang`` attribute."""
        return OrganizationLanguage(self.language).html_language

    @property
    def content_language(self) -> str:
        return OrganizationLanguage(self.language).content_language


class OrganizationContactPoint(TranslatedTexts, Orderable):
    """A public way to reach the organization (reception, rentals desk, press)."""

    translated_fields = ("label",)

    settings = ParentalKey(
        OrganizationSettings, on_delete=models.CASCADE, related_name="contact_points"
    )
    label = models.CharField(_("label"), max_length=100, help_text=_("For example: reception."))
    email = models.EmailField(_("public e-mail"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)

    #: Shown in every page's footer (see ``OrganizationSettings.public_site_lookup``).
    public_site_lookup = "settings__site_id"

    panels = [
        FieldPanel("label"),
        *translation_panels("label"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("url"),
    ]

    class Meta(Orderable.Meta):
        db_table = "home_organizationcontactpoint"
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")

    def __str__(self):
        return self.label


class OrganizationSocialProfile(TranslatedTexts, Orderable):
    """A profile on a social network or a video site; its label is translated when it is a word
    (« Vidéos ») rather than a name (Mastodon)."""

    translated_fields = ("label",)

    settings = ParentalKey(
        OrganizationSettings, on_delete=models.CASCADE, related_name="social_profiles"
    )
    label = models.CharField(_("network"), max_length=60, help_text=_("For example: Instagram."))
    url = models.URLField(_("profile address"))

    #: Shown in every page's footer (see ``OrganizationSettings.public_site_lookup``).
    public_site_lookup = "settings__site_id"

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("url")]), *translation_panels("label")]

    class Meta(Orderable.Meta):
        db_table = "home_organizationsocialprofile"
        verbose_name = _("social profile")
        verbose_name_plural = _("social profiles")

    def __str__(self):
        return self.label


class OrganizationGroup(models.Model):
    """A Django group working for one organization, with its role there."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="organization_groups", verbose_name=_("site")
    )
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="organization_role", verbose_name=_("group")
    )
    role = models.CharField(_("role"), max_length=20, choices=role_choices)

    class Meta:
        db_table = "crm_blocks_organizationgroup"
        verbose_name = _("organization group")
        verbose_name_plural = _("organization groups")
        constraints = [
            models.UniqueConstraint(fields=["site", "role"], name="one_group_per_role_per_site"),
        ]

    def __str__(self):
        return f"{self.site} — {self.get_role_display()}"


class OrganizationProvision(models.Model):
    """Something the registry gave an organization once: a role's group, a permission, a
    section page. Kept so that ``sync_organizations`` never gives it again: what staff removed,
    renamed or moved afterwards stays as they left it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="organization_provisions")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization provision")
        verbose_name_plural = _("organization provisions")
        constraints = [
            models.UniqueConstraint(fields=["site", "key"], name="one_provision_per_key_per_site"),
        ]

    def __str__(self):
        return f"{self.site} — {self.key}"


__all__ = [
    "OrganizationContactPoint",
    "OrganizationCurrency",
    "OrganizationGroup",
    "OrganizationKind",
    "OrganizationLanguage",
    "OrganizationProvision",
    "OrganizationRole",
    "OrganizationSettings",
    "OrganizationSocialProfile",
    "PublicAddress",
]
