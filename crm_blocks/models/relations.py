"""Relations between records: affiliations (person ↔ organization) and memberships.

Both are private CRM data reached through their contact's organization (``contact__site``):
they are only read through ``for_user``/``for_site`` querysets.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.models import OrganizationCurrency, OrganizationSettings
from organizations.money import format_money
from organizations.scoping import SiteScopedQuerySet
from organizations.sorting import collate

from .contacts import Contact


def organization_currency(site_path: str) -> models.Subquery:
    """The currency of the organization at ``site_path`` (``"site"``, ``"contact__site"``), to
    annotate a listing's rows with, instead of one query per row."""
    currencies = OrganizationSettings.objects.filter(site=models.OuterRef(site_path))
    return models.Subquery(currencies.values("currency")[:1])


def currency_of(obj, site_path: str) -> str:
    """``obj``'s annotated ``currency`` (``with_currency``), else that of its organization, found
    through ``site_path`` (one query)."""
    currency = getattr(obj, "currency", None)
    if currency:
        return currency
    currencies = OrganizationSettings.objects.filter(**{f"site__{site_path}": obj})
    return currencies.values_list("currency", flat=True).first() or OrganizationCurrency.CAD


class MembershipTypeQuerySet(SiteScopedQuerySet):
    def with_currency(self):
        """Annotate ``currency``: the organization's, in which ``default_fee`` is."""
        return self.annotate(currency=organization_currency("site"))


class MembershipType(models.Model):
    """A kind of membership an organization offers (individual, student, organization…)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="membership_types",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    default_fee = models.DecimalField(_("default fee"), max_digits=8, decimal_places=2, default=0)
    duration_months = models.PositiveSmallIntegerField(
        _("duration in months"), default=12, help_text=_("0 for a membership without end.")
    )

    objects = MembershipTypeQuerySet.as_manager()

    class Meta:
        ordering = [collate("name").asc()]
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_membership_type_name"),
            models.CheckConstraint(
                condition=models.Q(default_fee__gte=0), name="membership_type_fee_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def default_fee_display(self) -> str:
        """The default fee in the organization's currency: « 40,00 $ », "€40.00"."""
        return format_money(self.default_fee, currency_of(self, "membership_types"))


class MembershipStatus(models.TextChoices):
    # In context: a membership (« adhésion ») is feminine in French, a user's "Active" is not.
    PENDING = "pending", pgettext_lazy("membership status", "Pending")
    ACTIVE = "active", pgettext_lazy("membership status", "Active")
    EXPIRED = "expired", pgettext_lazy("membership status", "Expired")
    CANCELLED = "cancelled", pgettext_lazy("membership status", "Cancelled")


class MembershipQuerySet(SiteScopedQuerySet):
    site_lookup = "contact__site"

    def with_effective_status(self, today: datetime.date | None = None):
        """Annotate ``effective_status``: an active membership whose end date has passed is
        expired, without anyone having to change it by hand."""
        today = today or timezone.localdate()
        return self.annotate(
            effective_status=models.Case(
                models.When(
                    status=MembershipStatus.ACTIVE,
                    end_date__lt=today,
                    then=models.Value(MembershipStatus.EXPIRED.value),
                ),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def current(self, today: datetime.date | None = None):
        return self.with_effective_status(today).filter(effective_status=MembershipStatus.ACTIVE)

    def with_currency(self):
        """Annotate ``currency``: the organization's, in which ``fee`` is."""
        return self.annotate(currency=organization_currency("contact__site"))


class Membership(models.Model):
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("member")
    )
    membership_type = models.ForeignKey(
        MembershipType,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("membership type"),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    fee = models.DecimalField(_("fee paid"), max_digits=8, decimal_places=2, default=0)
    status = models.CharField(
        _("status"),
        max_length=20,
        default=MembershipStatus.ACTIVE,
        choices=[c for c in MembershipStatus.choices if c[0] != MembershipStatus.EXPIRED],
        help_text=_("An active membership becomes expired by itself after its end date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
                violation_error_message=_("The end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(fee__gte=0),
                name="membership_fee_not_negative",
                violation_error_message=_("The fee cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} — {self.membership_type}"

    @property
    def site(self):
        return self.contact.site

    def fee_display(self) -> str:
        """The fee paid in the organization's currency: « 40,00 $ », "€40.00"."""
        return format_money(self.fee, currency_of(self, "contacts__memberships"))

    def get_effective_status(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.status == MembershipStatus.ACTIVE and self.end_date and self.end_date < today:
            return MembershipStatus.EXPIRED
        return self.status

    def get_effective_status_display(self):
        return MembershipStatus(self.get_effective_status()).label

    def clean(self):
        super().clean()
        if (
            self.contact_id
            and self.membership_type_id
            and self.membership_type.site_id != self.contact.site_id
        ):
            raise ValidationError(
                {"membership_type": _("This membership type belongs to another organization.")}
            )


class AffiliationQuerySet(SiteScopedQuerySet):
    site_lookup = "person__site"

    def shown_publicly(self, today: datetime.date | None = None):
        """Affiliations staff chose to show on the public pages, still current (no end date,
        or one not past). Whether both records' pages are public is for the caller to check."""
        today = today or timezone.localdate()
        return self.filter(public=True).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=today)
        )


class Affiliation(models.Model):
    """A person's role in an organization (director at, technician for…), with dates."""

    person = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="affiliations",
        limit_choices_to={"kind": Contact.Kind.PERSON},
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="affiliated_people",
        limit_choices_to={"kind": Contact.Kind.ORGANIZATION},
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=150)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    public = models.BooleanField(
        _("shown on the public pages"),
        default=False,
        help_text=_(
            "Show this role on the person's and the organization's public pages, while both "
            "are published. Otherwise it stays in the CRM."
        ),
    )

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
                violation_error_message=_("The end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("organization")),
                name="affiliation_not_to_itself",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.role} — {self.organization}"

    @property
    def site(self):
        return self.person.site

    def clean(self):
        super().clean()
        errors = {}
        if self.person_id and self.person.kind != Contact.Kind.PERSON:
            errors["person"] = _("Choose a person.")
        if self.organization_id and self.organization.kind != Contact.Kind.ORGANIZATION:
            errors["organization"] = _("Choose an organization.")
        if (
            self.person_id
            and self.organization_id
            and self.person.site_id != self.organization.site_id
        ):
            errors["organization"] = _("This organization belongs to another organization's CRM.")
        if errors:
            raise ValidationError(errors)
