"""Registrations only: the data portal section, permissions and private fields, the demo's
portals."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .apikeys import REVOKE_ACTION
from .declarations import opendata_grants, opendata_private_fields, opendata_sections
from .demo import load_demo_opendata
from .member import api_keys_section, member_api_key_urls
from .models import ApiKey
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


# The demo's data portals (after the plugins' demo content: hooks run in INSTALLED_APPS order).
hooks.register("load_demo_content", load_demo_opendata)
