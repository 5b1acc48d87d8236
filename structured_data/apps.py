from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuredDataConfig(AppConfig):
    name = "structured_data"
    verbose_name = _("Structured data")

    def ready(self):
        from . import signals  # noqa: F401
