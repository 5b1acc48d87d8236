from django.db import models
from wagtail.models import Page


class NoteIndexPage(Page):
    subpage_types = ["example_plugin.NotePage"]

    class Meta:
        verbose_name = "notes index"
        permissions = [
            ("import_notes", "Can import notes"),
            ("export_notes", "Can export notes"),
        ]


class NotePage(Page):
    external_id = models.CharField(max_length=50, blank=True)
    summary = models.CharField(max_length=120, blank=True)
    parent_page_types = ["example_plugin.NoteIndexPage"]
