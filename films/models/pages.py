"""The network's film database: ``FilmIndexPage`` (``/films/``), one folder per distributor
(``DistributorFilmsPage``: Wagtail's page permissions on it let a distributor's users add and
edit their own films, and nothing else), and ``FilmPage`` with its credits and versions.

A film page is public when published; a draft is a record the network is still checking (a film
a box-office export named and nobody described yet, a distributor's film waiting for the
network's moderators).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from crm_blocks.blocks import VideoEmbedBlock
from organizations.fields import ChoiceListField
from organizations.models import OrganizationKind
from organizations.scoping import public_within
from structured_data.mixins import StructuredDataPageMixin

from ..forms import DistributorFilmsPageForm, FilmPageForm

#: A language tag (``fr``, ``en``, ``iu``, ``fr-CA``).
LANGUAGE_PATTERN = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"
#: An ISO 3166-1 alpha-2 country code (``FR``, ``CA``).
COUNTRY_PATTERN = r"[A-Z]{2}"


def output_view(dotted_path: str):
    """One of the plugin's outputs (page contexts, JSON-LD), found when it is served: output
    modules read the models, so the models cannot import them."""
    return import_string(dotted_path)


class FilmGenre(models.TextChoices):
    DRAMA = "drama", _("Drama")
    COMEDY = "comedy", _("Comedy")
    DOCUMENTARY = "documentary", _("Documentary")
    ANIMATION = "animation", _("Animation")
    THRILLER = "thriller", _("Thriller")
    HORROR = "horror", _("Horror")
    SCIENCE_FICTION = "science_fiction", _("Science fiction")
    FANTASY = "fantasy", _("Fantasy")
    ADVENTURE = "adventure", _("Adventure")
    ROMANCE = "romance", _("Romance")
    HISTORY = "history", _("Historical")
    WAR = "war", _("War")
    WESTERN = "western", _("Western")
    MUSICAL = "musical", _("Musical")
    FAMILY = "family", _("Family")
    EXPERIMENTAL = "experimental", _("Experimental")
    SHORT = "short", _("Short film")


class AgeRating(models.TextChoices):
    """French (CNC visa) and Quebec (Régie du cinéma) ratings, in one list."""

    ALL = "all", _("All audiences")
    FR_12 = "fr_12", _("Not for under 12 (France)")
    FR_16 = "fr_16", _("Not for under 16 (France)")
    FR_18 = "fr_18", _("Not for under 18 (France)")
    QC_G = "qc_g", _("G — general (Quebec)")
    QC_13 = "qc_13", _("13+ (Quebec)")
    QC_16 = "qc_16", _("16+ (Quebec)")
    QC_18 = "qc_18", _("18+ (Quebec)")


class VersionFormat(models.TextChoices):
    DCP = "dcp", "DCP"
    FILE = "file", _("File")
    FILM = "film", _("35 mm film")
    OTHER = "other", pgettext_lazy("film format", "Other")


class FilmIndexPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    """The film database: every published film of the tree, filtered by genre, accessibility,
    language and distributor (``films.catalogue``)."""

    structured_data_page_type = "CollectionPage"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["films.FilmPage", "films.DistributorFilmsPage"]
    max_count_per_parent = 1
    public_cache_query_params = ("genre", "access", "language", "distributor", "q", "page")

    class Meta:
        verbose_name = _("film database")
        verbose_name_plural = _("film databases")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("films.catalogue.film_index_context")(self, request))
        return context


class DistributorFilmsPage(StructuredDataPageMixin, Page):
    """A distributor's part of the film database: its users' page permissions stop here. Its
    public page lists the database's films of that distributor."""

    structured_data_page_type = "CollectionPage"
    template = "films/film_index_page.html"
    public_cache_query_params = FilmIndexPage.public_cache_query_params

    distributor = models.OneToOneField(
        "crm_blocks.OrganizationPage",
        on_delete=models.PROTECT,
        related_name="film_folder",
        verbose_name=_("distributor"),
        limit_choices_to={"kind": OrganizationKind.DISTRIBUTOR},
    )

    content_panels = [*Page.content_panels, FieldPanel("distributor")]
    parent_page_types = ["films.FilmIndexPage"]
    subpage_types = ["films.FilmPage"]
    # A distributor's users may edit their folder's title, never whose folder it is.
    base_form_class = DistributorFilmsPageForm

    class Meta:
        verbose_name = _("distributor's films")
        verbose_name_plural = _("distributors' films")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        index = self.get_parent().specific
        context.update(
            output_view("films.catalogue.film_index_context")(
                index, request, distributor=self.distributor_id
            )
        )
        return context


