"""The admin screens of the private calendar links (Settings › Private calendars): the desk's
staff make a link for a phone or a shared calendar, see the address once, and revoke any link
of their organization — the desk's or a member's. Every lookup goes through the user's
organizations (``ScopedModelViewSet``): another organization's link answers "not found"."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.forms import CheckboxSelectMultiple
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from crm_blocks.models.contacts import record_name
from organizations.views import (
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    SiteScopedAdminForm,
)
from organizations.viewsets import ScopedModelViewSet, scoped_form

from .feeds import calendar_link_create, feed_url
from .models import CalendarToken, CalendarTokenKind

REVOKE_ACTION = "rentals.calendar_link.revoke"


class CalendarTokenCreateForm(SiteScopedAdminForm):
    """A link is named after who reads it, so that the right one is revoked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].required = True


class CalendarTokenFilterSet(WagtailFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label=_("Calendar"), choices=CalendarTokenKind.choices, widget=CheckboxSelectMultiple
    )
    revoked = django_filters.BooleanFilter(
        label=_("Revoked"), method="filter_revoked", widget=BooleanRadioSelect
    )

    class Meta:
        model = CalendarToken
        fields = []

    def filter_revoked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(revoked_at__isnull=not value)


class CalendarTokenIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(member_name=record_name("contact"))

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "label", label=_("Used by"), accessor=str, get_url=self.get_edit_url
            ),
            Column("kind", label=_("Calendar"), accessor="get_kind_display"),
            Column("member_name", label=_("Member")),
            DateColumn("created_at", label=pgettext_lazy("calendar link", "Created on")),
            DateColumn("last_used_at", label=_("Last read on")),
            DateColumn("revoked_at", label=_("Revoked on")),
        ]

    def get_delete_url(self, instance):
        # A revoked link cannot be revoked again.
        return super().get_delete_url(instance) if instance.is_live else None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        delete_url = self.get_delete_url(instance)
        for button in buttons:
            if delete_url and button.url == delete_url:
                button.label = _("Revoke")
        return buttons


class CalendarTokenCreateView(generic.CreateView):
    """Makes a link of the desk's calendar and shows its address, once."""

    page_title = _("New private calendar link")

    def form_valid(self, form):
        site = form.cleaned_data["site"]
        policy = policy_registry.get_by_type(CalendarToken)
        allowed = policy.sites_for_actions(self.request.user, ["add"])
        if allowed is not None and site.pk not in allowed:
            raise PermissionDenied
        self.object, secret = calendar_link_create(
            site=site,
            kind=CalendarTokenKind.STAFF,
            label=form.cleaned_data["label"],
            user=self.request.user,
        )
        log(self.object, "wagtail.create", user=self.request.user)
        address = feed_url(site, secret, self.request)
        context = self.get_context_data(form=form)
        context.update(
            page_title=_("Private calendar link created"),
            header_title=_("Private calendar link created"),
            feed_url=address,
            webcal_url="webcal://" + address.split("://", 1)[1],
            token=self.object,
            index_url=reverse(self.index_url_name),
        )
        return TemplateResponse(self.request, "rentals/calendars/link_created.html", context)


class CalendarTokenEditView(ScopedEditView):
    delete_item_label = _("Revoke")


class CalendarTokenRevokeView(ScopedDeleteView):
    """Revoking keeps the link's row (who made it, when it was last read); its calendar
    answers "not found" from now on."""

    page_title = _("Revoke")
    template_name = "rentals/calendars/confirm_revoke.html"

    @property
    def confirmation_message(self):
        return _(
            "Calendar apps that read this link will no longer receive the bookings. Revoke it?"
        )

    def post(self, request, *args, **kwargs):
        token = self.object
        if token.is_live:
            token.revoke()
            log(token, REVOKE_ACTION, user=request.user)
        messages.success(request, _("Link “%(link)s” revoked.") % {"link": token})
        return redirect(self.get_success_url())


class CalendarTokenViewSet(ScopedModelViewSet):
    model = CalendarToken
    icon = "calendar"
    menu_label = _("Private calendars")
    menu_order = 610
    add_to_settings_menu = True
    add_to_reference_index = False
    add_item_label = _("Add a link to the desk’s calendar")
    index_view_class = CalendarTokenIndexView
    add_view_class = CalendarTokenCreateView
    edit_view_class = CalendarTokenEditView
    delete_view_class = CalendarTokenRevokeView
    filterset_class = CalendarTokenFilterSet
    #: Made with its organization and a name; afterwards only its name changes.
    create_handler = scoped_form("site", "label", form_class=CalendarTokenCreateForm)
    edit_handler = scoped_form("label")

    def get_add_view_kwargs(self, **kwargs):
        handler = self.create_handler.bind_to_model(self.model)
        kwargs.setdefault("panel", handler)
        kwargs.setdefault("form_class", handler.get_form_class())
        return super().get_add_view_kwargs(**kwargs)
