"""The events plugin's models, split by domain: the pages (``pages``), the dates they take
place on (``occurrences``), what is never published (``private``), and a member's consent to
show its events in a network's agenda (``network``)."""

from .network import NetworkMembers, NetworkSharing
from .occurrences import EventOccurrence, EventPublication
from .pages import (
    EventAccessibility,
    EventAttendance,
    EventAudience,
    EventIndexPage,
    EventKind,
    EventOccurrenceChange,
    EventPage,
    EventPerformer,
    EventStatus,
)
from .private import EventPrivate

__all__ = [
    "EventAccessibility",
    "EventAttendance",
    "EventAudience",
    "EventIndexPage",
    "EventKind",
    "EventOccurrence",
    "EventOccurrenceChange",
    "EventPage",
    "EventPerformer",
    "EventPrivate",
    "EventPublication",
    "EventStatus",
    "NetworkMembers",
    "NetworkSharing",
]

# The OpenAgenda sync's settings and links (``events.openagenda``).
from .openagenda import OpenAgendaLink, OpenAgendaPullMode, OpenAgendaSettings  # noqa: E402

__all__ += ["OpenAgendaLink", "OpenAgendaPullMode", "OpenAgendaSettings"]
