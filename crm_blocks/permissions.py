"""Who may see and change CRM data: CRM staff of the record's organization, holding the
permission through that organization's group (see ``organizations.permissions``)."""

from organizations.permissions import SiteScopedPermissionPolicy

from .models import Contact


def user_can_access_crm(user, site) -> bool:
    """Whether ``user`` may see the private details of ``site``'s records (the twin's rule)."""
    return Contact.user_can_view(user, site)


class ContactPermissionPolicy(SiteScopedPermissionPolicy):
    """CRM records are created with their page, never on their own."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
