from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def start_daily_task(**kwargs):
    """After ``migrate``: the daily task that keeps event dates two years ahead is waiting."""
    from .tasks import ensure_daily_task

    ensure_daily_task()


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (publishing keeps the occurrence rows in step)

        post_migrate.connect(start_daily_task, sender=self, dispatch_uid="events_daily_task")
