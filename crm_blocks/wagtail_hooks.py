"""Registrations only: what every organization gets, the CRM menu, permission policies, and
the editor's private details."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from organizations.permissions import SiteScopedPermissionPolicy

from .declarations import crm_grants, crm_sections, crm_spreadsheet_kinds
from .models import Affiliation, Contact, ContactNote, ContactTag, Membership, MembershipType
from .permissions import ContactPermissionPolicy, user_can_access_crm
from .services import contact_for_page, contact_update_private_details
from .signals import create_contacts_in_bulk
from .viewsets import CrmViewSetGroup

hooks.register("register_organization_grants", crm_grants)
hooks.register("register_organization_sections", crm_sections)
hooks.register("register_spreadsheet_kinds", crm_spreadsheet_kinds)
hooks.register("bulk_create_page_companions", create_contacts_in_bulk)

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
