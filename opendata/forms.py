"""The dataset page's editor form: the live records offered as a list, not a key to type."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .sources import source_choices


class DatasetPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.fields.get("live_source")
        if current is None:
            return
        choices = [("", "---------"), *source_choices()]
        key = self.initial.get("live_source") or ""
        if key and key not in dict(choices):
            # A source whose plugin is gone stays visible (the page's check names it).
            choices.append((key, _("%(key)s (no longer available)") % {"key": key}))
        self.fields["live_source"] = forms.ChoiceField(
            label=current.label,
            choices=choices,
            required=False,
            help_text=_(
                "Only when the data are live records: which records the dataset shows. "
                "An uploaded table is uploaded with the “Upload a table” button."
            ),
        )
