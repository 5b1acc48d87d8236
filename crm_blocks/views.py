"""The CRM's own admin views: a record's private details and its one-screen CRM view.

They build on the site-scoped views of ``organizations.views``: a direct URL to another
organization's record answers 404, as if it did not exist.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import unquote

from organizations.views import ScopedInspectView, SiteScopedAdminForm, scoped_queryset

from .models import Affiliation, Contact, Membership
from .models.contacts import record_name
from .sections import crm_record_sections
from .services import contact_note_create


class ContactForm(SiteScopedAdminForm):
    """The record's private details; the internal tags offered are the record's organization's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tags" in self.fields and self.instance.pk:
            self.fields["tags"].queryset = self.fields["tags"].queryset.filter(
                site=self.instance.site
            )


class ContactNoteForm(forms.Form):
    body = forms.CharField(
        label=_("New note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ContactInspectView(ScopedInspectView):
    """The CRM view of one record: public status, private details, affiliations, memberships,
    consents and the notes timeline, on one screen."""

    template_name = "crm_blocks/admin/contact_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            scoped_queryset(Contact, self.request.user).with_name(), pk=unquote(str(self.pk))
        )

    def post(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission_for_instance(
            request.user, "change", self.object
        ):
            raise PermissionDenied
        form = ContactNoteForm(request.POST)
        if form.is_valid():
            contact_note_create(
                contact=self.object, author=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, _("Note added."))
            return redirect(request.path)
        messages.error(request, _("The note could not be added: it is empty or too long."))
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.object
        pages = list(contact.pages().specific())
        memberships = (
            Membership.objects.filter(contact=contact)
            .with_effective_status()
            .with_currency()
            .select_related("membership_type")
        )
        if contact.kind == Contact.Kind.PERSON:
            affiliation_other = "organization"
            affiliations = Affiliation.objects.filter(person=contact)
        else:
            affiliation_other = "person"
            affiliations = Affiliation.objects.filter(organization=contact)
        affiliations = affiliations.select_related(affiliation_other).annotate(
            other_name=record_name(affiliation_other)
        )
        timeline = [
            {"date": note.created_at, "kind": "note", "text": note.body, "author": note.author}
            for note in contact.timeline_notes.select_related("author")
        ]
        timeline += [
            {
                "date": membership.created_at,
                "kind": "membership",
                "text": _("Membership “%(type)s” from %(start)s")
                % {
                    "type": membership.membership_type,
                    "start": date_format(membership.start_date, "DATE_FORMAT"),
                },
                "author": None,
            }
            for membership in memberships
        ]
        timeline.sort(key=lambda item: item["date"], reverse=True)
        context.update(
            {
                "contact": contact,
                "pages": pages,
                "memberships": memberships,
                "affiliations": [
                    {
                        "role": a.role,
                        "other": getattr(a, affiliation_other),
                        "other_name": a.other_name,
                        "item": a,
                    }
                    for a in affiliations
                ],
                "consents": contact.consents.all(),
                "tags": contact.tags.all(),
                "timeline": timeline,
                "note_form": ContactNoteForm(),
                "can_change": self.permission_policy.user_has_permission_for_instance(
                    self.request.user, "change", contact
                ),
                "edit_url": reverse(self.edit_url_name, args=[contact.pk]),
                "plugin_sections": crm_record_sections(contact, self.request),
            }
        )
        return context
