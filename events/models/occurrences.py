"""The dates an event takes place on, stored as rows so that the agenda queries an index rather
than expanding rules, and what feeds need to know of each published event."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet


class EventOccurrenceQuerySet(SiteScopedQuerySet):
    site_lookup = "site"

    def upcoming(self, now: dt.datetime | None = None):
        """Occurrences not over yet (an event without an end is over when it starts)."""
        now = now or timezone.now()
        return self.filter(models.Q(end__gt=now) | models.Q(end__isnull=True, start__gte=now))

    def past(self, now: dt.datetime | None = None):
        now = now or timezone.now()
        return self.exclude(models.Q(end__gt=now) | models.Q(end__isnull=True, start__gte=now))

    def shown(self):
        """What an agenda lists: a date cancelled on its own is left out (a whole event
        cancelled stays listed, marked, so that people who planned to come learn it)."""
        return self.exclude(status=EventOccurrence.Status.CANCELLED)


class EventOccurrence(models.Model):
    """One date of a published event page, within the horizon (``events.services``)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("date of an event", "Scheduled")
        MOVED = "moved", pgettext_lazy("date of an event", "Moved")
        CANCELLED = "cancelled", pgettext_lazy("date of an event", "Cancelled")

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="occurrences"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    all_day = models.BooleanField(default=False)
    #: The day it starts on in the event's time zone: the agenda groups and filters by it.
    local_date = models.DateField(_("date"))
    #: The start the rule gave, for a moved or cancelled date (iCal's RECURRENCE-ID).
    original_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = EventOccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("date of an event")
        verbose_name_plural = _("dates of events")
        indexes = [
            models.Index(fields=["site", "local_date"], name="events_occ_site_day"),
            models.Index(fields=["event", "start"], name="events_occ_event_start"),
        ]

    def __str__(self):
        return f"{self.event_id} @ {self.start:%Y-%m-%d %H:%M}"


class EventPublication(models.Model):
    """What calendars need to know of a published event page beyond its revision: how many
    times it was published with a change (iCal ``SEQUENCE``), kept outside the page so that
    publishing an older revision never takes it back."""

    page = models.OneToOneField(
        "events.EventPage", on_delete=models.CASCADE, primary_key=True, related_name="publication"
    )
    sequence = models.PositiveIntegerField(default=0)
    #: A digest of what calendars show of the event: ``sequence`` grows when it changes.
    fingerprint = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    #: Occurrence rows exist up to this day; the daily task extends it.
    horizon = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("event publication")
        verbose_name_plural = _("event publications")

    def __str__(self):
        return f"{self.page_id} #{self.sequence}"
