"""The public catalogue: ``EquipmentIndexPage`` (``/equipement/``) and ``EquipmentPage``.

An equipment page is a CRM record and its showcase page at once: its public fields (what the
item is, its rates, what it needs) are on the page; its units (serial numbers, purchase prices,
condition, location) hang from its private twin, ``rentals.Equipment``, shared by its
translations, and never reach the page, its revisions or its JSON-LD. A kit is an equipment
page whose components (``KitComponent``) are other items: booking it books units of each.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from crm_blocks.blocks import PROFILE_BLOCKS
from organizations.scoping import public_within
from privacy.pages import PrivateTwinPageMixin
from structured_data.mixins import StructuredDataPageMixin

from .inventory import Equipment, RateColumn


def output_view(dotted_path: str):
    """One of the plugin's outputs (availability, the member's request, JSON-LD…), found when it
    is served: output modules read the models, so the models cannot import them."""
    return import_string(dotted_path)


class EquipmentCategory(models.TextChoices):
    CAMERA = "camera", _("Camera")
    LENS = "lens", _("Lens")
    LIGHTING = "lighting", _("Lighting")
    SOUND = "sound", _("Sound")
    GRIP = "grip", _("Grip and support")
    MONITORING = "monitoring", _("Monitoring")
    POWER = "power", _("Batteries and power")
    EDITING = "editing", _("Editing suite")
    ROOM = "room", _("Room")
    KIT = "kit", _("Kit")
    OTHER = "other", pgettext_lazy("equipment category", "Other")


class EquipmentIndexPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    """The organization's equipment catalogue: its items by category, those free for given
    dates (``rentals.catalogue``), and the member's booking screens."""

    structured_data_page_type = "CollectionPage"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    conditions = RichTextField(
        _("rental conditions"),
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text=_("Shown on every item's page: deposits, insurance, pick-up hours…"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("conditions")]
    subpage_types = ["rentals.EquipmentPage"]
    max_count_per_parent = 1
    #: What the catalogue reads from the query: such pages are cached for anonymous visitors.
    public_cache_query_params = ("category", "from", "to", "page")

    class Meta:
        verbose_name = _("equipment catalogue")
        verbose_name_plural = _("equipment catalogues")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("rentals.catalogue.catalogue_context")(self, request))
        return context

    @path("reservations/<int:booking_id>/", name="booking")
    def booking(self, request, booking_id):
        return output_view("rentals.member.booking_view")(request, self, booking_id)


class EquipmentPageQuerySet(PageQuerySet):
    def published(self, within: Page | None = None):
        """What the public may see: live pages without view restriction."""
        if within is None:
            return self.live().public()
        return public_within(self.live().descendant_of(within), within)


class EquipmentPageManager(PageManager.from_queryset(EquipmentPageQuerySet)):
    pass


def _rate(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )


class SpecificationBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("characteristic"), max_length=100)
    value = blocks.CharBlock(label=_("value"), max_length=255)

    class Meta:
        icon = "list-ul"
        label = _("Specification")
        template = "rentals/blocks/specification.html"


