"""The register of confidentiality incidents (Quebec's Law 25, s. 3.8; GDPR, art. 33-34).

Every incident is recorded, whatever its risk: what happened and when, what information and how
many people, whether it risks serious injury (and why), who was told and when — the Commission
d'accès à l'information in Quebec, the CNIL in France, and the people concerned — and what was
done. One organization's register is never shown to another.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet


class IncidentRisk(models.TextChoices):
    LOW = "low", _("Low: no risk of serious injury")
    SERIOUS = "serious", _("Risk of serious injury")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident status", "Open")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


class IncidentAuthority(models.TextChoices):
    CAI = "cai", _("Commission d'accès à l'information (Quebec)")
    CNIL = "cnil", _("CNIL (France)")
    OTHER = "other", _("Other authority")


class IncidentQuerySet(SiteScopedQuerySet):
    def awaiting_notification(self):
        """Incidents that risk serious injury, yet no authority has been told of."""
        return self.filter(risk=IncidentRisk.SERIOUS, authority_notified_on__isnull=True)


class Incident(models.Model):
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("occurred on"))
    discovered_on = models.DateField(_("discovered on"))
    information_concerned = models.TextField(
        _("information concerned"),
        help_text=_("Which personal information: names, e-mails, addresses, birth dates…"),
    )
    people_concerned = models.PositiveIntegerField(_("number of people concerned"))
    people_estimated = models.BooleanField(
        _("estimated number"), default=False, help_text=_("Tick if the number is an estimate.")
    )
    risk = models.CharField(
        _("risk of serious injury"),
        max_length=10,
        choices=IncidentRisk.choices,
        default=IncidentRisk.LOW,
    )
    risk_assessment = models.TextField(
        _("assessment of the risk"),
        blank=True,
        help_text=_(
            "Why: how sensitive the information is, the likely consequences, how likely misuse is."
        ),
    )
    authority = models.CharField(
        _("authority notified"), max_length=10, choices=IncidentAuthority.choices, blank=True
    )
    authority_notified_on = models.DateField(_("authority notified on"), null=True, blank=True)
    authority_reference = models.CharField(
        _("authority's file reference"), max_length=100, blank=True
    )
    people_notified_on = models.DateField(_("people notified on"), null=True, blank=True)
    people_notification_means = models.TextField(
        _("how the people were notified"),
        blank=True,
        help_text=_("E-mail, letter, public notice…"),
    )
    measures = models.TextField(
        _("measures taken"),
        blank=True,
        help_text=_("To reduce the risk of injury and to prevent another incident."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("incident", "updated on"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        ordering = ["-discovered_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discovered_on__gte=models.F("occurred_on")),
                name="privacy_incident_discovered_after_occurred",
            ),
            models.CheckConstraint(
                condition=Q(authority_notified_on__isnull=True)
                | Q(authority_notified_on__gte=models.F("discovered_on")),
                name="privacy_incident_authority_after_discovery",
            ),
            models.CheckConstraint(
                condition=Q(people_notified_on__isnull=True)
                | Q(people_notified_on__gte=models.F("discovered_on")),
                name="privacy_incident_people_after_discovery",
            ),
        ]

    def __str__(self):
        first_line = (self.description or "").strip().splitlines()[0:1]
        summary = first_line[0][:80] if first_line else ""
        return f"{self.discovered_on:%Y-%m-%d} — {summary}" if self.discovered_on else summary

    @property
    def awaits_notification(self) -> bool:
        return self.risk == IncidentRisk.SERIOUS and self.authority_notified_on is None

    def clean(self):
        errors = {}
        if self.occurred_on and self.discovered_on and self.discovered_on < self.occurred_on:
            errors["discovered_on"] = _(
                "An incident cannot be discovered before it occurred: check both dates."
            )
        if self.discovered_on:
            if self.authority_notified_on and self.authority_notified_on < self.discovered_on:
                errors["authority_notified_on"] = _(
                    "The authority cannot have been notified before the incident was discovered."
                )
            if self.people_notified_on and self.people_notified_on < self.discovered_on:
                errors["people_notified_on"] = _(
                    "The people cannot have been notified before the incident was discovered."
                )
        if self.authority_notified_on and not self.authority:
            errors["authority"] = _("Say which authority was notified.")
        if self.risk == IncidentRisk.SERIOUS and not self.risk_assessment.strip():
            errors["risk_assessment"] = _("Explain why the risk of injury is serious.")
        if errors:
            raise ValidationError(errors)
