"""Each organization's currency, for its fees: euros for the organizations of France, Canadian
dollars for the others (staff can change it in the organization's settings)."""

from django.db import migrations, models


def euros_in_france(apps, schema_editor):
    settings = apps.get_model("organizations", "OrganizationSettings")
    settings.objects.filter(language="fr-fr").update(currency="EUR")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_french_collation")]

    operations = [
        migrations.AddField(
            model_name="organizationsettings",
            name="currency",
            field=models.CharField(
                choices=[("CAD", "Canadian dollar"), ("EUR", "Euro"), ("CHF", "Swiss franc")],
                default="CAD",
                help_text="The currency of membership fees and prices.",
                max_length=3,
                verbose_name="currency",
            ),
        ),
        migrations.RunPython(euros_in_france, migrations.RunPython.noop),
    ]
