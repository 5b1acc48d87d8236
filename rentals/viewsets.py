"""The equipment desk's admin menu, « Location de matériel » (Rentals): bookings, units,
trainings, qualifications, closures and the rates of membership types.

A menu of its own beside the CRM's rather than inside it: the CRM menu belongs to
``crm_blocks``, which knows nothing of rentals, and staff look for "the desk" as one place
(the item pages' help already sends them to « Location de matériel › Unités »). Every viewset
is a ``ScopedModelViewSet``: lists, lookups and choice lists stop at the user's organizations,
and the menu shows only to those holding the desk's permissions (the CRM staff).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django.db import models
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import Page

from crm_blocks.models import Contact
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationSettings
from organizations.views import ScopedIndexView
from organizations.viewsets import ScopedModelViewSet, scoped_form
from spreadsheets.views import SpreadsheetIndexMixin
from spreadsheets.viewsets import SpreadsheetViewSetMixin

from . import admin_views
from .admin_forms import AvailabilityForm, EquipmentUnitForm, QualificationForm, sites_where
from .models import (
    Booking,
    BookingStatus,
    Closure,
    Equipment,
    EquipmentUnit,
    MembershipRate,
    Qualification,
    Training,
    UnitCondition,
    UnitStatus,
)

# --- Bookings --------------------------------------------------------------------------------


class BookingStatusColumn(Column):
    """The booking's status, and a « En retard » badge when it is out past its return."""

    cell_template_name = "rentals/admin/status_cell.html"


class BookingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BookingStatus.choices)
    period = django_filters.DateFromToRangeFilter(
        label=_("Out between"),
        method="filter_period",
        widget=DateRangePickerWidget,
    )
    late = django_filters.ChoiceFilter(
        label=_("Late returns"),
        choices=[("late", _("Late returns only"))],
        method="filter_late",
    )

    class Meta:
        model = Booking
        fields = []

    def filter_period(self, queryset, name, value):
        """Bookings holding their units at some time between the two days (days of each
        organization's clock)."""
        if not value or (value.start is None and value.stop is None):
            return queryset
        condition = Q(pk__in=[])
        zones = OrganizationSettings.objects.filter(
            site__in=queryset.values("site_id")
        ).values_list("site_id", "time_zone")
        for site_id, zone_name in zones:
            zone = ZoneInfo(zone_name)
            part = Q(site_id=site_id)
            if value.start is not None:
                part &= Q(return_at__gt=dt.datetime.combine(value.start, dt.time(0), tzinfo=zone))
            if value.stop is not None:
                end = dt.datetime.combine(
                    value.stop + dt.timedelta(days=1), dt.time(0), tzinfo=zone
                )
                part &= Q(pickup_at__lt=end)
            condition |= part
        return queryset.filter(condition)

    def filter_late(self, queryset, name, value):
        return queryset.late(timezone.now()) if value == "late" else queryset


class BookingViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    """Bookings: the listing, one screen per booking, the check-out and check-in screens and
    the loan slip."""

    model = Booking
    spreadsheet_kinds = ("bookings",)
    icon = "calendar-alt"
    menu_label = _("Bookings")
    add_item_label = _("Add a booking")
    index_view_class = admin_views.BookingIndexView
    add_view_class = admin_views.BookingCreateView
    edit_view_class = admin_views.BookingEditView
    delete_view_class = admin_views.InventoryDeleteView
    filterset_class = BookingFilterSet
    search_fields = ["production_title"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        TitleColumn(
            "number",
            label=pgettext_lazy("booking", "Number"),
            url_name=f"{admin_views.BOOKINGS}:edit",
            sort_key="pk",
        ),
        Column("borrower_name", label=_("Borrower"), sort_key="borrower_name"),
        Column("items_summary", label=_("Items")),
        Column("pickup_local", label=_("Pick-up"), sort_key="pickup_at"),
        Column("return_local", label=_("Return"), sort_key="return_at"),
        BookingStatusColumn(
            "status", label=_("Status"), accessor="get_status_display", sort_key="status"
        ),
        Column("total_display", label=_("Total"), sort_key="total"),
    ]

    def get_add_view_kwargs(self, **kwargs):
        return {"template_name": admin_views.BookingCreateView.template_name, **kwargs}

    def get_edit_view_kwargs(self, **kwargs):
        return {"template_name": admin_views.BookingEditView.template_name, **kwargs}

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "decide/<int:pk>/",
                self.construct_view(admin_views.BookingDecisionView),
                name="decide",
            ),
            path(
                "units/<int:pk>/", self.construct_view(admin_views.BookingUnitsView), name="units"
            ),
            path(
                "checkout/<int:pk>/", self.construct_view(admin_views.CheckOutView), name="checkout"
            ),
            path("checkin/<int:pk>/", self.construct_view(admin_views.CheckInView), name="checkin"),
            path("slip/<int:pk>/", self.construct_view(admin_views.LoanSlipView), name="slip"),
        ]


# --- Units -----------------------------------------------------------------------------------


def twin_title(path: str = "") -> models.Subquery:
    """The title of the item's first page, for annotating twins (``path=""``) or rows pointing
    to one (``"equipment"``)."""
    key = f"{path}__translation_key" if path else "translation_key"
    pages = Page.objects.filter(translation_key=models.OuterRef(key))
    return models.Subquery(pages.order_by("pk").values("title")[:1])


class EquipmentUnitFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UnitStatus.choices)
    condition = django_filters.ChoiceFilter(label=_("Condition"), choices=UnitCondition.choices)
    equipment = django_filters.ChoiceFilter(label=_("Item"), choices=[])

    class Meta:
        model = EquipmentUnit
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        twins = Equipment.objects.none()
        if request is not None:
            twins = Equipment.objects.filter(
                site__in=sites_where(request.user, EquipmentUnit, ("view", "change"))
            )
        choices = (
            twins.annotate(title=twin_title()).order_by("title", "pk").values_list("pk", "title")
        )
        self.filters["equipment"].extra["choices"] = [(pk, title or "—") for pk, title in choices]


class EquipmentUnitIndexView(SpreadsheetIndexMixin, ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(item_title=twin_title("equipment"))


class EquipmentUnitViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    """The units the desk lends, by inventory number; serials, purchase and location are
    private."""

    model = EquipmentUnit
    spreadsheet_kinds = ("equipment",)
    icon = "tag"
    menu_label = _("Units")
    add_item_label = _("Add a unit")
    index_view_class = EquipmentUnitIndexView
    delete_view_class = admin_views.InventoryDeleteView
    filterset_class = EquipmentUnitFilterSet
    search_fields = ["inventory_number", "serial_number", "location"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        TitleColumn(
            "inventory_number",
            label=_("Inventory number"),
            url_name="rentals_unit:edit",
            sort_key="inventory_number",
        ),
        Column("item_title", label=_("Item"), sort_key="item_title"),
        Column("serial_number", label=_("Serial number"), sort_key="serial_number"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column(
            "condition",
            label=_("Condition"),
            accessor="get_condition_display",
            sort_key="condition",
        ),
        Column("location", label=_("Location"), sort_key="location"),
    ]
    edit_handler = scoped_form(
        "equipment",
        FieldRowPanel([FieldPanel("inventory_number"), FieldPanel("serial_number")]),
        FieldRowPanel([FieldPanel("purchase_date"), FieldPanel("purchase_price")]),
        FieldRowPanel([FieldPanel("condition"), FieldPanel("status")]),
        "location",
        "notes",
        form_class=EquipmentUnitForm,
    )


# --- Trainings and qualifications ------------------------------------------------------------


class TrainingViewSet(ScopedModelViewSet):
    model = Training
    icon = "doc-full"
    menu_label = _("Trainings")
    add_item_label = _("Add a training")
    list_display = ["name", "validity_months"]
    edit_handler = scoped_form("site", "name", "description", "validity_months")


class QualificationFilterSet(WagtailFilterSet):
    training = django_filters.ModelChoiceFilter(
        label=_("Training"),
        queryset=lambda request: (
            Training.objects.for_user(request.user) if request else Training.objects.none()
        ),
    )

    class Meta:
        model = Qualification
        fields = []


class QualificationIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("training")
            .annotate(person_name=record_name("contact"))
        )

    def search_queryset(self, queryset):
        """The person's name or e-mail, accents and case aside."""
        if not self.is_searching:
            return queryset
        return queryset.filter(contact__in=Contact.objects.matching(self.search_query).values("pk"))


class QualificationViewSet(ScopedModelViewSet):
    model = Qualification
    icon = "success"
    menu_label = _("Qualifications")
    add_item_label = _("Add a qualification")
    index_view_class = QualificationIndexView
    filterset_class = QualificationFilterSet
    search_fields = ["note"]
    search_backend_name = None
    list_display = [
        TitleColumn(
            "person_name",
            label=_("Person"),
            url_name="rentals_qualification:edit",
            sort_key="person_name",
        ),
        "training",
        "obtained_on",
        "expires_on",
    ]
    edit_handler = scoped_form(
        "contact",
        "training",
        FieldRowPanel([FieldPanel("obtained_on"), FieldPanel("expires_on")]),
        "note",
        form_class=QualificationForm,
    )


# --- Closures and rates ----------------------------------------------------------------------


class ClosureViewSet(ScopedModelViewSet):
    model = Closure
    icon = "date"
    menu_label = _("Closures")
    add_item_label = _("Add a closure")
    delete_view_class = admin_views.InventoryDeleteView
    list_display = ["reason", "start_date", "end_date"]
    edit_handler = scoped_form(
        "site",
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        "reason",
        form_class=AvailabilityForm,
    )


class MembershipRateIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("membership_type")


class MembershipRateViewSet(ScopedModelViewSet):
    model = MembershipRate
    icon = "tag"
    menu_label = _("Rates by membership")
    add_item_label = _("Add rates for a membership type")
    index_view_class = MembershipRateIndexView
    list_display = [
        TitleColumn(
            "membership_type",
            label=_("Membership type"),
            url_name="rentals_membershiprate:edit",
        ),
        Column("column", label=_("Rates"), accessor="get_column_display", sort_key="column"),
    ]
    edit_handler = scoped_form("membership_type", "column")


class RentalsViewSetGroup(ViewSetGroup):
    menu_label = _("Rentals")
    menu_icon = "calendar-alt"
    menu_order = 160
    items = (
        BookingViewSet(admin_views.BOOKINGS),
        EquipmentUnitViewSet("rentals_unit"),
        TrainingViewSet("rentals_training"),
        QualificationViewSet("rentals_qualification"),
        ClosureViewSet("rentals_closure"),
        MembershipRateViewSet("rentals_membershiprate"),
    )
