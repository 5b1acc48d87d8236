"""Registrations only: the organization's identity in every graph, the base grants of the admin
roles, and the page chooser limited to the user's organizations."""

from wagtail import hooks

from .declarations import base_grants, limit_page_chooser_to_own_organizations
from .structured_data import site_nodes

hooks.register("structured_data_site_nodes", site_nodes)
hooks.register("register_organization_grants", base_grants)
hooks.register("construct_page_chooser_queryset", limit_page_chooser_to_own_organizations)
