"""The admin's « Billetterie » (Box office) menu: the screenings of the user's organizations
(film, cinema, room, start, version, admissions, receipts; filters by film, cinema and period;
exports), the box-office import (``films.boxoffice_views``) and the barometer
(``films.barometer``). Every listing and lookup stops at the user's organizations."""

from __future__ import annotations

import django_filters
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from organizations.views import ScopedIndexView, SiteScopedAdminForm, scoped_queryset
from organizations.viewsets import ScopedModelViewSet, scoped_form
from spreadsheets.views import SpreadsheetIndexMixin
from spreadsheets.viewsets import register_job_screen

from . import barometer, boxoffice_views
from .models import FilmPage, Screening


class ScreeningFilterSet(WagtailFilterSet):
    film = django_filters.ChoiceFilter(label=_("Film"), choices=[])
    cinema = django_filters.ChoiceFilter(label=_("Cinema"), choices=[], method="filter_cinema")
    period = django_filters.DateFromToRangeFilter(
        label=_("Period"), field_name="local_date", widget=DateRangePickerWidget
    )

    class Meta:
        model = Screening
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            queryset = scoped_queryset(Screening, request.user)
            films = FilmPage.objects.filter(pk__in=queryset.values("film_id")).order_by("title")
            self.filters["film"].extra["choices"] = [
                (pk, title) for pk, title in films.values_list("pk", "title")
            ]
            cinemas = (
                queryset.order_by()
                .values_list("cinema_key", "cinema__title", "site__site_name")
                .distinct()
            )
            self.filters["cinema"].extra["choices"] = sorted(
                ((key, title or name or "—") for key, title, name in cinemas),
                key=lambda choice: str(choice[1]).casefold(),
            )

    def filter_cinema(self, queryset, name, value):
        return queryset.filter(cinema_key=value) if value not in (None, "") else queryset


class ScreeningIndexView(SpreadsheetIndexMixin, ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("film", "cinema", "version", "site")


class ScreeningForm(SiteScopedAdminForm):
    """A screening's form: another room must not be one where the cinema already has a session
    at that start (the re-import key), said plainly rather than failing on save."""

    def clean(self):
        cleaned_data = super().clean()
        room = cleaned_data.get("room")
        screening = self.instance
        if room is None or screening.site_id is None or screening.starts_at is None:
            return cleaned_data
        taken = (
            Screening.objects.filter(
                site_id=screening.site_id,
                cinema_key=screening.cinema_id or 0,
                room=room,
                starts_at=screening.starts_at,
            )
            .exclude(pk=screening.pk)
            .exists()
        )
        if taken:
            if room:
                message = _(
                    "This cinema already has a session in room “%(room)s” at this time."
                ) % {"room": room}
            else:
                message = _("This cinema already has a session at this time without a room.")
            self.add_error("room", message)
        return cleaned_data


class ImportInsteadOfAdd(generic.CreateView):
    """Screenings come from box-office exports: "add" leads to the import."""

    def dispatch(self, request, *args, **kwargs):
        return redirect(boxoffice_views.URL_NAMES["upload"])


def start_local(screening) -> str:
    return screening.starts_at.astimezone(_zone(screening.site_id)).strftime("%d/%m/%Y %H:%M")


def cinema_name(screening) -> str:
    if screening.cinema_id:
        return screening.cinema.title
    return screening.site.site_name or screening.site.hostname


def version_name(screening) -> str:
    return screening.version.label if screening.version_id else screening.version_label


def _zone(site_id):
    from zoneinfo import ZoneInfo

    from organizations.models import OrganizationSettings

    cache = _zone.__dict__.setdefault("cache", {})
    if site_id not in cache:
        settings = OrganizationSettings.objects.filter(site_id=site_id).first()
        cache[site_id] = ZoneInfo(settings.time_zone if settings else "UTC")
    return cache[site_id]


class ScreeningViewSet(ScopedModelViewSet):
    model = Screening
    name = "films_screenings"
    icon = "date"
    menu_label = _("Screenings")
    add_item_label = _("Import a box-office export")
    index_view_class = ScreeningIndexView
    add_view_class = ImportInsteadOfAdd
    filterset_class = ScreeningFilterSet
    list_per_page = 50
    search_fields = ["room", "version_label", "film__title"]
    search_backend_name = None
    ordering = ["starts_at", "pk"]
    list_display = [
        Column("film", label=_("Film"), accessor="film", sort_key="film__title"),
        Column("cinema", label=_("Cinema"), accessor=cinema_name),
        Column("room", label=_("Room"), sort_key="room"),
        Column("starts_at", label=_("Start"), accessor=start_local, sort_key="starts_at"),
        Column("version", label=_("Version"), accessor=version_name),
        Column("admissions", label=_("Admissions"), sort_key="admissions"),
        Column("gross_receipts", label=_("Gross receipts"), sort_key="gross_receipts"),
    ]
    edit_handler = scoped_form(
        "status",
        "room",
        "version_label",
        "admissions",
        "gross_receipts",
        form_class=ScreeningForm,
    )
    spreadsheet_kinds = ("screenings",)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            spreadsheet_kinds=self.spreadsheet_kinds,
            import_url_name=self.get_url_name("boxoffice"),
            **kwargs,
        )

    def on_register(self):
        super().on_register()
        # The dashboard's pending imports lead to the box-office screens.
        register_job_screen("screenings", self.get_url_name("boxoffice_job"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("boxoffice/", boxoffice_views.BoxOfficeUploadView.as_view(), name="boxoffice"),
            path(
                "boxoffice/<int:job_id>/",
                boxoffice_views.BoxOfficeJobView.as_view(),
                name="boxoffice_job",
            ),
        ]


class BarometerMenuItem(MenuItem):
    def is_shown(self, request):
        return barometer.barometer_sites(request.user).exists()


class BarometerViewSet(ViewSet):
    name = "films_barometer"
    icon = "table"
    menu_label = _("Barometer")

    def get_urlpatterns(self):
        return [path("", barometer.BarometerView.as_view(), name="index")]

    def get_menu_item(self, order=None):
        return BarometerMenuItem(
            label=self.menu_label,
            url=reverse(self.get_url_name("index")),
            name=self.name,
            icon_name=self.icon,
            order=order or 200,
        )


class BoxOfficeViewSetGroup(ViewSetGroup):
    menu_label = _("Box office")
    menu_icon = "tasks"
    menu_order = 260
    items = (ScreeningViewSet, BarometerViewSet)
