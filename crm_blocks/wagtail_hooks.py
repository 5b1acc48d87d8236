"""Registrations only: the CRM menu, permission policies, and the editor's private details."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from .models import Affiliation, Contact, ContactNote, ContactTag, Membership, MembershipType
from .models.tenancy import page_scope_for_user
from .permissions import ContactPermissionPolicy, SiteScopedPermissionPolicy, user_can_access_crm
from .services import contact_for_page, contact_update_private_details
from .viewsets import CrmViewSetGroup

register_permission_policy(Contact, ContactPermissionPolicy(Contact))
for _model in (Membership, MembershipType, Affiliation, ContactTag, ContactNote):
    register_permission_policy(_model, SiteScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_crm_viewsets():
    return CrmViewSetGroup()


def save_private_details(request, page):
    """Write what the editor typed in the "Private (CRM)" tab to the record's Contact."""
    details = getattr(page, "_crm_private_details", None)
    if details is None:
        return
    contact = contact_for_page(page)
    contact_update_private_details(contact=contact, data=details)


hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)


@hooks.register("register_page_header_buttons")
def crm_record_button(page, user, view_name, next_url=None):
    if not hasattr(page.specific_class, "contact_kind") or not page.pk:
        return
    contact = Contact.objects.filter(translation_key=page.translation_key).first()
    if contact is None or not user_can_access_crm(user, contact.site):
        return
    yield Button(
        _("CRM record"),
        reverse("crm_contact:inspect", args=[contact.pk]),
        icon_name="user",
        priority=12,
    )


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser_to_own_organizations(pages, request):
    """Wagtail's page chooser lists every page of the installation; an organization's staff
    only choose among their own organization's pages."""
    scope = page_scope_for_user(request.user)
    return pages if scope is None else pages.filter(scope)
