from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilmsConfig(AppConfig):
    name = "films"
    verbose_name = _("Films")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .signals import connect

        connect()  # a screening changed one by one forgets the cached public pages
