"""The registry of private fields: which fields of which models hold what may never be public.

Each plugin declares its private fields in its ``wagtail_hooks.py``::

    @hooks.register("register_private_fields")
    def private_fields():
        return [
            PrivateFields("crm_blocks.Contact", fields=("email", "phone", "notes"),
                          non_sensitive=("kind", "created_at")),
        ]

Every twin (``PrivateRecord`` subclass) must be registered, and each of its fields be either
private or declared non-sensitive: the privacy canary tests plant a value in every registered
private field and look for it in every public output, and they fail on a field that is neither
(so that a new private field cannot be forgotten). Other models holding private data (notes,
consents, memberships…) are registered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from wagtail import hooks

from .models import PrivateRecord

HOOK_NAME = "register_private_fields"


@dataclass(frozen=True)
class PrivateFields:
    """Fields of ``model`` (a class or ``"app_label.ModelName"``) that are private, and those
    that are known to hold no personal data (keys, kinds, timestamps, links to the twin)."""

    model: type[models.Model] | str
    fields: tuple[str, ...]
    non_sensitive: tuple[str, ...] = ()

    def get_model(self) -> type[models.Model]:
        if isinstance(self.model, str):
            return apps.get_model(self.model)
        return self.model


def declarations() -> list[PrivateFields]:
    """Every declaration, merged per model (in the order models were first declared)."""
    fields: dict[type[models.Model], dict[str, None]] = {}
    non_sensitive: dict[type[models.Model], dict[str, None]] = {}
    for declare in hooks.get_hooks(HOOK_NAME):
        for declaration in declare():
            model = declaration.get_model()
            fields.setdefault(model, {}).update(dict.fromkeys(declaration.fields))
            non_sensitive.setdefault(model, {}).update(dict.fromkeys(declaration.non_sensitive))
    return [
        PrivateFields(model, fields=tuple(names), non_sensitive=tuple(non_sensitive[model]))
        for model, names in fields.items()
    ]


def private_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The registered private fields of ``model`` (none if it is not registered)."""
    for declaration in declarations():
        if declaration.model is model:
            return declaration.fields
    return ()


def private_record_models() -> list[type[PrivateRecord]]:
    """Every installed twin model (concrete ``PrivateRecord`` subclass)."""
    return [model for model in apps.get_models() if issubclass(model, PrivateRecord)]


def _field_names(model: type[models.Model]) -> set[str]:
    return {field.name for field in (*model._meta.concrete_fields, *model._meta.many_to_many)}


def unclassified_fields(model: type[models.Model]) -> list[str]:
    """Fields of ``model`` neither registered as private nor declared non-sensitive (its
    primary key and, for a twin, ``PrivateRecord.non_sensitive_fields`` are non-sensitive)."""
    classified = {model._meta.pk.name, *getattr(model, "non_sensitive_fields", ())}
    for declaration in declarations():
        if declaration.model is model:
            classified |= {*declaration.fields, *declaration.non_sensitive}
    return sorted(_field_names(model) - classified)


def unknown_fields(model: type[models.Model]) -> list[str]:
    """Declared field names that ``model`` does not have (a typo, a field since removed)."""
    declared = set()
    for declaration in declarations():
        if declaration.model is model:
            declared |= {*declaration.fields, *declaration.non_sensitive}
    return sorted(declared - _field_names(model))
