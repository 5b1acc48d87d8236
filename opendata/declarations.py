"""What the open-data plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the data portal below every organization's home page, who manages the
uploaded tables and the members' API keys, and which fields are private."""

from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, OrganizationRole, Section
from privacy.registry import PrivateFields

TABLE_PERMISSIONS = tuple(
    f"opendata.{action}_{model}"
    for model in ("datasettable", "datasetcolumn")
    for action in ("add", "change", "delete", "view")
)
KEY_PERMISSIONS = ("opendata.view_apikey", "opendata.change_apikey", "opendata.delete_apikey")


def opendata_sections():
    return [
        Section(
            "opendata.portal",
            "opendata.DatasetIndexPage",
            title=pgettext_lazy("section title", "Open data"),
            slug=pgettext_lazy("section slug", "data"),
        )
    ]


def opendata_grants():
    # Editors publish datasets and upload their tables; the CRM staff, who keep the members'
    # records, see and revoke their API keys.
    return [
        Grant(OrganizationRole.EDITORS, permissions=TABLE_PERMISSIONS),
        Grant(OrganizationRole.CRM_STAFF, permissions=KEY_PERMISSIONS),
    ]


def opendata_private_fields():
    return [
        PrivateFields(
            "opendata.ApiKey",
            # Which member made which key, and when they use it.
            # The member's record (``account``) is private in its own right, where it lives.
            fields=("name", "last_used_at"),
            non_sensitive=("account", "prefix", "key_digest", "created_at", "revoked_at"),
        ),
        PrivateFields(
            "opendata.DatasetTable",
            fields=("uploaded_by",),
            non_sensitive=("dataset", "site", "filename", "row_count", "uploaded_at"),
        ),
    ]
