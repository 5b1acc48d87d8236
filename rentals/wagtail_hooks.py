"""Registrations only: the catalogue section, the equipment desk's permissions, the private
fields of rentals, what the public may ask of an item."""

from wagtail import hooks

from .availability import hide_restricted_availability
from .declarations import rentals_grants, rentals_private_fields, rentals_sections

hooks.register("register_organization_sections", rentals_sections)
hooks.register("register_organization_grants", rentals_grants)
hooks.register("register_private_fields", rentals_private_fields)

# An item with a view restriction answers its availability.json with a 404, not a login form.
hooks.register("before_serve_page", hide_restricted_availability)
