"""What the equipment desk holds about a person, declared to the privacy registry
(``privacy.personal_data``).

- Bookings the person borrowed: once confirmed, accounting records (a rental is invoiced), kept
  after an erasure for the accounting period (``crm_blocks.personal_data.ACCOUNTING_RETENTION``),
  tied to the anonymized record and without what staff or the person wrote in them (production
  title, notes, message to the borrower, condition notes of each unit); their dates, equipment
  and amounts stay. A request never confirmed (pending, refused, or cancelled before it was)
  invoiced nothing: it is deleted.
- Photos of the condition of the units they borrowed: documents of the organization's private
  collection, deleted with their files.
- The trainings they hold (qualifications) and their private calendar links: deleted.

A booking's ``requested_by`` (the member's login) is emptied when the login goes
(``SET_NULL``), with the member account.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_blocks.personal_data import ACCOUNTING_RETENTION, contacts_of
from privacy.personal_data import DataSubject, ErasureContext, Outcome, PersonalDataSource

from .models import Booking, BookingLine, BookingLinePhoto, CalendarToken, Qualification

#: What a kept booking loses: the free text staff and the borrower wrote.
BOOKING_BLANKS = ("production_title", "notes", "decision_note")
LINE_BLANKS = ("condition_out_note", "condition_in_note")


def _bookings(subject: DataSubject):
    return (
        Booking.objects.filter(site=subject.site, borrower__in=contacts_of(subject))
        .prefetch_related("lines__equipment", "lines__unit")
        .order_by("pickup_at", "pk")
    )


def _line_text(line: BookingLine) -> str:
    return f"{line.equipment} ({line.unit.inventory_number})"


def _export_booking(booking: Booking) -> dict:
    lines = list(booking.lines.all())
    return {
        _("booking"): booking.number,
        _("production title"): booking.production_title,
        _("pick-up"): booking.pickup_at,
        _("return"): booking.return_at,
        _("status"): booking.get_status_display(),
        _("equipment"): [_line_text(line) for line in lines],
        _("commercial production"): booking.commercial,
        _("rates applied"): booking.get_rate_column_display(),
        _("subtotal"): booking.subtotal,
        _("discount"): booking.discount,
        _("total"): booking.total,
        _("deposit"): booking.deposit,
        _("currency"): booking.currency,
        _("notes"): booking.notes,
        _("message to the borrower"): booking.decision_note,
        _("requested online"): booking.requested_online,
        _("checked out on"): booking.checked_out_at,
        _("returned on"): booking.returned_at,
        _("condition notes"): [
            f"{_line_text(line)}: {note}"
            for line in lines
            for note in (line.condition_out_note, line.condition_in_note)
            if note
        ],
    }


def _was_confirmed(booking: Booking) -> bool:
    """Whether the booking was ever confirmed (its rates frozen) or went out: an invoice."""
    return booking.rates_frozen_at is not None or booking.checked_out_at is not None


def _booking_outcome(booking: Booking) -> Outcome:
    return Outcome.ANONYMIZED if _was_confirmed(booking) else Outcome.DELETED


def _erase_booking(booking: Booking, context: ErasureContext) -> Outcome:
    """A confirmed booking stays (accounting), tied to the record the CRM anonymizes after it
    (order 900), without its free text; a request never confirmed goes, with its lines."""
    context.forget(booking)
    for line in booking.lines.all():
        context.forget(line)
    if not _was_confirmed(booking):
        booking.delete()
        return Outcome.DELETED
    for name in BOOKING_BLANKS:
        setattr(booking, name, "")
    booking.save(update_fields=[*BOOKING_BLANKS, "updated_at"])
    BookingLine.objects.filter(booking=booking).update(**dict.fromkeys(LINE_BLANKS, ""))
    return Outcome.ANONYMIZED


def _photos(subject: DataSubject):
    return (
        BookingLinePhoto.objects.filter(
            line__booking__site=subject.site, line__booking__borrower__in=contacts_of(subject)
        )
        .select_related("document", "line__booking", "line__unit")
        .order_by("pk")
    )


def _export_photo(photo: BookingLinePhoto) -> dict:
    return {
        _("booking"): photo.line.booking.number,
        _("unit"): photo.line.unit.inventory_number,
        _("taken"): photo.get_moment_display(),
        _("added on"): photo.created_at,
        _("file name"): photo.document.file.name,
    }


def _erase_photo(photo: BookingLinePhoto, context: ErasureContext) -> Outcome:
    document = photo.document
    context.forget(photo)
    context.forget(document)
    context.delete_file(document.file.storage, document.file.name)
    document.delete()  # the photo's row goes with it (CASCADE)
    return Outcome.DELETED


def _qualifications(subject: DataSubject):
    return (
        Qualification.objects.filter(contact__in=contacts_of(subject))
        .select_related("training")
        .order_by("obtained_on", "pk")
    )


def _export_qualification(qualification: Qualification) -> dict:
    return {
        _("training"): qualification.training.name,
        _("obtained on"): qualification.obtained_on,
        _("valid until"): qualification.expires_on,
        _("note"): qualification.note,
    }


def _calendar_links(subject: DataSubject):
    return CalendarToken.objects.filter(
        site=subject.site, contact__in=contacts_of(subject)
    ).order_by("created_at", "pk")


def _export_calendar_link(token: CalendarToken) -> dict:
    return {
        _("used by"): token.label,
        _("link"): f"{token.prefix}…",
        _("created on"): token.created_at,
        _("last read on"): token.last_used_at,
        _("revoked on"): token.revoked_at,
    }


def rentals_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource(
            key="rentals.photos",
            label=gettext_lazy("Photos of the equipment you borrowed"),
            find=_photos,
            export=_export_photo,
            erase=_erase_photo,
            order=300,
        ),
        PersonalDataSource(
            key="rentals.bookings",
            label=gettext_lazy("Your equipment bookings"),
            find=_bookings,
            export=_export_booking,
            erase=_erase_booking,
            outcome=_booking_outcome,
            retention=ACCOUNTING_RETENTION,
            order=310,
        ),
        PersonalDataSource(
            key="rentals.qualifications",
            label=gettext_lazy("Your trainings"),
            find=_qualifications,
            export=_export_qualification,
            order=300,
        ),
        PersonalDataSource(
            key="rentals.calendar_links",
            label=gettext_lazy("Your private calendar links"),
            find=_calendar_links,
            export=_export_calendar_link,
            order=300,
        ),
    ]


# --- Retention (``privacy.retention``) ---------------------------------------------------------


def _old_booking_details(site, cutoff):
    blanks = models.Q()
    for name in BOOKING_BLANKS:
        blanks |= ~models.Q(**{name: ""})
    for name in LINE_BLANKS:
        blanks |= ~models.Q(**{f"lines__{name}": ""})
    blanks |= models.Q(lines__photos__isnull=False)
    return (
        Booking.objects.filter(site=site, return_at__lt=cutoff)
        .filter(blanks)
        .distinct()
        .order_by("pk")
    )


def _blank_booking_details(site, bookings, now) -> int:
    ids = [booking.pk for booking in bookings]
    Booking.objects.filter(pk__in=ids).update(**dict.fromkeys(BOOKING_BLANKS, ""))
    BookingLine.objects.filter(booking__in=ids).update(**dict.fromkeys(LINE_BLANKS, ""))
    for photo in BookingLinePhoto.objects.filter(line__booking__in=ids).select_related("document"):
        document = photo.document
        photo.delete()
        if document is not None:
            document.delete()
    return len(ids)


def rentals_retention_rules():
    from privacy.retention import RetentionRule, RetentionUnit

    return [
        RetentionRule(
            key="rentals.booking_details",
            label=gettext_lazy(
                "Bookings' notes, messages and photos, after the accounting period (the "
                "bookings and their amounts stay)"
            ),
            unit=RetentionUnit.YEARS,
            default=6,
            minimum=1,
            find=_old_booking_details,
            describe=str,
            apply=_blank_booking_details,
            action=gettext_lazy("anonymized"),
        )
    ]
