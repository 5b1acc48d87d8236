"""Writes of the events plugin: turning a published event into its occurrence rows, keeping
them ahead of time, and what calendars need to know of each change.

Occurrences are computed from the page (``EventPage.compute_occurrences``, no query but the
page's own children) and stored for a horizon of about two years (``HORIZON_DAYS`` in
``events.models.pages``); the daily task (``events.tasks.extend_horizon_task``) moves the horizon
forward for repeating events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from organizations.models import OrganizationSettings

from .models import EventOccurrence, EventPage, EventPublication
from .models.pages import horizon_for


def calendar_fingerprint(page: EventPage) -> str:
    """A digest of what a calendar shows of the event: when it changes, ``SEQUENCE`` grows."""
    changes = [
        (
            str(c.original_date),
            c.action,
            str(c.new_date),
            str(c.new_start_time),
            str(c.new_end_time),
            c.note,
        )
        for c in page.occurrence_changes.all()
    ]
    shown = [
        page.title,
        page.summary,
        str(page.start_date),
        str(page.start_time),
        str(page.end_date),
        str(page.end_time),
        page.time_zone,
        page.recurrence,
        page.dates,
        page.exceptions,
        page.status,
        page.place_name,
        page.street_address,
        page.locality,
        page.online_url,
        page.venue_id,
        changes,
    ]
    return hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()


@transaction.atomic
def event_occurrences_sync(page: EventPage, *, today: dt.date | None = None) -> int:
    """Store the occurrences of the published ``page`` (replacing its previous ones) and note
    the publication for calendars; returns how many rows it stores."""
    page = EventPage.objects.get(pk=page.pk)  # the live version, whatever the caller holds
    site = page.get_site()
    EventOccurrence.objects.filter(event=page).delete()
    if not page.live or site is None:
        return 0
    horizon = horizon_for(today or timezone.localdate())
    rows = page.compute_occurrences(until=horizon)
    for row in rows:
        row.site = site
    EventOccurrence.objects.bulk_create(rows)
    fingerprint = calendar_fingerprint(page)
    publication, created = EventPublication.objects.get_or_create(
        page=page, defaults={"fingerprint": fingerprint, "horizon": horizon}
    )
    if not created:
        if publication.fingerprint != fingerprint:
            publication.sequence += 1
            publication.fingerprint = fingerprint
            publication.changed_at = timezone.now()
        publication.horizon = horizon
        publication.save()
    return len(rows)


@transaction.atomic
def event_occurrences_sync_many(page_ids: list[int], *, site, today: dt.date | None = None) -> int:
    """``event_occurrences_sync`` for many pages of ``site`` at once (the pages a spreadsheet
    import publishes, which send no ``page_published`` signal), in a fixed number of queries
    whatever their number; returns how many rows it stores."""
    if not page_ids:
        return 0
    default_zone = OrganizationSettings.for_site(site).time_zone
    horizon = horizon_for(today or timezone.localdate())
    EventOccurrence.objects.filter(event_id__in=page_ids).delete()
    pages = list(
        EventPage.objects.filter(pk__in=page_ids, live=True).prefetch_related("occurrence_changes")
    )
    rows = []
    for page in pages:
        for row in page.compute_occurrences(until=horizon, default_time_zone=default_zone):
            row.site = site
            rows.append(row)
    EventOccurrence.objects.bulk_create(rows, batch_size=500)
    publications = {
        p.page_id: p for p in EventPublication.objects.filter(page_id__in=[p.pk for p in pages])
    }
    now = timezone.now()
    new, changed = [], []
    for page in pages:
        fingerprint = calendar_fingerprint(page)
        publication = publications.get(page.pk)
        if publication is None:
            new.append(EventPublication(page=page, fingerprint=fingerprint, horizon=horizon))
            continue
        if publication.fingerprint != fingerprint:
            publication.sequence += 1
            publication.fingerprint = fingerprint
            publication.changed_at = now
        publication.horizon = horizon
        changed.append(publication)
    EventPublication.objects.bulk_create(new, batch_size=500)
    EventPublication.objects.bulk_update(
        changed, ["sequence", "fingerprint", "changed_at", "horizon"], batch_size=500
    )
    return len(rows)


def event_occurrences_clear(page: EventPage) -> None:
    """An unpublished event has no dates in the agenda (its publication record stays, so that
    its ``SEQUENCE`` keeps growing if it comes back)."""
    EventOccurrence.objects.filter(event_id=page.pk).delete()


def events_horizon_extend(*, today: dt.date | None = None) -> int:
    """Move the horizon of every published repeating event forward (the daily task); returns
    how many events it extended."""
    today = today or timezone.localdate()
    stale = (
        EventPublication.objects.filter(page__live=True, horizon__lt=horizon_for(today))
        .exclude(page__recurrence="", page__dates="")
        .values_list("page_id", flat=True)
    )
    count = 0
    for page in EventPage.objects.filter(pk__in=list(stale)):
        event_occurrences_sync(page, today=today)
        count += 1
    return count
