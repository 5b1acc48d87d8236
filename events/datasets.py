"""The agenda as open data (``opendata``'s ``register_dataset_sources``): « Agenda », the coming
dates of the organization's public agenda.

The records are the agenda's own list — the same rows its page, ``events.json`` and its embed
show (``events.agenda``): public events below the agenda, the other plugins' items (a
network's screenings) and, on a network's agenda that shows them, its members' shared events —
read in a fixed number of queries whatever their number.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opendata.fields import Field, FieldType
from opendata.sources import LiveSource

from .agenda import agenda_parts, agenda_scope, combined_rows, listed_items
from .models import EventIndexPage

#: The most dates a dataset lists (the nearest first): a year of a busy network's screenings.
MAX_RECORDS = 20000

AGENDA_FIELDS = (
    Field("title", _("Title")),
    Field("start", _("Start"), FieldType.DATETIME),
    Field("end", _("End"), FieldType.DATETIME),
    Field("all_day", _("All day"), FieldType.BOOLEAN),
    Field("kind", pgettext_lazy("event", "Kind"), facet=True),
    Field("venue", _("Venue")),
    Field("city", _("City"), facet=True),
    Field("location", _("Location"), FieldType.GEO_POINT),
    Field("price", _("Price")),
    Field("accessibility", _("Accessibility")),
    Field("organization", _("Organization"), facet=True),
    Field("page_url", _("Page on the portal"), FieldType.URL),
)


def agenda_records(site):
    """The coming dates of ``site``'s agenda, nearest first."""
    agenda = EventIndexPage.objects.descendant_of(site.root_page).live().first()
    if agenda is None:
        return
    scope = agenda_scope(agenda, None)
    parts = agenda_parts(scope)
    rows = list(combined_rows(parts.parts)[:MAX_RECORDS])
    for item in listed_items(rows, scope, parts.sources):
        yield {
            "_id": item.uid or f"{item.source}-{item.start:%Y%m%dT%H%M%S}-{item.url}",
            "title": item.title,
            "start": item.start,
            "end": item.end,
            "all_day": item.all_day,
            "kind": item.kind_label,
            "venue": item.venue,
            "city": item.locality,
            "location": item.geo,
            "price": item.price_label,
            "accessibility": ", ".join(str(label) for _name, _icon, label in item.accessibility),
            "organization": item.organization,
            "page_url": item.url,
        }


def events_dataset_sources():
    return [
        LiveSource(
            "events.agenda",
            _("Agenda"),
            fields=AGENDA_FIELDS,
            records=agenda_records,
            description=_("The coming dates of the organization's public agenda."),
        )
    ]
