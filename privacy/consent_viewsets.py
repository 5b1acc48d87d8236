"""The admin screens of consent purposes (Settings › Consent purposes): the person in charge of
personal information names what the organization asks consent for, and in which words. Saving
new words makes a new version of them; the old ones stay as the people agreed to them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn

from organizations.views import SiteScopedAdminForm
from organizations.viewsets import ScopedModelViewSet, scoped_form

from .consents import BUILT_IN_PURPOSES, consent_wording_set
from .models import ConsentPurpose

BUILT_IN_CODES = {builtin.code for builtin in BUILT_IN_PURPOSES}


class ConsentPurposeForm(SiteScopedAdminForm):
    """The purpose and its current wording; new words are saved as a new version."""

    wording_fr = forms.CharField(
        label=_("wording in French"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The words that ask for consent. Changing them makes a new version; people who "
            "consented keep the version they agreed to."
        ),
    )
    wording_en = forms.CharField(
        label=_("wording in English"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            current = self.instance.current_wording()
            if current is not None and not self.is_bound:
                self.initial["wording_fr"] = current.text_fr
                self.initial["wording_en"] = current.text_en
            if "site" in self.fields:
                self.fields["site"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        original = self.instance.code if self.instance.pk else None
        if original in BUILT_IN_CODES and code != original:
            raise forms.ValidationError(
                _("The software relies on this code; it cannot be changed.")
            )
        return code

    def save(self, commit=True):
        purpose = super().save(commit=commit)
        if commit:
            consent_wording_set(
                purpose=purpose,
                text_fr=self.cleaned_data["wording_fr"],
                text_en=self.cleaned_data.get("wording_en", ""),
                user=getattr(self, "for_user", None),
            )
        return purpose


class ConsentPurposeViewSet(ScopedModelViewSet):
    model = ConsentPurpose
    icon = "tick-inverse"
    menu_label = _("Consent purposes")
    add_item_label = _("Add a consent purpose")
    menu_order = 630
    add_to_settings_menu = True
    ordering = ["sort_order", "pk"]
    list_display = [
        TitleColumn("name_fr", label=_("Name"), url_name="privacy_consentpurpose:edit"),
        Column("code", label=_("Code")),
        BooleanColumn("required_for_membership", label=_("Required for membership")),
        BooleanColumn("active", label=_("Active")),
    ]
    edit_handler = scoped_form(
        "site",
        FieldRowPanel([FieldPanel("name_fr"), FieldPanel("name_en")]),
        "code",
        MultiFieldPanel([FieldPanel("wording_fr"), FieldPanel("wording_en")], heading=_("Wording")),
        FieldRowPanel([FieldPanel("required_for_membership"), FieldPanel("active")]),
        "sort_order",
        form_class=ConsentPurposeForm,
    )
