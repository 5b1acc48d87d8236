"""The registry of spreadsheet kinds: what rows each plugin brings in and out, and who may.

A plugin declares its kinds in its ``wagtail_hooks.py``::

    @hooks.register("register_spreadsheet_kinds")
    def kinds():
        return [
            SpreadsheetKind(
                "people",
                label=_("People"),
                resource="crm_blocks.resources.PersonResource",
                import_permission="crm_blocks.import_contact",
                export_permission="crm_blocks.export_contact",
            )
        ]

The admin screens, the background jobs and the ``import_records``/``export_records`` commands
know a kind only through this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail import hooks

from organizations.permissions import user_has_site_permission
from organizations.registry import OrganizationRole
from organizations.scoping import sites_for_user


@dataclass(frozen=True)
class SpreadsheetKind:
    """A kind of rows: its name (in commands, URLs and jobs), its label for staff, its
    resource, and the permissions that let an organization's groups import and export it."""

    name: str
    label: Promise | str
    #: The resource class, or its dotted path (imported when first used).
    resource: str | type
    import_permission: str
    export_permission: str
    #: The roles whose groups may hold those permissions.
    roles: tuple[str, ...] = (OrganizationRole.CRM_STAFF,)
    #: The export button's text ("Export people"); "Export" and the label otherwise.
    export_label: Promise | str | None = None
    #: ``False`` for a kind that is only exported (a report built from other records): no
    #: import button, screen, job or command takes it.
    importable: bool = True
    extra: dict = field(default_factory=dict, compare=False)
    #: For a kind whose files need more than columns (a box-office export: a cinema, films to
    #: match): the dotted path of a module with ``add_arguments(parser)`` (options of
    #: ``import_records`` for this kind) and ``import_file(command, *, site, path, data,
    #: options)``, which ``import_records`` then calls instead of the pipeline.
    command: str | None = None

    @cached_property
    def resource_class(self) -> type:
        return import_string(self.resource) if isinstance(self.resource, str) else self.resource

    def user_can_import(self, user, site) -> bool:
        if not self.importable:
            return False
        return user_has_site_permission(user, site, self.import_permission, self.roles)

    def user_can_export(self, user, site) -> bool:
        return user_has_site_permission(user, site, self.export_permission, self.roles)

    def import_sites(self, user) -> list:
        """The organizations ``user`` may import this kind into."""
        return [
            site for site in sites_for_user(user, self.roles) if self.user_can_import(user, site)
        ]

    def export_sites(self, user) -> list:
        """The organizations whose rows of this kind ``user`` may export."""
        return [
            site for site in sites_for_user(user, self.roles) if self.user_can_export(user, site)
        ]


#: The longest kind name an import job holds.
KIND_NAME_MAX_LENGTH = 30


def kinds() -> dict[str, SpreadsheetKind]:
    """Every registered kind, by name. A name declared twice, or too long to be stored, is a
    plugin's mistake, said at once rather than one kind silently hiding another."""
    found: dict[str, SpreadsheetKind] = {}
    for declare in hooks.get_hooks("register_spreadsheet_kinds"):
        for kind in declare():
            if kind.name in found:
                raise ImproperlyConfigured(f"The spreadsheet kind “{kind.name}” is declared twice.")
            if len(kind.name) > KIND_NAME_MAX_LENGTH:
                raise ImproperlyConfigured(
                    f"The spreadsheet kind name “{kind.name}” is longer than "
                    f"{KIND_NAME_MAX_LENGTH} characters."
                )
            found[kind.name] = kind
    return found


def get_kind(name: str) -> SpreadsheetKind:
    """The kind called ``name``; ``ValueError`` (a message for staff or operators) otherwise."""
    known = kinds()
    try:
        return known[name]
    except KeyError:
        raise ValueError(
            _("Unknown kind of records “%(kind)s”: use %(choices)s.")
            % {"kind": name, "choices": ", ".join(sorted(known))}
        ) from None


def get_importable_kind(name: str) -> SpreadsheetKind:
    """The kind called ``name`` if files may be imported as it; ``ValueError`` otherwise."""
    kind = get_kind(name)
    if not kind.importable:
        raise ValueError(
            _("“%(kind)s” can be exported, not imported.") % {"kind": kind_label(name)}
        )
    return kind


def kind_label(kind: str) -> str:
    known = kinds().get(kind)
    return str(known.label) if known else kind


def export_label(kind: str) -> str:
    known = kinds().get(kind)
    if known and known.export_label:
        return str(known.export_label)
    return _("Export %(kind)s") % {"kind": kind_label(kind).lower()}


def user_import_sites(user, kind_names) -> list:
    """The organizations ``user`` may import at least one of ``kind_names`` into."""
    sites: dict = {}
    for name in kind_names:
        for site in get_kind(name).import_sites(user):
            sites.setdefault(site.pk, site)
    return list(sites.values())
