"""The tree's root page and the root media collection are named after the installation
(« Liens Mutuels »), not "Root": the admin shows their names in the explorer, its breadcrumbs and
the media filters, in English whatever the language."""

from django.conf import settings
from django.db import migrations


def name_roots(apps, schema_editor):
    page = apps.get_model("wagtailcore", "Page")
    collection = apps.get_model("wagtailcore", "Collection")
    name = getattr(settings, "WAGTAIL_SITE_NAME", "") or "Liens Mutuels"
    page.objects.filter(depth=1, title="Root").update(title=name, draft_title=name)
    collection.objects.filter(depth=1, name="Root").update(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_organization_settings_moved_to_organizations"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(name_roots, migrations.RunPython.noop)]
