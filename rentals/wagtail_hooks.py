"""Registrations only: the catalogue section, the equipment desk's permissions, the private
fields of rentals."""

from wagtail import hooks

from .declarations import rentals_grants, rentals_private_fields, rentals_sections

hooks.register("register_organization_sections", rentals_sections)
hooks.register("register_organization_grants", rentals_grants)
hooks.register("register_private_fields", rentals_private_fields)

# --- The equipment desk's admin (menu « Location de matériel ») ----------------------------------

from django.utils.translation import gettext_lazy as _  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

from organizations.permissions import SiteScopedPermissionPolicy  # noqa: E402

from .choosers import borrower_chooser_viewset  # noqa: E402
from .declarations import rentals_desk_private_fields  # noqa: E402
from .models import (  # noqa: E402
    Booking,
    BookingLine,
    Closure,
    EquipmentUnit,
    MembershipRate,
    Qualification,
    Training,
)
from .viewsets import RentalsViewSetGroup  # noqa: E402

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
