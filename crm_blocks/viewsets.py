"""The CRM's admin screens: records, memberships, membership types, affiliations, tags.

Every viewset here uses the site-scoped views of ``organizations`` and the permission policy
registered in ``wagtail_hooks.py``: CRM staff of one organization see only its data; editors
without the CRM role do not see the menu at all.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import Page

from organizations.views import ScopedIndexView
from organizations.viewsets import ScopedModelViewSet, scoped_form
from spreadsheets.views import SpreadsheetIndexMixin
from spreadsheets.viewsets import SpreadsheetViewSetMixin

from . import views
from .models import (
    Affiliation,
    Contact,
    ContactTag,
    Membership,
    MembershipStatus,
    MembershipType,
    PersonPage,
    PersonRole,
)
from .models.contacts import record_name


def user_tags(request):
    if request is None:
        return ContactTag.objects.none()
    return ContactTag.objects.for_user(request.user)


class ContactFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Contact.Kind.choices)
    membership_status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        choices=MembershipStatus.choices,
        method="filter_membership_status",
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=PersonRole.Code.choices, method="filter_role"
    )
    tags = django_filters.ModelChoiceFilter(label=_("Internal tag"), queryset=user_tags)

    class Meta:
        model = Contact
        fields = []

    def filter_membership_status(self, queryset, name, value):
        members = (
            Membership.objects.with_effective_status()
            .filter(effective_status=value)
            .values("contact")
        )
        return queryset.filter(pk__in=members)

    def filter_role(self, queryset, name, value):
        people = PersonPage.objects.filter(roles__code=value).values("translation_key")
        return queryset.filter(translation_key__in=people)


class ContactIndexView(SpreadsheetIndexMixin, ScopedIndexView):
    """The records listing; ``?export=people.csv`` downloads the people it shows."""

    SPREADSHEET_KINDS = {"people": Contact.Kind.PERSON, "organizations": Contact.Kind.ORGANIZATION}

    def spreadsheet_queryset(self, kind):
        return self.get_queryset().filter(kind=self.SPREADSHEET_KINDS[kind])

    def get_base_queryset(self):
        live_page = Page.objects.filter(translation_key=OuterRef("translation_key"), live=True)
        return super().get_base_queryset().with_name().annotate(is_published=Exists(live_page))

    def search_queryset(self, queryset):
        """Accents, case and plurals aside (``ContactQuerySet.matching``), where Wagtail's
        ``icontains`` would miss « Échu » for « echu »."""
        if not self.is_searching:
            return queryset
        return queryset.matching(self.search_query)


class ContactViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    """CRM records: created with their person or organization page, looked at and completed
    here, imported and exported as spreadsheets."""

    model = Contact
    spreadsheet_kinds = ("people", "organizations")
    icon = "user"
    menu_label = _("Records")
    index_view_class = ContactIndexView
    inspect_view_class = views.ContactInspectView
    inspect_view_enabled = True
    filterset_class = ContactFilterSet
    search_fields = ["name", "email", "secondary_email"]
    search_backend_name = None
    ordering = ["name"]
    list_per_page = 50
    list_display = [
        TitleColumn(
            "name",
            label=_("Name"),
            url_name="crm_contact:inspect",
            sort_key="name",
        ),
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("email", label=_("E-mail"), sort_key="email"),
        Column("phone", label=_("Phone"), accessor="phones"),
        BooleanColumn("is_published", label=_("Published")),
    ]
    edit_handler = scoped_form(
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("email"), FieldPanel("secondary_email")]),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("mobile_phone")]),
            ],
            heading=_("E-mails and phones"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("locality")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("country")]),
            ],
            heading=_("Postal address"),
        ),
        FieldPanel("birth_date"),
        FieldPanel("notes"),
        FieldPanel("tags", widget=forms.CheckboxSelectMultiple),
        form_class=views.ContactForm,
    )


class MembershipFilterSet(WagtailFilterSet):
    effective_status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MembershipStatus.choices
    )
    membership_type = django_filters.ModelChoiceFilter(
        label=_("Membership type"),
        queryset=lambda request: (
            MembershipType.objects.for_user(request.user)
            if request
            else MembershipType.objects.none()
        ),
    )

    class Meta:
        model = Membership
        fields = []


class MembershipIndexView(SpreadsheetIndexMixin, ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .with_effective_status()
            .with_currency()
            .select_related("membership_type")
            .annotate(contact_name=record_name("contact"))
        )


class MembershipViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    model = Membership
    spreadsheet_kinds = ("memberships",)
    icon = "tag"
    menu_label = _("Memberships")
    add_item_label = _("Add a membership")
    index_view_class = MembershipIndexView
    filterset_class = MembershipFilterSet
    ordering = ["-start_date"]
    list_display = [
        TitleColumn(
            "contact_name",
            label=_("Member"),
            url_name="crm_membership:edit",
            sort_key="contact_name",
        ),
        "membership_type",
        "start_date",
        "end_date",
        Column("fee", label=_("Fee paid"), accessor="fee_display", sort_key="fee"),
        Column(
            "effective_status",
            label=_("Status"),
            accessor="get_effective_status_display",
            sort_key="effective_status",
        ),
    ]
    edit_handler = scoped_form(
        "contact", "membership_type", "start_date", "end_date", "fee", "status"
    )


class MembershipTypeIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().with_currency()


class MembershipTypeViewSet(ScopedModelViewSet):
    model = MembershipType
    icon = "list-ul"
    menu_label = _("Membership types")
    add_item_label = _("Add a membership type")
    index_view_class = MembershipTypeIndexView
    list_display = [
        "name",
        Column(
            "default_fee",
            label=_("Default fee"),
            accessor="default_fee_display",
            sort_key="default_fee",
        ),
        "duration_months",
    ]
    edit_handler = scoped_form("site", "name", "default_fee", "duration_months")


class AffiliationIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                person_name=record_name("person"), organization_name=record_name("organization")
            )
        )


class AffiliationViewSet(ScopedModelViewSet):
    model = Affiliation
    icon = "link"
    menu_label = _("Affiliations")
    add_item_label = _("Add an affiliation")
    index_view_class = AffiliationIndexView
    list_display = [
        TitleColumn(
            "person_name",
            label=_("Person"),
            url_name="crm_affiliation:edit",
            sort_key="person_name",
        ),
        "role",
        Column("organization_name", label=_("Organization"), sort_key="organization_name"),
        "start_date",
        "end_date",
        BooleanColumn("public", label=_("Public")),
    ]
    edit_handler = scoped_form("person", "organization", "role", "start_date", "end_date", "public")


class ContactTagViewSet(ScopedModelViewSet):
    model = ContactTag
    icon = "tag"
    menu_label = _("Internal tags")
    add_item_label = _("Add an internal tag")
    list_display = ["name"]
    edit_handler = scoped_form("site", "name")


class CrmViewSetGroup(ViewSetGroup):
    menu_label = _("CRM")
    menu_icon = "group"
    menu_order = 150
    items = (
        ContactViewSet("crm_contact"),
        MembershipViewSet("crm_membership"),
        AffiliationViewSet("crm_affiliation"),
        MembershipTypeViewSet("crm_membershiptype"),
        ContactTagViewSet("crm_contacttag"),
    )
