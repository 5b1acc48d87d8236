"""Registrations only: private fields typed in a page's form reach its twin once it is saved;
pages made in bulk get their twin too."""

from wagtail import hooks

from .services import private_twins_for_new_pages, save_private_details

hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)
# Publishing an edit reloads the page before ``after_edit_page``: the typed values would be lost.
hooks.register("before_publish_page", save_private_details)
hooks.register("bulk_create_page_companions", private_twins_for_new_pages)

# --- Requests, erasures, the access log and the incident register ---
from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402

from .access import log_export  # noqa: E402
from .declarations import privacy_grants, privacy_personal_data, privacy_private_fields  # noqa: E402
from .models import AccessLog, Incident, PrivacyRequest  # noqa: E402
from .viewsets import PrivacyViewSetGroup, ReadOnlyPermissionPolicy  # noqa: E402

hooks.register("register_private_fields", privacy_private_fields)
hooks.register("register_personal_data", privacy_personal_data)
hooks.register("register_organization_grants", privacy_grants)
hooks.register("after_spreadsheet_export", log_export)
register_permission_policy(PrivacyRequest, SiteScopedPermissionPolicy(PrivacyRequest))
register_permission_policy(AccessLog, ReadOnlyPermissionPolicy(AccessLog))
register_permission_policy(Incident, SiteScopedPermissionPolicy(Incident))


@hooks.register("register_admin_viewset")
def register_privacy_viewsets():
    # « Vie privée »: requests, the access log, the incident register.
    return PrivacyViewSetGroup()


# The member space's « My personal information » (``privacy.member``).
def _member_section(request, account):
    from .member import privacy_section

    return privacy_section(request, account)


def _member_urls():
    from .member import privacy_member_urls

    return privacy_member_urls()


hooks.register("register_member_space_sections", _member_section)
hooks.register("register_member_space_urls", _member_urls)

# --- consent by purpose, privacy settings, the privacy page ---
from organizations.registry import Grant, OrganizationRole, Provision  # noqa: E402

from .consent_viewsets import ConsentPurposeViewSet  # noqa: E402
from .consents import create_builtin_purposes  # noqa: E402
from .models import ConsentPurpose  # noqa: E402

register_permission_policy(ConsentPurpose, SiteScopedPermissionPolicy(ConsentPurpose))


@hooks.register("register_organization_provisions")
def consent_provisions():
    """Every organization gets the purposes the product relies on (public profile…)."""
    return [Provision("privacy.consent_purposes", create_builtin_purposes)]


@hooks.register("register_organization_grants")
def consent_grants():
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


# The privacy page says how long things are kept: each organization's retention rules.
@hooks.register("register_retention_periods")
def retention_rule_periods(site):
    from .retention import periods_of, rules

    periods = periods_of(site)
    return [
        (rule.label, rule.period_text(periods[rule.key]))
        for rule in rules()
        if periods.get(rule.key)
    ]
