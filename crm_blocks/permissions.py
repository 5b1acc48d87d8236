"""Who may see and change CRM data: a model permission *and* a role in the record's organization.

Django's model permissions are global; an installation hosts several organizations. So the CRM
policy asks both: the user's groups grant the permission, and one of those groups is the CRM staff
group of the organization that owns the object.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .models.tenancy import OrganizationRole, sites_for_user, user_has_role

CRM_ROLES = (OrganizationRole.CRM_STAFF,)


def user_can_access_crm(user, site) -> bool:
    """Whether ``user`` may see the private details of ``site``'s records."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.has_perm("crm_blocks.view_contact") and user_has_role(user, site, CRM_ROLES)


def site_of(instance):
    """The organization (site) an object belongs to, whatever the path to it."""
    site = getattr(instance, "site", None)
    if site is not None:
        return site
    for attr in ("contact", "person"):
        related = getattr(instance, attr, None)
        if related is not None:
            return related.site
    return None


class SiteScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, limited to the organizations where the user is CRM staff."""

    def user_has_permission(self, user, action):
        if not super().user_has_permission(user, action):
            return False
        return user.is_superuser or sites_for_user(user, CRM_ROLES).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission(user, action):
            return False
        site = site_of(instance)
        return site is not None and (
            user.is_superuser or user_has_role(user, site, CRM_ROLES)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.for_user(user, CRM_ROLES)


class ContactPermissionPolicy(SiteScopedPermissionPolicy):
    """CRM records are created with their page, never on their own."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def user_has_site_permission(user, site, codename: str, app_label: str = "crm_blocks") -> bool:
    """Whether ``user`` holds ``app_label.codename`` *through a CRM staff group of ``site``*.

    ``user.has_perm`` alone would let a permission granted by one organization's group count in
    another organization where the user has the role but not that permission.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or site is None:
        return False
    if user.is_superuser:
        return True
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label=app_label,
        codename=codename,
        group__user=user,
        group__organization_role__site=site,
        group__organization_role__role__in=CRM_ROLES,
    ).exists()


def user_can_import(user, site) -> bool:
    """Whether ``user`` may import spreadsheets into ``site``'s CRM."""
    return user_has_site_permission(user, site, "import_contact")


def user_can_export(user, site) -> bool:
    """Whether ``user`` may export ``site``'s CRM records to spreadsheets."""
    return user_has_site_permission(user, site, "export_contact")


def sites_user_can_import(user):
    """The organizations whose CRM ``user`` may import into."""
    return [site for site in sites_for_user(user, CRM_ROLES) if user_can_import(user, site)]
