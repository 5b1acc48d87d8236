"""Lists in French alphabetical order: internal tags and membership types sort with the French
collation (``organizations.sorting``), and stored sort keys spell ligatures out, so that
« Œuvre » sorts with the O's rather than after Z."""

import django.db.models.functions.comparison
from django.db import migrations, models

LIGATURES = {"œ": "oe", "æ": "ae"}  # sort keys are already lower case


def spell_out_ligatures(apps, schema_editor):
    for name in ("PersonPage", "OrganizationPage"):
        model = apps.get_model("crm_blocks", name)
        with_ligature = models.Q()
        for ligature in LIGATURES:
            with_ligature |= models.Q(sort_name__contains=ligature)
        for page in model.objects.filter(with_ligature).only("pk", "sort_name"):
            sort_name = page.sort_name
            for ligature, letters in LIGATURES.items():
                sort_name = sort_name.replace(ligature, letters)
            model.objects.filter(pk=page.pk).update(sort_name=sort_name[:255])


class Migration(migrations.Migration):
    dependencies = [
        ("crm_blocks", "0008_import_jobs_moved_to_spreadsheets"),
        ("organizations", "0002_french_collation"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="contacttag",
            options={
                "ordering": [
                    models.OrderBy(
                        django.db.models.functions.comparison.Collate(models.F("name"), "liens_fr")
                    )
                ],
                "verbose_name": "internal tag",
                "verbose_name_plural": "internal tags",
            },
        ),
        migrations.AlterModelOptions(
            name="membershiptype",
            options={
                "ordering": [
                    models.OrderBy(
                        django.db.models.functions.comparison.Collate(models.F("name"), "liens_fr")
                    )
                ],
                "verbose_name": "membership type",
                "verbose_name_plural": "membership types",
            },
        ),
        migrations.RunPython(spell_out_ligatures, migrations.RunPython.noop),
    ]
