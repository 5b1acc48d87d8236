"""Record pages: a person or an organization is one page.

A draft page is a private CRM record; publishing it showcases its public fields on the
organization's website. Only public fields live here (see ``contacts`` for the private twin).
"""

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, PageManager, PageQuerySet, Site
from wagtail.search import index

from organizations.maps import place_markers
from organizations.models import OrganizationKind, PublicAddress
from organizations.scoping import public_pages_for_site, public_within
from organizations.sorting import primary_key
from organizations.structured_data import organization_node_type
from privacy.models import ConsentPurpose, PrivacySettings
from privacy.models.consents import PUBLIC_PROFILE, ConsentRequired
from privacy.pages import PrivateTwinPageMixin
from structured_data.graph import GraphContext
from structured_data.mixins import (
    StructuredDataPageMixin,
    organization_nodes,
    primary_image_ref,
)
from structured_data.nodes import Person

from ..blocks import PROFILE_BLOCKS
from ..panels import DuplicateConfirmationPanel
from ..sections import record_page_sections
from .contacts import ConsentRecord, Contact
from .relations import Affiliation

PAGE_SIZE = 24


def sort_key(*parts: str) -> str:
    """Lower case, without accents, ligatures spelt out (``organizations.sorting.primary_key``),
    so that lists sort « Élise » with the E's and « Œuvre » with the O's on every database
    (SQLite and a C-collated PostgreSQL would put both after Z)."""
    return primary_key(" ".join(part for part in parts if part))[:255]


