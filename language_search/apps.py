from django.apps import AppConfig


class LanguageSearchConfig(AppConfig):
    """Foundation: the search backend that stems and unaccents, and, on PostgreSQL, the text
    search configurations it needs (created by this app's migration)."""

    name = "language_search"
    default_auto_field = "django.db.models.BigAutoField"
