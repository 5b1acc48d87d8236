"""Other plugins' items in the agenda: the ``register_agenda_sources`` registry.

An agenda (an organization's own, or a network's with its members' events) lists
``EventOccurrence`` rows. A plugin above events (``films``: its screenings) adds its own dated
items without events importing it: it registers an :class:`AgendaSource` through a Wagtail hook
in its ``wagtail_hooks.py``::

    @hooks.register("register_agenda_sources")
    def agenda_sources():
        return [AgendaSource("films.screenings", rows=screening_rows, items=screening_items,
                             params=("film",), filter_fields=film_filter_fields,
                             event_filter=events_presenting_film)]

How the agenda uses it, for each request (``events.agenda.agenda_listing``). ``scope`` is an
``events.agenda.AgendaScope``: ``agenda`` (the ``EventIndexPage``), ``request``, ``site`` (the
agenda's), ``members`` (on a network's agenda, the sharing members' ``Site`` rows, their
``organizationsettings`` loaded), ``site_ids`` (the sites to list, narrowed to one by
``?cinema=``), ``now``, ``time_zone``, ``currency``, and ``query`` (``events.agenda.AgendaQuery``:
``kind``, ``venue``, ``audience``, ``access``, ``free``, ``start``, ``end``, ``month``, ``past``,
``cinema``, ``region``, ``department``, and ``extra``, the sources' own parameters).

1. ``rows(scope)`` gives a queryset of *one* model: the source's items of the sites
   ``scope.site_ids`` (the agenda's own site, and on a network agenda the members that opted
   in), **only what the public may see**, narrowed by the filters of ``scope.query`` the source
   understands (``kind``, ``audience``, ``access``, ``free``, ``venue`` and its own ``params``,
   read from ``scope.query.extra``). A filter the source cannot tell for its items
   (``audience`` for screenings, say) means no rows while it is set. The queryset must offer,
   as fields or annotations:

   - ``start`` and ``end`` (aware datetimes, ``end`` nullable) and ``local_date`` (the day it
     starts on in its time zone): the agenda filters them for its window (coming, past, a
     month, from … to …);
   - ``site_id``, ``region`` and ``postal_code`` (text, ``""`` when unknown): the agenda
     applies the ``cinema`` (member organization), ``region`` and ``department`` filters on
     them, the same way for every source;
   - ``pk``: the row's id (an integer), handed back to ``items``.

   An empty answer keeps these columns: return ``rows.none()`` of the annotated queryset,
   never a bare ``Model.objects.none()``.

   It is never evaluated alone: the agenda adds the window and the common filters, takes the
   columns ``(source key, pk, local_date, start)`` of every source with ``union(all=True)``,
   orders them by day, start, source and id, and paginates that one query. Querying stays
   constant whatever the number of sources' rows and of member organizations.
2. ``items(ids, scope)`` receives the ids of the source's rows on the page being shown and
   returns ``{id: AgendaItem}``, in a fixed number of queries (one or two: select_related,
   prefetch). Each item links to its canonical page on its own site (a full URL: the network's
   agenda is on another host) and carries only public fields; ``organization`` and
   ``organization_host`` name the organization whose item it is (a network's agenda shows
   the name beside its members' items). The agenda sets ``local_start``, ``local_end``,
   ``href`` and ``is_member``.
3. ``filter_fields(scope)``, optional: extra select fields for the filter form, as
   ``{"name", "label", "all_label", "selected", "choices": [(value, label), …]}``; its
   ``name`` must be one of ``params``. Called only while the source lists something (no
   parameter of another source is set).
4. ``params``: the query parameters the source reads (``"film"``). They become part of the
   agenda's cache key (``EventIndexPage.public_cache_query_params``), of ``events.json`` and of
   ``embed/``, and are handed over, as given, in ``scope.query.extra``.
5. ``event_filter(query)``, optional: a ``Q`` on ``EventOccurrence`` that keeps the events
   matching the source's parameters (the events presenting a film, say), or ``None`` when none
   of them is set. While one of a source's ``params`` is set, sources that do not own it list
   nothing, and events are listed only if its owner gives an ``event_filter``.

This module imports no model, so that the models may read :func:`source_params`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

HOOK = "register_agenda_sources"
#: The key of the agenda's own rows (``EventOccurrence``); no source may take it.
EVENTS_KEY = "events"


@dataclass
class AgendaItem:
    """One line of an agenda, whatever it comes from: what the list, ``events.json`` and the
    embed show. Only public values."""

    title: str
    url: str
    start: dt.datetime
    end: dt.datetime | None = None
    all_day: bool = False
    #: The zone the times are shown in (the item's, else its organization's).
    time_zone: str = "UTC"
    #: ``EventKind`` value (``"screening"``…) and its label.
    kind: str = ""
    kind_label: str = ""
    summary: str = ""
    #: A Wagtail image whose ``events.agenda.LIST_RENDITION`` is prefetched, or ``None``.
    image: Any = None
    venue: str = ""
    venue_url: str = ""
    #: The organization whose item it is (its display name), shown on a network agenda.
    organization: str = ""
    organization_host: str = ""
    price_label: str = ""
    #: ``(field, icon, label)`` of each ``EventAccessibility`` feature offered.
    accessibility: list = field(default_factory=list)
    #: A mark beside the title (a whole event cancelled, postponed, full…) and its css name.
    status: str = ""
    status_label: str = ""
    #: This date was moved on its own (and the note said about it).
    moved: bool = False
    note: str = ""
    source: str = EVENTS_KEY
    #: A key that stays the same while the item does (its occurrence rows are rewritten when
    #: an event is published): open-data records' ``_id``.
    uid: str = ""
    #: The city and ``(latitude, longitude)`` of where it takes place, when public.
    locality: str = ""
    geo: tuple | None = None
    #: Set by the agenda: the times in ``time_zone``, the day it is listed under, the link
    #: (relative on the item's own site), whether it is a member's item on a network's agenda.
    local_start: dt.datetime | None = None
    local_end: dt.datetime | None = None
    local_date: dt.date | None = None
    href: str = ""
    is_member: bool = False


@dataclass(frozen=True)
class AgendaSource:
    """A plugin's dated items in the agendas (see the module docstring for the contract)."""

    key: str
    rows: Callable[[Any], Any]
    items: Callable[[list, Any], dict]
    params: tuple[str, ...] = ()
    filter_fields: Callable[[Any], list[dict]] | None = None
    event_filter: Callable[[Any], Any] | None = None


def agenda_sources() -> list[AgendaSource]:
    """Every registered source, each key once."""
    found: list[AgendaSource] = []
    for declare in hooks.get_hooks(HOOK):
        found.extend(declare())
    keys = [source.key for source in found]
    for key in keys:
        if key == EVENTS_KEY or keys.count(key) > 1:
            raise ImproperlyConfigured(f"The agenda source “{key}” is declared twice.")
    return found


def source_params() -> tuple[str, ...]:
    """The query parameters the registered sources read."""
    return tuple(dict.fromkeys(param for source in agenda_sources() for param in source.params))
