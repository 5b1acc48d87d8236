"""What the CRM gives every organization, through the foundations' registries (registered in
``wagtail_hooks.py``): its CRM staff's permissions and its two section pages."""

from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, OrganizationRole, Section

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
