"""The events listing of the admin (menu « Agenda »): the organization's events as a flat list,
with their dates, kind, status, venue and publication, filters, and the spreadsheet buttons
(import and export events, export their dates for funders).

A ``PageListingViewSet``: its pages are those the user may explore — their organization's tree —
and each row opens Wagtail's own page editor; nothing of an event is edited here.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import PageStatusColumn, PageTitleColumn
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from spreadsheets.views import SpreadsheetIndexMixin
from spreadsheets.viewsets import SpreadsheetViewSetMixin

from .models import EventAttendance, EventKind, EventOccurrence, EventPage, EventStatus


class EventFilterSet(PageFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EventKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EventStatus.choices)
    attendance = django_filters.ChoiceFilter(label=_("Attendance"), choices=EventAttendance.choices)
    period = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[
            ("upcoming", pgettext_lazy("events", "Coming")),
            ("past", pgettext_lazy("events", "Past")),
        ],
        method="filter_period",
    )

    class Meta:
        model = EventPage
        fields = []

    def filter_period(self, queryset, name, value):
        """Coming: a date not over yet (of a published event), or a draft starting from today;
        past: the others."""
        coming = EventOccurrence.objects.filter(event=OuterRef("pk")).upcoming()
        queryset = queryset.annotate(has_coming=Exists(coming))
        today = timezone.localdate()
        is_coming = Q(has_coming=True) | Q(live=False, start_date__gte=today)
        return queryset.filter(is_coming) if value == "upcoming" else queryset.exclude(is_coming)


def event_dates(page: EventPage) -> str:
    """« 9 mars 2027, 19:00 », with « (repeats) » for a repeating event."""
    text = date_format(page.start_date, "DATE_FORMAT")
    if page.start_time is not None:
        text += ", " + time_format(page.start_time, "TIME_FORMAT")
    if page.end_date and page.end_date != page.start_date:
        text += " – " + date_format(page.end_date, "DATE_FORMAT")
    if page.is_recurring:
        text += " " + str(_("(repeats)"))
    return text


def event_venue(page: EventPage) -> str:
    if page.venue is not None:
        return page.venue.title
    if page.attendance == EventAttendance.ONLINE:
        return str(EventAttendance.ONLINE.label)
    return page.place_name


class EventIndexView(SpreadsheetIndexMixin, IndexView):
    """The organization's events; ``?export=events.xlsx`` downloads those shown,
    ``?export=event_occurrences.csv`` their dates."""

    default_ordering = "-start_date"

    def get_base_queryset(self):
        # Always within the pages the user may explore, searching included (Wagtail leaves
        # that to a setting when searching).
        explorable = self.permission_policy.explorable_instances(self.request.user)
        pages = EventPage.objects.filter(pk__in=explorable.values_list("pk", flat=True))
        return self.annotate_queryset(pages.select_related("venue"))

    def get_valid_orderings(self):
        return [*super().get_valid_orderings(), "start_date", "-start_date", "kind", "-kind"]

    def listing_pages(self) -> QuerySet:
        pages = self.get_queryset()
        if isinstance(pages, QuerySet):
            return pages
        return EventPage.objects.filter(pk__in=[page.pk for page in pages])

    def spreadsheet_queryset(self, kind):
        pages = self.listing_pages()
        if kind == "event_occurrences":
            return EventOccurrence.objects.filter(event__in=pages.values("pk"))
        return pages


class EventListingViewSet(SpreadsheetViewSetMixin, PageListingViewSet):
    """« Agenda » in the admin menu: every event of the user's organization."""

    model = EventPage
    name = "events"
    icon = "date"
    menu_label = pgettext_lazy("admin menu", "Agenda")
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = EventIndexView
    filterset_class = EventFilterSet
    spreadsheet_kinds = ("events", "event_occurrences")
    columns = [
        PageTitleColumn("title", label=_("Title"), sort_key="title", classname="title"),
        Column("dates", label=_("Dates"), accessor=event_dates, sort_key="start_date"),
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("event_status", label=_("Status"), accessor="get_status_display"),
        Column("venue", label=_("Venue"), accessor=event_venue),
        PageStatusColumn("status", label=_("Published"), sort_key="live"),
    ]
