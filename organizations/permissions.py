"""Who may do what with an organization's data: a permission held *through that organization's
group*.

Django's model permissions are global; an installation hosts several organizations. So every
check here asks for the permission through a group of the organization that owns the object,
in a role that may: a permission granted by one organization's group never counts in another,
even for someone who works for both.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import OrganizationGroup
from .registry import OrganizationRole
from .scoping import site_of


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def site_ids_with_permissions(user, permissions, roles=None) -> set[int]:
    """The ids of the organizations where ``user`` holds one of ``permissions``
    (``"app_label.codename"``) through a group of that organization in one of ``roles`` (any
    role by default). One query, memoised on the user object (which lives for one request)."""
    permissions = tuple(sorted(permissions))
    key = (permissions, tuple(sorted(roles)) if roles is not None else None)
    cache = user.__dict__.setdefault("_liens_permission_sites", {})
    if key not in cache:
        by_app: dict[str, list[str]] = {}
        for permission in permissions:
            app_label, codename = permission.split(".", 1)
            by_app.setdefault(app_label, []).append(codename)
        sites: set[int] = set()
        for app_label, codenames in by_app.items():
            # One filter() call, so that the user, the group and the permission are one row.
            conditions = {
                "group__user": user,
                "group__permissions__content_type__app_label": app_label,
                "group__permissions__codename__in": codenames,
            }
            if roles is not None:
                conditions["role__in"] = roles
            sites |= set(
                OrganizationGroup.objects.filter(**conditions)
                .values_list("site_id", flat=True)
                .distinct()
            )
        cache[key] = sites
    return cache[key]


def user_has_site_permission(user, site, permission: str, roles=None) -> bool:
    """Whether ``user`` holds ``permission`` (``"app_label.codename"``) *through a group of
    ``site``* in one of ``roles`` (any role by default)."""
    if not _active(user) or site is None:
        return False
    if user.is_superuser:
        return True
    return site.pk in site_ids_with_permissions(user, [permission], roles)


class SiteScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, each held through a group of the object's organization in one of
    ``roles``.

    The model's default manager must be built from a ``SiteScopedQuerySet`` (it declares the
    path to the site)."""

    def __init__(self, model, roles=(OrganizationRole.CRM_STAFF,), **kwargs):
        super().__init__(model, **kwargs)
        self.roles = tuple(roles)

    def sites_for_actions(self, user, actions) -> set[int] | None:
        """Ids of the organizations where ``user`` may do one of ``actions``; ``None`` means
        all (a superuser)."""
        if not _active(user):
            return set()
        if user.is_superuser:
            return None
        names = [self._get_permission_name(action) for action in actions]
        return site_ids_with_permissions(user, names, self.roles)

    def user_has_permission(self, user, action):
        sites = self.sites_for_actions(user, [action])
        return sites is None or bool(sites)

    def user_has_any_permission(self, user, actions):
        sites = self.sites_for_actions(user, actions)
        return sites is None or bool(sites)

    def user_has_permission_for_instance(self, user, action, instance):
        site = site_of(instance)
        if site is None:
            return False
        sites = self.sites_for_actions(user, [action])
        return sites is None or site.pk in sites

    def instances_user_has_any_permission_for(self, user, actions):
        manager = self.model._default_manager
        sites = self.sites_for_actions(user, actions)
        if sites is None:
            return manager.all()
        lookup = getattr(manager.all(), "site_lookup", "site")
        return manager.filter(**{f"{lookup}__in": sites})
