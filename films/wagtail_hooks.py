"""Registrations only: the film database section and its moderation workflow, the permissions
and private fields of films, the demo's film database."""

from wagtail import hooks

from .catalogue import cinema_programme_section
from .declarations import films_grants, films_private_fields, films_sections, films_workflows
from .demo import load_demo_films

hooks.register("register_organization_sections", films_sections)
hooks.register("register_organization_grants", films_grants)
hooks.register("register_organization_workflows", films_workflows)
hooks.register("register_private_fields", films_private_fields)
hooks.register("load_demo_content", load_demo_films)

# The cinema's programme on its record page (``crm_blocks.sections``).
hooks.register("register_record_page_sections", cinema_programme_section)
