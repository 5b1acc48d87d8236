"""Live sources: datasets that are views of the records a plugin keeps (no copy is stored).

The plugin that owns the records registers its sources in its ``wagtail_hooks.py``::

    @hooks.register("register_dataset_sources")
    def sources():
        return [LiveSource(
            "films.cinemas", _("Active cinemas"),
            fields=(Field("name", _("Name")), Field("location", _("Location"), "geo_point"),
                    Field("admissions", _("Admissions"), "integer", members_only=True)),
            records=cinema_records,
        )]

``records(site)`` yields one dictionary per record of ``site``'s organization, **public
records only** (published, not restricted — what the site's pages show), with every declared
field (members-only ones included: the tables drop them for whoever may not read them) and a
stable ``"_id"`` (a string). Values may be Python values (``date``, aware ``datetime``,
``Decimal``, ``(lat, lon)``): ``opendata.fields.normalise`` puts them in the records' form.

``modified(site)``, optional, is when the records last changed (DCAT's ``dct:modified``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from wagtail import hooks

from .fields import Field

HOOK = "register_dataset_sources"


@dataclass(frozen=True)
class LiveSource:
    key: str
    label: Promise | str
    fields: tuple[Field, ...]
    records: Callable[..., Iterable[dict]]
    description: Promise | str = ""
    modified: Callable[..., object] | None = None
    #: The organization kinds for which the source makes sense (``()``: any organization).
    kinds: tuple[str, ...] = field(default=())


def live_sources() -> dict[str, LiveSource]:
    """Every registered source by key, in the order of registration."""
    sources: dict[str, LiveSource] = {}
    for function in hooks.get_hooks(HOOK):
        for source in function() or ():
            sources[source.key] = source
    return sources


def live_source(key: str) -> LiveSource | None:
    return live_sources().get(key)


def source_choices() -> list[tuple[str, str]]:
    return [(key, str(source.label)) for key, source in live_sources().items()]
