"""What the network knows of each member cinema beyond its public record: its Art et Essai
classification and labels, its screens and seats (``CinemaProfile``, one per cinema record).

The record (``crm_blocks.OrganizationPage`` of kind cinema) is the cinema's public profile;
the classification and labels are the network's professional data, shown to its members only
(the open-data « Cinémas actifs » dataset declares them members-only). Screens and seats are
public facts, shown to everyone.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from organizations.models import OrganizationKind
from organizations.scoping import SiteScopedQuerySet


class ArtHouseClassification(models.TextChoices):
    """The CNC's Art et Essai categories (France): A for the big cities' screens down to E for
    the smallest towns'; a cinema that is not classified has none."""

    A = "A", _("Art house, category A")
    B = "B", _("Art house, category B")
    C = "C", _("Art house, category C")
    D = "D", _("Art house, category D")
    E = "E", _("Art house, category E")


#: Field name → the label's public name, in the order datasets list them.
CINEMA_LABELS = {
    "label_young_audience": _("Young audience"),
    "label_heritage": _("Heritage and repertoire"),
    "label_research": _("Research and discovery"),
    "label_short_films": _("Short films"),
}


class CinemaProfile(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    cinema = models.OneToOneField(
        "crm_blocks.OrganizationPage",
        on_delete=models.CASCADE,
        related_name="cinema_profile",
        verbose_name=_("cinema"),
        limit_choices_to={"kind": OrganizationKind.CINEMA},
    )
    classification = models.CharField(
        _("Art et Essai classification"),
        max_length=1,
        choices=ArtHouseClassification.choices,
        blank=True,
        help_text=_("Empty when the cinema is not classified."),
    )
    label_young_audience = models.BooleanField(_("Young audience label"), default=False)
    label_heritage = models.BooleanField(_("Heritage and repertoire label"), default=False)
    label_research = models.BooleanField(_("Research and discovery label"), default=False)
    label_short_films = models.BooleanField(_("Short films label"), default=False)
    screens = models.PositiveSmallIntegerField(_("screens"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cinema profile")
        verbose_name_plural = _("cinema profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(classification__in=["", *ArtHouseClassification.values]),
                name="cinema_profile_known_classification",
            )
        ]

    def __str__(self):
        return str(self.cinema) if self.cinema_id else ""

    def labels(self) -> list[str]:
        """The names of the labels the cinema holds, in the usual order."""
        return [str(label) for name, label in CINEMA_LABELS.items() if getattr(self, name)]

    def clean(self):
        super().clean()
        if self.cinema_id and self.cinema.kind != OrganizationKind.CINEMA:
            raise ValidationError({"cinema": _("Choose an organization record of kind cinema.")})
        if self.screens is not None and self.seats is not None and self.seats < self.screens:
            raise ValidationError({"seats": _("A cinema has at least one seat per screen.")})
