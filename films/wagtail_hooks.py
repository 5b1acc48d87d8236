"""Registrations only: the film database section and its moderation workflow, the permissions
and private fields of films, the demo's film database, screenings in the agendas, the cinema's
programme on its record page, the box-office screens (« Billetterie »), the distributors' logins
and directory."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from organizations.permissions import SiteScopedPermissionPolicy

from .agenda import films_agenda_sources
from .catalogue import cinema_programme_section
from .datasets import films_dataset_sources
from .declarations import (
    cinema_profile_grants,
    distributor_access_grants,
    films_grants,
    films_import_grants,
    films_private_fields,
    films_screening_spreadsheet_grants,
    films_sections,
    films_spreadsheet_kinds,
    films_workflows,
)
from .demo import load_demo_films
from .directory import directory_section
from .distributors import distributor_page_paths
from .models import CinemaProfile, DistributorAccess, DistributorContact, Screening
from .profile_viewsets import register_cinema_profile_viewset
from .screening_viewsets import BoxOfficeViewSetGroup
from .signals import sites_showing_films_of
from .viewsets import register_distributor_viewsets, register_film_listing

hooks.register("register_organization_sections", films_sections)
hooks.register("register_organization_grants", films_grants)
hooks.register("register_organization_workflows", films_workflows)
hooks.register("register_private_fields", films_private_fields)
hooks.register("load_demo_content", load_demo_films)

# Screenings in the agendas, the network's included (``events.sources``).
hooks.register("register_agenda_sources", films_agenda_sources)
# A network's film changed: the members showing it forget their cached pages too.
hooks.register("register_public_cache_dependents", sites_showing_films_of)
# The cinema's programme on its record page (``crm_blocks.sections``).
hooks.register("register_record_page_sections", cinema_programme_section)

# --- Box-office exports and screenings (``films.boxoffice``) -------------------------------------
hooks.register("register_organization_grants", films_screening_spreadsheet_grants)
hooks.register("register_spreadsheet_kinds", films_spreadsheet_kinds)
for _model in (Screening, DistributorAccess, DistributorContact):
    register_permission_policy(_model, SiteScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_box_office_viewsets():
    # The « Billetterie » menu: screenings, the box-office import, the barometer.
    return BoxOfficeViewSetGroup()


# --- Distributors (``films.distributors``, ``films.directory``) ----------------------------------
# A distributor's logins reach their folder of the film database, and nothing else.
hooks.register("register_page_scopes", distributor_page_paths)
hooks.register("register_organization_grants", films_import_grants)
hooks.register("register_organization_grants", distributor_access_grants)
hooks.register("register_admin_viewset", register_distributor_viewsets)
hooks.register("register_admin_viewset", register_film_listing)
# The members' directory of distributors' contacts, in the member space.
hooks.register("register_member_space_sections", directory_section)

# --- Cinema profiles and open data (``films.datasets``) ----------------------------------------
# The cinemas' classification, labels, screens and seats, kept by the network's staff.
register_permission_policy(CinemaProfile, SiteScopedPermissionPolicy(CinemaProfile))
hooks.register("register_organization_grants", cinema_profile_grants)
hooks.register("register_admin_viewset", register_cinema_profile_viewset)
# Active cinemas, Open Films and the weekly barometer as live datasets (``opendata``).
hooks.register("register_dataset_sources", films_dataset_sources)

# What the network holds about a person (distributors' contacts, film credits), for access and
# erasure.
from .personal_data import films_personal_data  # noqa: E402

hooks.register("register_personal_data", films_personal_data)
