"""The CRM's models, split by domain rather than kept in one long module.

- ``records``: the record pages (people, organizations) and their public fields.
- ``contacts``: the private twin of each record (e-mails, phones, notes, consents, tags).
- ``relations``: affiliations and memberships between records.
- ``members``: the logins of people to their organization's member space.

Everything is re-exported here so that ``crm_blocks.models.X`` stays the import path.
"""

from .contacts import ConsentRecord, Contact, ContactNote, ContactTag
from .members import MemberAccount
from .records import (
    OrganizationIndexPage,
    OrganizationPage,
    PersonIndexPage,
    PersonLink,
    PersonPage,
    PersonRole,
)
from .relations import Affiliation, Membership, MembershipStatus, MembershipType

__all__ = [
    "Affiliation",
    "ConsentRecord",
    "Contact",
    "ContactNote",
    "ContactTag",
    "MemberAccount",
    "Membership",
    "MembershipStatus",
    "MembershipType",
    "OrganizationIndexPage",
    "OrganizationPage",
    "PersonIndexPage",
    "PersonLink",
    "PersonPage",
    "PersonRole",
]
