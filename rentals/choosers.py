"""The borrower chooser of the booking form: a person or an organization record of the user's
organizations, found by name or e-mail (accents, case and plurals aside:
``ContactQuerySet.matching``).

Only the booking form uses it (``register_widget = False``): the CRM's own forms keep their
lists. Every list and lookup goes through ``organizations.views.scoped_queryset``, so another
organization's record answers "not found" like a missing one.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from crm_blocks.models import Contact
from organizations.views import scoped_queryset


def borrowers_for(user):
    """Records the user may lend to: their organizations' (where they may see records), named."""
    return scoped_queryset(Contact, user, ("view", "change")).for_choices()


class BorrowerFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search by name or e-mail"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.search_query, self.is_searching = query, True
            objects = objects.matching(query)
        return objects


class BorrowerChooseMixin:
    filter_form_class = BorrowerFilterForm
    per_page = 20

    def get_object_list(self):
        return borrowers_for(self.request.user)

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Name"),
                accessor=str,
                get_url=lambda obj: self.append_preserved_url_parameters(self.get_chosen_url(obj)),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            Column("email", label=_("E-mail")),
        ]

    def get_chosen_url(self, obj):
        return reverse(self.chosen_url_name, args=(obj.pk,))


class BorrowerChooseView(BorrowerChooseMixin, chooser_views.ChooseView):
    pass


class BorrowerChooseResultsView(BorrowerChooseMixin, chooser_views.ChooseResultsView):
    pass


class BorrowerChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        return borrowers_for(self.request.user).get(pk=pk)


class BorrowerChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return borrowers_for(self.request.user).filter(pk__in=pks)


class BorrowerChooserViewSet(ChooserViewSet):
    model = Contact
    icon = "user"
    choose_one_text = _("Choose a borrower")
    choose_another_text = _("Choose another borrower")
    edit_item_text = _("Open the record")
    register_widget = False
    choose_view_class = BorrowerChooseView
    choose_results_view_class = BorrowerChooseResultsView
    chosen_view_class = BorrowerChosenView
    chosen_multiple_view_class = BorrowerChosenMultipleView


borrower_chooser_viewset = BorrowerChooserViewSet("rentals_borrower_chooser")


class ScopedBorrowerWidget(borrower_chooser_viewset.widget_class):
    """The chooser widget, showing only a record of ``queryset`` (the form's choices): a
    posted id of another organization's record is shown as nothing, never by its name."""

    queryset = Contact.objects.none()

    def get_instance(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, Contact):
            value = value.pk
        try:
            return self.queryset.get(pk=value)
        except (Contact.DoesNotExist, ValueError, TypeError):
            return None
