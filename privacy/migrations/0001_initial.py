# The privacy plugin had only abstract models (private twins) until the privacy law's records
# (issue 14); this empty first migration is the common root of their migrations.

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = []
