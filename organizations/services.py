"""Creating organizations and giving them what the installed plugins declare.

``organization_create`` makes the site, home page, settings and media collection, then runs the
same ``organization_sync`` that ``sync_organizations`` (and every ``migrate``) runs for existing
organizations: one group per role, each role's permissions, each section page, each moderation
workflow. What the sync
gave is remembered (``OrganizationProvision``), so it is never given twice and staff changes
(a permission taken away, a section renamed or deleted) stay as staff left them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import available_timezones

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from . import registry
from .models import (
    OrganizationCurrency,
    OrganizationGroup,
    OrganizationLanguage,
    OrganizationProvision,
    OrganizationSettings,
)

HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def home_page_model():
    """The page type of an organization's home page (``ORGANIZATIONS_HOME_PAGE_MODEL``)."""
    return apps.get_model(getattr(settings, "ORGANIZATIONS_HOME_PAGE_MODEL", "wagtailcore.Page"))


def organization_sites():
    """The sites that are organizations: made by ``organization_create``, they have groups.
    (Settings are no sign: Wagtail makes a site's settings row the first time it is read, for a
    ``www.`` alias or a staging site too.)"""
    return Site.objects.filter(organization_groups__isnull=False).distinct()


def validate_organization(*, name: str, hostname: str, port: int, language: str, time_zone: str):
    """Raise ``ValidationError`` (one message per bad argument) before anything is written."""
    errors = {}
    if not name.strip():
        errors["name"] = _("The organization needs a name.")
    if not HOSTNAME_RE.match(hostname):
        errors["hostname"] = _("“%(hostname)s” is not a valid host name.") % {"hostname": hostname}
    elif Site.objects.filter(hostname=hostname, port=port).exists():
        errors["hostname"] = _(
            "The host name “%(hostname)s” is already used by another organization."
        ) % {"hostname": hostname}
    if not 1 <= port <= 65535:
        errors["port"] = _("The port must be between 1 and 65535.")
    if language not in OrganizationLanguage.values:
        errors["language"] = _("Unknown language “%(language)s”; choose one of: %(choices)s.") % {
            "language": language,
            "choices": ", ".join(OrganizationLanguage.values),
        }
    if time_zone not in available_timezones():
        errors["time_zone"] = _("Unknown time zone “%(tz)s” (for example America/Toronto).") % {
            "tz": time_zone
        }
    if errors:
        raise ValidationError(errors)


def _unique_child_slug(parent: Page, base: str) -> str:
    base = base[:200] or "page"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug


@transaction.atomic
def organization_create(
    *,
    name: str,
    hostname: str,
    port: int = 80,
    language: str = OrganizationLanguage.FR_CA,
    time_zone: str = "America/Toronto",
    is_default: bool = False,
) -> Site:
    """Create an organization in one step: its site, home page, settings, media collection,
    then whatever the installed plugins declare (groups per role and their permissions, limited
    to that site; section pages). Nothing is written when an argument is invalid.
    """
    name = name.strip()
    hostname = hostname.strip().lower()
    validate_organization(
        name=name, hostname=hostname, port=port, language=language, time_zone=time_zone
    )
    content_language = OrganizationLanguage(language).content_language
    locale, _created = Locale.objects.get_or_create(language_code=content_language)

    root = Page.get_first_root_node()
    home_class = home_page_model()
    home = root.add_child(
        instance=home_class(
            title=name,
            slug=_unique_child_slug(root, slugify(name) or "organization"),
            locale=locale,
        )
    )
    home.save_revision().publish()

    if is_default:
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    site = Site.objects.create(
        hostname=hostname,
        port=port,
        root_page=home,
        site_name=name,
        is_default_site=is_default or not Site.objects.filter(is_default_site=True).exists(),
    )
    OrganizationSettings.objects.create(
        site=site,
        legal_name=name,
        language=language,
        time_zone=time_zone,
        currency=OrganizationCurrency.for_language(language),
    )
    collection = Collection.get_first_root_node().add_child(name=name)
    organization_sync(site, collection=collection, publish_sections=True)
    return site


def organization_collection(site: Site) -> Collection | None:
    """The organization's media collection: the one its groups were given permissions on
    (names are no key: two organizations may share a name)."""
    return (
        Collection.objects.filter(
            group_permissions__group__organization_role__site=site
        )
        .order_by("pk")
        .first()
    )


#: The name of an organization's private collection, in the organization's language.
PRIVATE_COLLECTION_NAME = gettext_lazy("Private documents")
#: Provision keys of the private collection and of each admin role's access to it.
PRIVATE_COLLECTION_KEY = "collection:private"


def organization_private_collection(site: Site) -> Collection | None:
    """The organization's private collection: the first one (in tree order) whose view
    restriction lets in groups of that organization. A document in it is served to
    signed-in staff of the organization alone. ``None`` if staff deleted it or lifted its
    restriction: nothing is private then, and nothing pretends to be."""
    return (
        Collection.objects.filter(
            view_restrictions__restriction_type=CollectionViewRestriction.GROUPS,
            view_restrictions__groups__organization_role__site=site,
        )
        .order_by("path")
        .first()
    )


@dataclass
class SyncReport:
    """What ``organization_sync`` gave, per organization: ``{site name: [provision keys]}``."""

    given: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.given.values())

    def summary(self) -> str:
        lines = []
        for site, keys in self.given.items():
            if keys:
                kinds = [key.split(":", 1)[0] for key in keys]
                lines.append(
                    _(
                        "%(site)s: added groups: %(groups)d, permissions: %(permissions)d, "
                        "section pages: %(sections)d, private collections: %(collections)d, "
                        "moderation workflows: %(workflows)d."
                    )
                    % {
                        "site": site,
                        "groups": kinds.count("role"),
                        "permissions": kinds.count("grant"),
                        "sections": kinds.count("section"),
                        "collections": keys.count(PRIVATE_COLLECTION_KEY),
                        "workflows": kinds.count("workflow"),
                    }
                )
        return "\n".join(lines) or _("Every organization is up to date.")


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise ImproperlyConfigured(
            f"A plugin grants the permission “{name}”, which does not exist. "
            "Is its app installed and migrated?"
        ) from None


