"""Registrations only. The example plugin's private fields are always declared (its twin model is
always installed in the tests, and every installed twin must be); the rest of its declarations
are registered by the tests that want them (``declarations.installed()``)."""

from wagtail import hooks

from privacy.registry import PrivateFields


@hooks.register("register_private_fields")
def private_fields():
    return [PrivateFields("example_plugin.NoteDetails", fields=("author_email", "remark"))]
