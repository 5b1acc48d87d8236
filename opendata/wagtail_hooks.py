"""Registrations only: the data portal section, permissions and private fields."""

from wagtail import hooks

from .declarations import opendata_grants, opendata_private_fields, opendata_sections

hooks.register("register_organization_sections", opendata_sections)
hooks.register("register_organization_grants", opendata_grants)
hooks.register("register_private_fields", opendata_private_fields)
