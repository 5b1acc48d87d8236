"""The privacy plugin's work for the worker (``db_worker``): building a person's copy, and the
daily round (reminders to the people in charge of requests about to be late, each organization's
retention rules, the access log's retention).

django-tasks has no scheduler: the daily task enqueues its next run when it runs, and
``ensure_daily_task`` (after migrations) starts the chain when none is waiting;
``python site/manage.py privacy_daily`` does the same work from cron.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .access import purge_access_log
from .models import PrivacyRequest


@task()
def build_copy_task(request_id: int) -> int:
    """Build the copy of a request of access or portability; returns its size in bytes (the
    task's result holds no personal information)."""
    from .handling import request_copy_build

    request = PrivacyRequest.objects.select_related("site").get(pk=request_id)
    return len(request_copy_build(request).export_file)


def privacy_daily(now: dt.datetime | None = None) -> dict:
    """The daily round: reminders about requests due within a week or late, and the access log's
    entries older than each organization keeps them."""
    from .reminders import send_reminders
    from .retention import retention_daily

    return {
        "reminders": send_reminders(now=now),
        "retention": retention_daily(now=now),
        "access_log_purged": purge_access_log(now=now),
    }


@task()
def purge_access_log_task() -> int:
    """Delete the access log's entries older than each organization keeps them; how many."""
    return purge_access_log()


@task()
def privacy_daily_task() -> dict:
    done = privacy_daily()
    ensure_daily_task()
    return done


def ensure_daily_task() -> None:
    """Enqueue the next daily run unless one is already waiting (only with a backend that can
    run a task later: the database one)."""
    if not privacy_daily_task.get_backend().supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=privacy_daily_task.module_path, status="READY")
    if waiting.exists():
        return
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    privacy_daily_task.using(
        run_after=tomorrow.replace(hour=4, minute=0, second=0, microsecond=0)
    ).enqueue()
