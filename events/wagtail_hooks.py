"""Registrations only: the agenda section and its moderation workflow, the permissions and
private fields of events, its spreadsheet kinds, its admin listing, its demo loader, and the
coming events on the pages of venues, organizers and performers, and the networks whose
agenda follows a member's changes."""

from wagtail import hooks

from .agenda import record_events_section
from .datasets import events_dataset_sources
from .declarations import (
    events_grants,
    events_private_fields,
    events_sections,
    events_spreadsheet_kinds,
    events_workflows,
)
from .demo import load_demo_events
from .network import networks_following
from .viewsets import EventListingViewSet

hooks.register("register_organization_sections", events_sections)
hooks.register("register_organization_grants", events_grants)
hooks.register("register_organization_workflows", events_workflows)
hooks.register("register_private_fields", events_private_fields)
hooks.register("register_spreadsheet_kinds", events_spreadsheet_kinds)
hooks.register("load_demo_content", load_demo_events)
hooks.register("register_record_page_sections", record_events_section)
# A member's change of public content also forgets its network's cached agenda.
hooks.register("register_public_cache_dependents", networks_following)
# The agenda's coming dates as a live dataset (``opendata``).
hooks.register("register_dataset_sources", events_dataset_sources)


@hooks.register("register_admin_viewset")
def register_event_listing():
    return EventListingViewSet()


# OpenAgenda: who keeps the settings, and the secret key among private fields.
from .declarations import events_openagenda_grants, events_openagenda_private_fields  # noqa: E402

hooks.register("register_organization_grants", events_openagenda_grants)
hooks.register("register_private_fields", events_openagenda_private_fields)

# What the agenda holds about a person (proposals, performances), for access and erasure.
from .personal_data import events_personal_data, events_retention_rules  # noqa: E402

hooks.register("register_personal_data", events_personal_data)
# Its periods of retention, applied by the privacy plugin's daily round.
hooks.register("register_retention_rules", events_retention_rules)
