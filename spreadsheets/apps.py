from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    """Foundation plugin: reading and writing CSV/XLSX/ODS, resources, the import pipeline,
    streamed exports, import jobs and their admin screens, for every kind a plugin registers."""

    name = "spreadsheets"
    verbose_name = _("Spreadsheets")
    default_auto_field = "django.db.models.BigAutoField"
