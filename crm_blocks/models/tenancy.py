"""Organizations are Wagtail sites; groups are tied to the site they work for.

Pages are scoped by Wagtail's page permissions on each organization's subtree. Everything else
carries (or reaches) a ``site`` and is only read through :meth:`SiteScopedQuerySet.for_user`.
"""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site


class OrganizationRole(models.TextChoices):
    EDITORS = "editors", _("Editors")
    CRM_STAFF = "crm_staff", _("CRM staff")
    MEMBERS = "members", _("Members")


#: Roles that may work in the admin of their organization.
ADMIN_ROLES = (OrganizationRole.EDITORS, OrganizationRole.CRM_STAFF)


class OrganizationGroup(models.Model):
    """A Django group working for one organization, with its role there."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="organization_groups", verbose_name=_("site")
    )
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="organization_role", verbose_name=_("group")
    )
    role = models.CharField(_("role"), max_length=20, choices=OrganizationRole.choices)

    class Meta:
        verbose_name = _("organization group")
        verbose_name_plural = _("organization groups")
        constraints = [
            models.UniqueConstraint(fields=["site", "role"], name="one_group_per_role_per_site"),
        ]

    def __str__(self):
        return f"{self.site} — {self.get_role_display()}"


def sites_for_user(user, roles=ADMIN_ROLES):
    """The sites (organizations) ``user`` works for in one of ``roles``; all of them for a
    superuser, none for an anonymous or inactive user.

    The answer is memoised on the user object, which lives for one request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    cache = user.__dict__.setdefault("_liens_site_ids", {})
    key = tuple(sorted(roles))
    if key not in cache:
        cache[key] = list(
            OrganizationGroup.objects.filter(group__user=user, role__in=roles)
            .values_list("site_id", flat=True)
            .distinct()
        )
    return Site.objects.filter(pk__in=cache[key])


def user_has_role(user, site, roles=ADMIN_ROLES) -> bool:
    """Whether ``user`` works for ``site`` in one of ``roles``."""
    if site is None:
        return False
    return sites_for_user(user, roles).filter(pk=site.pk).exists()


class SiteScopedQuerySet(models.QuerySet):
    """Reads of a model that belongs to one organization.

    ``site_lookup`` names the path from the model to its site (``"site"``, ``"contact__site"``).
    ``crm_roles`` are the roles that may read it.
    """

    site_lookup = "site"
    crm_roles = (OrganizationRole.CRM_STAFF,)

    def for_site(self, site):
        return self.filter(**{self.site_lookup: site})

    def for_user(self, user, roles=None):
        sites = sites_for_user(user, roles or self.crm_roles)
        return self.filter(**{f"{self.site_lookup}__in": sites})


def page_scope_for_user(user, roles=ADMIN_ROLES) -> models.Q | None:
    """A filter on pages that keeps those of the organizations ``user`` works for, in every
    language (each site's home page and its translations are tree roots); ``None`` means
    no limit (superusers)."""
    from wagtail.models import Page

    if getattr(user, "is_superuser", False):
        return None
    root_keys = sites_for_user(user, roles).values("root_page__translation_key")
    scope = models.Q(pk__in=[])
    for path in Page.objects.filter(translation_key__in=root_keys).values_list("path", flat=True):
        scope |= models.Q(path__startswith=path)
    return scope
