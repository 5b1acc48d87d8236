"""Registrations only: the organization's identity in every graph, the base grants of the admin
roles, the page chooser limited to the user's organizations, the dashboard's panel of the
organization's drafts in review, uploads that start on the private collection, and avatars
drawn without Gravatar."""

from wagtail import hooks

from .avatars import initials_avatar_url
from .dashboard import drafts_in_review_panel
from .declarations import base_grants, limit_page_chooser_to_own_organizations
from .documents import document_upload_urls
from .structured_data import site_nodes

hooks.register("structured_data_site_nodes", site_nodes)
hooks.register("register_organization_grants", base_grants)
hooks.register("construct_page_chooser_queryset", limit_page_chooser_to_own_organizations)
hooks.register("construct_homepage_panels", drafts_in_review_panel)
# Before Wagtail's own documents URLs (order 0), so its multiple upload address is answered here.
hooks.register("register_admin_urls", document_upload_urls, order=-1)
hooks.register("get_avatar_url", initials_avatar_url)
