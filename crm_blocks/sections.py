"""Sections other plugins add to the public page of a person or an organization, and to its
CRM view in the admin.

``crm_blocks`` knows nothing of the plugins built on it; a plugin that has something to say on a
record's page (the events held at a venue, those a person performs in) registers a function with
the ``register_record_page_sections`` hook::

    @hooks.register("register_record_page_sections")
    def coming_events(page, request):
        return [{"template": "events/includes/record_events.html", "context": {...}}]

It is called with the record page (``PersonPage`` or ``OrganizationPage``) and the request, and
returns a list (empty when it has nothing to show) of sections, each a template and its context;
the record's template includes them in order. A section shows only what the public may see, of
the site being visited, in a fixed number of queries.
"""

from __future__ import annotations

from wagtail import hooks

HOOK = "register_record_page_sections"
#: Sections of a record's one-screen CRM view in the admin (bookings, qualifications…).
CRM_HOOK = "register_crm_record_sections"


def record_page_sections(page, request) -> list[dict]:
    """The sections every registered function gives ``page``, in the order of registration."""
    sections: list[dict] = []
    for section_function in hooks.get_hooks(HOOK):
        sections.extend(section_function(page, request) or ())
    return sections


def crm_record_sections(contact, request) -> list[dict]:
    """The sections plugins add to the CRM view of ``contact`` (a record's private side, seen
    by its organization's staff): ``fn(contact, request)`` registered with the
    ``register_crm_record_sections`` hook returns ``[{"template": …, "context": {…}}]``, each
    showing only rows of the contact's own organization that the user may see."""
    sections: list[dict] = []
    for section_function in hooks.get_hooks(CRM_HOOK):
        sections.extend(section_function(contact, request) or ())
    return sections
