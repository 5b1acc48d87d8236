from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
