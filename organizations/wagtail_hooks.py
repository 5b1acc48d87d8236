"""Registrations only: the organization's identity in every graph, the base grants of the admin
roles, the page chooser limited to the user's organizations, and the dashboard's panel of the
organization's drafts in review."""

from wagtail import hooks

from .dashboard import drafts_in_review_panel
from .declarations import base_grants, limit_page_chooser_to_own_organizations
from .structured_data import site_nodes

hooks.register("structured_data_site_nodes", site_nodes)
hooks.register("register_organization_grants", base_grants)
hooks.register("construct_page_chooser_queryset", limit_page_chooser_to_own_organizations)
hooks.register("construct_homepage_panels", drafts_in_review_panel)
