"""Registrations only: the organization's identity in every graph, the base grants of the admin
roles, the page chooser limited to the user's organizations, the dashboard's panel of the
organization's drafts in review, uploads that start on the private collection, avatars drawn
without Gravatar, the page explorer's titles sorted the French way, a Help menu about the
product rather than Wagtail's release notes, and listings that fit a phone."""

from wagtail import hooks

from .avatars import initials_avatar_url
from .dashboard import drafts_in_review_panel
from .declarations import (
    admin_stylesheet,
    base_grants,
    explorer_titles_in_french_order,
    hide_wagtail_release_notes,
    limit_page_chooser_to_own_organizations,
)
from .documents import document_upload_urls
from .structured_data import site_nodes

hooks.register("structured_data_site_nodes", site_nodes)
hooks.register("register_organization_grants", base_grants)
hooks.register("construct_page_chooser_queryset", limit_page_chooser_to_own_organizations)
hooks.register("construct_homepage_panels", drafts_in_review_panel)
# Before Wagtail's own documents URLs (order 0), so its multiple upload address is answered here.
hooks.register("register_admin_urls", document_upload_urls, order=-1)
hooks.register("get_avatar_url", initials_avatar_url)
hooks.register("construct_explorer_page_queryset", explorer_titles_in_french_order)
hooks.register("construct_help_menu", hide_wagtail_release_notes)
hooks.register("insert_global_admin_css", admin_stylesheet)
