"""What the organizations plugin itself gives every organization: the admin roles' base
permissions (pages of their site, its settings, its media collection), and what it changes in
Wagtail's own screens (page chooser, explorer ordering)."""

from django.templatetags.static import static
from django.utils.html import format_html

from .registry import Grant, OrganizationRole
from .scoping import page_scope_for_user
from .sorting import collated_ordering

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
COLLECTION_PERMISSIONS = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)


def base_grants():
    return [
        Grant(
            role,
            permissions=("wagtailadmin.access_admin",),
            page_permissions=PAGE_PERMISSIONS,
            collection_permissions=COLLECTION_PERMISSIONS,
            site_permissions=("organizations.change_organizationsettings",),
        )
        for role in (OrganizationRole.EDITORS, OrganizationRole.CRM_STAFF)
    ]


def limit_page_chooser_to_own_organizations(pages, request):
    """Wagtail's page chooser lists every page of the installation; an organization's staff
    only choose among their own organization's pages."""
    scope = page_scope_for_user(request.user)
    return pages if scope is None else pages.filter(scope)


def explorer_titles_in_french_order(parent_page, pages, request):
    """Sorting the page explorer by title puts « École » among the E's, not after Z."""
    return collated_ordering(pages)


def hide_wagtail_release_notes(request, menu_items):
    """The Help menu links to what is new in Wagtail's latest release, in English: news about the
    software underneath, not about the product staff use."""
    menu_items[:] = [item for item in menu_items if not item.name.startswith("whats-new-in-")]


def admin_stylesheet():
    """Listings that scroll sideways in their own box on a phone (``admin.css``)."""
    return format_html('<link rel="stylesheet" href="{}">', static("organizations/admin.css"))
