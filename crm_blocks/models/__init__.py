"""The CRM's models, split by domain rather than kept in one long module.

- ``tenancy``: which groups work for which organization (Wagtail site), and site-scoped querysets.
- ``records``: the record pages (people, organizations) and their public fields.
- ``contacts``: the private twin of each record (e-mails, phones, notes, consents, tags).
- ``relations``: affiliations and memberships between records.

Everything is re-exported here so that ``crm_blocks.models.X`` stays the import path.
"""

from .contacts import ConsentRecord, Contact, ContactNote, ContactTag
from .imports import ImportJob
from .records import (
    OrganizationIndexPage,
    OrganizationKind,
    OrganizationPage,
    PersonIndexPage,
    PersonLink,
    PersonPage,
    PersonRole,
)
from .relations import Affiliation, Membership, MembershipStatus, MembershipType
from .tenancy import OrganizationGroup, OrganizationRole, SiteScopedQuerySet, sites_for_user

__all__ = [
    "Affiliation",
    "ConsentRecord",
    "Contact",
    "ContactNote",
    "ContactTag",
    "ImportJob",
    "Membership",
    "MembershipStatus",
    "MembershipType",
    "OrganizationGroup",
    "OrganizationIndexPage",
    "OrganizationKind",
    "OrganizationPage",
    "OrganizationRole",
    "PersonIndexPage",
    "PersonLink",
    "PersonPage",
    "PersonRole",
    "SiteScopedQuerySet",
    "sites_for_user",
]