class _Sync:
    """One organization's sync: reads what was given once, then gives what is missing."""

    def __init__(self, site: Site, *, collection=None, publish_sections: bool = False):
        self.site = site
        self._collection = collection
        self.publish_sections = publish_sections
        self.given_before = set(
            OrganizationProvision.objects.filter(site=site).values_list("key", flat=True)
        )
        self.given: list[str] = []
        self.groups = {
            link.role: link.group
            for link in OrganizationGroup.objects.filter(site=site).select_related("group")
        }

    def record(self, key: str) -> None:
        OrganizationProvision.objects.get_or_create(site=self.site, key=key)
        self.given.append(key)

    def run(self) -> list[str]:
        for role in registry.roles():
            self.ensure_group(role)
        for grant in registry.grants():
            self.apply_grant(grant)
        self.ensure_private_collection()
        sections = registry.sections()
        for section in sections:
            self.ensure_section(section)
        sections_by_key = {section.key: section for section in sections}
        for workflow in registry.workflows():
            self.ensure_workflow(workflow, sections_by_key[workflow.section])
        for provision in registry.provisions():
            self.ensure_provision(provision)
        return self.given

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            self._collection = organization_collection(self.site)
        if self._collection is None:
            self._collection = Collection.get_first_root_node().add_child(
                name=self.site.site_name
            )
        return self._collection

    def ensure_group(self, role: registry.Role) -> None:
        # A group given once and deleted by staff since stays deleted.
        if role.code in self.groups or f"role:{role.code}" in self.given_before:
            return
        base = f"{self.site.site_name} — {role.label}"[:150]
        name, counter = base, 1
        while Group.objects.filter(name=name).exists():
            counter += 1
            name = f"{base} ({counter})"
        group = Group.objects.create(name=name)
        OrganizationGroup.objects.create(site=self.site, group=group, role=role.code)
        self.groups[role.code] = group
        self.record(f"role:{role.code}")

    def apply_grant(self, grant: registry.Grant) -> None:
        group = self.groups.get(grant.role)
        if group is None:
            return
        for kind, name, key in grant.permission_keys():
            if key in self.given_before:
                continue
            if kind == "model":
                group.permissions.add(_permission(name))
            elif kind == "page":
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=self.site.root_page,
                    permission=_permission(f"wagtailcore.{name}"),
                )
            elif kind == "collection":
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=self.collection,
                    permission=_permission(name),
                )
            else:
                GroupSitePermission.objects.get_or_create(
                    group=group, site=self.site, permission=_permission(name)
                )
            self.record(key)

    def ensure_private_collection(self) -> None:
        """A child of the organization's collection whose documents only its admin roles'
        groups may open; each admin role's group is let in once (a role a plugin adds later
        too), so a group staff took out of the restriction stays out, and a private
        collection staff deleted is not made again."""
        private = organization_private_collection(self.site)
        if PRIVATE_COLLECTION_KEY not in self.given_before:
            if private is None:
                language = OrganizationSettings.for_site(self.site).content_language
                with translation.override(language):
                    name = str(PRIVATE_COLLECTION_NAME)
                private = self.collection.add_child(name=name)
                # Restricted from the start: with no group in it yet, only superusers get in.
                CollectionViewRestriction.objects.create(
                    collection=private, restriction_type=CollectionViewRestriction.GROUPS
                )
            self.record(PRIVATE_COLLECTION_KEY)
        if private is None:
            return
        restriction = private.view_restrictions.filter(
            restriction_type=CollectionViewRestriction.GROUPS
        ).first()
        for role in registry.admin_roles():
            key = f"{PRIVATE_COLLECTION_KEY}:{role}"
            group = self.groups.get(role)
            if restriction is None or group is None or key in self.given_before:
                continue
            restriction.groups.add(group)
            self.record(key)

    def ensure_section(self, section: registry.Section) -> None:
        key = section.provision_key
        if key in self.given_before:
            return
        page_class = apps.get_model(section.page_type)
        home = self.site.root_page
        if not page_class.objects.descendant_of(home).exists():
            language = OrganizationSettings.for_site(self.site).content_language
            with translation.override(language):
                page = page_class(
                    title=str(section.title),
                    slug=_unique_child_slug(home, slugify(str(section.slug))),
                    locale=home.locale,
                    show_in_menus=section.show_in_menus,
                )
            page.live = self.publish_sections
            home.add_child(instance=page)
            revision = page.save_revision()
            if self.publish_sections:
                revision.publish()
        self.record(key)

    def ensure_workflow(
        self, declaration: registry.ModerationWorkflow, section: registry.Section
    ) -> None:
        """A workflow of one task, approved by the groups of the declared roles, assigned to
        the section's page. Given once: a workflow staff changed or removed stays as they left
        it; a section page that already has a workflow of staff's keeps it; a section page
        staff deleted gets none (and none is remembered, for when they make it again)."""
        key = declaration.provision_key
        if key in self.given_before:
            return
        page = (
            apps.get_model(section.page_type)
            .objects.descendant_of(self.site.root_page)
            .order_by("path")
            .first()
        )
        if page is None:
            return
        if not WorkflowPage.objects.filter(page=page).exists():
            groups = [self.groups[role] for role in declaration.approvers if role in self.groups]
            language = OrganizationSettings.for_site(self.site).content_language
            with translation.override(language):
                name, task_name = str(declaration.name), str(declaration.task_name)
            task = GroupApprovalTask.objects.create(name=task_name[:255])
            task.groups.set(groups)
            workflow = Workflow.objects.create(name=name[:255], active=True)
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
            WorkflowPage.objects.create(workflow=workflow, page=page)
        self.record(key)


    def ensure_provision(self, provision: registry.Provision) -> None:
        """What a plugin gives every organization once (``registry.Provision``), in the
        organization's language."""
        key = provision.provision_key
        if key in self.given_before:
            return
        language = OrganizationSettings.for_site(self.site).content_language
        with translation.override(language):
            provision.function(self.site)
        self.record(key)


def organization_sync(
    site: Site, *, collection: Collection | None = None, publish_sections: bool = False
) -> list[str]:
    """Give ``site`` what the installed plugins declare and it never got; the keys given.

    New section pages are published for a new organization (``organization_create``); an
    organization that already has a public site gets them as drafts, for its staff to publish
    when they are ready (an empty list appearing in a live site's menu would surprise them).
    """
    with transaction.atomic():
        return _Sync(site, collection=collection, publish_sections=publish_sections).run()


def organizations_sync() -> SyncReport:
    """``organization_sync`` for every organization of the installation."""
    report = SyncReport()
    for site in organization_sites().select_related("root_page"):
        report.given[site.site_name] = organization_sync(site)
    return report
