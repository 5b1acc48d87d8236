"""The daily task that keeps occurrence rows about two years ahead (run by ``db_worker``).

django-tasks has no scheduler: the task enqueues its next run for the next day when it runs,
and ``ensure_daily_task`` (called after migrations and by ``load_demo``) starts the chain when
none is waiting. ``python site/manage.py extend_event_dates`` does the same work from cron.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import services


@task()
def extend_horizon_task() -> int:
    extended = services.events_horizon_extend()
    ensure_daily_task()
    return extended


def ensure_daily_task() -> None:
    """Enqueue the next daily run unless one is already waiting (only with a backend that
    can run a task later: the database one)."""
    if not extend_horizon_task.get_backend().supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=extend_horizon_task.module_path, status="READY")
    if waiting.exists():
        return
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    next_run = tomorrow.replace(hour=3, minute=0, second=0, microsecond=0)
    extend_horizon_task.using(run_after=next_run).enqueue()
