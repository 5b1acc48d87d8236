"""Registrations only: the data portal section, permissions and private fields, the demo's
portals."""

from wagtail import hooks

from .declarations import opendata_grants, opendata_private_fields, opendata_sections
from .demo import load_demo_opendata

hooks.register("register_organization_sections", opendata_sections)
hooks.register("register_organization_grants", opendata_grants)
hooks.register("register_private_fields", opendata_private_fields)
# The demo's data portals (after the plugins' demo content: hooks run in INSTALLED_APPS order).
hooks.register("load_demo_content", load_demo_opendata)