class EquipmentPage(RoutablePageMixin, PrivateTwinPageMixin, StructuredDataPageMixin, Page):
    """One item of the catalogue (a camera model, a lighting kit, the editing room), with its
    rates in three columns: non-members, members, commercial productions."""

    structured_data_page_type = "WebPage"

    category = models.CharField(
        _("category"), max_length=20, choices=EquipmentCategory.choices, db_index=True
    )
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    product_model = models.CharField(_("model"), max_length=150, blank=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences.")
    )
    description = StreamField(PROFILE_BLOCKS, verbose_name=_("description"), blank=True)
    specifications = StreamField(
        [("specification", SpecificationBlock())],
        verbose_name=_("specifications"),
        blank=True,
    )
    included = models.TextField(
        _("what is included"),
        blank=True,
        help_text=_("One item per line: batteries, charger, case…"),
    )

    daily_rate = _rate(_("daily rate"))
    weekend_rate = _rate(_("weekend rate"))
    weekly_rate = _rate(_("weekly rate"))
    member_daily_rate = _rate(_("member daily rate"))
    member_weekend_rate = _rate(_("member weekend rate"))
    member_weekly_rate = _rate(_("member weekly rate"))
    commercial_daily_rate = _rate(_("commercial daily rate"))
    commercial_weekend_rate = _rate(_("commercial weekend rate"))
    commercial_weekly_rate = _rate(_("commercial weekly rate"))
    deposit = _rate(_("deposit"))

    required_training = models.ForeignKey(
        "rentals.Training",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required training"),
        help_text=_("Only people whose record has this training may book the item."),
    )
    online_requests = models.BooleanField(
        _("members may request it online"),
        default=True,
        help_text=_("Otherwise, members call or write to book it."),
    )

    objects = EquipmentPageManager()
    #: What the item's page reads from the query (its month view): cached for anonymous visitors.
    public_cache_query_params = ("month",)

    private_twin_model = Equipment
    private_form_fields = {"private_internal_notes": "internal_notes"}
    private_form_widgets = {"private_internal_notes": forms.Textarea(attrs={"rows": 4})}

    parent_page_types = ["rentals.EquipmentIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldRowPanel([FieldPanel("brand"), FieldPanel("product_model")]),
        FieldPanel("summary"),
        InlinePanel("photos", heading=_("Photos"), label=_("Photo")),
        FieldPanel("description"),
        FieldPanel("specifications"),
        FieldPanel("included"),
    ]
    rate_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("daily_rate"),
                        FieldPanel("weekend_rate"),
                        FieldPanel("weekly_rate"),
                    ]
                ),
            ],
            heading=_("Non-members"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("member_daily_rate"),
                        FieldPanel("member_weekend_rate"),
                        FieldPanel("member_weekly_rate"),
                    ]
                ),
            ],
            heading=_("Members"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("commercial_daily_rate"),
                        FieldPanel("commercial_weekend_rate"),
                        FieldPanel("commercial_weekly_rate"),
                    ]
                ),
            ],
            heading=_("Commercial productions"),
        ),
        FieldPanel("deposit"),
        FieldPanel("required_training"),
        FieldPanel("online_requests"),
        InlinePanel(
            "kit_components",
            heading=_("Kit contents"),
            label=_("Item of the kit"),
            help_text=_("For a kit: the items it is made of. Booking the kit books them all."),
        ),
    ]
    private_panels = [
        MultiFieldPanel(
            [FieldPanel("private_internal_notes")],
            heading=_("Private details"),
            help_text=_(
                "Seen only by the organization's staff; never published. Units (serial "
                "numbers, purchase prices, condition) are kept in Rentals › Units."
            ),
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Item")),
            ObjectList(rate_panels, heading=_("Rates and conditions")),
            ObjectList(private_panels, heading=_("Private")),
            ObjectList(StructuredDataPageMixin.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("brand"),
        index.SearchField("product_model"),
        index.SearchField("description"),
        index.FilterField("category"),
    ]

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        permissions = [
            ("import_equipmentpage", _("Can import equipment")),
            ("export_equipmentpage", _("Can export equipment")),
        ]

    def prepare_private_form(self, form) -> None:
        """Trainings offered are the organization's own (a forged one is refused)."""
        field = form.fields.get("required_training")
        if field is not None:
            site = getattr(form, "record_site", None)
            field.queryset = (
                field.queryset.filter(site=site) if site is not None else field.queryset.none()
            )

    @property
    def is_kit(self) -> bool:
        return self.category == EquipmentCategory.KIT

    def rates(self, column: str) -> dict[str, Decimal | None]:
        """``{"daily", "weekend", "weekly"}`` of one column (``RateColumn``); a column without
        a daily rate falls back to the non-members' rates."""
        prefix = {
            RateColumn.STANDARD: "",
            RateColumn.MEMBER: "member_",
            RateColumn.COMMERCIAL: "commercial_",
        }[RateColumn(column)]
        if prefix and getattr(self, f"{prefix}daily_rate") is None:
            prefix = ""
        return {
            period: getattr(self, f"{prefix}{period}_rate")
            for period in ("daily", "weekend", "weekly")
        }

    def included_items(self) -> list[str]:
        return [line.strip() for line in self.included.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("rentals.catalogue.equipment_page_context")(self, request))
        return context

    # Wagtail routes ``availability.json`` as ``/availability.json/``: the regex takes both.
    @re_path(r"^availability\.json/?$", name="availability")
    def availability(self, request):
        return output_view("rentals.availability.availability_json_view")(request, self)

    @path("reserve/", name="reserve")
    def reserve(self, request):
        return output_view("rentals.member.reserve_view")(request, self)

    def structured_data_entities(self, context):
        yield from output_view("rentals.structured_data.equipment_nodes")(self, context)


class EquipmentPhoto(Orderable):
    page = ParentalKey(EquipmentPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    alt_text = models.CharField(
        _("description for people who cannot see it"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the image's title."),
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("credit")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    @property
    def alt(self) -> str:
        return self.alt_text or self.image.default_alt_text


class KitComponent(Orderable):
    """One item of a kit, and how many of it the kit takes."""

    kit = ParentalKey(EquipmentPage, on_delete=models.CASCADE, related_name="kit_components")
    item = models.ForeignKey(
        EquipmentPage,
        on_delete=models.CASCADE,
        related_name="in_kits",
        verbose_name=_("item"),
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )

    panels = [FieldRowPanel([FieldPanel("item"), FieldPanel("quantity")])]

    class Meta(Orderable.Meta):
        verbose_name = _("item of a kit")
        verbose_name_plural = _("items of a kit")

    def __str__(self):
        return f"{self.quantity} × {self.item}"
