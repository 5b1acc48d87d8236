"""The tree's root page is named after the installation (« Liens Mutuels »), not "Root": the
admin shows its title in the explorer and its breadcrumbs, in English whatever the language."""

from django.conf import settings
from django.db import migrations


def name_root_page(apps, schema_editor):
    page = apps.get_model("wagtailcore", "Page")
    name = getattr(settings, "WAGTAIL_SITE_NAME", "") or "Liens Mutuels"
    page.objects.filter(depth=1, title="Root").update(title=name, draft_title=name)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_organization_settings_moved_to_organizations"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(name_root_page, migrations.RunPython.noop)]
