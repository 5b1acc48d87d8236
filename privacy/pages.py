"""Pairing a record page class with its private twin.

A page class declares its twin and the form fields that edit it::

    class PersonPage(PrivateTwinPageMixin, Page):
        private_twin_model = Contact
        private_form_fields = {"private_email": "email", "private_notes": "notes"}
        private_form_widgets = {"private_notes": forms.Textarea(attrs={"rows": 4})}

        def private_twin_defaults(self):
            return {"kind": "person"}

and places the form fields in its panels (``FieldPanel("private_email")``). From then on, for
every page class using the mixin: the twin is created with the page and deleted with its last
translation (``privacy.signals``), the page's form edits it for the users who may see it
(``privacy.forms``), and bulk creators find it with ``twin_model_of``.
"""

from collections.abc import Mapping
from typing import ClassVar

from django import forms

from .forms import private_twin_form_class
from .models import PrivateRecord


class PrivateTwinPageMixin:
    """A page whose private details live in a ``PrivateRecord`` (its twin)."""

    #: The twin's model, a concrete ``PrivateRecord`` subclass.
    private_twin_model: ClassVar[type[PrivateRecord] | None] = None
    #: Page-form field name → twin field name: the fields of the editor's private tab.
    private_form_fields: ClassVar[Mapping[str, str]] = {}
    #: Page-form field name → widget, where the model field's default widget will not do.
    private_form_widgets: ClassVar[Mapping[str, forms.Widget]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.private_twin_model is None:
            return
        # One form class per page class, its private fields declared on it (Wagtail's form
        # metaclass needs them there). A form class named in the class body is its base: a
        # ``PrivateTwinPageForm`` subclass, for a kind of record that needs more than the
        # methods below.
        cls.base_form_class = private_twin_form_class(cls, cls.__dict__.get("base_form_class"))

    @classmethod
    def private_form_extra_fields(cls) -> dict[str, forms.Field]:
        """Form fields the page's form adds besides the private ones (shown to every editor
        unless ``prepare_private_form`` removes them)."""
        return {}

    def private_twin_defaults(self) -> dict:
        """Values of the twin's fields, besides ``site`` and ``translation_key``, that it needs
        when it is created with the page (attribute names: ``"kind"``, ``"owner_id"``…)."""
        return {}

    def prepare_private_form(self, form) -> None:
        """Adjust the page's form at the end of its ``__init__`` (``self`` is the form's
        instance; ``form.can_see_private`` and ``form.record_site`` are set)."""

    def clean_private_form(self, form) -> None:
        """Further checks of the page's form, once its own ``clean`` ran: add errors to it with
        ``form.add_error`` (``form.cleaned_data`` holds the private fields the user may see)."""

    def get_private_twin(self):
        """The record's twin, or ``None`` if it has none yet."""
        return self.private_twin_model.objects.for_page(self).first()


def twin_model_of(page_or_class) -> type[PrivateRecord] | None:
    """The twin model of a page (generic or specific) or page class; ``None`` for a page
    without a twin."""
    is_class = isinstance(page_or_class, type)
    page_class = page_or_class if is_class else page_or_class.specific_class
    if page_class is None or not issubclass(page_class, PrivateTwinPageMixin):
        return None
    return page_class.private_twin_model
