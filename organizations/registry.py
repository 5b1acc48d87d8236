"""The registry of what every organization gets: roles, permissions per role, section pages,
moderation workflows.

Each plugin declares its part in its ``wagtail_hooks.py``, so that installing a plugin is enough
for ``create_organization`` (new organizations) and ``sync_organizations`` (existing ones) to give
it to every organization::

    @hooks.register("register_organization_roles")
    def roles():
        return [Role("box_office", _("Box office"), admin=True)]

    @hooks.register("register_organization_grants")
    def grants():
        return [Grant("crm_staff", permissions=("crm_blocks.view_contact", ...))]

    @hooks.register("register_organization_sections")
    def sections():
        return [Section("crm.people", "crm_blocks.PersonIndexPage", _("People"), _("people"))]

    @hooks.register("register_organization_workflows")
    def workflows():
        return [ModerationWorkflow("events.proposals", "events.agenda", _("…"), _("…"))]

    @hooks.register("register_organization_provisions")
    def provisions():
        return [Provision("privacy.consent_purposes", create_builtin_purposes)]

This module reads hooks only; it imports no model, so models may use it for their choices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import hooks


class OrganizationRole(models.TextChoices):
    """The roles every organization has. Plugins may register more (``Role``)."""

    EDITORS = "editors", _("Editors")
    CRM_STAFF = "crm_staff", _("CRM staff")
    MEMBERS = "members", _("Members")


@dataclass(frozen=True)
class Role:
    """A role people play in an organization; each organization gets one group per role."""

    code: str
    label: Promise | str
    #: Whether the role's group works in the admin (editors, staff) or not (members, and any
    #: role that does not say so: the least access by default).
    admin: bool = False


@dataclass(frozen=True)
class Grant:
    """Permissions a role's group gets in each organization.

    - ``permissions``: model permissions (``"app_label.codename"``) on the group. Django's
      permissions are global, so every policy also checks the group's organization.
    - ``page_permissions``: Wagtail page permissions (``"add_page"``…) on the organization's
      home page, so on its whole tree.
    - ``collection_permissions``: ``"app_label.codename"`` on the organization's collection.
    - ``site_permissions``: ``"app_label.codename"`` of a site setting, for that site only.
    """

    role: str
    permissions: tuple[str, ...] = ()
    page_permissions: tuple[str, ...] = ()
    collection_permissions: tuple[str, ...] = ()
    site_permissions: tuple[str, ...] = ()

    def permission_keys(self) -> Iterable[tuple[str, str, str]]:
        """``(kind, permission, provision key)`` for each permission of the grant."""
        for kind, names in (
            ("model", self.permissions),
            ("page", self.page_permissions),
            ("collection", self.collection_permissions),
            ("site", self.site_permissions),
        ):
            for name in names:
                yield kind, name, f"grant:{self.role}:{kind}:{name}"


@dataclass(frozen=True)
class Section:
    """A page every organization's site has below its home page (a people list, an agenda…).

    ``title`` and ``slug`` are translated into the organization's language when the page is
    made; staff may rename or move it afterwards: a section is made once per organization.
    """

    key: str
    page_type: str
    title: Promise | str
    slug: Promise | str
    show_in_menus: bool = True

    @property
    def provision_key(self) -> str:
        return f"section:{self.key}"


@dataclass(frozen=True)
class ModerationWorkflow:
    """A Wagtail workflow every organization gets on one of its section pages: one
    ``GroupApprovalTask`` approved by the groups of ``approvers`` (roles), assigned to the
    section's page, so what is submitted below it waits for them (proposals from the public…).

    ``name`` and ``task_name`` are translated into the organization's language when it is made;
    they carry no organization's name, since Wagtail lists workflows and tasks installation-wide.
    A workflow is made once per organization: staff may rename it, change its tasks or remove it.
    """

    key: str
    section: str
    name: Promise | str
    task_name: Promise | str
    approvers: tuple[str, ...] = (OrganizationRole.EDITORS,)

    @property
    def provision_key(self) -> str:
        return f"workflow:{self.key}"


@dataclass(frozen=True)
class Provision:
    """Rows of a plugin's own models every organization gets once (its consent purposes…):
    ``function(site)`` is called for a new organization and, by the next sync, for each
    existing one; what it made is then the organization's, to change or delete."""

    key: str
    function: Callable

    @property
    def provision_key(self) -> str:
        return f"provision:{self.key}"


