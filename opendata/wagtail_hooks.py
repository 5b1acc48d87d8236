"""Registrations only: the data portal section, permissions and private fields, and the table
upload screens with their buttons (page editor's header, page listing's menu)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from .declarations import opendata_grants, opendata_private_fields, opendata_sections
from .models import DatasetPage, SourceKind
from .upload_views import upload_url

hooks.register("register_organization_sections", opendata_sections)
hooks.register("register_organization_grants", opendata_grants)
hooks.register("register_private_fields", opendata_private_fields)


@hooks.register("register_admin_urls")
def register_upload_urls():
    return [path("opendata/upload/", include("opendata.upload_urls"))]


def _upload_button(page, user, priority):
    if not page.pk or page.specific_class is not DatasetPage:
        return
    if isinstance(page, DatasetPage) and page.source_kind != SourceKind.UPLOAD:
        return
    if not page.permissions_for_user(user).can_edit():
        return
    yield Button(_("Upload a table"), upload_url(page), icon_name="upload", priority=priority)


@hooks.register("register_page_header_buttons")
def upload_header_button(page, user, view_name, next_url=None):
    yield from _upload_button(page, user, priority=14)


@hooks.register("register_page_listing_more_buttons")
def upload_listing_button(page, user, next_url=None):
    yield from _upload_button(page, user, priority=9)
