"""Import jobs now belong to the spreadsheets plugin; their table stays (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('crm_blocks', '0007_organization_groups_moved_one_vocabulary_of_kinds'),
        ('spreadsheets', '0001_import_jobs_from_crm'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportJob')],
            database_operations=[],
        ),
    ]
