"""The French collation listings sort with (``organizations.sorting.COLLATION``).

On PostgreSQL it comes from ICU, which Debian's, the PGDG packages and the official images are
built with. SQLite needs nothing stored: each connection registers it from Python
(``organizations.sorting.register_sqlite_collation``).
"""

from django.db import migrations

COLLATION = "liens_fr"  # organizations.sorting.COLLATION, frozen here as migrations should be


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE COLLATION IF NOT EXISTS {COLLATION} (provider = icu, locale = 'fr')"
    )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP COLLATION IF EXISTS {COLLATION}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_settings_and_groups_from_home_and_crm")]

    operations = [migrations.RunPython(create_collation, drop_collation, elidable=False)]
