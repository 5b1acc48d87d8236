"""Organization settings now belong to the ``organizations`` plugin; their tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('home', '0003_blocks_with_structured_data'),
        ('organizations', '0001_settings_and_groups_from_home_and_crm'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='organizationsettings',
                    name='logo',
                ),
                migrations.RemoveField(
                    model_name='organizationsettings',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='organizationsocialprofile',
                    name='settings',
                ),
                migrations.DeleteModel(
                    name='OrganizationContactPoint',
                ),
                migrations.DeleteModel(
                    name='OrganizationSettings',
                ),
                migrations.DeleteModel(
                    name='OrganizationSocialProfile',
                ),
            ],
            database_operations=[],
        ),
    ]
