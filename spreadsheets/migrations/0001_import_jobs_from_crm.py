"""Import jobs move from the CRM to the spreadsheets plugin, which every plugin's kinds share.
The table stays where it is (``db_table``); its content type follows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="spreadsheets", model="importjob").exists():
        ContentType.objects.filter(app_label="crm_blocks", model="importjob").update(
            app_label="spreadsheets"
        )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="spreadsheets", model="importjob").update(
        app_label="crm_blocks"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('crm_blocks', '0007_organization_groups_moved_one_vocabulary_of_kinds'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=30, verbose_name='kind of records')),
                        ('filename', models.CharField(max_length=255, verbose_name='file name')),
                        ('format', models.CharField(blank=True, max_length=10, verbose_name='format')),
                        ('size', models.PositiveBigIntegerField(default=0, verbose_name='size in bytes')),
                        ('data', models.BinaryField(blank=True, default=b'', verbose_name='file content')),
                        ('plan', models.JSONField(blank=True, default=dict, verbose_name='headers')),
                        ('columns', models.JSONField(blank=True, default=dict, verbose_name='column matching')),
                        ('publish', models.BooleanField(default=False, verbose_name='publish new records')),
                        ('language', models.CharField(blank=True, max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('uploaded', 'Columns to match'), ('checking', 'Checking'), ('checked', 'Checked, waiting for confirmation'), ('importing', 'Importing'), ('done', 'Imported'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='uploaded', max_length=20, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('progress_done', models.PositiveIntegerField(default=0)),
                        ('progress_total', models.PositiveIntegerField(default=0)),
                        ('report', models.JSONField(blank=True, null=True, verbose_name='report')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('task_result_id', models.CharField(blank=True, max_length=64, verbose_name='task id')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_jobs', to='wagtailcore.site', verbose_name='organization')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'import job',
                        'verbose_name_plural': 'import jobs',
                        'db_table': 'crm_blocks_importjob',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['status', 'updated_at'], name='import_job_status_updated')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
