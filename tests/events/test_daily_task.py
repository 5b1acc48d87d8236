"""Repeating events keep dates about two years ahead without anyone doing anything: a daily
task in the worker's queue moves the horizon, and starts its own next run."""

import datetime as dt

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from events.models import EventOccurrence, EventPublication
from events.services import events_horizon_extend
from events.tasks import ensure_daily_task, extend_horizon_task
from tests.factories import make_event, make_organization

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_horizon_moves_forward_a_day_later():
    """A weekly event published today has dates two years ahead; a year later the task has
    added the dates of the year after, and a one-off event is left alone."""
    site = make_organization()
    weekly = make_event(
        site.agenda,
        start_date=dt.date(2026, 12, 1),
        start_time=dt.time(19),
        recurrence="FREQ=WEEKLY",
    )
    make_event(site.agenda, "Assemblée générale", start_date=dt.date(2027, 5, 1))
    last = EventOccurrence.objects.filter(event=weekly).latest("start").local_date
    assert dt.date(2028, 11, 20) < last <= dt.date(2028, 12, 8)
    assert events_horizon_extend(today=dt.date(2027, 12, 4)) == 1
    last = EventOccurrence.objects.filter(event=weekly).latest("start").local_date
    assert dt.date(2029, 11, 20) < last <= dt.date(2029, 12, 8)
    assert EventPublication.objects.get(page=weekly).sequence == 0  # nothing shown changed


def test_one_daily_run_waits_in_the_queue_and_each_run_starts_the_next():
    with override_settings(TASKS=DATABASE_TASKS):
        DBTaskResult.objects.all().delete()
        ensure_daily_task()
        ensure_daily_task()
        waiting = DBTaskResult.objects.filter(task_path=extend_horizon_task.module_path)
        assert waiting.count() == 1
        assert waiting.get().run_after > DBTaskResult.objects.get().enqueued_at
        # The worker runs it: the next day's run is queued, and only that one.
        waiting.update(status="SUCCESSFUL")
        extend_horizon_task.call()
        assert waiting.filter(status="READY").count() == 1
