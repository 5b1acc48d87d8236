"""The privacy plugin's admin screens, under one « Vie privée » menu (``PrivacyViewSetGroup``):
the staff access log (read only) and the register of confidentiality incidents.

Every lookup goes through the user's organizations (``ScopedModelViewSet``): another
organization's entry or incident answers "not found". Other parts of the privacy plugin add
their screens to the group's ``items``.
"""

from __future__ import annotations

import codecs

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, When
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from organizations.permissions import SiteScopedPermissionPolicy
from organizations.views import ScopedIndexView
from organizations.viewsets import ScopedModelViewSet, scoped_form

from .access import watched_models
from .models import AccessLog, AccessLogAction, Incident, IncidentRisk, IncidentStatus
from .request_viewsets import PrivacyRequestViewSet
from .retention_views import RetentionViewSet

# --- The access log -----------------------------------------------------------------------------


class ReadOnlyPermissionPolicy(SiteScopedPermissionPolicy):
    """Only "view", through the organization's group: nobody writes or deletes a log entry in
    the admin (the log is written by the plugin and purged by its retention)."""

    def sites_for_actions(self, user, actions):
        actions = [action for action in actions if action == "view"]
        return super().sites_for_actions(user, actions) if actions else set()


def logged_users(request):
    if request is None:
        return get_user_model().objects.none()
    entries = AccessLog.objects.for_user(request.user)
    return get_user_model().objects.filter(pk__in=entries.values("user")).order_by("username")


def logged_kinds(request):
    return ContentType.objects.filter(
        pk__in=[ContentType.objects.get_for_model(model).pk for model in watched_models()]
    ).order_by("app_label", "model")


def kind_label(content_type) -> str:
    """« Fiche », « Adhésion »: the model's name, not Django's « crm_blocks | fiche »."""
    model = content_type.model_class()
    return capfirst(model._meta.verbose_name) if model else content_type.model


def entry_kind(entry) -> str:
    return kind_label(entry.content_type)


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return kind_label(obj)


class KindFilter(django_filters.ModelChoiceFilter):
    field_class = KindChoiceField


class AccessLogFilterSet(WagtailFilterSet):
    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=logged_users)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AccessLogAction.choices)
    at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    content_type = KindFilter(label=_("Kind of record"), queryset=logged_kinds)

    class Meta:
        model = AccessLog
        fields = []


class AccessLogIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("content_type")

    def order_queryset(self, queryset):
        # By date, newest first; no collation needed for a log.
        return queryset.order_by(*self.model._meta.ordering)

    @cached_property
    def columns(self):
        return [
            DateColumn("at", label=_("When"), accessor="at"),
            Column("actor", label=_("By")),
            Column("action", label=_("Action"), accessor="get_action_display"),
            Column("kind", label=_("Kind of record"), accessor=entry_kind),
            Column("object_label", label=_("Record")),
            Column("fields", label=_("Fields"), accessor="fields_display"),
            Column("rows", label=_("Rows")),
        ]


class AccessLogViewSet(ScopedModelViewSet):
    """The log, for the person in charge of personal information: who viewed, exported or
    changed whose private details, when — filtered by user, action, date and kind of record."""

    model = AccessLog
    icon = "history"
    menu_label = _("Access log")
    index_view_class = AccessLogIndexView
    filterset_class = AccessLogFilterSet
    inspect_view_enabled = False
    list_per_page = 100
    # Read only: no form, no add, edit or delete.
    form_fields = ["object_label"]
    search_fields = None


# --- The incident register ----------------------------------------------------------------------


def _no_formula(value):
    """A CSV cell a spreadsheet will not run as a formula (XLSX cells are written as text)."""
    text = "" if value is None else str(value)
    if text.lstrip()[:1] in FORMULA_SIGNS:
        return "'" + text
    return text


#: What starts a formula in a spreadsheet, fullwidth and small forms included.
FORMULA_SIGNS = frozenset("=+-@\t\r＝＋－＠﹦﹢﹣")


class IncidentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)
    risk = django_filters.ChoiceFilter(
        label=_("Risk of serious injury"), choices=IncidentRisk.choices
    )
    awaiting = django_filters.BooleanFilter(label=_("To notify"), method="filter_awaiting")

    class Meta:
        model = Incident
        fields = []

    def filter_awaiting(self, queryset, name, value):
        if value is None:
            return queryset
        awaiting = queryset.awaiting_notification().values("pk")
        return queryset.filter(pk__in=awaiting) if value else queryset.exclude(pk__in=awaiting)


