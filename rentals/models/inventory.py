"""What the organization owns and its rules: the private twin of an equipment page and its
units, trainings and the qualifications people hold, closures, which membership gets which
rates, and the rental settings (buffer between bookings, usual pick-up and return hours).

All of it is private CRM data of one organization (``site``), read through ``for_user``.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page, Site

from crm_blocks.models import Contact, MembershipType
from organizations.registry import OrganizationRole
from organizations.scoping import SiteScopedQuerySet
from organizations.sorting import collate
from privacy.models import PrivateRecord


class RateColumn(models.TextChoices):
    """Which column of an item's rates a booking pays."""

    STANDARD = "standard", _("Non-members")
    MEMBER = "member", _("Members")
    COMMERCIAL = "commercial", _("Commercial productions")


class Equipment(PrivateRecord):
    """The private side of one equipment record (shared by its translated pages): its units
    and staff's notes."""

    view_roles = (OrganizationRole.CRM_STAFF, OrganizationRole.EDITORS)

    internal_notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        verbose_name = _("private details of an item")
        verbose_name_plural = _("private details of items")

    def __str__(self):
        page = self.page()
        return page.title if page else str(self.translation_key)

    def page(self):
        """The item's page: the first one made (its original language)."""
        page = Page.objects.filter(translation_key=self.translation_key).order_by("pk").first()
        return page.specific if page else None


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("unit status", "Available")
    REPAIR = "repair", pgettext_lazy("unit status", "In repair")
    RETIRED = "retired", pgettext_lazy("unit status", "Retired")


class UnitCondition(models.TextChoices):
    NEW = "new", pgettext_lazy("unit condition", "New")
    GOOD = "good", pgettext_lazy("unit condition", "Good")
    FAIR = "fair", pgettext_lazy("unit condition", "Fair")
    WORN = "worn", pgettext_lazy("unit condition", "Worn")


class EquipmentUnitQuerySet(SiteScopedQuerySet):
    def bookable(self):
        return self.filter(status=UnitStatus.AVAILABLE)


class EquipmentUnit(models.Model):
    """One physical unit of an item, known by its inventory number."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="equipment_units",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.CASCADE, related_name="units", verbose_name=_("item")
    )
    inventory_number = models.CharField(_("inventory number"), max_length=50)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_price = models.DecimalField(
        _("purchase price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=UnitCondition.choices, default=UnitCondition.GOOD
    )
    location = models.CharField(_("location"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = EquipmentUnitQuerySet.as_manager()

    panels = [
        FieldPanel("equipment"),
        FieldRowPanel([FieldPanel("inventory_number"), FieldPanel("serial_number")]),
        FieldRowPanel([FieldPanel("purchase_date"), FieldPanel("purchase_price")]),
        FieldRowPanel([FieldPanel("condition"), FieldPanel("status")]),
        FieldPanel("location"),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["inventory_number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "inventory_number"],
                name="unique_inventory_number_per_site",
                violation_error_message=_("Another unit already has this inventory number."),
            ),
        ]
        indexes = [models.Index(fields=["equipment", "status"], name="rentals_unit_by_item")]

    def __str__(self):
        return self.inventory_number

    def clean(self):
        super().clean()
        if self.equipment_id and self.site_id and self.equipment.site_id != self.site_id:
            raise ValidationError({"equipment": _("This item belongs to another organization.")})


class Training(models.Model):
    """A training some items need (« Formation caméra cinéma »)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="rental_trainings",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=0,
        help_text=_("0 for a training that does not expire."),
    )

    objects = SiteScopedQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("validity_months")]

    class Meta:
        ordering = [collate("name").asc()]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_training_name_per_site")
        ]

    def __str__(self):
        return self.name


class QualificationQuerySet(SiteScopedQuerySet):
    site_lookup = "contact__site"

    def valid_on(self, start: dt.date, end: dt.date | None = None):
        """Qualifications obtained by ``start`` and still valid on ``end`` (or ``start``)."""
        end = end or start
        return self.filter(obtained_on__lte=start).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=end)
        )


class Qualification(models.Model):
    """A training a person has taken, on a date, added by staff to the person's record."""

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("person"),
    )
    training = models.ForeignKey(
        Training,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("training"),
    )
    obtained_on = models.DateField(_("obtained on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = QualificationQuerySet.as_manager()

    panels = [
        FieldPanel("contact"),
        FieldPanel("training"),
        FieldRowPanel([FieldPanel("obtained_on"), FieldPanel("expires_on")]),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-obtained_on", "-pk"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("obtained_on")),
                name="qualification_expires_after_obtained",
                violation_error_message=_("A qualification cannot expire before it is obtained."),
            )
        ]

    def __str__(self):
        return f"{self.contact} — {self.training}"

    def clean(self):
        super().clean()
        if self.contact_id and self.training_id and self.contact.site_id != self.training.site_id:
            raise ValidationError({"training": _("This training belongs to another organization.")})
        if self.contact_id and self.contact.kind != Contact.Kind.PERSON:
            raise ValidationError({"contact": _("Only a person can hold a training.")})
        if (
            self.expires_on is None
            and self.obtained_on
            and self.training_id
            and self.training.validity_months
        ):
            self.expires_on = self.obtained_on + relativedelta(months=self.training.validity_months)


class Closure(models.Model):
    """Days the equipment desk is closed (holidays, inventory): nothing is picked up, returned
    or available then."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="rental_closures",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=150)

    objects = SiteScopedQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("reason"),
    ]

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="closure_ends_after_start",
                violation_error_message=_("The last day cannot come before the first."),
            )
        ]
        indexes = [models.Index(fields=["site", "end_date"], name="rentals_closure_by_end")]

    def __str__(self):
        return self.reason


class MembershipRateQuerySet(SiteScopedQuerySet):
    site_lookup = "membership_type__site"


class MembershipRate(models.Model):
    """Which rate column a type of membership pays. A current membership of a type without a
    row here pays the members' rates."""

    membership_type = models.OneToOneField(
        MembershipType,
        on_delete=models.CASCADE,
        related_name="rental_rate",
        verbose_name=_("membership type"),
    )
    column = models.CharField(
        _("rates"), max_length=12, choices=RateColumn.choices, default=RateColumn.MEMBER
    )

    objects = MembershipRateQuerySet.as_manager()

    panels = [FieldPanel("membership_type"), FieldPanel("column")]

    class Meta:
        verbose_name = _("rates of a membership type")
        verbose_name_plural = _("rates of membership types")

    def __str__(self):
        return f"{self.membership_type} — {self.get_column_display()}"


@register_setting(icon="calendar-alt")
class RentalSettings(BaseSiteSetting):
    """How the equipment desk works: when things are picked up and returned, and how long a
    unit rests between two bookings to be checked."""

    buffer_hours = models.PositiveSmallIntegerField(
        _("time between bookings (hours)"),
        default=12,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_(
            "A returned unit stays unavailable this long, to be checked (12 for half a day)."
        ),
    )
    pickup_time = models.TimeField(_("usual pick-up time"), default=dt.time(10, 0))
    return_time = models.TimeField(_("usual return time"), default=dt.time(10, 0))
    notification_email = models.EmailField(
        _("e-mail of the equipment desk"),
        blank=True,
        help_text=_("Told of every request made online. Empty: the organization's e-mail."),
    )

    panels = [
        FieldPanel("buffer_hours"),
        FieldRowPanel([FieldPanel("pickup_time"), FieldPanel("return_time")]),
        FieldPanel("notification_email"),
    ]

    class Meta:
        verbose_name = _("rental settings")
        verbose_name_plural = _("rental settings")

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(hours=self.buffer_hours)