class PersonRole(models.Model):
    """A public role a person plays (filmmaker, technician, …); a fixed list seeded by migration,
    so that filters and exports use stable codes while labels follow the reader's language."""

    class Code(models.TextChoices):
        FILMMAKER = "filmmaker", _("Filmmaker")
        TECHNICIAN = "technician", _("Technician")
        ARTIST = "artist", _("Artist")
        VOLUNTEER = "volunteer", _("Volunteer")
        STAFF = "staff", _("Staff")
        BOARD = "board", _("Board member")

    code = models.CharField(_("code"), max_length=30, unique=True, choices=Code.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return str(self.get_code_display())


def images_with_renditions(field: str, *filter_specs: str) -> Prefetch:
    """Prefetch an image foreign key with the renditions a listing shows, so that a page of
    cards costs the same number of queries whatever its length."""
    images = get_image_model().objects.prefetch_renditions(*filter_specs)
    return Prefetch(field, queryset=images)


def private_details_panels():
    """The editor's "Private (CRM)" tab: fields of the record's ``Contact``, not of the page.

    The page's form (``privacy.forms``) removes these fields for users who are not CRM staff of
    the page's organization, and Wagtail then hides the empty tab.
    """
    return [
        MultiFieldPanel(
            [
                FieldPanel("private_email"),
                FieldRowPanel([FieldPanel("private_phone"), FieldPanel("private_mobile_phone")]),
                FieldPanel("private_notes"),
            ],
            heading=_("Private details"),
            help_text=_(
                "Seen only by the organization's CRM staff; never published. "
                "Saved as soon as you save the page."
            ),
        ),
    ]


class RecordPageMixin(PrivateTwinPageMixin):
    """A CRM record page: its private twin is a ``Contact`` of the page's ``contact_kind``.

    Its editor form warns about duplicates within the organization: an e-mail another record
    of the same kind uses (for CRM staff, who see e-mails), and, when a record is created, a
    near-identical name — saved anyway once the "not the same record" box is ticked.
    """

    contact_kind: str

    private_twin_model = Contact
    private_form_fields = {
        "private_email": "email",
        "private_phone": "phone",
        "private_mobile_phone": "mobile_phone",
        "private_notes": "notes",
    }
    private_form_widgets = {"private_notes": forms.Textarea(attrs={"rows": 4})}

    def private_twin_defaults(self) -> dict:
        return {"kind": self.contact_kind}

    @classmethod
    def private_form_extra_fields(cls) -> dict:
        return {
            "confirm_distinct_record": forms.BooleanField(
                label=_("This is not the same record"),
                required=False,
                help_text=_("Tick this box to create the record anyway."),
            )
        }

    def prepare_private_form(self, form) -> None:
        form.similar_pages = []
        if self.pk:
            form.fields.pop("confirm_distinct_record", None)

    def clean_private_form(self, form) -> None:
        if form.record_site is None:
            return
        others = (
            Contact.objects.for_site(form.record_site)
            .filter(kind=self.contact_kind)
            .exclude(translation_key=self.translation_key)
        )
        email = form.cleaned_data.get("private_email")
        if form.can_see_private and email:
            other = others.with_email(email).first()
            if other is not None:
                form.add_error(
                    "private_email",
                    _("“%(name)s” already uses this e-mail. Open that record instead.")
                    % {"name": other.name or other.email},
                )
        title = form.cleaned_data.get("title")
        if not self.pk and title and not form.cleaned_data.get("confirm_distinct_record"):
            form.similar_pages = others.pages_with_similar_name(title, type(self))
            if form.similar_pages:
                names = format_html_join(", ", "“{}”", ((p.title,) for p in form.similar_pages))
                form.add_error(
                    "title",
                    format_html(
                        "{} {}",
                        _("A record with a near-identical name already exists:"),
                        names,
                    ),
                )


def affiliated_records(page, request, *, side: str, other_model) -> list[dict]:
    """``[{"role", "page"}]``: the affiliations of ``page``'s record (``side`` is ``"person"``
    or ``"organization"``) that staff made public, with the other record's page.

    The card rule (``crm_blocks.blocks.shown_record``) holds: only live pages without view
    restriction, of the site being visited, in the visitor's language when translated; an
    affiliation whose other page is not public is simply not shown."""
    site = Site.find_for_request(request) if request is not None else page.get_site()
    if site is None or not page.translation_key:
        return []
    other = "organization" if side == "person" else "person"
    affiliations = list(
        Affiliation.objects.for_site(site)
        .shown_publicly()
        .filter(**{f"{side}__translation_key": page.translation_key})
        .values_list("role", f"{other}__translation_key")
    )
    if not affiliations:
        return []
    pages: dict = {}
    candidates = (
        public_pages_for_site(site)
        .type(other_model)
        .filter(translation_key__in={key for _role, key in affiliations})
        .order_by("pk")
        .specific()
    )
    for candidate in candidates:
        # The page in the visitor's language if there is one, else the first published.
        if candidate.translation_key not in pages or candidate.locale_id == page.locale_id:
            pages[candidate.translation_key] = candidate
    return [{"role": role, "page": pages[key]} for role, key in affiliations if key in pages]


class RecordPageQuerySet(PageQuerySet):
    def published(self, within: Page | None = None):
        """What the public may see: live pages without view restrictions. With ``within`` (the
        index page), only the restrictions of that part of the tree are read."""
        if within is None:
            return self.live().public()
        return public_within(self.live(), within)


RecordPageManager = PageManager.from_queryset(RecordPageQuerySet)


class RecordIndexPage(StructuredDataPageMixin, Page):
    """Lists the published records below it, filtered and paginated."""

    structured_data_page_type = "CollectionPage"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def get_records(self, request):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        records, filters = self.get_records(request)
        paginator = Paginator(records, PAGE_SIZE)
        context["records"] = paginator.get_page(request.GET.get("page"))
        context["filters"] = filters
        query = request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context


class PersonIndexPage(RecordIndexPage):
    subpage_types = ["crm_blocks.PersonPage"]
    #: What ``get_records`` reads: such pages are cached for anonymous visitors (``public_cache``).
    public_cache_query_params = ("page", "role")

    class Meta:
        verbose_name = _("people index")
        verbose_name_plural = _("people indexes")

    def get_records(self, request):
        people = (
            PersonPage.objects.child_of(self)
            .published(within=self)
            .prefetch_related("roles", images_with_renditions("photo", "fill-200x200"))
            .order_by("sort_name", "pk")
        )
        # Only the roles someone listed here has: a choice that lists nobody is a dead end.
        present = set(
            PersonRole.objects.filter(personpage__in=people.values("pk")).values_list(
                "code", flat=True
            )
        )
        role_codes = {code for code, _label in PersonRole.Code.choices}
        role = request.GET.get("role", "")
        if role in role_codes:
            people = people.filter(roles__code=role)
        else:
            role = ""
        filters = {
            "name": "role",
            "label": _("Role"),
            "selected": role,
            "choices": [c for c in PersonRole.Code.choices if c[0] in present or c[0] == role],
        }
        return people, filters


class PersonPage(RecordPageMixin, StructuredDataPageMixin, Page):
    """A person: the CRM record and, once published, the public profile."""

    def public_profile_refusal(self) -> str | None:
        """Why this person may not be published, or ``None``: their organization publishes
        people only with their consent to a public profile (``PrivacySettings``, on by
        default: privacy by default) and none is in force."""
        site = self.get_site() if self.pk else None
        if site is None or not PrivacySettings.for_site(site).public_profile_consent_required:
            return None
        consented = ConsentRecord.objects.filter(
            contact__translation_key=self.translation_key,
            purpose_ref__code=PUBLIC_PROFILE,
            purpose_ref__site=site,
            withdrawn_on__isnull=True,
        ).exists()
        if consented:
            return None
        return _(
            "“%(name)s” cannot be published: this person has not consented to a public "
            "profile on the website. Record their consent in their CRM record first; the page "
            "was saved as a draft."
        ) % {"name": self.title}

    @classmethod
    def private_form_extra_fields(cls) -> dict:
        return {
            **super().private_form_extra_fields(),
            "public_profile_consent": forms.BooleanField(
                label=_("The person consents to a public profile on the website"),
                required=False,
            ),
            "public_profile_consent_source": forms.ChoiceField(
                label=_("How was consent given?"),
                required=False,
                choices=[
                    (value, label)
                    for value, label in ConsentRecord.Source.choices
                    if value not in (ConsentRecord.Source.IMPORT, ConsentRecord.Source.DEMO)
                ],
                initial=ConsentRecord.Source.IN_PERSON,
            ),
        }

    def prepare_private_form(self, form) -> None:
        """The consent box, for CRM staff, while the person has not consented: unticked, the
        purpose's current words as its help (privacy by default)."""
        super().prepare_private_form(form)
        purpose = None
        if form.can_see_private and form.record_site is not None:
            purpose = ConsentPurpose.objects.filter(
                site=form.record_site, code=PUBLIC_PROFILE, active=True
            ).first()
        wording = purpose.current_wording() if purpose else None
        consented = (
            self.pk
            and wording is not None
            and ConsentRecord.objects.filter(
                contact__translation_key=self.translation_key,
                purpose_ref=purpose,
                withdrawn_on__isnull=True,
            ).exists()
        )
        if wording is None or consented:
            form.fields.pop("public_profile_consent", None)
            form.fields.pop("public_profile_consent_source", None)
            return
        form.fields["public_profile_consent"].help_text = _(
            "Tick only if the person agreed to these words: “%(wording)s”"
        ) % {"wording": wording.text()}

    def clean_private_form(self, form) -> None:
        super().clean_private_form(form)
        if form.cleaned_data.get("public_profile_consent"):
            # Logged once the page exists (``crm_blocks.consents.consent_from_page_form``).
            self._public_profile_consent = (
                form.cleaned_data.get("public_profile_consent_source")
                or ConsentRecord.Source.IN_PERSON
            )

    def publish(self, revision, *args, **kwargs):
        """Every way of publishing (the editor, a workflow, a schedule, a script) goes through
        the person's consent first."""
        refusal = self.public_profile_refusal()
        if refusal and revision.approved_go_live_at is not None:
            # A scheduled publication whose time came after the consent was withdrawn: it is
            # called off (and the scheduler goes on with the other pages), not published.
            revision.approved_go_live_at = None
            revision.save(update_fields=["approved_go_live_at"])
            return None
        if refusal:
            raise ConsentRequired(refusal)
        return super().publish(revision, *args, **kwargs)

    structured_data_page_type = "ProfilePage"
    structured_data_fields = {
        "Person.image": "photo",
        "ProfilePage.primaryImageOfPage": "photo",
        "Person.description": "summary",
        "ProfilePage.description": "summary",
        "Person.sameAs": "links",
        "Person.jobTitle": "roles",
        "ImageObject.creator|creditText|copyrightNotice|license": "photo_credit",
    }

    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(
        _("family name"),
        max_length=100,
        blank=True,
        help_text=_("Used to sort lists of people."),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence shown in lists and search results."),
    )
    roles = ParentalManyToManyField(PersonRole, blank=True, verbose_name=_("roles"))
    sort_name = models.CharField(max_length=255, editable=False, db_index=True, default="")
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    photo_credit = models.CharField(
        _("photo credit"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who took the photo or holds its rights, for example “Photo: Jean Dupont”. Shown "
            "under the photo and given to search engines."
        ),
    )
    bio = StreamField(PROFILE_BLOCKS, blank=True, verbose_name=_("biography"))

    objects = RecordPageManager()

    contact_kind = "person"
    parent_page_types = ["crm_blocks.PersonIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        TitleFieldPanel("title", heading=_("Full name")),
        DuplicateConfirmationPanel("confirm_distinct_record"),
        FieldRowPanel([FieldPanel("given_name"), FieldPanel("family_name")]),
        FieldPanel("summary"),
        FieldPanel("roles", widget=forms.CheckboxSelectMultiple),
        FieldPanel("photo"),
        FieldPanel("photo_credit"),
        FieldPanel("bio"),
        InlinePanel("links", heading=_("Links"), label=_("Link")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Public profile")),
            ObjectList(
                [
                    *private_details_panels(),
                    MultiFieldPanel(
                        [
                            FieldPanel("public_profile_consent"),
                            FieldPanel("public_profile_consent_source"),
                        ],
                        heading=_("Consent to a public profile"),
                    ),
                ],
                heading=_("Private (CRM)"),
            ),
            ObjectList(StructuredDataPageMixin.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("bio"),
        index.AutocompleteField("family_name"),
    ]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def structured_data_image(self):
        return self.photo

    def structured_data_image_fields(self) -> dict:
        return {"credit_text": self.photo_credit} if self.photo_credit else {}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["affiliations"] = affiliated_records(
            self, request, side="person", other_model=OrganizationPage
        )
        context["record_sections"] = record_page_sections(self, request)
        return context

    def set_derived_fields(self) -> None:
        """Fields computed from others; also called by bulk imports, which skip ``save``."""
        self.sort_name = sort_key(self.family_name, self.given_name, self.title)

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        return super().save(*args, **kwargs)

    def structured_data_entities(self, context: GraphContext):
        """The public profile only: affiliations and memberships are private CRM data."""
        node_id = f"{context.page_url}#person"
        context.main_entity_id = node_id
        context.main_entity_type = "Person"
        yield Person(
            id=node_id,
            name=self.title,
            given_name=self.given_name or None,
            family_name=self.family_name or None,
            description=self.summary or None,
            url=context.page_url,
            job_title=[str(role) for role in self.roles.all()] or None,
            image=primary_image_ref(context) if self.photo else None,
            same_as=[link.url for link in self.links.all()] or None,
        )


class PersonLink(Orderable):
    page = ParentalKey(PersonPage, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("address"))
    label = models.CharField(
        _("label"), max_length=100, help_text=_("For example: portfolio, IMDb, Instagram.")
    )

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("url")])]

    class Meta(Orderable.Meta):
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self):
        return self.label


