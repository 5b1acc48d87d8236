"""Registrations only: private fields typed in a page's form reach its twin once it is saved;
pages made in bulk get their twin too."""

from wagtail import hooks

from .services import private_twins_for_new_pages, save_private_details

hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)
hooks.register("bulk_create_page_companions", private_twins_for_new_pages)


# --- consent by purpose, privacy settings, the privacy page ---
from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402
from organizations.registry import Grant, OrganizationRole, Provision  # noqa: E402

from .consents import create_builtin_purposes  # noqa: E402
from .models import ConsentPurpose  # noqa: E402
from .viewsets import ConsentPurposeViewSet  # noqa: E402

register_permission_policy(ConsentPurpose, SiteScopedPermissionPolicy(ConsentPurpose))


@hooks.register("register_organization_provisions")
def consent_provisions():
    """Every organization gets the purposes the product relies on (public profile…)."""
    return [Provision("privacy.consent_purposes", create_builtin_purposes)]


@hooks.register("register_organization_grants")
def privacy_grants():
    """The CRM staff are the person in charge's team: they edit the privacy settings of their
    own organization and its consent purposes."""
    return [
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(
                "privacy.manage_privacy",
                # No "delete": a purpose consented to is kept with its log; staff retire it
                # (« active » unticked) instead.
                *(f"privacy.{action}_consentpurpose" for action in ("add", "change", "view")),
            ),
            site_permissions=("privacy.change_privacysettings",),
        )
    ]


@hooks.register("register_admin_viewset")
def register_consent_purpose_viewset():
    return ConsentPurposeViewSet("privacy_consentpurpose")

