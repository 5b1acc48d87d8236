"""Admin views for site-scoped models: every object is looked up through the user's organizations.

Wagtail's generic views fetch objects by primary key from the whole table; these mixins narrow
every lookup to ``Model.objects.for_user(user)`` so that a direct URL to another organization's
object answers 404, as if it did not exist. Creating needs no lookup: its form limits every
choice list instead (``SiteScopedAdminForm``).
"""

from django import forms
from django.shortcuts import get_object_or_404
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import unquote
from wagtail.models import Site
from wagtail.permissions import policy_registry

from .permissions import SiteScopedPermissionPolicy
from .registry import OrganizationRole
from .scoping import sites_for_user
from .sorting import collated_ordering


def scoped_queryset(model, user, actions=("view", "change", "delete")):
    """``model``'s objects of the organizations where ``user`` may do one of ``actions``: the
    permission held through that organization's group (the model's registered policy), or, for
    a model without a site-scoped policy, a role there (its queryset's ``for_user``)."""
    policy = policy_registry.get_by_type(model)
    if isinstance(policy, SiteScopedPermissionPolicy):
        return policy.instances_user_has_any_permission_for(user, actions)
    return model._default_manager.for_user(user)


class ScopedIndexMixin:
    def get_base_queryset(self):
        return scoped_queryset(self.model, self.request.user)


class ScopedObjectMixin:
    #: What the view does to its object: only organizations where the user may do it count.
    scope_actions: tuple[str, ...] = ("view", "change", "delete")

    def scoped_objects(self):
        """The objects this view may address. (Not ``get_queryset``: history and usage views
        list log entries and references under that name.)"""
        return scoped_queryset(self.model, self.request.user, self.scope_actions)

    def get_object(self, queryset=None):
        pk = getattr(self, "pk", None) or self.kwargs.get(self.pk_url_kwarg)
        return get_object_or_404(self.scoped_objects(), pk=unquote(str(pk)))


class ScopedIndexView(ScopedIndexMixin, generic.IndexView):
    def order_queryset(self, queryset):
        """Names sorted as a French reader expects, whichever text column the user sorts by
        (the model's ordering when none): « École » among the E's."""
        return collated_ordering(super().order_queryset(queryset))


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    scope_actions = ("change",)


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    scope_actions = ("delete",)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


class SiteScopedAdminForm(WagtailAdminModelForm):
    """Limits every choice list (organization, record, type, tag…) to the user's organizations,
    and pre-selects the organization when the user has only one.

    ``scope_roles`` are the roles whose organizations are offered."""

    scope_roles: tuple[str, ...] = (OrganizationRole.CRM_STAFF,)

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
                field.queryset = sites_for_user(user, self.scope_roles)
                if field.queryset.count() == 1 and not self.instance.pk:
                    field.initial = field.queryset.get().pk
            elif hasattr(field.queryset, "for_user"):
                field.queryset = self.choice_queryset(
                    field.queryset.for_user(user, self.scope_roles)
                )

    def choice_queryset(self, queryset):
        """A scoped choice list, to annotate or order (records by name, say)."""
        choices = getattr(queryset, "for_choices", None)
        return collated_ordering(choices() if choices else queryset)
