"""Bookings: who borrows which units, when, at which rates, and how they went out and came
back. Each unit a booking holds is a ``BookingLine`` carrying the booking's period (and the
buffer after it) so that the database refuses two active lines of one unit that overlap
(``rentals.constraints``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from crm_blocks.models import Contact
from organizations.scoping import SiteScopedQuerySet

from ..constraints import UnitPeriodExclusion
from .inventory import Equipment, EquipmentUnit, RateColumn


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("booking status", "Requested")
    CONFIRMED = "confirmed", pgettext_lazy("booking status", "Confirmed")
    CHECKED_OUT = "checked_out", pgettext_lazy("booking status", "Checked out")
    RETURNED = "returned", pgettext_lazy("booking status", "Returned")
    CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")
    REFUSED = "refused", pgettext_lazy("booking status", "Refused")


#: Bookings that no longer hold their units.
INACTIVE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.REFUSED)


class Condition(models.TextChoices):
    OK = "ok", pgettext_lazy("condition", "OK")
    NOTE = "note", pgettext_lazy("condition", "OK, with a note")
    DAMAGED = "damaged", pgettext_lazy("condition", "Damaged")


class BookingQuerySet(SiteScopedQuerySet):
    def active(self):
        return self.exclude(status__in=INACTIVE_STATUSES)

    def overlapping(self, start, end):
        return self.filter(pickup_at__lt=end, return_at__gt=start)

    def late(self, now=None):
        """Checked out and not back by their return time."""
        now = now or timezone.now()
        return self.filter(status=BookingStatus.CHECKED_OUT, return_at__lt=now)

    def of_borrower(self, contact):
        return self.filter(borrower=contact)


class Booking(models.Model):
    """A loan of units to a person or an organization record, for a period."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    borrower = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("borrower")
    )
    production_title = models.CharField(_("production title"), max_length=200, blank=True)
    pickup_at = models.DateTimeField(_("pick-up"))
    return_at = models.DateTimeField(_("return"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED,
        db_index=True,
    )
    commercial = models.BooleanField(
        _("commercial production"),
        default=False,
        help_text=_("Commercial productions pay the commercial rates."),
    )
    rate_column = models.CharField(
        _("rates applied"), max_length=12, choices=RateColumn.choices, blank=True
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=10, decimal_places=2, default=0)
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2, default=0)
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    requested_online = models.BooleanField(_("requested online"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    rates_frozen_at = models.DateTimeField(_("rates confirmed on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or refused by"),
    )
    decision_note = models.TextField(_("message to the borrower"), blank=True)
    checked_out_at = models.DateTimeField(_("checked out on"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("booking", "created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-pickup_at", "-pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        permissions = [
            ("import_booking", _("Can import bookings")),
            ("export_booking", _("Can export bookings")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(return_at__gt=models.F("pickup_at")),
                name="booking_returns_after_pickup",
                violation_error_message=_("The return must come after the pick-up."),
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0) & models.Q(deposit__gte=0),
                name="booking_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["site", "pickup_at"], name="rentals_booking_by_pickup")]

    def __str__(self):
        return _("Booking %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        return f"{self.pk:05d}" if self.pk else "—"

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_STATUSES

    @property
    def is_late(self) -> bool:
        return self.status == BookingStatus.CHECKED_OUT and self.return_at < timezone.now()

    @property
    def rates_frozen(self) -> bool:
        return self.rates_frozen_at is not None


class BookingLineQuerySet(SiteScopedQuerySet):
    site_lookup = "booking__site"

    def active(self):
        return self.filter(active=True)

    def blocking(self, start, end):
        """Active lines whose held time (the period and the buffer after it) meets
        ``[start, end)``."""
        return self.filter(active=True, starts_at__lt=end, blocked_until__gt=start)


class BookingLine(models.Model):
    """One unit held by a booking, with its price and how it went out and came back.

    ``starts_at``, ``blocked_until`` (the return plus the buffer) and ``active`` repeat the
    booking's period and status, kept in step by ``rentals.services``: the rule against double
    booking needs them on the row it constrains."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="lines", verbose_name=_("booking")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="booking_lines", verbose_name=_("item")
    )
    unit = models.ForeignKey(
        EquipmentUnit,
        on_delete=models.PROTECT,
        related_name="booking_lines",
        verbose_name=_("unit"),
    )
    kit = models.ForeignKey(
        Equipment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kit_booking_lines",
        verbose_name=_("booked as part of the kit"),
    )
    starts_at = models.DateTimeField(_("held from"))
    blocked_until = models.DateTimeField(_("held until"))
    active = models.BooleanField(default=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    rate_detail = models.CharField(_("rate"), max_length=200, blank=True)

    condition_out = models.CharField(
        _("condition on departure"), max_length=10, choices=Condition.choices, blank=True
    )
    condition_out_note = models.TextField(_("note on departure"), blank=True)
    checked_out_at = models.DateTimeField(_("checked out on"), null=True, blank=True)
    condition_in = models.CharField(
        _("condition on return"), max_length=10, choices=Condition.choices, blank=True
    )
    condition_in_note = models.TextField(_("note on return"), blank=True)
    returned_at = models.DateTimeField(_("returned on"), null=True, blank=True)

    objects = BookingLineQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("booked unit")
        verbose_name_plural = _("booked units")
        constraints = [
            UnitPeriodExclusion(
                name="rentals_unit_booked_once",
                violation_error_message=_("This unit is already booked for these dates."),
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gt=models.F("starts_at")),
                name="booking_line_period_in_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit", "blocked_until", "starts_at"],
                condition=models.Q(active=True),
                name="rentals_line_by_unit_time",
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.booking}"
