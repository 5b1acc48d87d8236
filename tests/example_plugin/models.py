from django.db import models
from wagtail.models import Page

from privacy.models import PrivateRecord
from privacy.pages import PrivateTwinPageMixin


class NoteIndexPage(Page):
    subpage_types = ["example_plugin.NotePage"]

    class Meta:
        verbose_name = "notes index"
        permissions = [
            ("import_notes", "Can import notes"),
            ("export_notes", "Can export notes"),
        ]


class NoteDetails(PrivateRecord):
    """A note's private details: who wrote it, what staff say of it."""

    author_email = models.EmailField(blank=True)
    remark = models.TextField(blank=True)
    view_permission = "example_plugin.change_notepage"


class NotePage(PrivateTwinPageMixin, Page):
    external_id = models.CharField(max_length=50, blank=True)
    summary = models.CharField(max_length=120, blank=True)
    parent_page_types = ["example_plugin.NoteIndexPage"]

    private_twin_model = NoteDetails
    private_form_fields = {"private_remark": "remark"}
