"""The editor forms of the film database's pages, as a distributor's login sees them.

A distributor's users (``films.distributors``) work for no organization: the film's
``distributor`` and the credits' ``person`` would offer them the network's CRM records (a
chooser of organization or person pages, and ids one could post by hand). For them these
fields are not in the form at all — not only hidden, so that a posted value is ignored — and a
film takes the distributor of the folder it is in. The folder's own ``distributor`` is not
theirs to change either. Anyone else edits these fields with choices narrowed to the records
of their organizations (``organizations.visibility.visible``): another organization's record
posted by id is refused with a form error, and nothing is saved (the value the page already
has stays acceptable, so that an existing page can still be saved). A film added to a folder
without a distributor gets the folder's.

This module reads no model of ``films`` (the models use it): the rule is asked through
``Group``'s reverse relations.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from wagtail.admin.forms import WagtailAdminPageForm

from organizations.models import OrganizationGroup
from organizations.visibility import visible


def distributor_only(user) -> bool:
    """Whether ``user`` logs in for a distributor and works for no organization (memoised on
    the user object, which lives for one request)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    if "_liens_distributor_only" not in user.__dict__:
        user.__dict__["_liens_distributor_only"] = (
            Group.objects.filter(user=user, distributor_access__isnull=False).exists()
            and not OrganizationGroup.objects.filter(group__user=user).exists()
        )
    return user.__dict__["_liens_distributor_only"]


def _narrowed_queryset(field, user, current_id=None):
    """``field``'s choices narrowed to what ``user``'s organizations own, plus ``current_id``
    (the record the object already points at)."""
    queryset = field.queryset
    narrowed = visible(queryset, user)
    if current_id:
        narrowed = narrowed | queryset.filter(pk=current_id)
    return narrowed


def _narrowing(form_class, names, user):
    """A subclass of a child form (a credit) whose fields ``names`` offer only ``user``'s
    organizations' records (and what the credit already points at)."""

    def __init__(self, *args, **kwargs):
        form_class.__init__(self, *args, **kwargs)
        for name in names:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                current = getattr(self.instance, f"{name}_id", None)
                field.queryset = _narrowed_queryset(field, user, current)

    return type(form_class.__name__, (form_class,), {"__init__": __init__})


def _without(form_class, names):
    """A subclass of a child form (a credit) without the fields ``names``."""
    narrowed = type(form_class.__name__, (form_class,), {})
    narrowed.base_fields = {
        name: field for name, field in form_class.base_fields.items() if name not in names
    }
    return narrowed


class DistributorAwarePageForm(WagtailAdminPageForm):
    """Leaves out ``distributor_only_hidden`` (page fields) and ``distributor_only_hidden_child``
    (``{relation: fields}`` of inline forms) for a distributor's users; for everyone else,
    narrows these fields' choices to the records of the user's organizations."""

    distributor_only_hidden: tuple[str, ...] = ()
    distributor_only_hidden_child: dict[str, tuple[str, ...]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restricted = distributor_only(self.for_user)
        if not self.restricted:
            self._narrow_choices()
            return
        for name in self.distributor_only_hidden:
            self.fields.pop(name, None)
        for relation, names in self.distributor_only_hidden_child.items():
            formset = self.formsets.get(relation)
            if formset is not None:  # its forms are built on first use, from ``formset.form``
                formset.form = _without(formset.form, names)

    def _narrow_choices(self):
        user = self.for_user
        if user is None:
            return
        for name in self.distributor_only_hidden:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                current = getattr(self.instance, f"{name}_id", None)
                field.queryset = _narrowed_queryset(field, user, current)
        for relation, names in self.distributor_only_hidden_child.items():
            formset = self.formsets.get(relation)
            if formset is not None:  # its forms are built on first use, from ``formset.form``
                formset.form = _narrowing(formset.form, names, user)

    def folder(self):
        """The distributor's folder the page is in (its parent), if it is in one."""
        parent = self.parent_page
        if parent is None and self.instance.pk:
            parent = self.instance.get_parent()
        specific = parent.specific if parent is not None else None
        return specific if hasattr(specific, "distributor_id") else None


class FilmPageForm(DistributorAwarePageForm):
    distributor_only_hidden = ("distributor",)
    distributor_only_hidden_child = {"credits": ("person",)}

    def clean(self):
        cleaned = super().clean()
        folder = self.folder()
        if folder is not None and (self.restricted or not cleaned.get("distributor")):
            # The folder says whose film it is.
            cleaned["distributor"] = folder.distributor
            self.instance.distributor_id = folder.distributor_id
        return cleaned


class DistributorFilmsPageForm(DistributorAwarePageForm):
    distributor_only_hidden = ("distributor",)
