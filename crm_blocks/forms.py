"""The record pages' editor form: public fields of the page, private fields of its Contact.

Private fields are form fields, not page fields, so they never enter a page revision. They are
removed from the form for users who are not CRM staff of the page's organization.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class ContactPageForm(WagtailAdminPageForm):
    private_email = forms.EmailField(label=_("E-mail"), required=False)
    private_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    private_notes = forms.CharField(
        label=_("Private notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    confirm_distinct_record = forms.BooleanField(
        label=_("This is not the same record"),
        required=False,
        help_text=_("Tick this box to create the record anyway."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .permissions import user_can_access_crm
        from .services import PAGE_FORM_PRIVATE_FIELDS

        self.record_site = self._record_site()
        self.similar_pages = []
        self.can_see_private = user_can_access_crm(
            getattr(self, "for_user", None), self.record_site
        )
        if not self.can_see_private:
            for name in PAGE_FORM_PRIVATE_FIELDS:
                self.fields.pop(name, None)
        elif self.instance.pk and not self.is_bound:
            contact = self._existing_contact()
            if contact is not None:
                for name, attr in PAGE_FORM_PRIVATE_FIELDS.items():
                    self.initial[name] = getattr(contact, attr)
        if self.instance.pk:
            self.fields.pop("confirm_distinct_record", None)

    def _record_site(self):
        if self.instance.pk:
            return self.instance.get_site()
        if self.parent_page is not None:
            return self.parent_page.get_site()
        return None

    def _existing_contact(self):
        from .models import Contact

        return Contact.objects.filter(translation_key=self.instance.translation_key).first()

    def clean(self):
        cleaned_data = super().clean()
        if self.record_site is None:
            return cleaned_data
        from .services import contact_kind_for, records_with_email, similar_records

        kind = contact_kind_for(self.instance)
        email = cleaned_data.get("private_email")
        if self.can_see_private and email:
            other = records_with_email(
                site=self.record_site,
                kind=kind,
                email=email,
                exclude_key=self.instance.translation_key,
            ).first()
            if other is not None:
                self.add_error(
                    "private_email",
                    _("“%(name)s” already uses this e-mail. Open that record instead.")
                    % {"name": other.name or other.email},
                )
        title = cleaned_data.get("title")
        if not self.instance.pk and title and not cleaned_data.get("confirm_distinct_record"):
            self.similar_pages = similar_records(
                site=self.record_site,
                kind=kind,
                name=title,
                exclude_key=self.instance.translation_key,
            )
            if self.similar_pages:
                names = format_html_join(", ", "“{}”", ((p.title,) for p in self.similar_pages))
                self.add_error(
                    "title",
                    format_html(
                        "{} {}",
                        _("A record with a near-identical name already exists:"),
                        names,
                    ),
                )
        return cleaned_data

    def save(self, commit=True):
        from .services import PAGE_FORM_PRIVATE_FIELDS

        page = super().save(commit=commit)
        if self.can_see_private:
            # Written to the Contact by the after_create/edit_page hooks, once the page exists.
            page._crm_private_details = {
                attr: self.cleaned_data.get(name, "")
                for name, attr in PAGE_FORM_PRIVATE_FIELDS.items()
                if name in self.fields
            }
        return page
