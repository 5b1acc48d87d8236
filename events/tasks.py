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


# --- OpenAgenda (``events.openagenda``) --------------------------------------------------------

#: How often the worker syncs the organizations that asked for it.
OPENAGENDA_INTERVAL = dt.timedelta(hours=1)


@task()
def sync_openagenda_task() -> int:
    """Sync every organization whose OpenAgenda settings send or bring events; a failure is
    logged (without any key) and the other organizations are still synced. Returns how many
    succeeded, then queues the next run."""
    import logging

    from django.utils import translation

    from organizations.models import OrganizationLanguage, OrganizationSettings

    from .models import OpenAgendaSettings
    from .openagenda.client import OpenAgendaError
    from .openagenda.sync import openagenda_sync

    logger = logging.getLogger("events.openagenda")
    done = 0
    try:
        for settings in OpenAgendaSettings.objects.select_related("site").exclude(agenda_uid=""):
            if not (settings.push or settings.pull):
                continue
            host = settings.site.hostname
            language = OrganizationLanguage(OrganizationSettings.for_site(settings.site).language)
            with translation.override(language.content_language):
                try:
                    report = openagenda_sync(settings.site)
                except OpenAgendaError as error:
                    logger.warning("OpenAgenda sync of %s failed: %s", host, error)
                    continue
                except Exception:  # one organization's bug must not stop the others'
                    logger.exception("OpenAgenda sync of %s failed", host)
                    continue
                logger.info("OpenAgenda sync of %s: %s", host, report.summary())
            done += 1
    finally:
        ensure_openagenda_task()  # the next run is queued whatever happened to this one
    return done


def ensure_openagenda_task() -> None:
    """Queue the next hourly sync unless one is waiting (database backend only), and only
    while some organization asks for it."""
    if not sync_openagenda_task.get_backend().supports_defer:
        return
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    from .models import OpenAgendaSettings

    wanted = OpenAgendaSettings.objects.exclude(agenda_uid="").filter(Q(push=True) | Q(pull=True))
    if not wanted.exists():
        return
    waiting = DBTaskResult.objects.filter(
        task_path=sync_openagenda_task.module_path, status="READY"
    )
    if waiting.exists():
        return
    sync_openagenda_task.using(run_after=timezone.now() + OPENAGENDA_INTERVAL).enqueue()
