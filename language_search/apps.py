from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguageSearchConfig(AppConfig):
    """Foundation: the search backend that stems and unaccents, and, on PostgreSQL, the text
    search configurations it needs (created by this app's migration)."""

    name = "language_search"
    verbose_name = _("Search in French and English")
    default_auto_field = "django.db.models.BigAutoField"
