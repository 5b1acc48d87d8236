from django.db import migrations

ROLES = ["filmmaker", "technician", "artist", "volunteer", "staff", "board"]


def seed_roles(apps, schema_editor):
    PersonRole = apps.get_model("crm_blocks", "PersonRole")
    for order, code in enumerate(ROLES):
        PersonRole.objects.update_or_create(code=code, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("crm_blocks", "0001_records_contacts_memberships")]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
