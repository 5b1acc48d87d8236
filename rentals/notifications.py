"""E-mails about bookings, in the organization's language and time zone, in plain text (as
the project's other e-mails).

- The borrower (their record's e-mail) is told when staff confirm their booking, refuse it
  (with the message staff wrote, ``decision_note``) or cancel it.
- The equipment desk (``RentalSettings.notification_email``, else the first e-mail of the
  organization's public contact points) is told when a member requests items online, and when
  a member withdraws a request.

They listen to ``rentals.services.booking_status_changed``, sent once a change is committed;
the member's request calls ``request_received``. An e-mail that cannot be sent is logged, never
turned into an error for the person who made the change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from crm_blocks.models import MemberAccount
from organizations.models import OrganizationSettings

from .booking_summary import BookingSummary, booking_url, catalogue_for, line_rows
from .models import Booking, BookingStatus
from .services import booking_status_changed, rental_settings

logger = logging.getLogger(__name__)

#: Status → the e-mail its borrower gets.
BORROWER_TEMPLATES = {
    BookingStatus.CONFIRMED: "booking_confirmed",
    BookingStatus.REFUSED: "booking_refused",
    BookingStatus.CANCELLED: "booking_cancelled",
}


def desk_email(site) -> str:
    """Where the equipment desk reads requests: its own address, else the organization's."""
    own = rental_settings(site).notification_email
    if own:
        return own
    organization = OrganizationSettings.for_site(site)
    point = organization.contact_points.exclude(email="").order_by("sort_order", "pk").first()
    return point.email if point else ""


def _send(booking: Booking, template: str, recipient: str) -> None:
    site = booking.site
    organization = OrganizationSettings.for_site(site)
    with (
        translation.override(organization.content_language),
        timezone.override(organization.time_zone),
    ):
        context = {
            "booking": booking,
            "status": BookingStatus(booking.status).label,
            "lines": line_rows(booking, organization.currency),
            "borrower_name": str(booking.borrower),
            "organization_name": organization.display_name or site.site_name,
            "booking_url": booking_url(catalogue_for(site), booking),
            "admin_url": site.root_url + reverse("wagtailadmin_home"),
        }
        summary = BookingSummary(booking=booking, currency=organization.currency)
        context.update(total=summary.total, deposit=summary.deposit, discount=summary.discount)
        subject = render_to_string(f"rentals/emails/{template}_subject.txt", context)
        body = render_to_string(f"rentals/emails/{template}.txt", context).strip()
    subject = " ".join(subject.split())
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:  # the change is made: a mail server down must not undo it or show an error
        logger.exception("The e-mail %s about booking %s could not be sent.", template, booking.pk)


def cancelled_by_borrower(booking: Booking, user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and MemberAccount.objects.filter(user=user, contact_id=booking.borrower_id).exists()
    )


def on_booking_status_changed(sender, booking: Booking, previous, user=None, **kwargs):
    if getattr(booking, "notify_borrower", True) is False:
        return  # history brought in from a spreadsheet, or the demo: nobody is told
    status = booking.status
    if status == BookingStatus.CANCELLED and cancelled_by_borrower(booking, user):
        recipient = desk_email(booking.site)
        if recipient:
            _send(booking, "request_withdrawn", recipient)
        return
    template = BORROWER_TEMPLATES.get(status)
    if template and booking.borrower.email:
        _send(booking, template, booking.borrower.email)


def request_received(booking: Booking) -> None:
    """Tell the desk of a member's online request, once it is committed."""
    recipient = desk_email(booking.site)
    if recipient:
        transaction.on_commit(lambda: _send(booking, "request_received", recipient))


def connect() -> None:
    booking_status_changed.connect(
        on_booking_status_changed, sender=Booking, dispatch_uid="rentals_booking_emails"
    )