class OrganizationIndexPage(RecordIndexPage):
    subpage_types = ["crm_blocks.OrganizationPage"]
    #: What ``get_records`` reads: such pages are cached for anonymous visitors (``public_cache``).
    public_cache_query_params = ("page", "kind")

    class Meta:
        verbose_name = _("organizations index")
        verbose_name_plural = _("organizations indexes")

    def get_records(self, request):
        organizations = (
            OrganizationPage.objects.child_of(self)
            .published(within=self)
            .prefetch_related(images_with_renditions("logo", "max-200x200"))
            .order_by("sort_name", "pk")
        )
        # Only the kinds of the organizations listed here: a choice that lists none is a dead end.
        present = set(organizations.order_by().values_list("kind", flat=True).distinct())
        kind = request.GET.get("kind", "")
        if kind in OrganizationKind.values:
            organizations = organizations.filter(kind=kind)
        else:
            kind = ""
        filters = {
            "name": "kind",
            "label": _("Kind"),
            "selected": kind,
            "choices": [c for c in OrganizationKind.choices if c[0] in present or c[0] == kind],
        }
        return organizations, filters

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The organizations of this page of the list that have a public position.
        context["map_markers"] = place_markers(context["records"], request=request)
        return context


class OrganizationPage(RecordPageMixin, StructuredDataPageMixin, PublicAddress, Page):
    """An organization (partner, member cinema, funder, …): CRM record and public profile."""

    structured_data_page_type = "ProfilePage"
    structured_data_fields = {
        "logo": "logo",
        "image": "logo",
        "description": "summary",
        "address": "street_address",
        "geo": "latitude",
        "url": "website",
    }

    kind = models.CharField(
        _("kind"), max_length=30, choices=OrganizationKind.choices, default=OrganizationKind.OTHER
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence shown in lists and search results."),
    )
    description = StreamField(PROFILE_BLOCKS, blank=True, verbose_name=_("description"))
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    website = models.URLField(_("website"), blank=True)
    sort_name = models.CharField(max_length=255, editable=False, db_index=True, default="")
    objects = RecordPageManager()

    contact_kind = "organization"
    parent_page_types = ["crm_blocks.OrganizationIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        TitleFieldPanel("title", heading=_("Name")),
        DuplicateConfirmationPanel("confirm_distinct_record"),
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("logo"),
        FieldPanel("website"),
        FieldPanel("description"),
        PublicAddress.address_panel(
            heading=_("Public address"),
            help_text=_("Shown on the public page and on maps."),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Public profile")),
            ObjectList(private_details_panels(), heading=_("Private (CRM)")),
            ObjectList(StructuredDataPageMixin.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("locality"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def structured_data_image(self):
        return self.logo

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["affiliations"] = affiliated_records(
            self, request, side="organization", other_model=PersonPage
        )
        context["record_sections"] = record_page_sections(self, request)
        return context

    def structured_data_image_fields(self) -> dict:
        # An organization holds the rights to its own logo.
        return {"copyright_notice": f"© {self.title}"}

    def set_derived_fields(self) -> None:
        """Fields computed from others; also called by bulk imports, which skip ``save``."""
        self.sort_name = sort_key(self.title)

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        return super().save(*args, **kwargs)

    def structured_data_entities(self, context: GraphContext):
        node_class = organization_node_type(self.kind)
        node_id = f"{context.page_url}#organization"
        context.main_entity_id = node_id
        context.main_entity_type = node_class.schema_type
        yield from organization_nodes(
            node_class,
            id=node_id,
            name=self.title,
            description=self.summary or None,
            url=self.website or context.page_url,
            # On this profile page, the organization's own website is the page elsewhere on the
            # Web that says who it is (what Google asks of a profile's sameAs).
            same_as=[self.website] if self.website else None,
            logo=primary_image_ref(context) if self.logo else None,
            image=primary_image_ref(context) if self.logo else None,
            address=self.postal_address_node(),
            geo=self.geo_node(),
        )
