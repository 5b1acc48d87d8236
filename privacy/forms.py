"""The editor form of a page with a private twin: the page's public fields, and form fields that
edit its twin.

Private fields are form fields, not page fields, so they never enter a page revision. Wagtail's
form metaclass only knows fields declared on the form class, so each page class gets its own
form class (``private_twin_form_class``, called by ``PrivateTwinPageMixin``), with one form field
per twin field that the page class declares. The fields are removed for users who may not see
the twin; for the others they are filled from the twin, and written to it once the page is
saved (``privacy.services.save_private_details``, an ``after_create_page`` /
``after_edit_page`` hook).

The form asks the page for what is particular to a kind of record — more form fields, more
checks — through the page methods ``private_form_extra_fields``, ``prepare_private_form`` and
``clean_private_form`` (see ``privacy.pages``).
"""

from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured
from wagtail.admin.forms import WagtailAdminPageForm


class PrivateTwinPageForm(WagtailAdminPageForm):
    """Base of the forms that ``private_twin_form_class`` builds.

    After ``__init__``: ``record_site`` (the organization of the record, ``None`` outside any)
    and ``can_see_private`` (whether the user may see its twin; the private fields are gone
    otherwise).
    """

    #: Form field name → twin field name, set on each built form class.
    private_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        self.record_site = self._record_site()
        self.can_see_private = page.private_twin_model.user_can_view(
            getattr(self, "for_user", None), self.record_site
        )
        if not self.can_see_private:
            for name in self.private_fields:
                self.fields.pop(name, None)
        elif page.pk and not self.is_bound:
            twin = page.get_private_twin()
            if twin is not None:
                for name, attribute in self.private_fields.items():
                    self.initial[name] = getattr(twin, attribute)
        page.prepare_private_form(self)

    def _record_site(self):
        if self.instance.pk:
            return self.instance.get_site()
        if self.parent_page is not None:
            return self.parent_page.get_site()
        return None

    def clean(self):
        cleaned_data = super().clean()
        self.instance.clean_private_form(self)
        return cleaned_data

    def private_data(self) -> dict:
        """What the user typed in the private fields, by twin field (nothing if they may not
        see them)."""
        if not self.can_see_private:
            return {}
        return {
            attribute: self.cleaned_data[name]
            for name, attribute in self.private_fields.items()
            if name in self.fields
        }

    def save(self, commit=True):
        page = super().save(commit=commit)
        if self.can_see_private:
            # Written to the twin by the after_create/edit_page hooks, once the page exists.
            page._private_twin_data = self.private_data()
        return page


def private_twin_form_class(page_class, base=None) -> type[PrivateTwinPageForm]:
    """A form class for ``page_class``: ``base`` (a ``PrivateTwinPageForm`` subclass, by
    default ``PrivateTwinPageForm`` itself) with one form field per entry of the page class's
    ``private_form_fields`` — made from the twin's model field, so label, help text, length and
    validation follow the model — and its ``private_form_extra_fields()``."""
    base = base or PrivateTwinPageForm
    if not issubclass(base, PrivateTwinPageForm):
        raise ImproperlyConfigured(
            f"{page_class.__name__}: the form of a page with a private twin must subclass "
            f"PrivateTwinPageForm, not {base.__name__}."
        )
    twin_model = page_class.private_twin_model
    attrs = {
        "__module__": page_class.__module__,
        "__qualname__": f"{page_class.__qualname__}Form",
        "private_fields": dict(page_class.private_form_fields),
    }
    for name, attribute in page_class.private_form_fields.items():
        model_field = twin_model._meta.get_field(attribute)
        if model_field.is_relation:
            raise ImproperlyConfigured(
                f"{page_class.__name__}.private_form_fields: “{attribute}” is a relation; "
                "the page form only edits the twin's own values."
            )
        widget = page_class.private_form_widgets.get(name)
        form_field = model_field.formfield(**({"widget": widget} if widget else {}))
        if form_field is None:
            raise ImproperlyConfigured(
                f"{page_class.__name__}.private_form_fields: “{attribute}” is not editable."
            )
        attrs[name] = form_field
    attrs.update(page_class.private_form_extra_fields())
    return type(base)(f"{page_class.__name__}Form", (base,), attrs)
