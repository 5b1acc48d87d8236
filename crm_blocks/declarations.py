"""What the CRM declares in the foundations' registries (registered in ``wagtail_hooks.py``):
its CRM staff's permissions, its two section pages, its three spreadsheet kinds."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, OrganizationRole, Section
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
