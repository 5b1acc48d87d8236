"""Organization groups now belong to the ``organizations`` plugin (their table stays: state only);
organization kinds are the one vocabulary of ``organizations.models.OrganizationKind``."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm_blocks', '0006_import_job'),
        ('organizations', '0001_settings_and_groups_from_home_and_crm'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organizationpage',
            name='kind',
            field=models.CharField(choices=[('production_centre', 'Film production centre'), ('production_company', 'Production company'), ('distributor', 'Distributor'), ('cinema', 'Cinema'), ('festival', 'Festival'), ('gallery', 'Gallery'), ('school', 'School'), ('funder', 'Funder'), ('partner', 'Partner'), ('media', 'Media'), ('network', 'Network or association'), ('other', 'Other')], default='other', max_length=30, verbose_name='kind'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OrganizationGroup')],
            database_operations=[],
        ),
    ]