def _declared(hook_name: str) -> list:
    found = []
    for declare in hooks.get_hooks(hook_name):
        found.extend(declare())
    return found


#: The longest role code ``OrganizationGroup.role`` holds.
ROLE_CODE_MAX_LENGTH = 20


def roles() -> list[Role]:
    """Every role, the base roles first. A code declared twice, or too long to be stored, is a
    plugin's mistake, said at once rather than dropped without a word."""
    result = {
        role.value: Role(role.value, role.label, admin=role != OrganizationRole.MEMBERS)
        for role in OrganizationRole
    }
    for role in _declared("register_organization_roles"):
        if role.code in result:
            raise ImproperlyConfigured(f"The organization role “{role.code}” is declared twice.")
        if len(role.code) > ROLE_CODE_MAX_LENGTH:
            raise ImproperlyConfigured(
                f"The organization role code “{role.code}” is longer than "
                f"{ROLE_CODE_MAX_LENGTH} characters."
            )
        result[role.code] = role
    return list(result.values())


def role_choices() -> list[tuple[str, str]]:
    """Choices of ``OrganizationGroup.role``: the base roles and those plugins registered."""
    return [(role.code, role.label) for role in roles()]


def admin_roles() -> tuple[str, ...]:
    """Roles that work in their organization's admin."""
    return tuple(role.code for role in roles() if role.admin)


def grants() -> list[Grant]:
    """Every grant; one for a role nobody declared is a plugin's mistake."""
    declared = _declared("register_organization_grants")
    known = {role.code for role in roles()}
    for grant in declared:
        if grant.role not in known:
            raise ImproperlyConfigured(f"A grant names the unknown role “{grant.role}”.")
    return declared


def sections() -> list[Section]:
    """Every section, each key once."""
    declared = _declared("register_organization_sections")
    keys = [section.key for section in declared]
    for key in keys:
        if keys.count(key) > 1:
            raise ImproperlyConfigured(f"The section “{key}” is declared twice.")
    return declared


def workflows() -> list[ModerationWorkflow]:
    """Every moderation workflow, each key once, each on a declared section and approved by
    known roles."""
    declared = _declared("register_organization_workflows")
    section_keys = {section.key for section in sections()}
    role_codes = {role.code for role in roles()}
    keys = [workflow.key for workflow in declared]
    for workflow in declared:
        if keys.count(workflow.key) > 1:
            raise ImproperlyConfigured(f"The workflow “{workflow.key}” is declared twice.")
        if workflow.section not in section_keys:
            raise ImproperlyConfigured(
                f"The workflow “{workflow.key}” names the unknown section “{workflow.section}”."
            )
        unknown = set(workflow.approvers) - role_codes
        if unknown or not workflow.approvers:
            raise ImproperlyConfigured(
                f"The workflow “{workflow.key}” needs approvers among the declared roles."
            )
    return declared


def provisions() -> list[Provision]:
    """Every provision, each key once."""
    declared = _declared("register_organization_provisions")
    keys = [provision.key for provision in declared]
    for key in keys:
        if keys.count(key) > 1:
            raise ImproperlyConfigured(f"The provision “{key}” is declared twice.")
    return declared


def section_page_models() -> list[type]:
    """The page types of every declared section, each once (for a home page's allowed
    subpages)."""
    found = []
    for section in sections():
        model = apps.get_model(section.page_type)
        if model not in found:
            found.append(model)
    return found
