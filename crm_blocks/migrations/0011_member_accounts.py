"""Member accounts: a person's login to their organization's member space, one per user and
organization."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm_blocks', '0010_merge_public_affiliations_and_french_ordering'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('invited_at', models.DateTimeField(blank=True, null=True, verbose_name='last invited on')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created on')),
                ('contact', models.OneToOneField(limit_choices_to={'kind': 'person'}, on_delete=django.db.models.deletion.CASCADE, related_name='member_account', to='crm_blocks.contact', verbose_name="person's record")),
                ('site', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='member_accounts', to='wagtailcore.site', verbose_name='organization')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='member_accounts', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'member account',
                'verbose_name_plural': 'member accounts',
                'constraints': [models.UniqueConstraint(fields=('user', 'site'), name='one_member_account_per_user_and_organization', violation_error_message='This login already belongs to another member of this organization.')],
            },
        ),
    ]
