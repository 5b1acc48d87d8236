"""Several choices of a fixed vocabulary in one column (a film's genres, a dataset's themes).

They are stored as ``|drama|comedy|`` so that ``filter(genres__contains="|drama|")`` finds a film
on SQLite and PostgreSQL alike, and the admin edits them as a list of checkboxes or codes.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

SEPARATOR = "|"


def split_codes(value) -> list[str]:
    """``"|fr|en|"``, ``"fr, en"``, ``"fr; en"`` or ``["fr", "en"]`` → ``["fr", "en"]``."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        items = value
    else:
        text = str(value)
        for separator in (";", ","):
            text = text.replace(separator, SEPARATOR)
        items = text.split(SEPARATOR)
    codes = []
    for item in items:
        code = str(item).strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def contains(code: str) -> str:
    """The stored form a ``__contains`` lookup looks for."""
    return f"{SEPARATOR}{code}{SEPARATOR}"


class CodeListFormField(forms.CharField):
    """Codes typed as a list (``FR, BE``), for vocabularies too long for checkboxes."""

    def __init__(self, *, normalize=str.lower, pattern=None, **kwargs):
        self.normalize = normalize
        self.pattern = pattern
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(split_codes(value))

    def to_python(self, value):
        codes = [self.normalize(code) for code in split_codes(value)]
        if self.pattern is not None:
            unknown = [code for code in codes if not re.fullmatch(self.pattern, code)]
            if unknown:
                raise ValidationError(
                    _("Unknown code: %(codes)s."),
                    code="unknown_code",
                    params={"codes": ", ".join(unknown)},
                )
        return codes


class ChoiceListField(models.CharField):
    """A list of codes. With ``choices``, the admin shows checkboxes; otherwise a text input of
    codes, each matching ``pattern`` (a regular expression), in upper case when ``upper``."""

    def __init__(self, *args, pattern=None, upper=False, **kwargs):
        self.pattern = pattern
        self.upper = upper
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.upper:
            kwargs["upper"] = True
        if self.pattern:
            kwargs["pattern"] = self.pattern
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return split_codes(value)

    def to_python(self, value):
        return split_codes(value)

    def get_prep_value(self, value):
        codes = split_codes(value)
        return f"{SEPARATOR}{SEPARATOR.join(codes)}{SEPARATOR}" if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # Each code against the vocabulary, not the list as one choice.
        if self.choices:
            allowed = {str(code) for code, _label in self.flatchoices}
            unknown = [code for code in value if code not in allowed]
            if unknown:
                raise ValidationError(
                    _("Unknown code: %(codes)s."),
                    code="unknown_code",
                    params={"codes": ", ".join(unknown)},
                )
        if self.pattern:
            unknown = [code for code in value if not re.fullmatch(self.pattern, code)]
            if unknown:
                raise ValidationError(
                    _("Unknown code: %(codes)s."),
                    code="unknown_code",
                    params={"codes": ", ".join(unknown)},
                )
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": self.verbose_name.capitalize() if self.verbose_name else None,
            "help_text": self.help_text,
        }
        if self.choices:
            return forms.TypedMultipleChoiceField(
                choices=self.choices,
                widget=forms.CheckboxSelectMultiple,
                required=defaults["required"],
                label=defaults["label"],
                help_text=defaults["help_text"],
            )
        return CodeListFormField(
            normalize=str.upper if self.upper else str.lower,
            pattern=self.pattern,
            required=defaults["required"],
            label=defaults["label"],
            help_text=defaults["help_text"],
        )
