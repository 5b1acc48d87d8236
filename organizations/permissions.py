"""Who may do what with an organization's data: a model permission *and* a role in the object's
organization.

Django's model permissions are global; an installation hosts several organizations. So every
policy asks both: the user's groups grant the permission, and one of those groups works for the
organization that owns the object, in a role that may.
"""

from django.contrib.auth.models import Permission
from wagtail.permission_policies import ModelPermissionPolicy

from .registry import OrganizationRole
from .scoping import site_of, sites_for_user, user_has_role


class SiteScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, limited to the organizations where the user has one of ``roles``.

    The model's default manager must be built from a ``SiteScopedQuerySet`` (it declares the
    path to the site)."""

    def __init__(self, model, roles=(OrganizationRole.CRM_STAFF,), **kwargs):
        super().__init__(model, **kwargs)
        self.roles = tuple(roles)

    def user_has_permission(self, user, action):
        if not super().user_has_permission(user, action):
            return False
        return user.is_superuser or sites_for_user(user, self.roles).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission(user, action):
            return False
        site = site_of(instance)
        return site is not None and (user.is_superuser or user_has_role(user, site, self.roles))

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.for_user(user, self.roles)


def user_has_site_permission(user, site, permission: str, roles=None) -> bool:
    """Whether ``user`` holds ``permission`` (``"app_label.codename"``) *through a group of
    ``site``* in one of ``roles`` (any role by default).

    ``user.has_perm`` alone would let a permission granted by one organization's group count in
    another organization where the user has a role but not that permission.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or site is None:
        return False
    if user.is_superuser:
        return True
    app_label, codename = permission.split(".", 1)
    groups = {
        "group__user": user,
        "group__organization_role__site": site,
    }
    if roles is not None:
        groups["group__organization_role__role__in"] = roles
    return Permission.objects.filter(
        content_type__app_label=app_label, codename=codename, **groups
    ).exists()


def sites_with_permission(user, permission: str, roles=None):
    """The organizations where ``user`` holds ``permission`` through one of their groups."""
    return [
        site
        for site in sites_for_user(user, roles)
        if user_has_site_permission(user, site, permission, roles)
    ]
