from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import notifications, signals  # noqa: F401  (signals: occurrence rows in step)

        notifications.connect()  # contributors told when their proposal is published or refused
