"""Remove the "Welcome to Wagtail" page and its site: organizations bring their own
(``create_organization``), and the first one created becomes the default site."""

from django.db import migrations


def remove_welcome_site(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    if page_type is None:
        return
    for site in Site.objects.filter(root_page__content_type=page_type, root_page__depth=2):
        welcome = site.root_page
        site.delete()
        if welcome.numchild == 0:
            welcome.delete()
            root = Page.objects.get(depth=1)
            root.numchild = Page.objects.filter(depth=2).count()
            root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_organization_site_pages"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(remove_welcome_site, migrations.RunPython.noop)]
