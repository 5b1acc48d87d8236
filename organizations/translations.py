"""Texts of an organization's settings in each language of its site.

An organization's name, description and the labels of its contact points are typed in its own
language; its site also has pages in the installation's other content languages
(``WAGTAIL_CONTENT_LANGUAGES``), whose header, footer, meta description and structured data must
not show « Accueil » to an English reader. Such texts get one more input per other language
(« Libellé (English) »), kept in the row's ``translations`` (``{"en": {"label": "Reception"}}``).

- A model lists its translatable fields in ``translated_fields`` and inherits
  :class:`TranslatedTexts` (the ``translations`` column, :meth:`TranslatedTexts.translated`, and
  an editor form with the inputs: its ``base_form_class``).
- Its panels add :func:`translation_panels` after each field; rows edited inline use
  :class:`TranslatedInlinePanel`, whose forms are told the organization's language by the
  parent's form, so that nobody is asked for the French of a French text.
- Templates read ``{% translated object "field" %}`` (``organizations_tags``), in the active
  language, falling back to the text as typed.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import classproperty
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, get_form_for_model


def content_languages() -> list[str]:
    """The codes of the installation's content languages (``fr``, ``en``)."""
    languages = getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", None) or settings.LANGUAGES
    return [code.split("-")[0] for code, _name in languages]


def active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def language_name(code: str) -> str:
    """The language's own name (« English », « Français »), as the language switcher shows it."""
    try:
        return get_language_info(code)["name_local"].capitalize()
    except KeyError:
        return code


def translation_field_name(field: str, language: str) -> str:
    return f"{field}_{language}"


class TranslatedTexts(models.Model):
    """A row whose ``translated_fields`` have translations in ``translations``."""

    translated_fields: ClassVar[tuple[str, ...]] = ()

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None, fallback: bool = True) -> str:
        """``field`` in ``language`` (the active one by default); the text as typed when there
        is no translation, or ``""`` without ``fallback``."""
        language = (language or active_language()).split("-")[0]
        translated = (self.translations or {}).get(language, {}).get(field, "")
        if translated:
            return translated
        own = getattr(self, "translations_source_language", None)
        if fallback or own == language:
            return getattr(self, field)
        return ""

    @classproperty
    def base_form_class(cls):  # noqa: N805 - a class property
        """The editor form, with one input per translated field and other language."""
        cached = cls.__dict__.get("_translated_texts_form")
        if cached is None:
            cached = translated_texts_form(cls)
            cls._translated_texts_form = cached
        return cached


class TranslatedTextsForm(WagtailAdminModelForm):
    """Fills the translation inputs from ``translations`` and writes them back. The inputs of
    the row's own language are removed (``source_language``), and the forms of its inline rows
    told which it is."""

    #: ``{form field: (model field, language)}``, set by :func:`translated_texts_form`.
    translation_fields: ClassVar[dict[str, tuple[str, str]]] = {}
    #: Set on the forms of inline rows by their parent's form.
    inherited_source_language: ClassVar[str | None] = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.source_language()
        stored = self.instance.translations or {}
        for name, (field, language) in self.translation_fields.items():
            if language == source:
                self.fields.pop(name, None)
            elif name in self.fields:  # bound too: what changed is told against it
                self.initial[name] = stored.get(language, {}).get(field, "")
        for formset in getattr(self, "formsets", {}).values():
            if source and issubclass(formset.form, TranslatedTextsForm):
                formset.form = type(
                    formset.form.__name__, (formset.form,), {"inherited_source_language": source}
                )

    def source_language(self) -> str | None:
        """The language the row's texts are typed in: its own ``translations_source_language``
        (an organization's settings), else its parent's."""
        own = getattr(self.instance, "translations_source_language", None)
        return own or self.inherited_source_language

    def save(self, commit=True):
        stored = {
            language: dict(texts) for language, texts in (self.instance.translations or {}).items()
        }
        for name, (field, language) in self.translation_fields.items():
            if name not in self.fields:
                continue
            value = (self.cleaned_data.get(name) or "").strip()
            texts = stored.setdefault(language, {})
            if value:
                texts[field] = value
            else:
                texts.pop(field, None)
        self.instance.translations = {language: t for language, t in stored.items() if t}
        return super().save(commit=commit)


def translated_texts_form(model: type[TranslatedTexts], base=TranslatedTextsForm):
    """A form class for ``model`` with one input per translated field and content language."""
    attrs, fields = {}, {}
    for field_name in model.translated_fields:
        db_field = model._meta.get_field(field_name)
        for language in content_languages():
            name = translation_field_name(field_name, language)
            attrs[name] = forms.CharField(
                label=format_lazy(
                    "{field} ({language})",
                    field=capfirst(db_field.verbose_name),
                    language=language_name(language),
                ),
                required=False,
                max_length=db_field.max_length,
                widget=forms.Textarea(attrs={"rows": 3})
                if isinstance(db_field, models.TextField)
                else forms.TextInput,
                help_text=_("Shown on the pages in this language; the text above when empty."),
            )
            fields[name] = (field_name, language)
    attrs["translation_fields"] = fields
    attrs["__module__"] = __name__
    return type(f"{model.__name__}TranslatedTextsForm", (base,), attrs)


def translation_panels(field: str) -> list[FieldPanel]:
    """The inputs of ``field``'s translations, one per content language (the organization's own
    is removed from the form)."""
    return [FieldPanel(translation_field_name(field, code)) for code in content_languages()]


class TranslatedInlinePanel(InlinePanel):
    """An ``InlinePanel`` whose rows are edited with their model's form (and so get its
    translation inputs)."""

    def get_form_options(self):
        options = super().get_form_options()
        model = self.db_field.related_model
        deferred = self.child_edit_handler.get_form_options().get("defer_required_on_fields")
        extra = {"defer_required_on_fields": deferred} if deferred else {}
        options["formsets"][self.relation_name]["form"] = get_form_for_model(
            model, form_class=model.base_form_class, **extra
        )
        return options
