"""Registrations only: what every organization gets, the CRM's private fields, the CRM menu,
permission policies, the editor's link to a record's CRM view, and the dashboard's panel of
memberships ending this month."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from organizations.permissions import SiteScopedPermissionPolicy
from privacy.pages import twin_model_of
from privacy.services import save_private_details

from .consents import consent_from_page_form
from .dashboard import expiring_memberships_panel
from .declarations import crm_grants, crm_private_fields, crm_sections, crm_spreadsheet_kinds
from .models import Affiliation, Contact, ContactNote, ContactTag, Membership, MembershipType
from .permissions import ContactPermissionPolicy, user_can_access_crm
from .personal_data import accounting_retention_period, crm_personal_data, crm_retention_rules
from .privacy_demo import load_demo_privacy
from .viewsets import CrmViewSetGroup

hooks.register("register_organization_grants", crm_grants)
hooks.register("register_organization_sections", crm_sections)
hooks.register("register_spreadsheet_kinds", crm_spreadsheet_kinds)
hooks.register("register_private_fields", crm_private_fields)
# What the CRM holds about a person, for access, portability and erasure (``privacy``).
hooks.register("register_personal_data", crm_personal_data)
# Its periods of retention, applied by the privacy plugin's daily round.
hooks.register("register_retention_rules", crm_retention_rules)
# The privacy page's legal retention: accounting records of fees (and bookings).
hooks.register("register_retention_periods", accounting_retention_period)
# The demo's open request of access and completed erasure (``privacy``).
hooks.register("load_demo_content", load_demo_privacy)
hooks.register("construct_homepage_panels", expiring_memberships_panel)

register_permission_policy(Contact, ContactPermissionPolicy(Contact))
for _model in (Membership, MembershipType, Affiliation, ContactTag, ContactNote):
    register_permission_policy(_model, SiteScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_crm_viewsets():
    return CrmViewSetGroup()


@hooks.register("register_page_header_buttons")
def crm_record_button(page, user, view_name, next_url=None):
    if twin_model_of(page) is not Contact or not page.pk:
        return
    contact = Contact.objects.for_page(page).first()
    if contact is None or not user_can_access_crm(user, contact.site):
        return
    yield Button(
        _("CRM record"),
        reverse("crm_contact:inspect", args=[contact.pk]),
        icon_name="user",
        priority=12,
    )


# --- consent by purpose (issue 14): a person is published only with their consent ---
@hooks.register("before_publish_page")
def refuse_publication_without_consent(request, page):
    """The editor's « Publish » on a person without a public-profile consent: the page stays a
    draft and the editor reads why (``PersonPage.public_profile_refusal``)."""
    consent_from_page_form(request, page)
    refusal = getattr(page.specific, "public_profile_refusal", None)
    message = refusal() if refusal else None
    if not message:
        return None
    # Wagtail's "after" hooks will not run: what they would save is saved here, and a page
    # the create view made live before publishing it stays a draft.
    save_private_details(request, page)
    if page.live and page.live_revision_id is None:
        Page.objects.filter(pk=page.pk).update(live=False)
    messages.error(request, message)
    return redirect("wagtailadmin_pages:edit", page.pk)


hooks.register("after_create_page", consent_from_page_form)
hooks.register("after_edit_page", consent_from_page_form)


@hooks.register("before_bulk_action")
def refuse_bulk_publication_without_consent(request, action_type, objects, action):
    """« Publish » on a selection of pages: refused whole, before anything is published, when
    it holds people without a public-profile consent, who are named."""
    if action_type != "publish":
        return None
    refused = []
    for page in objects:
        refusal = getattr(page.specific, "public_profile_refusal", None)
        if refusal and refusal():
            refused.append(page.title)
    if not refused:
        return None
    messages.error(
        request,
        _(
            "Nothing was published: these people have not consented to a public profile on "
            "the website: %(names)s. Record their consent in their CRM record first."
        )
        % {"names": ", ".join(refused)},
    )
    return redirect(action.next_url)
