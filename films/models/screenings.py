"""Screenings: a film (in one of its versions) shown at a cinema at a given time.

A screening is an event occurrence of kind "screening" whose place is a cinema — the cinema's
record in the organization's CRM (an ``OrganizationPage`` of kind cinema), or the organization
itself when it is the cinema (``cinema`` empty). Box-office exports bring thousands of them,
so they are rows, not pages: the agenda reads them beside events' occurrences (``events``'
agenda sources), the film's page lists them, and their JSON-LD is a ``ScreeningEvent``.

Admissions and gross receipts are professional data: they are private fields (the privacy
registry), read only by the organization's staff (the weekly barometer) and never by a public
output.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet


class ScreeningQuerySet(SiteScopedQuerySet):
    site_lookup = "site"

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(starts_at__gte=now)

    def shown(self):
        """What the public sees: not cancelled, of a live film."""
        return self.exclude(status=Screening.Status.CANCELLED).filter(film__live=True)


class Screening(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("screening", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("screening", "Cancelled")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    cinema = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("cinema"),
        help_text=_("Empty when the organization is the cinema."),
    )
    #: ``cinema_id`` or 0: the re-import key (cinema, room, start) holds on every database.
    cinema_key = models.PositiveBigIntegerField(default=0, editable=False)
    film = models.ForeignKey(
        "films.FilmPage",
        on_delete=models.CASCADE,
        related_name="screenings",
        verbose_name=_("film"),
    )
    version = models.ForeignKey(
        "films.FilmVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("version"),
    )
    #: The version as the export wrote it (``VF-AD``), kept when no version of the film matches.
    version_label = models.CharField(_("version"), max_length=40, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    #: The day it starts on in the organization's time zone: lists group and filter by it.
    local_date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    admissions = models.PositiveIntegerField(_("admissions"), null=True, blank=True)
    gross_receipts = models.DecimalField(
        _("gross receipts"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    #: Which import brought it (the file's name and when), for staff.
    source = models.CharField(_("source"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        permissions = [
            ("import_screening", _("Can import screenings")),
            ("export_screening", _("Can export screenings")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "cinema_key", "room", "starts_at"],
                name="one_screening_per_room_and_start",
            )
        ]
        indexes = [
            models.Index(fields=["site", "local_date"], name="films_screening_site_day"),
            models.Index(fields=["film", "starts_at"], name="films_screening_film_start"),
        ]

    def __str__(self):
        return f"{self.film_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        return super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        """Fields computed from others; also called by bulk imports, which skip ``save``."""
        self.cinema_key = self.cinema_id or 0


class BoxOfficeLayout(models.Model):
    """How one cinema's ticketing software lays out its exports: which column holds what.

    Remembered after the first import, so that the next export of the same cinema is read
    without asking again."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    cinema = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cinema"),
    )
    cinema_key = models.PositiveBigIntegerField(default=0, editable=False)
    #: ``{field: column header}`` (``{"date": "Date séance", "title": "Titre"…}``).
    mapping = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("box-office export layout")
        verbose_name_plural = _("box-office export layouts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "cinema_key"], name="one_box_office_layout_per_cinema"
            )
        ]

    def __str__(self):
        return f"{self.site_id}/{self.cinema_key}"

    def save(self, *args, **kwargs):
        self.cinema_key = self.cinema_id or 0
        return super().save(*args, **kwargs)
