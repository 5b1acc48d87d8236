"""The CRM's admin screens: records, memberships, membership types, affiliations, tags.

Every viewset here uses the scoped views of ``views.py`` and the site-scoped permission policy
registered in ``wagtail_hooks.py``: CRM staff of one organization see only its data; editors
without the CRM role do not see the menu at all.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.models import Page

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
from .services import records_export as spreadsheet_export


def scoped_form(*panels, form_class=views.SiteScopedAdminForm):
    """An edit handler whose form limits every choice list to the user's organizations."""
    return ObjectList(
        [FieldPanel(p) if isinstance(p, str) else p for p in panels],
        base_form_class=form_class,
    )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


class ScopedModelViewSet(ModelViewSet):
    index_view_class = views.ScopedIndexView
    add_view_class = views.ScopedCreateView
    edit_view_class = views.ScopedEditView
    delete_view_class = views.ScopedDeleteView
    inspect_view_class = views.ScopedInspectView
    history_view_class = views.ScopedHistoryView
    usage_view_class = views.ScopedUsageView
    copy_view_enabled = False
    add_to_admin_menu = False


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


EXPORT_KINDS = {Contact.Kind.PERSON: "people", Contact.Kind.ORGANIZATION: "organizations"}
EXPORT_FORMATS = ("csv", "xlsx", "ods")


class ContactIndexView(views.ScopedIndexView):
    """The records listing; ``?export=people.csv`` downloads the filtered listing."""

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export", "")
        if export:
            return self.export_response(export)
        return super().get(request, *args, **kwargs)

    def export_response(self, export: str):
        kind_name, _dot, fmt = export.partition(".")
        kinds = {name: kind for kind, name in EXPORT_KINDS.items()}
        if kind_name not in kinds or fmt not in EXPORT_FORMATS:
            raise Http404
        if not self.request.user.has_perm("crm_blocks.export_contact"):
            raise PermissionDenied
        queryset = self.get_queryset().filter(kind=kinds[kind_name])
        content = spreadsheet_export(kind=kind_name, fmt=fmt, queryset=queryset)
        filename = f"{kind_name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if not self.request.user.has_perm("crm_blocks.export_contact"):
            return buttons
        query = self.request.GET.copy()
        labels = {"people": _("Export people"), "organizations": _("Export organizations")}
        for kind_name, label in labels.items():
            for fmt in EXPORT_FORMATS:
                query["export"] = f"{kind_name}.{fmt}"
                buttons.append(
                    Button(
                        f"{label} ({fmt.upper()})",
                        url=f"{self.request.path}?{query.urlencode()}",
                        icon_name="download",
                        priority=50,
                    )
                )
        return buttons

    def get_base_queryset(self):
        live_page = Page.objects.filter(translation_key=OuterRef("translation_key"), live=True)
        return super().get_base_queryset().with_name().annotate(is_published=Exists(live_page))


class ContactViewSet(ScopedModelViewSet):
    """CRM records: created with their person or organization page, looked at and completed
    here."""

    model = Contact
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
        Column("phone", label=_("Phone")),
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
        InlinePanel("consents", heading=_("Consent log"), label=_("Consent")),
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


class MembershipIndexView(views.ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .with_effective_status()
            .select_related("membership_type")
            .annotate(contact_name=record_name("contact"))
        )


class MembershipViewSet(ScopedModelViewSet):
    model = Membership
    icon = "tag"
    menu_label = _("Memberships")
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
        "fee",
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


class MembershipTypeViewSet(ScopedModelViewSet):
    model = MembershipType
    icon = "list-ul"
    menu_label = _("Membership types")
    list_display = ["name", "default_fee", "duration_months"]
    edit_handler = scoped_form("site", "name", "default_fee", "duration_months")


class AffiliationIndexView(views.ScopedIndexView):
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
    ]
    edit_handler = scoped_form("person", "organization", "role", "start_date", "end_date")


class ContactTagViewSet(ScopedModelViewSet):
    model = ContactTag
    icon = "tag"
    menu_label = _("Internal tags")
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
