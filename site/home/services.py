"""Reads and writes about organizations (one Wagtail site each)."""

import re
from zoneinfo import available_timezones

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Locale,
    Page,
    Site,
)

from crm_blocks.models import OrganizationGroup, OrganizationRole
from crm_blocks.models.records import public_within

from .models import HomePage, OrganizationLanguage, OrganizationSettings

HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
CRM_MODEL_PERMISSIONS = [
    f"{action}_{model}"
    for model in (
        "contact",
        "membership",
        "membershiptype",
        "affiliation",
        "contacttag",
        "contactnote",
    )
    for action in ("add", "change", "delete", "view")
] + ["export_contact", "import_contact"]


def site_root_pages(site: Site):
    """The site's home page and its translations: each language's tree starts at one of them."""
    return Page.objects.filter(translation_key=site.root_page.translation_key)


def public_pages_for_site(site: Site):
    """Live, unrestricted pages of ``site`` in every language, the home pages included.

    Only this site's view restrictions are read (another organization's private pages cost it
    nothing)."""
    pages = Page.objects.none()
    roots = list(site_root_pages(site).only("path", "depth"))
    for root in roots:
        pages |= Page.objects.descendant_of(root, inclusive=True)
    pages = pages.live()
    for root in roots:
        pages = public_within(pages, root)
    return pages


def validate_organization(*, name: str, hostname: str, port: int, language: str, time_zone: str):
    """Raise ``ValidationError`` (one message per bad argument) before anything is written."""
    errors = {}
    if not name.strip():
        errors["name"] = _("The organization needs a name.")
    if not HOSTNAME_RE.match(hostname):
        errors["hostname"] = _("“%(hostname)s” is not a valid host name.") % {
            "hostname": hostname
        }
    elif Site.objects.filter(hostname=hostname, port=port).exists():
        errors["hostname"] = _(
            "The host name “%(hostname)s” is already used by another organization."
        ) % {"hostname": hostname}
    if not 1 <= port <= 65535:
        errors["port"] = _("The port must be between 1 and 65535.")
    if language not in OrganizationLanguage.values:
        errors["language"] = _("Unknown language “%(language)s”; choose one of: %(choices)s.") % {
            "language": language,
            "choices": ", ".join(OrganizationLanguage.values),
        }
    if time_zone not in available_timezones():
        errors["time_zone"] = _("Unknown time zone “%(tz)s” (for example America/Toronto).") % {
            "tz": time_zone
        }
    if errors:
        raise ValidationError(errors)


def _permissions(codenames, app_label=None):
    found = Permission.objects.filter(codename__in=codenames)
    if app_label:
        found = found.filter(content_type__app_label=app_label)
    return list(found)


@transaction.atomic
def organization_create(
    *,
    name: str,
    hostname: str,
    port: int = 80,
    language: str = OrganizationLanguage.FR_CA,
    time_zone: str = "America/Toronto",
    is_default: bool = False,
) -> Site:
    """Create an organization in one step: its site, home page, settings, media collection and
    groups (editors, CRM staff, members) with permissions limited to that site.

    Nothing is written when an argument is invalid.
    """
    name = name.strip()
    hostname = hostname.strip().lower()
    validate_organization(
        name=name, hostname=hostname, port=port, language=language, time_zone=time_zone
    )
    content_language = OrganizationLanguage(language).content_language
    locale, _created = Locale.objects.get_or_create(language_code=content_language)

    root = Page.get_first_root_node()
    base_slug = slugify(name)[:200] or "organization"
    slug, counter = base_slug, 1
    while root.get_children().filter(slug=slug).exists():
        counter += 1
        slug = f"{base_slug}-{counter}"
    home = root.add_child(instance=HomePage(title=name, slug=slug, locale=locale))
    home.save_revision().publish()

    if is_default:
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    site = Site.objects.create(
        hostname=hostname,
        port=port,
        root_page=home,
        site_name=name,
        is_default_site=is_default or not Site.objects.filter(is_default_site=True).exists(),
    )
    OrganizationSettings.objects.create(
        site=site, legal_name=name, language=language, time_zone=time_zone
    )
    collection = Collection.get_first_root_node().add_child(name=name)

    access_admin = _permissions(["access_admin"], "wagtailadmin")
    page_permissions = _permissions(EDITOR_PAGE_PERMISSIONS, "wagtailcore")
    settings_permission = _permissions(["change_organizationsettings"], "home")
    crm_permissions = _permissions(CRM_MODEL_PERMISSIONS, "crm_blocks")

    for role in OrganizationRole:
        group = Group.objects.create(name=f"{name} — {role.label}")
        OrganizationGroup.objects.create(site=site, group=group, role=role)
        if role == OrganizationRole.MEMBERS:
            continue
        group.permissions.add(*access_admin)
        if role == OrganizationRole.CRM_STAFF:
            group.permissions.add(*crm_permissions)
        GroupPagePermission.objects.bulk_create(
            GroupPagePermission(group=group, page=home, permission=permission)
            for permission in page_permissions
        )
        GroupSitePermission.objects.bulk_create(
            GroupSitePermission(group=group, site=site, permission=permission)
            for permission in settings_permission
        )
        for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
    return site
