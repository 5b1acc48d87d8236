"""Registrations only: private fields typed in a page's form reach its twin once it is saved;
pages made in bulk get their twin too."""

from wagtail import hooks

from .services import private_twins_for_new_pages, save_private_details

hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)
# Publishing an edit reloads the page before ``after_edit_page``: the typed values would be lost.
hooks.register("before_publish_page", save_private_details)
hooks.register("bulk_create_page_companions", private_twins_for_new_pages)

# --- Access log and incident register ---

from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402

from .access import log_export  # noqa: E402
from .declarations import access_log_grants  # noqa: E402
from .models import AccessLog, Incident  # noqa: E402
from .viewsets import PrivacyViewSetGroup, ReadOnlyPermissionPolicy  # noqa: E402

hooks.register("register_organization_grants", access_log_grants)
hooks.register("after_spreadsheet_export", log_export)
register_permission_policy(AccessLog, ReadOnlyPermissionPolicy(AccessLog))
register_permission_policy(Incident, SiteScopedPermissionPolicy(Incident))


@hooks.register("register_admin_viewset")
def register_privacy_viewsets():
    return PrivacyViewSetGroup()
