"""The admin screens of distributors (menu « Distributors »), for the network's CRM staff:

- the members' directory (``DistributorContact``): staff record each contact, *that the
  distributor validated it* (who recorded it and when are kept) and the person's consent (its
  date and wording, both required before the contact is listed to members);
- the distributors' logins (``DistributorAccess``): choose a distributor record and an e-mail,
  and ``films.distributors`` makes its folder, group and collection and invites the login.

Both are site-scoped (``organizations.viewsets``): staff of one organization see only its rows.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.ui.tables.pages import PageStatusColumn, PageTitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.pages import PageListingViewSet

from crm_blocks.models import OrganizationPage
from organizations.models import OrganizationKind
from organizations.scoping import site_root_pages, sites_for_user
from organizations.views import ScopedEditView, ScopedIndexView, SiteScopedAdminForm
from organizations.viewsets import ScopedModelViewSet, scoped_form
from spreadsheets.views import SpreadsheetIndexMixin
from spreadsheets.viewsets import SpreadsheetViewSetMixin

from .distributors import distributor_access_grant, distributor_user_add
from .models import DistributorAccess, DistributorContact, FilmPage


def distributor_records(user, roles=None):
    """Organization records of kind distributor in the CRM of the user's organizations."""
    pages = OrganizationPage.objects.filter(kind=OrganizationKind.DISTRIBUTOR)
    if getattr(user, "is_superuser", False):
        return pages.order_by("title")
    paths = [root.path for site in sites_for_user(user, roles) for root in site_root_pages(site)]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return pages.filter(condition).order_by("title")


def _belongs_to(page, site) -> bool:
    return any(page.path.startswith(root.path) for root in site_root_pages(site))


# --- The directory -------------------------------------------------------------------------


