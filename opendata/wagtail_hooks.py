"""Registrations only: the data portal section, permissions and private fields, the members'
API keys (member space and admin), the table upload screens with their buttons (page editor's
header, page listing's menu), the demo's portals."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from .apikeys import REVOKE_ACTION
from .declarations import opendata_grants, opendata_private_fields, opendata_sections
from .demo import load_demo_opendata
from .member import api_keys_section, member_api_key_urls
from .models import ApiKey, DatasetPage, SourceKind
from .upload_views import upload_url
from .viewsets import ApiKeyPermissionPolicy, ApiKeyViewSet

hooks.register("register_organization_sections", opendata_sections)
hooks.register("register_organization_grants", opendata_grants)
hooks.register("register_private_fields", opendata_private_fields)

# The member space's « My API keys » (``opendata.member``).
hooks.register("register_member_space_sections", api_keys_section)
hooks.register("register_member_space_urls", member_api_key_urls)

# The members' API keys in the admin (Settings › Members' API keys, ``opendata.viewsets``).
register_permission_policy(ApiKey, ApiKeyPermissionPolicy(ApiKey))


@hooks.register("register_admin_viewset")
def register_api_key_viewset():
    return ApiKeyViewSet("opendata_apikey")


@hooks.register("register_log_actions")
def register_api_key_log_actions(actions):
    actions.register_action(REVOKE_ACTION, _("Revoke an API key"), _("API key revoked"))


# --- Uploading a dataset's table (``opendata.upload_views``) -------------------------------------
@hooks.register("register_admin_urls")
def register_upload_urls():
    return [path("opendata/upload/", include("opendata.upload_urls"))]


def _upload_button(page, user, priority):
    if not page.pk or page.specific_class is not DatasetPage:
        return
    if isinstance(page, DatasetPage) and page.source_kind != SourceKind.UPLOAD:
        return
    if not page.permissions_for_user(user).can_edit():
        return
    yield Button(_("Upload a table"), upload_url(page), icon_name="upload", priority=priority)


@hooks.register("register_page_header_buttons")
def upload_header_button(page, user, view_name, next_url=None):
    yield from _upload_button(page, user, priority=14)


@hooks.register("register_page_listing_more_buttons")
def upload_listing_button(page, user, next_url=None):
    yield from _upload_button(page, user, priority=9)


# The demo's data portals (after the plugins' demo content: hooks run in INSTALLED_APPS order).
hooks.register("load_demo_content", load_demo_opendata)

# What the data portal holds about a person (API keys, datasets' contact points), for access and
# erasure.
from .personal_data import opendata_personal_data, opendata_retention_rules  # noqa: E402

hooks.register("register_personal_data", opendata_personal_data)
# Its periods of retention, applied by the privacy plugin's daily round.
hooks.register("register_retention_rules", opendata_retention_rules)
