"""The example plugin's declarations. A real plugin registers them in its ``wagtail_hooks.py``;
this one is registered by the tests that want it (``installed()``), so that the rest of the suite
sees organizations as the real plugins make them."""

from contextlib import ExitStack, contextmanager

from wagtail import hooks

from organizations.registry import Grant, OrganizationRole, Section
from spreadsheets.registry import SpreadsheetKind


def sections():
    return [Section("example.notes", "example_plugin.NoteIndexPage", "Notes", "notes")]


def grants():
    return [
        Grant(
            OrganizationRole.EDITORS,
            permissions=("example_plugin.import_notes", "example_plugin.export_notes"),
        )
    ]


def spreadsheet_kinds():
    return [
        SpreadsheetKind(
            "notes",
            label="Notes",
            resource="tests.example_plugin.resources.NoteResource",
            import_permission="example_plugin.import_notes",
            export_permission="example_plugin.export_notes",
            roles=(OrganizationRole.EDITORS,),
        )
    ]


HOOKS = {
    "register_organization_sections": sections,
    "register_organization_grants": grants,
    "register_spreadsheet_kinds": spreadsheet_kinds,
}


@contextmanager
def installed():
    """The example plugin's declarations registered, as its ``wagtail_hooks.py`` would."""
    with ExitStack() as stack:
        for name, declare in HOOKS.items():
            stack.enter_context(hooks.register_temporarily(name, declare))
        yield
