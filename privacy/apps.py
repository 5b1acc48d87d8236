from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def start_daily_task(**kwargs):
    """After ``migrate``: the privacy plugin's daily round is waiting in the worker's queue."""
    from .tasks import ensure_daily_task

    ensure_daily_task()


class PrivacyConfig(AppConfig):
    """Foundation plugin: private twins of record pages (``PrivateRecord``, the page mixin and
    its editor tab) and the registry of private fields that the privacy canary walks."""

    name = "privacy"
    label = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
        from .access import connect_signals

        connect_signals()

        post_migrate.connect(start_daily_task, sender=self, dispatch_uid="privacy_daily_task")
