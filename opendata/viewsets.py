"""The admin screens of the members' API keys (Settings › Members' API keys): the CRM staff see
the keys their organization's members made (never the keys themselves: only their prefix) and
revoke one that leaked. Members make their own keys in their member space; staff make one for a
member with ``create_api_key``: there is no "add" here.

Every lookup goes through the user's organizations (``ScopedModelViewSet``): another
organization's key answers "not found"."""

from __future__ import annotations

import django_filters
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect

from crm_blocks.members import organization_today
from crm_blocks.models import Membership
from crm_blocks.models.contacts import record_name
from organizations.permissions import SiteScopedPermissionPolicy
from organizations.views import ScopedDeleteView, ScopedEditView, ScopedIndexView
from organizations.viewsets import ScopedModelViewSet, scoped_form

from .apikeys import api_key_revoke
from .member import KeyState, key_state
from .models import ApiKey


class ApiKeyPermissionPolicy(SiteScopedPermissionPolicy):
    """The CRM staff's permissions, through their organization's group; nobody adds a key
    here (a key is shown once, to whoever makes it: the member, or staff at the command line)."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a != "add"])

    def sites_for_actions(self, user, actions):
        actions = [action for action in actions if action != "add"]
        return super().sites_for_actions(user, actions) if actions else set()


class ApiKeyFilterSet(WagtailFilterSet):
    revoked = django_filters.BooleanFilter(
        label=pgettext_lazy("API key state", "Revoked"),
        method="filter_revoked",
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = ApiKey
        fields = []

    def filter_revoked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(revoked_at__isnull=not value)


def decorate_states(keys: list[ApiKey]) -> list[ApiKey]:
    """Set ``state`` and ``state_label`` on ``keys``: one query per organization listed (a
    membership is current by the organization's own date)."""
    by_site: dict[int, list[ApiKey]] = {}
    for key in keys:
        by_site.setdefault(key.account.site_id, []).append(key)
    for site_keys in by_site.values():
        site = site_keys[0].account.site
        current = set(
            Membership.objects.filter(contact_id__in={key.account.contact_id for key in site_keys})
            .current(today=organization_today(site))
            .values_list("contact_id", flat=True)
        )
        for key in site_keys:
            key.state = key_state(key, key.account.contact_id in current)
            key.state_label = KeyState.LABELS[key.state]
    return keys


class ApiKeyIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("account__site")
            .annotate(member_name=record_name("account__contact"))
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "member_name",
                label=_("Member"),
                accessor="member_name",
                get_url=self.get_edit_url,
                sort_key="member_name",
            ),
            Column("prefix", label=_("Key"), accessor=str),
            Column("name", label=_("Name")),
            DateColumn(
                "created_at", label=pgettext_lazy("API key", "Created on"), sort_key="created_at"
            ),
            DateColumn("last_used_at", label=_("Last used on"), sort_key="last_used_at"),
            Column("state", label=_("State"), accessor="state_label"),
        ]

    def get_table(self, object_list):
        return super().get_table(decorate_states(list(object_list)))

    def get_delete_url(self, instance):
        # A revoked key cannot be revoked again.
        return super().get_delete_url(instance) if instance.revoked_at is None else None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        delete_url = self.get_delete_url(instance)
        for button in buttons:
            if delete_url and button.url == delete_url:
                button.label = _("Revoke")
        return buttons


class ApiKeyEditView(ScopedEditView):
    """Only the key's name changes here (the member's own label); revoking is the other
    action."""

    delete_item_label = _("Revoke")

    def get_delete_url(self):
        return super().get_delete_url() if self.object.revoked_at is None else None


class ApiKeyRevokeView(ScopedDeleteView):
    """Revoking keeps the key's row (whose it was, when it was last used); the APIs refuse the
    key from now on."""

    page_title = _("Revoke")
    template_name = "opendata/admin/confirm_revoke.html"

    @property
    def confirmation_message(self):
        return _(
            "The member's programs that send this key will no longer read the members-only "
            "data. Revoke it?"
        )

    def post(self, request, *args, **kwargs):
        key = self.object
        api_key_revoke(key=key, user=request.user)
        messages.success(request, _("Key “%(key)s” revoked.") % {"key": key})
        return redirect(self.get_success_url())


class ApiKeyViewSet(ScopedModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("Members’ API keys")
    menu_order = 620
    add_to_settings_menu = True
    add_to_reference_index = False
    index_view_class = ApiKeyIndexView
    edit_view_class = ApiKeyEditView
    delete_view_class = ApiKeyRevokeView
    filterset_class = ApiKeyFilterSet
    edit_handler = scoped_form("name")
