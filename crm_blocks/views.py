"""Admin views for CRM data: every object is looked up through the user's organizations.

Wagtail's generic views fetch objects by primary key from the whole table; these mixins narrow
every lookup to ``Model.objects.for_user(user)`` so that a direct URL to another
organization's record answers 404, as if it did not exist.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import unquote
from wagtail.models import Site

from .models import Affiliation, Contact, Membership, sites_for_user
from .models.contacts import record_name
from .permissions import CRM_ROLES
from .services import contact_note_create


def scoped_queryset(model, user):
    return model._default_manager.for_user(user, CRM_ROLES)


class ScopedIndexMixin:
    def get_base_queryset(self):
        return scoped_queryset(self.model, self.request.user)


class ScopedObjectMixin:
    def get_queryset(self):
        return scoped_queryset(self.model, self.request.user)

    def get_object(self, queryset=None):
        pk = getattr(self, "pk", None) or self.kwargs.get(self.pk_url_kwarg)
        return get_object_or_404(self.get_queryset(), pk=unquote(str(pk)))


class ScopedIndexView(ScopedIndexMixin, generic.IndexView):
    pass


class ScopedCreateView(generic.CreateView):
    pass


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


class SiteScopedAdminForm(WagtailAdminModelForm):
    """Limits every choice list (organization, contact, type, tag) to the user's
    organizations, and pre-selects the organization when the user has only one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is None:
            return
        for field in self.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            if model is Site:
                field.queryset = sites_for_user(user, CRM_ROLES)
                if field.queryset.count() == 1 and not self.instance.pk:
                    field.initial = field.queryset.get().pk
            elif hasattr(field.queryset, "for_user"):
                field.queryset = field.queryset.for_user(user, CRM_ROLES)
            elif model is Contact:
                field.queryset = Contact.objects.for_user(user, CRM_ROLES)
            if model is Contact:
                field.queryset = field.queryset.with_name().order_by("name")


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
                    "start": date_format(membership.start_date, "SHORT_DATE_FORMAT"),
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
            }
        )
        return context
