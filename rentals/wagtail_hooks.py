"""Registrations only: the catalogue section, the equipment desk's permissions, the private
fields of rentals."""

from wagtail import hooks

from .declarations import rentals_grants, rentals_private_fields, rentals_sections

hooks.register("register_organization_sections", rentals_sections)
hooks.register("register_organization_grants", rentals_grants)
hooks.register("register_private_fields", rentals_private_fields)

# The member space (crm_blocks) shows each member their bookings.
from .member import my_bookings_section  # noqa: E402

hooks.register("register_member_space_sections", my_bookings_section)
