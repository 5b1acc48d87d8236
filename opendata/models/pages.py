"""The dataset catalogue (``/donnees/``) and its datasets, one page each.

A dataset is a page like every record: a draft is the staff's, publishing it puts it in the
catalogue, its APIs and the DCAT catalogue. Its data come from a *live source* (records a
plugin keeps, read when asked: ``opendata.sources``) or from an *uploaded table*
(``DatasetTable``, replaced as a whole by each upload, outside the page's revisions).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page, PageManager, PageQuerySet
from wagtail.search import index

from organizations.fields import ChoiceListField
from organizations.scoping import public_within
from structured_data.mixins import StructuredDataPageMixin

from ..forms import DatasetPageForm


def output_view(dotted_path: str):
    """One of the plugin's outputs (page contexts, JSON-LD, routes), found when it is served:
    output modules read the models, so the models cannot import them."""
    return import_string(dotted_path)


class DatasetAccess(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("dataset access", "Everyone")
    MEMBERS = "members", _("Members only")


class SourceKind(models.TextChoices):
    LIVE = "live", _("Live records")
    UPLOAD = "upload", _("Uploaded table")


class Licence(models.TextChoices):
    """Open licences, with the identifiers portals use (data.gouv.fr, CKAN, SPDX)."""

    ETALAB_2 = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0 (Etalab)")
    ODBL = "odbl-1.0", _("Open Database License (ODbL) 1.0")
    CC_BY_4 = "cc-by-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA_4 = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC0 = "cc0-1.0", _("Creative Commons Zero 1.0 (public domain)")
    OGL_CANADA = "ogl-canada-2.0", _("Open Government Licence – Canada 2.0")
    OTHER = "other", _("Other (see the description)")


#: Each licence's official address (DCAT's ``dct:license``, schema.org's ``license``).
LICENCE_URLS = {
    Licence.ETALAB_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.OGL_CANADA: "https://open.canada.ca/en/open-government-licence-canada",
}


class Frequency(models.TextChoices):
    """Update frequencies: the codes of the EU's frequency vocabulary (DCAT-AP)."""

    CONTINUOUS = "UPDATE_CONT", _("Continuously (live records)")
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Yearly")
    IRREGULAR = "IRREG", _("Irregularly")
    NEVER = "NEVER", _("Never (a closed dataset)")


class DatasetTheme(models.TextChoices):
    """The EU's data themes (DCAT-AP's ``dcat:theme`` vocabulary), by their codes."""

    EDUC = "EDUC", _("Education, culture and sport")
    ECON = "ECON", _("Economy and finance")
    SOCI = "SOCI", _("Population and society")
    REGI = "REGI", _("Regions and cities")
    GOVE = "GOVE", _("Government and public sector")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")
    ENVI = "ENVI", _("Environment")
    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ENER = "ENER", _("Energy")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")


class DatasetIndexPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    """The organization's data portal: its published datasets, searched and filtered by theme,
    keyword and access; the APIs and the DCAT catalogue list the same ones."""

    structured_data_page_type = "CollectionPage"

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["opendata.DatasetPage"]
    max_count_per_parent = 1
    public_cache_query_params = ("q", "theme", "keyword", "access", "page")

    class Meta:
        verbose_name = _("data portal")
        verbose_name_plural = _("data portals")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("opendata.portal.index_context")(self, request))
        return context


class DatasetPageQuerySet(PageQuerySet):
    def published(self, within: Page | None = None):
        """Live datasets that no view restriction hides (below ``within`` when given)."""
        pages = self.live()
        if within is not None:
            pages = public_within(pages.descendant_of(within), within)
        return pages


class DatasetPageManager(PageManager.from_queryset(DatasetPageQuerySet)):
    pass


class DatasetPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    description = models.TextField(
        _("description"), help_text=_("What the data are, where they come from, how to use them.")
    )
    dataset_id = models.SlugField(
        _("dataset identifier"),
        max_length=100,
        blank=True,
        help_text=_(
            "How the APIs name the dataset (letters, digits and dashes). Made from the slug when "
            "left empty; keep it once partners use it."
        ),
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    themes = ChoiceListField(_("themes"), choices=DatasetTheme.choices)
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.ETALAB_2
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=255,
        blank=True,
        help_text=_("Left empty: the organization's name."),
    )
    contact_name = models.CharField(_("contact point"), max_length=255, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("A public address for questions about the data (it is published)."),
    )
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    spatial_coverage = models.CharField(
        _("spatial coverage"),
        max_length=255,
        blank=True,
        help_text=_("The territory the data cover: « Québec », « Auvergne-Rhône-Alpes »…"),
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    access = models.CharField(
        _("access"),
        max_length=10,
        choices=DatasetAccess.choices,
        default=DatasetAccess.PUBLIC,
        help_text=_(
            "Members only: the data are read by the organization's members with a current "
            "membership and its staff; the catalogue lists the dataset as restricted."
        ),
    )
    source_kind = models.CharField(
        _("data"), max_length=10, choices=SourceKind.choices, default=SourceKind.UPLOAD
    )
    live_source = models.CharField(
        _("live records"),
        max_length=100,
        blank=True,
        help_text=_("Which records the dataset shows, when its data are live records."),
    )
    members_fields = models.CharField(
        _("members-only columns"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Columns of an uploaded table read by members only, separated by commas (the live "
            "records' columns say so themselves)."
        ),
    )
    #: CKAN's ids: the package, and its one resource (the data).
    package_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    resource_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    objects = DatasetPageManager()
    base_form_class = DatasetPageForm

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("access"),
                FieldPanel("source_kind"),
                FieldPanel("live_source"),
                FieldPanel("members_fields"),
            ],
            heading=_("Data and access"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("dataset_id"),
                FieldPanel("keywords"),
                FieldPanel("themes"),
                FieldPanel("licence"),
                FieldRowPanel([FieldPanel("publisher"), FieldPanel("frequency")]),
                FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_email")]),
                FieldPanel("spatial_coverage"),
                FieldRowPanel([FieldPanel("temporal_start"), FieldPanel("temporal_end")]),
            ],
            heading=_("Description for catalogues"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("keywords"),
    ]
    parent_page_types = ["opendata.DatasetIndexPage"]
    subpage_types: list[str] = []
    public_cache_query_params = ("q", "sort", "page", "view", "x", "y", "chart")
    #: Where the editor fixes what Google Dataset Search misses (the structured-data report).
    structured_data_fields = {
        "WebPage.description": "search_description",
        "Dataset.description": "description",
        "Dataset.keywords": "keywords",
        "Dataset.license": "licence",
        "Dataset.spatialCoverage": "spatial_coverage",
        "Dataset.temporalCoverage": "temporal_start",
    }

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    # --- what the outputs read ------------------------------------------------------------------
    @property
    def identifier(self) -> str:
        return self.dataset_id or self.slug

    @property
    def members_only(self) -> bool:
        return self.access == DatasetAccess.MEMBERS

    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    def members_field_names(self) -> set[str]:
        return {name.strip() for name in self.members_fields.split(",") if name.strip()}

    def table_column_names(self) -> list[str]:
        """The names of the uploaded table's columns (none before the first upload)."""
        if self.pk is None or self.source_kind != SourceKind.UPLOAD:
            return []
        from .tables import DatasetColumn  # same package; no output module

        return list(
            DatasetColumn.objects.filter(table__dataset_id=self.pk)
            .order_by("position")
            .values_list("name", flat=True)
        )

    def unknown_members_fields(self) -> list[str]:
        names = self.table_column_names()
        if not names:
            return []
        return sorted(self.members_field_names() - set(names))

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    def clean(self):
        super().clean()
        from ..sources import live_sources  # the registry reads hooks, not models

        if not self.dataset_id:
            self.dataset_id = self.slug
        errors = {}
        if self.source_kind == SourceKind.LIVE:
            if not self.live_source:
                errors["live_source"] = _("Choose which records the dataset shows.")
            elif self.live_source not in live_sources():
                errors["live_source"] = _("No such live records: %(key)s.") % {
                    "key": self.live_source
                }
        if self.temporal_start and self.temporal_end and self.temporal_end < self.temporal_start:
            errors["temporal_end"] = _("The coverage ends before it starts.")
        unknown = self.unknown_members_fields()
        if unknown:
            # A label or a typo would leave the column public while the editor thinks it kept.
            errors["members_fields"] = _(
                "No column is named %(names)s. The table's columns: %(columns)s."
            ) % {"names": ", ".join(unknown), "columns": ", ".join(self.table_column_names())}
        if self.dataset_id and self.path:
            # Identifiers are unique within the organization (the tree below its home page).
            home_path = self.path[: self.steplen * 2]
            others = DatasetPage.objects.filter(
                path__startswith=home_path, dataset_id=self.dataset_id
            ).exclude(pk=self.pk)
            if others.exists():
                errors["dataset_id"] = _("Another dataset of the organization has this identifier.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("opendata.portal.dataset_context")(self, request))
        return context

    def structured_data_entities(self, context):
        return output_view("opendata.structured_data.dataset_nodes")(self, context)

    # --- routes (``opendata.page_views``) -------------------------------------------------------
    @path("")
    def index_route(self, request, *args, **kwargs):
        return output_view("opendata.page_views.dataset_page_view")(request, self)

    @path("records/<str:record_id>/", name="record")
    def record_route(self, request, record_id):
        return output_view("opendata.page_views.record_view")(request, self, record_id)

    @path("exports/<str:fmt>/", name="export")
    def export_route(self, request, fmt):
        return output_view("opendata.page_views.export_view")(request, self, fmt)

    @path("embed/<str:kind>/", name="embed")
    def embed_route(self, request, kind):
        return output_view("opendata.page_views.embed_view")(request, self, kind)