class DistributorContactForm(SiteScopedAdminForm):
    """Staff record a contact and, once the distributor validated it, tick « validated »; the
    person's consent (date and wording) is required for the contact to be listed."""

    validated = forms.BooleanField(
        label=_("Validated by the distributor"),
        required=False,
        help_text=_("Tick once the distributor confirmed these details for the members."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if "distributor" in self.fields and user is not None:
            self.fields["distributor"].queryset = distributor_records(user, self.scope_roles)
        self.fields["validated"].initial = bool(self.instance.validated_at)

    def clean(self):
        cleaned = super().clean()
        site, distributor = cleaned.get("site"), cleaned.get("distributor")
        if site is not None and distributor is not None and not _belongs_to(distributor, site):
            self.add_error("distributor", _("Choose a distributor of this organization."))
        consent_at, consent_text = cleaned.get("consent_at"), cleaned.get("consent_text")
        if consent_at and not (consent_text or "").strip():
            self.add_error("consent_text", _("Write what the person agreed to."))
        if (consent_text or "").strip() and not consent_at:
            self.add_error("consent_at", _("Give the date of the consent."))
        return cleaned

    def save(self, commit=True):
        contact = super().save(commit=False)
        if self.cleaned_data.get("validated"):
            if contact.validated_at is None:
                contact.validated_at = timezone.now()
                contact.validated_by = self.for_user
        else:
            contact.validated_at = None
            contact.validated_by = None
        if commit:
            contact.save()
        return contact


class DistributorContactIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("distributor")


class DistributorContactViewSet(ScopedModelViewSet):
    model = DistributorContact
    icon = "user"
    menu_label = _("Distributors' contacts")
    add_item_label = _("Add a distributor's contact")
    index_view_class = DistributorContactIndexView
    search_fields = ["name", "role", "territory", "email"]
    search_backend_name = None
    list_display = [
        "name",
        Column("distributor", label=_("Distributor")),
        "role",
        "territory",
        BooleanColumn("validated_at", label=_("Validated")),
        BooleanColumn("consent_at", label=_("Consent")),
    ]
    edit_handler = scoped_form(
        "site",
        "distributor",
        "name",
        FieldRowPanel([FieldPanel("role"), FieldPanel("territory")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("validated"),
        MultiFieldPanel(
            [FieldPanel("consent_at"), FieldPanel("consent_text")], heading=_("Consent")
        ),
        form_class=DistributorContactForm,
    )


# --- Distributors' logins --------------------------------------------------------------------


class DistributorAccessForm(SiteScopedAdminForm):
    """A distributor record and, optionally, the e-mail of a first login to invite."""

    email = forms.EmailField(
        label=_("E-mail of a login to invite"),
        required=False,
        help_text=_(
            "The person receives a link to choose a password; they may then add and edit the "
            "distributor's films and submit them for review, nothing else."
        ),
    )

    class Meta:
        model = DistributorAccess
        fields = ["site", "distributor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if "distributor" in self.fields and user is not None:
            self.fields["distributor"].queryset = distributor_records(user, self.scope_roles)
        if self.instance.pk:  # an access stays the distributor's: only logins are added
            for name in ("site", "distributor"):
                if name in self.fields:
                    self.fields[name].disabled = True


class DistributorAccessCreateView(generic.CreateView):
    def form_valid(self, form):
        site, distributor = form.cleaned_data["site"], form.cleaned_data["distributor"]
        try:
            access = distributor_access_grant(site=site, distributor=distributor)
            email = form.cleaned_data.get("email")
            if email:
                distributor_user_add(access=access, email=email)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(distributor)s may now log in and submit its films.")
            % {"distributor": distributor.title},
        )
        return redirect(self.index_url_name)


class DistributorAccessEditView(ScopedEditView):
    """The same form adds a login to an existing access."""

    def form_valid(self, form):
        email = form.cleaned_data.get("email")
        if email:
            try:
                distributor_user_add(access=self.object, email=email)
            except ValidationError as error:
                form.add_error("email", error)
                return self.form_invalid(form)
            messages.success(
                self.request, _("Invitation sent to %(address)s.") % {"address": email}
            )
        return redirect(self.index_url_name)


class DistributorAccessIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("distributor")
            .annotate(logins=Count("group__user"))
        )


class DistributorAccessViewSet(ScopedModelViewSet):
    model = DistributorAccess
    icon = "key"
    menu_label = _("Distributors' logins")
    add_item_label = _("Give a distributor access")
    index_view_class = DistributorAccessIndexView
    add_view_class = DistributorAccessCreateView
    edit_view_class = DistributorAccessEditView
    list_display = [
        Column("distributor", label=_("Distributor")),
        Column("logins", label=_("Logins")),
        "created_at",
    ]
    edit_handler = scoped_form("site", "distributor", "email", form_class=DistributorAccessForm)


class DistributorsViewSetGroup(ViewSetGroup):
    menu_label = _("Distributors")
    menu_icon = "group"
    menu_order = 160
    items = (
        DistributorContactViewSet("films_distributorcontact"),
        DistributorAccessViewSet("films_distributoraccess"),
    )


def register_distributor_viewsets():
    return DistributorsViewSetGroup()


# --- The film database as a flat list, with its spreadsheets -----------------------------------


class FilmIndexView(SpreadsheetIndexMixin, IndexView):
    """The films the user may explore (their organization's, or a distributor's folder);
    ``?export=films.xlsx`` downloads those shown, « Import » brings a catalogue in."""

    def get_base_queryset(self):
        explorable = self.permission_policy.explorable_instances(self.request.user)
        return self.annotate_queryset(
            FilmPage.objects.filter(pk__in=explorable.values_list("pk", flat=True))
        )

    def spreadsheet_queryset(self, kind):
        pages = self.get_queryset()
        if isinstance(pages, QuerySet):
            return pages
        return FilmPage.objects.filter(pk__in=[page.pk for page in pages])


class FilmListingViewSet(SpreadsheetViewSetMixin, PageListingViewSet):
    """« Films » in the admin menu: every film of the user's film database, with the import
    and export of the ``films`` spreadsheets."""

    model = FilmPage
    name = "films"
    icon = "media"
    menu_label = _("Films")
    menu_order = 215
    add_to_admin_menu = True
    index_view_class = FilmIndexView
    spreadsheet_kinds = ("films",)
    columns = [
        PageTitleColumn("title", label=_("Title"), sort_key="title", classname="title"),
        Column("year", label=_("Year"), sort_key="year"),
        Column("distributor", label=_("Distributor")),
        PageStatusColumn("status", label=_("Published"), sort_key="live"),
    ]


def register_film_listing():
    return FilmListingViewSet()
