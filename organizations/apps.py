from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    """Foundation plugin: organizations as Wagtail sites, their settings, roles and groups, and
    the registry in which every plugin declares its permissions per role and its section pages.
    """

    name = "organizations"
    verbose_name = _("Organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(sync_after_migrate, dispatch_uid="organizations_sync_after_migrate")


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs):
    """Give existing organizations what a newly installed plugin declares.

    ``post_migrate`` is sent once per app, after *all* migrations ran; Django creates each app's
    permissions in its own handler, so the sync waits for the last app to be sure that every
    declared permission exists.
    """
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label != last.label or using != DEFAULT_DB_ALIAS:
        return
    # Models cannot be imported while apps.py itself is imported (app loading), hence here.
    from .services import organizations_sync

    report = organizations_sync()
    if verbosity >= 1 and report.changed:
        print(report.summary())  # noqa: T201 - migrate's own output style
