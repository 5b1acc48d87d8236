"""Registrations only: the agenda section and its moderation workflow, the permissions and
private fields of events."""

from wagtail import hooks

from .declarations import (
    events_grants,
    events_private_fields,
    events_sections,
    events_workflows,
)

hooks.register("register_organization_sections", events_sections)
hooks.register("register_organization_grants", events_grants)
hooks.register("register_organization_workflows", events_workflows)
hooks.register("register_private_fields", events_private_fields)
