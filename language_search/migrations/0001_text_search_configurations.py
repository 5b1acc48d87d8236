"""PostgreSQL's text search configurations of the search backend; nothing on other databases.

Each is a copy of PostgreSQL's own, whose words go through the ``unaccent`` dictionary before
the stemmer: « Caméras » and « cameras » are both « cam » in French. ``unaccent`` is a contrib
extension, part of Debian's ``postgresql-NN`` package and of the managed services; since
PostgreSQL 13 it is a trusted extension, which the owner of the database may create.

Kept here as written on the day (``language_search.analysis`` names them): a migration does not
change when the code does.
"""

from django.db import migrations

#: (configuration, PostgreSQL's configuration it copies, dictionary after ``unaccent``)
CONFIGURATIONS = [
    ("lm_simple", "simple", "simple"),
    ("lm_french", "french", "french_stem"),
    ("lm_english", "english", "english_stem"),
]

#: The token types that may hold accented letters (``asciiword`` and the others cannot).
ACCENTED_TOKENS = "hword, hword_part, word"

MISSING_UNACCENT = (
    "PostgreSQL's unaccent extension is not installed on this server; search needs it to "
    "ignore accents. Install PostgreSQL's contrib modules (Debian and Ubuntu: the "
    "postgresql-NN package has them; elsewhere: postgresql-contrib), then run migrate again."
)


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if cursor.fetchone() is None:
            raise RuntimeError(MISSING_UNACCENT)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, source, dictionary in CONFIGURATIONS:
        schema_editor.execute(
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{source})"
        )
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR {ACCENTED_TOKENS} WITH unaccent, {dictionary}"
        )


def drop_configurations(apps, schema_editor):
    """The extension stays: something else may use it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _source, _dictionary in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_configurations, drop_configurations)]
