"""What the privacy plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the CRM staff — those in charge of personal information — read the
access log, keep the incident register and set how long the log is kept."""

from organizations.registry import Grant, OrganizationRole


def access_log_grants():
    return [
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(
                "privacy.view_accesslog",
                *(f"privacy.{action}_incident" for action in ("add", "change", "delete", "view")),
            ),
            site_permissions=("privacy.change_accesslogsettings",),
        )
    ]
