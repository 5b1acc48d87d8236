"""Registrations only: the catalogue section, the equipment desk's permissions, admin screens
and history, the private fields of rentals, the private calendar links, the member space's
sections, the spreadsheet kinds, the demo's equipment desk, and what the public may ask of an
item."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from organizations.permissions import SiteScopedPermissionPolicy

from .availability import hide_restricted_availability
from .calendar_viewsets import REVOKE_ACTION, CalendarTokenViewSet
from .choosers import borrower_chooser_viewset
from .crm import crm_rentals_section
from .datasets import rentals_dataset_sources
from .declarations import (
    rentals_calendar_grants,
    rentals_desk_private_fields,
    rentals_grants,
    rentals_private_fields,
    rentals_sections,
    rentals_spreadsheet_kinds,
)
from .demo import load_demo_rentals
from .member import my_bookings_section
from .member_calendar import calendar_section, member_calendar_urls
from .models import (
    Booking,
    BookingLine,
    CalendarToken,
    Closure,
    EquipmentUnit,
    MembershipRate,
    Qualification,
    Training,
)
from .viewsets import RentalsViewSetGroup

hooks.register("register_organization_sections", rentals_sections)
hooks.register("register_organization_grants", rentals_grants)
hooks.register("register_private_fields", rentals_private_fields)

# --- Private calendars (``rentals.feeds``, ``rentals.calendar_viewsets``) ----------------------
hooks.register("register_organization_grants", rentals_calendar_grants)
register_permission_policy(CalendarToken, SiteScopedPermissionPolicy(CalendarToken))


@hooks.register("register_admin_viewset")
def register_calendar_viewset():
    return CalendarTokenViewSet("rentals_calendartoken")


@hooks.register("register_log_actions")
def register_calendar_log_actions(actions):
    actions.register_action(REVOKE_ACTION, _("Revoke a calendar link"), _("Calendar link revoked"))


# The member space (crm_blocks) shows each member their bookings.
hooks.register("register_member_space_sections", my_bookings_section)


# Spreadsheets (equipment, bookings) and the demo's equipment desk.
hooks.register("register_spreadsheet_kinds", rentals_spreadsheet_kinds)
hooks.register("load_demo_content", load_demo_rentals)

# The member's own calendar link, from the member space.
hooks.register("register_member_space_sections", calendar_section)
hooks.register("register_member_space_urls", member_calendar_urls)


# --- The equipment desk's admin (menu « Location de matériel ») ---------------------------
hooks.register("register_private_fields", rentals_desk_private_fields)

for _model in (
    Booking,
    BookingLine,
    EquipmentUnit,
    Training,
    Qualification,
    Closure,
    MembershipRate,
):
    register_permission_policy(_model, SiteScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_rentals_viewsets():
    return RentalsViewSetGroup()


@hooks.register("register_admin_viewset")
def register_borrower_chooser():
    return borrower_chooser_viewset


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    """What a booking's history says of the desk's decisions and hand-overs."""
    actions.register_action("rentals.booking.confirm", _("Confirm"), _("Booking confirmed"))
    actions.register_action("rentals.booking.refuse", _("Refuse"), _("Booking refused"))
    actions.register_action("rentals.booking.cancel", _("Cancel"), _("Booking cancelled"))
    actions.register_action("rentals.booking.reopen", _("Reopen"), _("Booking reopened"))
    actions.register_action("rentals.booking.check_out", _("Check-out"), _("Units checked out"))
    actions.register_action("rentals.booking.check_in", _("Check-in"), _("Units checked in"))


# A record's CRM view shows its bookings and trainings.
hooks.register("register_crm_record_sections", crm_rentals_section)

# An item with a view restriction answers its availability.json with a 404, not a login form.
hooks.register("before_serve_page", hide_restricted_availability)
# The equipment catalogue as a live dataset (``opendata``).
hooks.register("register_dataset_sources", rentals_dataset_sources)

# What the equipment desk holds about a person (bookings, photos, trainings, calendar links),
# for access and erasure.
from .personal_data import rentals_personal_data, rentals_retention_rules  # noqa: E402

hooks.register("register_personal_data", rentals_personal_data)
# Its periods of retention, applied by the privacy plugin's daily round.
hooks.register("register_retention_rules", rentals_retention_rules)
