"""Registrations only: the film database section and its moderation workflow, the permissions
and private fields of films, the demo's film database."""

from wagtail import hooks

from .agenda import films_agenda_sources
from .catalogue import cinema_programme_section
from .declarations import films_grants, films_private_fields, films_sections, films_workflows
from .demo import load_demo_films

hooks.register("register_organization_sections", films_sections)
hooks.register("register_organization_grants", films_grants)
hooks.register("register_organization_workflows", films_workflows)
hooks.register("register_private_fields", films_private_fields)
hooks.register("load_demo_content", load_demo_films)
# Screenings in the agendas, the network's included (``events.sources``).
hooks.register("register_agenda_sources", films_agenda_sources)

# The cinema's programme on its record page (``crm_blocks.sections``).
hooks.register("register_record_page_sections", cinema_programme_section)

# --- Box-office exports and screenings (``films.boxoffice``) -------------------------------------
from .declarations import films_screening_spreadsheet_grants, films_spreadsheet_kinds  # noqa: E402

hooks.register("register_organization_grants", films_screening_spreadsheet_grants)
hooks.register("register_spreadsheet_kinds", films_spreadsheet_kinds)

# The « Billetterie » menu: screenings, the box-office import, the barometer.
from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402

from .models import Screening  # noqa: E402
from .screening_viewsets import BoxOfficeViewSetGroup  # noqa: E402

register_permission_policy(Screening, SiteScopedPermissionPolicy(Screening))


@hooks.register("register_admin_viewset")
def register_box_office_viewsets():
    return BoxOfficeViewSetGroup()
