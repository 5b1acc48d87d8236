"""Registrations only: the film database section and its moderation workflow, the permissions
and private fields of films."""

from wagtail import hooks

from .declarations import films_grants, films_private_fields, films_sections, films_workflows

hooks.register("register_organization_sections", films_sections)
hooks.register("register_organization_grants", films_grants)
hooks.register("register_organization_workflows", films_workflows)
hooks.register("register_private_fields", films_private_fields)

# --- Distributors (``films.distributors``, ``films.resources``, ``films.directory``) --------
from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402

from .declarations import (  # noqa: E402
    distributor_access_grants,
    films_import_grants,
    films_spreadsheet_kinds,
)
from .directory import directory_section  # noqa: E402
from .distributors import distributor_page_paths  # noqa: E402
from .models import DistributorAccess, DistributorContact  # noqa: E402
from .viewsets import register_distributor_viewsets, register_film_listing  # noqa: E402

for _model in (DistributorAccess, DistributorContact):
    register_permission_policy(_model, SiteScopedPermissionPolicy(_model))

# A distributor's logins reach their folder of the film database, and nothing else.
hooks.register("register_page_scopes", distributor_page_paths)
hooks.register("register_organization_grants", films_import_grants)
hooks.register("register_organization_grants", distributor_access_grants)
hooks.register("register_spreadsheet_kinds", films_spreadsheet_kinds)
hooks.register("register_admin_viewset", register_distributor_viewsets)
hooks.register("register_admin_viewset", register_film_listing)
# The members' directory of distributors' contacts, in the member space.
hooks.register("register_member_space_sections", directory_section)
