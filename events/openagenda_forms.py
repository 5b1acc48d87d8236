"""The OpenAgenda settings form: the secret key is write-only.

The field is a password input that never renders a value; its help says whether a key is
saved. Leaving it empty keeps the saved key; ticking "forget" removes it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class OpenAgendaSettingsForm(WagtailAdminModelForm):
    forget_secret_key = forms.BooleanField(label=_("Forget the saved secret key"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("secret_key")
        if field is None:
            return
        self.initial["secret_key"] = ""
        field.required = False
        field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
        if self.instance.pk and self.instance.secret_key:
            field.help_text = _(
                "A secret key is saved (it is never shown again). Type a new one to replace "
                "it, or leave the field empty to keep it."
            )
        else:
            field.help_text = _("No secret key is saved. OpenAgenda's support grants one.")

    def clean_secret_key(self):
        typed = (self.cleaned_data.get("secret_key") or "").strip()
        if typed:
            return typed
        return self.instance.secret_key if self.instance.pk else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("forget_secret_key"):
            cleaned["secret_key"] = ""
        if (cleaned.get("push") or cleaned.get("pull")) and not cleaned.get("agenda_uid"):
            self.add_error("agenda_uid", _("Give the agenda's identifier to synchronize it."))
        if cleaned.get("push") and not cleaned.get("secret_key"):
            self.add_error(
                "secret_key", _("Sending events to OpenAgenda needs the account's secret key.")
            )
        if cleaned.get("pull") and not (cleaned.get("public_key") or cleaned.get("secret_key")):
            self.add_error("public_key", _("Reading the agenda needs the public key."))
        return cleaned
