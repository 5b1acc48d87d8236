"""Distributors' logins to the network's film database.

``distributor_access_grant(site=, distributor=)`` gives a distributor (an organization record of
kind distributor in the network's CRM) its part of the admin, once: a folder of the film
database (``DistributorFilmsPage``), a Django group of its own (``DistributorAccess``) with, on
that folder, Wagtail's *add* and *change* page permissions — not *publish*: what its users
submit waits in the ``films.review`` workflow of the film database for the network's editors —
and a media collection for its posters, below the organization's.

The group is not one of the organization's groups (``OrganizationGroup``): its users work for
no organization, so no record, site or group of the network is theirs. What they may reach is
the folder and what lies below it (``distributor_page_paths``, registered as a page scope with
``organizations.scoping``), their collection (Wagtail's collection permissions), and their own
account. ``distributor_user_add`` gives a login (an e-mail) to the group and sends an invitation.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from crm_blocks.models import OrganizationPage
from organizations.models import OrganizationGroup, OrganizationKind
from organizations.scoping import site_root_pages
from organizations.services import organization_collection

from .models import DistributorAccess, DistributorFilmsPage, FilmIndexPage

#: Wagtail page permissions of a distributor's group on its folder: add and edit, never publish.
FOLDER_PERMISSIONS = ("wagtailcore.add_page", "wagtailcore.change_page")
#: What a distributor's group may do with images in its own collection (posters).
COLLECTION_PERMISSIONS = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
)
GROUP_NAME_LENGTH = 150


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _in_site(page: Page, site: Site) -> bool:
    return any(page.path.startswith(root.path) for root in site_root_pages(site))


def film_index(site: Site) -> FilmIndexPage:
    """The organization's film database (in its first language)."""
    for root in site_root_pages(site).order_by("pk"):
        index = FilmIndexPage.objects.descendant_of(root).order_by("path").first()
        if index is not None:
            return index
    raise ValidationError(_("This organization has no film database page."))


def _unique_group_name(base: str) -> str:
    base = base[:GROUP_NAME_LENGTH]
    name, counter = base, 1
    while Group.objects.filter(name=name).exists():
        counter += 1
        suffix = f" ({counter})"
        name = base[: GROUP_NAME_LENGTH - len(suffix)] + suffix
    return name


def distributor_folder(site: Site, distributor: OrganizationPage) -> DistributorFilmsPage:
    """The distributor's folder of the film database, made (published) when missing."""
    folder = DistributorFilmsPage.objects.filter(distributor=distributor).first()
    if folder is not None:
        return folder
    index = film_index(site)
    folder = DistributorFilmsPage(title=distributor.title, distributor=distributor)
    index.add_child(instance=folder)
    folder.save_revision().publish()
    folder.refresh_from_db()
    return folder


def distributor_collection(site: Site, distributor: OrganizationPage, group: Group) -> Collection:
    """The collection of the distributor's posters: the one its group was given, or a new child
    of the organization's collection."""
    given = Collection.objects.filter(group_permissions__group=group).order_by("pk").first()
    if given is not None:
        return given
    parent = organization_collection(site) or Collection.get_first_root_node()
    return parent.add_child(instance=Collection(name=distributor.title[:255]))


@transaction.atomic
def distributor_access_grant(*, site: Site, distributor: OrganizationPage) -> DistributorAccess:
    """Give ``distributor`` its login space on ``site`` (the network), or complete the one it
    has: calling it again adds what is missing and changes nothing else."""
    distributor = OrganizationPage.objects.get(pk=distributor.pk)
    if distributor.kind != OrganizationKind.DISTRIBUTOR:
        raise ValidationError(_("Only an organization record of kind distributor gets access."))
    if not _in_site(distributor, site):
        raise ValidationError(_("This distributor is not a record of this organization."))
    access = DistributorAccess.objects.filter(distributor=distributor).first()
    if access is not None and access.site_id != site.pk:
        raise ValidationError(_("This distributor already has access to another organization."))
    folder = distributor_folder(site, distributor)
    if access is None:
        group = Group.objects.create(
            name=_unique_group_name(f"{distributor.title} — {site.site_name}")
        )
        access = DistributorAccess.objects.create(
            site=site, distributor=distributor, folder=folder, group=group
        )
    group = access.group
    group.permissions.add(_permission("wagtailadmin.access_admin"))
    for name in FOLDER_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=access.folder, permission=_permission(name)
        )
    collection = distributor_collection(site, distributor, group)
    for name in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission(name)
        )
    return access


def works_for_an_organization(user) -> bool:
    """Whether ``user`` is in one of the organizations' own groups (staff, editors, members)."""
    return OrganizationGroup.objects.filter(group__user=user).exists()


@transaction.atomic
def distributor_user_add(*, access: DistributorAccess, email: str, invite: bool = True):
    """Give ``email`` a login in the distributor's group (a new account, or an account that only
    works for distributors) and, with ``invite``, e-mail it a link to choose its password.

    A login of an organization's staff, editors or members, or a superuser, is refused: a
    distributor's login must reach nothing but the distributor's folder."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(address)s” is not an e-mail address.") % {"address": email}
        ) from None
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username=email.lower()[:150], email=email, password=secrets.token_urlsafe(32)
        )
    elif user.is_superuser or works_for_an_organization(user):
        raise ValidationError(
            _(
                "%(address)s already has a login of the organizations' staff or members: give "
                "the distributor another e-mail address."
            )
            % {"address": email}
        )
    user.groups.add(access.group)
    if invite:
        send_invitation(access, user)
    return user


def send_invitation(access: DistributorAccess, user) -> None:
    """An e-mail inviting ``user`` to choose a password (Wagtail's password reset link, on the
    network's own address) and saying what the login is for."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "wagtailadmin_password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "distributor": access.distributor.title,
        "organization": access.site.site_name,
        "link": access.site.root_url.rstrip("/") + path,
        "username": user.get_username(),
    }
    send_mail(
        _("%(organization)s: your login to submit films") % context,
        render_to_string("films/email/distributor_invitation.txt", context),
        None,
        [user.email],
    )


def distributor_page_paths(user) -> list[str]:
    """``register_page_scopes``: the tree paths of the folders of the distributors whose group
    ``user`` is in (so the folder and its films, nothing else)."""
    return list(
        DistributorAccess.objects.filter(group__user=user).values_list("folder__path", flat=True)
    )


def distributor_folders_for_user(user):
    """The folders of the distributors ``user`` logs in for."""
    return DistributorFilmsPage.objects.filter(access__group__user=user)
