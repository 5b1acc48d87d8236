"""The CRM's own admin views: a record's private details and its one-screen CRM view.

They build on the site-scoped views of ``organizations.views``: a direct URL to another
organization's record answers 404, as if it did not exist.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import unquote

from organizations.views import ScopedInspectView, SiteScopedAdminForm, scoped_queryset
from privacy.consents import active_purposes

from .consents import give_consent, withdraw_consent
from .models import Affiliation, ConsentRecord, Contact, Membership
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


#: Where staff may say a consent came from (imports and the demo record their own).
STAFF_CONSENT_SOURCES = [
    (value, label)
    for value, label in ConsentRecord.Source.choices
    if value not in (ConsentRecord.Source.IMPORT, ConsentRecord.Source.DEMO)
]


class ConsentGiveForm(forms.Form):
    """One box per purpose the record has not consented to, each with the words it asks for;
    every box unticked (privacy by default)."""

    source = forms.ChoiceField(label=_("How was consent given?"), choices=STAFF_CONSENT_SOURCES)

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.purposes = {}
        for purpose in purposes:
            name = f"purpose_{purpose.pk}"
            self.fields[name] = forms.BooleanField(
                label=purpose.name(),
                required=False,
                initial=False,
                help_text=purpose.wording.text() if purpose.wording else "",
            )
            self.purposes[name] = purpose

    def chosen(self):
        return [purpose for name, purpose in self.purposes.items() if self.cleaned_data.get(name)]


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
        action = request.POST.get("action")
        if action == "give_consent":
            return self.post_give_consent(request)
        if action == "withdraw_consent":
            return self.post_withdraw_consent(request)
        form = ContactNoteForm(request.POST)
        if form.is_valid():
            contact_note_create(
                contact=self.object, author=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, _("Note added."))
            return redirect(request.path)
        messages.error(request, _("The note could not be added: it is empty or too long."))
        return self.get(request, *args, **kwargs)

    def consent_state(self):
        """The purposes of the record's organization: those consented to (with the consent in
        force) and those to ask for."""
        contact = self.object
        in_force = {
            record.purpose_ref_id: record
            for record in contact.consents.filter(
                withdrawn_on__isnull=True, purpose_ref__isnull=False
            )
        }
        purposes = active_purposes(contact.site)
        given = [(purpose, in_force[purpose.pk]) for purpose in purposes if purpose.pk in in_force]
        to_ask = [purpose for purpose in purposes if purpose.pk not in in_force and purpose.wording]
        return given, to_ask

    def post_give_consent(self, request):
        _given, to_ask = self.consent_state()
        form = ConsentGiveForm(request.POST, purposes=to_ask)
        if not form.is_valid() or not form.chosen():
            messages.error(request, _("Tick the purposes the person consented to."))
            return redirect(request.path)
        try:
            for purpose in form.chosen():
                give_consent(
                    contact=self.object,
                    purpose=purpose,
                    source=form.cleaned_data["source"],
                    user=request.user,
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(
            request,
            _("Consent recorded: %(purposes)s.")
            % {"purposes": ", ".join(purpose.name() for purpose in form.chosen())},
        )
        return redirect(request.path)

    def post_withdraw_consent(self, request):
        record_id = request.POST.get("record", "")
        record = (
            self.object.consents.filter(pk=record_id).first() if record_id.isdigit() else None
        )
        if record is None:
            messages.error(request, _("This consent does not exist."))
            return redirect(request.path)
        try:
            unpublished = withdraw_consent(record=record, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        message = _("Consent withdrawn: %(purpose)s.") % {"purpose": record.purpose}
        if unpublished:
            message += " " + _("The person's public page was unpublished.")
        messages.success(request, message)
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.object
        consents_given, consents_to_ask = self.consent_state()
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
                "consents": contact.consents.select_related(
                    "wording_version", "recorded_by", "withdrawn_by"
                ),
                "consents_given": consents_given,
                "consent_form": ConsentGiveForm(purposes=consents_to_ask),
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