class FilmPageQuerySet(PageQuerySet):
    def published(self, within: Page | None = None):
        """What the public may see: live pages without view restriction."""
        if within is None:
            return self.live().public()
        return public_within(self.live().descendant_of(within), within)


class FilmPageManager(PageManager.from_queryset(FilmPageQuerySet)):
    pass


class FilmPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    """A film: who made it, who distributes it, and the versions cinemas can show."""

    structured_data_page_type = "WebPage"

    original_title = models.CharField(_("original title"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1888), MaxValueValidator(2100)],
    )
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1500)],
    )
    countries = ChoiceListField(
        _("countries"),
        pattern=COUNTRY_PATTERN,
        upper=True,
        help_text=_("Codes of the countries of production, separated by commas: FR, CA, BE."),
    )
    original_languages = ChoiceListField(
        _("original languages"),
        pattern=LANGUAGE_PATTERN,
        help_text=_("Language codes, separated by commas: fr, en, iu."),
    )
    distributor = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="distributed_films",
        verbose_name=_("distributor"),
        limit_choices_to={"kind": OrganizationKind.DISTRIBUTOR},
    )
    release_date = models.DateField(_("release date"), null=True, blank=True)
    poster = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("poster"),
    )
    poster_credit = models.CharField(_("poster credit"), max_length=255, blank=True)
    synopsis = RichTextField(_("synopsis"), blank=True, features=["bold", "italic", "link"])
    genres = ChoiceListField(_("genres"), choices=FilmGenre.choices)
    age_rating = models.CharField(
        _("age rating"), max_length=10, choices=AgeRating.choices, blank=True
    )
    trailer = StreamField(
        [("video", VideoEmbedBlock())],
        blank=True,
        max_num=1,
        verbose_name=_("trailer"),
    )
    visa_number = models.CharField(
        _("CNC visa number"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("France: the number of the exploitation visa."),
    )
    quebec_classification = models.CharField(
        _("Quebec classification number"), max_length=30, blank=True
    )
    imdb_id = models.CharField(
        _("IMDb identifier"),
        max_length=12,
        blank=True,
        help_text=_("Such as tt0123456."),
    )
    external_id = models.CharField(
        _("external identifier"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The film's identifier in another system (a distributor's catalogue)."),
    )
    #: The title folded (no accents, no case, no punctuation) for matching box-office exports.
    match_title = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = FilmPageManager()

    parent_page_types = ["films.FilmIndexPage", "films.DistributorFilmsPage"]
    subpage_types: list[str] = []
    # A distributor's users type names, never choose the network's records; the folder says
    # whose film it is (``films.forms``).
    base_form_class = FilmPageForm

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("original_title"), FieldPanel("year")]),
        FieldRowPanel([FieldPanel("duration"), FieldPanel("release_date")]),
        FieldRowPanel([FieldPanel("countries"), FieldPanel("original_languages")]),
        FieldPanel("distributor"),
        MultiFieldPanel([FieldPanel("poster"), FieldPanel("poster_credit")], heading=_("Poster")),
        FieldPanel("synopsis"),
        FieldPanel("genres"),
        FieldPanel("age_rating"),
        FieldPanel("trailer"),
        InlinePanel("credits", heading=_("Directors and cast"), label=_("Person")),
    ]
    versions_panels = [
        InlinePanel(
            "versions",
            heading=_("Versions"),
            label=_("Version"),
            help_text=_(
                "Each language and subtitle combination cinemas can show, with its "
                "accessibility features."
            ),
        )
    ]
    identifiers_panels = [
        FieldPanel("visa_number"),
        FieldPanel("quebec_classification"),
        FieldPanel("imdb_id"),
        FieldPanel("external_id"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Film")),
            ObjectList(versions_panels, heading=_("Versions")),
            ObjectList(identifiers_panels, heading=_("Identifiers")),
            ObjectList(StructuredDataPageMixin.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("original_title"),
        index.SearchField("synopsis"),
        index.FilterField("year"),
        index.FilterField("visa_number"),
    ]

    class Meta:
        verbose_name = _("film")
        verbose_name_plural = _("films")
        permissions = [
            ("import_filmpage", _("Can import films")),
            ("export_filmpage", _("Can export films")),
        ]

    def set_derived_fields(self) -> None:
        """Fields computed from others; also called by bulk imports, which skip ``save``."""
        from ..titles import fold_title

        self.match_title = fold_title(self.title)

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        return super().save(*args, **kwargs)

    def structured_data_image(self):
        return self.poster

    def structured_data_image_fields(self) -> dict:
        return {"credit_text": self.poster_credit} if self.poster_credit else {}

    def directors(self):
        return [c for c in self.credits.all() if c.role == FilmCredit.Role.DIRECTOR]

    def cast(self):
        return [c for c in self.credits.all() if c.role == FilmCredit.Role.ACTOR]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("films.catalogue.film_page_context")(self, request))
        return context

    def structured_data_entities(self, context):
        return output_view("films.structured_data.film_nodes")(self, context)


class FilmCredit(Orderable):
    """A director or an actor: a person record of the organization when there is one, a name
    otherwise."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("Director")
        ACTOR = "actor", _("Actor")

    film = ParentalKey(FilmPage, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.DIRECTOR)
    person = models.ForeignKey(
        "crm_blocks.PersonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="film_credits",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"),
        max_length=255,
        blank=True,
        help_text=_("When the person has no record of their own."),
    )
    character = models.CharField(_("character"), max_length=255, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("role"), FieldPanel("person"), FieldPanel("name")]),
        FieldPanel("character"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = pgettext_lazy("film credit", "credit")
        verbose_name_plural = pgettext_lazy("film credit", "credits")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The person record's title when the record is live, else the typed name ('' if
        none): a draft record's title is never shown. A view-restricted record is live but
        not public: what the public sees goes through ``public_name``."""
        if self.person_id and self.person is not None and self.person.live:
            return self.person.title
        return self.name

    def public_name(self, public_ids) -> str:
        """The name the public sees: the person record's title when the record is public (its
        id in ``public_ids``, live and unrestricted pages), else the typed name ('' if none)."""
        if self.person_id and self.person_id in public_ids and self.person is not None:
            return self.person.title
        return self.name.strip()

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.person_id and not self.name.strip():
            raise ValidationError(_("Choose a person or type a name."))


class FilmVersion(Orderable):
    """A version cinemas can book: a language/subtitle combination with its accessibility
    features, its format and when it is available."""

    film = ParentalKey(FilmPage, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(
        _("name"),
        max_length=40,
        help_text=_("As cinemas write it: VF, VOSTFR, VF-AD, VFSTF-SME, LSF…"),
    )
    audio_language = models.CharField(
        _("language spoken"),
        max_length=20,
        blank=True,
        help_text=_("A language code (fr, en…); empty for the original language."),
    )
    subtitle_language = models.CharField(
        _("subtitle language"), max_length=20, blank=True, help_text=_("Empty for none.")
    )
    audio_description = models.BooleanField(_("audio description"), default=False)
    sdh_subtitles = models.BooleanField(
        _("subtitles for the deaf and hard of hearing"), default=False
    )
    closed_captions = models.BooleanField(_("closed captions"), default=False)
    open_captions = models.BooleanField(_("open captions"), default=False)
    sign_language = models.BooleanField(_("sign language"), default=False)
    format = models.CharField(
        _("format"), max_length=10, choices=VersionFormat.choices, default=VersionFormat.DCP
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)

    panels = [
        FieldRowPanel(
            [FieldPanel("label"), FieldPanel("audio_language"), FieldPanel("subtitle_language")]
        ),
        MultiFieldPanel(
            [
                FieldPanel("audio_description"),
                FieldPanel("sdh_subtitles"),
                FieldPanel("closed_captions"),
                FieldPanel("open_captions"),
                FieldPanel("sign_language"),
            ],
            heading=_("Accessibility"),
        ),
        FieldRowPanel(
            [FieldPanel("format"), FieldPanel("available_from"), FieldPanel("available_until")]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self):
        return self.label

    def spoken_language(self) -> str:
        """The language heard: the version's, or the film's first original language."""
        if self.audio_language:
            return self.audio_language
        languages = self.film.original_languages if self.film_id else []
        return languages[0] if languages else ""

    def accessibility_fields(self) -> list[str]:
        from ..versions import ACCESSIBILITY_FIELDS

        return [name for name in ACCESSIBILITY_FIELDS if getattr(self, name)]

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError(
                {"available_until": _("The end of availability comes before its start.")}
            )