class IncidentIndexView(ScopedIndexView):
    export_filename = "incidents"
    list_export = [
        "site.site_name",
        "description",
        "occurred_on",
        "discovered_on",
        "information_concerned",
        "people_concerned",
        "people_estimated",
        "get_risk_display",
        "risk_assessment",
        "get_authority_display",
        "authority_notified_on",
        "authority_reference",
        "people_notified_on",
        "people_notification_means",
        "measures",
        "get_status_display",
    ]
    export_headings = {
        "site.site_name": pgettext_lazy("tenant", "organization"),
        "get_risk_display": _("risk of serious injury"),
        "get_authority_display": _("authority notified"),
        "get_status_display": _("status"),
    }

    def get_base_queryset(self):
        # Those awaiting a notification first, with a flag for the listing.
        return (
            super()
            .get_base_queryset()
            .select_related("site")
            .annotate(
                awaiting=Case(
                    When(risk=IncidentRisk.SERIOUS, authority_notified_on__isnull=True, then=True),
                    default=False,
                )
            )
        )

    def order_queryset(self, queryset):
        return queryset.order_by("-awaiting", "-discovered_on", "-pk")

    def get_preprocess_function(self, field, value, export_format):
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return _no_formula
        return super().get_preprocess_function(field, value, export_format)

    def write_csv_response(self, queryset):
        # A BOM, so that spreadsheet software reads the accents as UTF-8.
        response = super().write_csv_response(queryset)
        response.streaming_content = _with_bom(response.streaming_content)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response


def _with_bom(chunks):
    yield codecs.BOM_UTF8
    for chunk in chunks:
        yield chunk.encode() if isinstance(chunk, str) else chunk


def notification_flag(incident) -> str:
    """What the listing says where the risk is serious and no authority has been told yet."""
    if getattr(incident, "awaiting", incident.awaits_notification):
        return str(_("Serious risk: notify the authority"))
    return ""


class IncidentViewSet(ScopedModelViewSet):
    """The register Law 25 asks for: every confidentiality incident, its risk, who was told."""

    model = Incident
    icon = "warning"
    menu_label = _("Incident register")
    add_item_label = _("Record an incident")
    index_view_class = IncidentIndexView
    filterset_class = IncidentFilterSet
    inspect_view_enabled = True
    list_export = IncidentIndexView.list_export
    export_filename = "incidents"
    list_display = [
        TitleColumn(
            "description",
            label=_("Incident"),
            accessor=str,
            url_name="privacy_incident:edit",
        ),
        DateColumn("discovered_on", label=_("Discovered on"), sort_key="discovered_on"),
        Column("people_concerned", label=_("People"), sort_key="people_concerned"),
        Column("risk", label=_("Risk"), accessor="get_risk_display", sort_key="risk"),
        Column("awaiting", label=_("Notification"), accessor=notification_flag),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
    ]
    edit_handler = scoped_form(
        "site",
        MultiFieldPanel(
            [
                FieldPanel("description"),
                FieldRowPanel([FieldPanel("occurred_on"), FieldPanel("discovered_on")]),
                FieldPanel("information_concerned"),
                FieldRowPanel([FieldPanel("people_concerned"), FieldPanel("people_estimated")]),
            ],
            heading=_("The incident"),
        ),
        MultiFieldPanel(
            [FieldPanel("risk"), FieldPanel("risk_assessment")],
            heading=_("Risk of serious injury"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("authority"), FieldPanel("authority_notified_on")]),
                FieldPanel("authority_reference"),
                FieldPanel("people_notified_on"),
                FieldPanel("people_notification_means"),
            ],
            heading=_("Notifications"),
        ),
        "measures",
        "status",
    )


# --- The menu -----------------------------------------------------------------------------------


class PrivacyViewSetGroup(ViewSetGroup):
    menu_label = pgettext_lazy("admin menu", "Privacy")
    menu_icon = "lock"
    menu_order = 160
    items = (
        PrivacyRequestViewSet("privacy_request"),
        AccessLogViewSet("privacy_accesslog"),
        IncidentViewSet("privacy_incident"),
        RetentionViewSet("privacy_retention"),
    )
