"""The access log's retention, run by the worker (``db_worker``).

The privacy plugin's daily retention runner calls ``purge_access_log``; this task lets anyone
queue a purge now, and ``python site/manage.py privacy_purge_access_log`` runs it from cron.
"""

from django_tasks import task

from .access import purge_access_log


@task()
def purge_access_log_task() -> int:
    """Delete the entries older than each organization keeps them; return how many."""
    return purge_access_log()
