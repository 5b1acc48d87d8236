"""What the CRM declares in the foundations' registries (registered in ``wagtail_hooks.py``):
its CRM staff's permissions, its two section pages, its three spreadsheet kinds, and which
fields of its models are private."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, OrganizationRole, Section
from privacy.registry import PrivateFields
from spreadsheets.registry import SpreadsheetKind

CRM_MODELS = ("contact", "membership", "membershiptype", "affiliation", "contacttag", "contactnote")


def crm_grants():
    return [
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(
                *(
                    f"crm_blocks.{action}_{model}"
                    for model in CRM_MODELS
                    for action in ("add", "change", "delete", "view")
                ),
                "crm_blocks.export_contact",
                "crm_blocks.import_contact",
            ),
        )
    ]


def crm_sections():
    return [
        Section(
            "crm.people",
            "crm_blocks.PersonIndexPage",
            title=pgettext_lazy("section title", "People"),
            slug=pgettext_lazy("section slug", "people"),
        ),
        Section(
            "crm.organizations",
            "crm_blocks.OrganizationIndexPage",
            title=pgettext_lazy("section title", "Organizations"),
            slug=pgettext_lazy("section slug", "organizations"),
        ),
    ]


def crm_spreadsheet_kinds():
    def kind(name, label, export_label, resource):
        return SpreadsheetKind(
            name,
            label=label,
            export_label=export_label,
            resource=f"crm_blocks.resources.{resource}",
            import_permission="crm_blocks.import_contact",
            export_permission="crm_blocks.export_contact",
            roles=(OrganizationRole.CRM_STAFF,),
        )

    return [
        kind("people", _("People"), _("Export people"), "PersonResource"),
        kind(
            "organizations", _("Organizations"), _("Export organizations"), "OrganizationResource"
        ),
        kind("memberships", _("Memberships"), _("Export memberships"), "MembershipResource"),
    ]


def crm_private_fields():
    """Everything the CRM knows about a record beyond its public page is private; only keys,
    kinds, links between rows and bookkeeping dates are not personal data."""
    return [
        PrivateFields(
            "crm_blocks.Contact",
            fields=(
                "external_id",
                "email",
                "secondary_email",
                "phone",
                "mobile_phone",
                "street_address",
                "postal_code",
                "locality",
                "region",
                "country",
                "birth_date",
                "notes",
                "tags",
            ),
            non_sensitive=("kind", "created_at", "updated_at", "anonymized_at"),
        ),
        PrivateFields("crm_blocks.ContactTag", fields=("name",), non_sensitive=("site",)),
        PrivateFields(
            "crm_blocks.ConsentRecord",
            fields=(
                "given_on",
                "purpose",
                "wording",
                "source",
                "withdrawn_on",
                "purpose_ref",
                "wording_version",
                "recorded_at",
            ),
            non_sensitive=("contact", "recorded_by", "withdrawn_by"),
        ),
        PrivateFields(
            "crm_blocks.ContactNote",
            fields=("body",),
            non_sensitive=("contact", "author", "created_at"),
        ),
        PrivateFields(
            "crm_blocks.Membership",
            fields=("membership_type", "start_date", "end_date", "fee", "status"),
            non_sensitive=("contact", "created_at"),
        ),
        PrivateFields(
            "crm_blocks.Affiliation",
            # The role is shown publicly only when staff tick "public" (see
            # ``AffiliationQuerySet.shown_publicly``); the flag itself says nothing private.
            fields=("role", "start_date", "end_date"),
            non_sensitive=("person", "organization", "public"),
        ),
        # Which login is which person's: the member space's key to everything they see there.
        PrivateFields(
            "crm_blocks.MemberAccount",
            fields=("user", "contact"),
            non_sensitive=("site", "invited_at", "created_at"),
        ),
    ]
