"""What the CRM view of a record shows of rentals (``register_crm_record_sections``): the
record's latest bookings and, for a person, the trainings they hold. Seen by staff who may
view bookings in the record's organization; two queries."""

from django.utils.translation import gettext as _

from organizations.models import OrganizationSettings

from .models import Booking, Qualification

BOOKINGS_SHOWN = 10


def crm_rentals_section(contact, request) -> list[dict]:
    user = request.user
    if not (user.has_perm("rentals.view_booking") or user.is_superuser):
        return []
    bookings = list(
        Booking.objects.for_user(user)
        .filter(borrower=contact)
        .order_by("-pickup_at", "-pk")[: BOOKINGS_SHOWN + 1]
    )
    qualifications = (
        list(
            Qualification.objects.for_user(user).filter(contact=contact).select_related("training")
        )
        if contact.kind == contact.Kind.PERSON
        else None
    )
    return [
        {
            "template": "rentals/admin/crm_record_section.html",
            "context": {
                "title": _("Rentals"),
                "bookings": bookings[:BOOKINGS_SHOWN],
                "more": len(bookings) > BOOKINGS_SHOWN,
                "qualifications": qualifications,
                "time_zone": OrganizationSettings.for_site(contact.site).time_zone,
                "contact": contact,
            },
        }
    ]
