from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_database_rules(using="default", **kwargs):
    """After ``migrate``: the rule that no unit is booked twice, written into the database
    (``rentals.constraints``). SQLite drops triggers when a migration rebuilds a table, so they
    are put back after every migration."""
    from .constraints import install_sqlite_overlap_triggers

    install_sqlite_overlap_triggers(using=using)


class RentalsConfig(AppConfig):
    name = "rentals"
    verbose_name = _("Rentals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        # What is free changes outside the booking services too (units, closures, deletions).
        signals.connect()
        post_migrate.connect(
            install_database_rules, sender=self, dispatch_uid="rentals_database_rules"
        )
        from .notifications import connect

        connect()  # e-mails to borrowers and the desk when a booking changes
