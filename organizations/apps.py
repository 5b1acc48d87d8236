from django.apps import AppConfig
from django.apps import apps as installed_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class OrganizationsConfig(AppConfig):
    """Foundation plugin: organizations as Wagtail sites, their settings, roles and groups, and
    the registry in which every plugin declares its permissions per role and its section pages.
    """

    name = "organizations"
    verbose_name = pgettext_lazy("organizations of the installation", "Organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .sorting import register_sqlite_collation
        from .wagtail_admin import install

        connection_created.connect(
            register_sqlite_collation, dispatch_uid="organizations_sqlite_collation"
        )
        post_migrate.connect(sync_after_migrate, dispatch_uid="organizations_sync_after_migrate")
        install()  # Wagtail's filter choices and popular tags, narrowed to the user's organizations


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, verbosity=1, plan=None, **kwargs):
    """Give existing organizations what a newly installed plugin declares.

    ``post_migrate`` is sent once per app, after *all* migrations ran: the sync runs once, for
    the last app. Nothing is done after a migration backwards (the tables may be gone), and
    every app's permissions are made first (Django makes each app's in its own handler, which
    may come after this one), so that any declared permission can be granted.
    """
    last = [config for config in installed_apps.get_app_configs() if config.models_module][-1]
    if sender.label != last.label or using != DEFAULT_DB_ALIAS:
        return
    if plan and all(backwards for _migration, backwards in plan):
        return
    if "organizations_organizationprovision" not in connections[using].introspection.table_names():
        return
    # Models cannot be imported while apps.py itself is imported (app loading), hence here.
    from django.contrib.auth.management import create_permissions

    from .services import organizations_sync

    for config in installed_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    report = organizations_sync()
    if verbosity >= 1 and report.changed:
        print(report.summary())  # noqa: T201 - migrate's own output style
