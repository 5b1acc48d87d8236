"""What the events plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the agenda below every organization's home page, the moderation of
what the public proposes there, who may read an event's private details, and which of its
fields are private."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, ModerationWorkflow, OrganizationRole, Section
from privacy.registry import PrivateFields
from spreadsheets.registry import SpreadsheetKind

PRIVATE_PERMISSIONS = tuple(
    f"events.{action}_eventprivate" for action in ("add", "change", "delete", "view")
)


#: Who may bring events in and out as spreadsheets (``0002_event_external_id``).
SPREADSHEET_PERMISSIONS = ("events.import_eventpage", "events.export_eventpage")


def events_sections():
    return [
        Section(
            "events.agenda",
            "events.EventIndexPage",
            title=pgettext_lazy("section title", "Agenda"),
            slug=pgettext_lazy("section slug", "agenda"),
        )
    ]


def events_workflows():
    # What the public proposes on the agenda (events.contributions) waits for an editor.
    return [
        ModerationWorkflow(
            "events.proposals",
            "events.agenda",
            name=_("Moderation of the agenda"),
            task_name=_("Proposals to the agenda"),
            approvers=(OrganizationRole.EDITORS,),
        )
    ]


def events_grants():
    # Editors run the agenda (and choose the network it is shared with); the CRM staff see who
    # proposed an event too.
    return [
        Grant(
            OrganizationRole.EDITORS,
            permissions=(*PRIVATE_PERMISSIONS, *SPREADSHEET_PERMISSIONS),
            site_permissions=(
                "events.change_networksharing",
                "events.change_networkmembers",
            ),
        ),
        Grant(OrganizationRole.CRM_STAFF, permissions=PRIVATE_PERMISSIONS),
    ]


def events_private_fields():
    return [
        PrivateFields(
            "events.EventPrivate",
            fields=(
                "internal_notes",
                "budget",
                "contributor_name",
                "contributor_email",
                "contributor_consent",
            ),
            # When a proposal arrived and when its contributor was answered are bookkeeping,
            # like a record's creation date.
            non_sensitive=("contributed_at", "contributor_answered_at"),
        )
    ]


def events_spreadsheet_kinds():
    """Events, imported and exported; their dates, exported for funders' reports."""
    return [
        SpreadsheetKind(
            "events",
            label=_("Events"),
            export_label=_("Export events"),
            resource="events.resources.EventResource",
            import_permission="events.import_eventpage",
            export_permission="events.export_eventpage",
            roles=(OrganizationRole.EDITORS,),
        ),
        SpreadsheetKind(
            "event_occurrences",
            label=_("Dates of events"),
            export_label=_("Export the dates"),
            resource="events.resources.EventOccurrenceResource",
            import_permission="events.import_eventpage",
            export_permission="events.export_eventpage",
            roles=(OrganizationRole.EDITORS,),
            importable=False,
        ),
    ]


# --- OpenAgenda (``events.openagenda``) --------------------------------------------------------


def events_openagenda_grants():
    """Editors keep their organization's OpenAgenda settings (a site setting: for their own
    site only)."""
    return [
        Grant(
            OrganizationRole.EDITORS,
            site_permissions=("events.change_openagendasettings",),
        )
    ]


def events_openagenda_private_fields():
    """The secret key writes to the organization's OpenAgenda agenda: private. The rest says
    which public agenda is synced and how."""
    return [
        PrivateFields(
            "events.OpenAgendaSettings",
            fields=("secret_key",),
            non_sensitive=(
                "site",
                "agenda_uid",
                "public_key",
                "push",
                "pull",
                "pull_mode",
                "default_location_uid",
                "last_synced_at",
            ),
        )
    ]
