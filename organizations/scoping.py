"""Reads limited to the organizations a user works for, and the public part of a site.

Pages are scoped by Wagtail's page permissions on each organization's subtree. Every other model
carries (or reaches) a ``site``: it declares the path once, as ``site_lookup`` on a
``SiteScopedQuerySet``, and is only read through :meth:`SiteScopedQuerySet.for_user`.

Someone who works for no organization may still be let into one part of a tree: a plugin
registers ``register_page_scopes``, ``fn(user)`` returning the tree paths of the pages (each
with what lies below it) that this user may reach in the admin — a distributor's folder of a
network's film database, for the distributor's own logins. Those subtrees join the user's
``page_scope_for_user`` (so every admin URL, chooser and dashboard panel that follows it), and
nothing else: no site, no record, no group, no other page.
"""

from django.db import models
from wagtail import hooks
from wagtail.models import Page, PageQuerySet, PageViewRestriction, Site

from . import registry
from .models import OrganizationGroup
from .registry import OrganizationRole


def sites_for_user(user, roles=None):
    """The sites (organizations) ``user`` works for in one of ``roles`` (by default, any role
    that works in the admin); all of them for a superuser, none for an anonymous or inactive
    user.

    The answer is memoised on the user object, which lives for one request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    roles = registry.admin_roles() if roles is None else roles
    cache = user.__dict__.setdefault("_liens_site_ids", {})
    key = tuple(sorted(roles))
    if key not in cache:
        cache[key] = list(
            OrganizationGroup.objects.filter(group__user=user, role__in=roles)
            .values_list("site_id", flat=True)
            .distinct()
        )
    return Site.objects.filter(pk__in=cache[key])


class SiteScopedQuerySet(models.QuerySet):
    """Reads of a model that belongs to one organization.

    ``site_lookup`` names the path from the model to its site (``"site"``, ``"contact__site"``).
    ``scope_roles`` are the roles that may read it.
    """

    site_lookup = "site"
    scope_roles: tuple[str, ...] = (OrganizationRole.CRM_STAFF,)

    def for_site(self, site):
        return self.filter(**{self.site_lookup: site})

    def for_user(self, user, roles=None):
        sites = sites_for_user(user, roles or self.scope_roles)
        return self.filter(**{f"{self.site_lookup}__in": sites})


def site_of(instance) -> Site | None:
    """The organization (site) an object belongs to, following its queryset's ``site_lookup``."""
    queryset = type(instance)._default_manager.all()
    path = getattr(queryset, "site_lookup", "site").split("__")
    value = instance
    for attribute in path:
        value = getattr(value, attribute, None)
        if value is None:
            return None
    return value


PAGE_SCOPES_HOOK = "register_page_scopes"


def extra_page_paths(user) -> list[str]:
    """Tree paths of the subtrees plugins let ``user`` reach besides their organizations'
    (``register_page_scopes``); memoised on the user object, which lives for one request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if "_liens_extra_page_paths" not in user.__dict__:
        paths: list[str] = []
        for scope_function in hooks.get_hooks(PAGE_SCOPES_HOOK):
            paths.extend(scope_function(user) or ())
        user.__dict__["_liens_extra_page_paths"] = sorted(set(paths))
    return user.__dict__["_liens_extra_page_paths"]


def page_scope_for_user(user, roles=None) -> models.Q | None:
    """A filter on pages that keeps those of the organizations ``user`` works for, in every
    language (each site's home page and its translations are tree roots); ``None`` means
    no limit (superusers). Without ``roles`` (what the user reaches in the admin), the subtrees
    of ``register_page_scopes`` join it."""
    if getattr(user, "is_superuser", False):
        return None
    root_keys = sites_for_user(user, roles).values("root_page__translation_key")
    scope = models.Q(pk__in=[])
    for path in Page.objects.filter(translation_key__in=root_keys).values_list("path", flat=True):
        scope |= models.Q(path__startswith=path)
    if roles is None:
        for path in extra_page_paths(user):
            scope |= models.Q(path__startswith=path)
    return scope


def site_root_pages(site: Site):
    """The site's home page and its translations: each language's tree starts at one of them."""
    return Page.objects.filter(translation_key=site.root_page.translation_key)


def restricted_paths_within(root: Page) -> list[str]:
    """Tree paths of the view-restricted pages that matter below ``root``: its ancestors and its
    descendants. Wagtail's ``.public()`` reads every restriction of the installation, so one
    organization's private pages would slow down another's lists."""
    steplen = Page.steplen
    ancestors = [root.path[:end] for end in range(steplen, len(root.path) + 1, steplen)]
    return list(
        PageViewRestriction.objects.filter(
            models.Q(page__path__in=ancestors) | models.Q(page__path__startswith=root.path)
        ).values_list("page__path", flat=True)
    )


def public_within(queryset: PageQuerySet, root: Page) -> PageQuerySet:
    """``queryset`` without the pages that a view restriction at or above them hides."""
    for path in restricted_paths_within(root):
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def public_pages_for_site(site: Site):
    """Live, unrestricted pages of ``site`` in every language, the home pages included.

    Only this site's view restrictions are read (another organization's private pages cost it
    nothing)."""
    pages = Page.objects.none()
    roots = list(site_root_pages(site).only("path", "depth"))
    for root in roots:
        pages |= Page.objects.descendant_of(root, inclusive=True)
    pages = pages.live()
    for root in roots:
        pages = public_within(pages, root)
    return pages
