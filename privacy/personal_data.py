"""The registry of personal data: what each plugin holds about a person, and how to hand it over
or erase it.

Each plugin declares its sources in its own code, with the hook ``register_personal_data``::

    @hooks.register("register_personal_data")
    def personal_data():
        return [
            PersonalDataSource(
                key="crm_blocks.notes",
                label=_("Timeline notes"),
                find=lambda subject: ContactNote.objects.filter(contact__in=contacts_of(subject)),
                export=lambda note: {"date": note.created_at, "note": note.body},
            ),
        ]

Every privacy feature (access and portability, erasure, retention) works only through this
registry, so that a plugin is covered by declaring its data, and nothing else has to know it.

A source finds the items (usually model instances) that concern one *data subject*: a person
known to an organization by an e-mail address. ``export`` turns one item into a flat mapping of
readable values; ``erase`` deletes it by default, or a source says how it anonymizes an item that
a legal reason keeps (``retention``), e.g. the accounting records of bookings and fees.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from wagtail import hooks
from wagtail.models import Site

from public_cache.generations import invalidate_sites

HOOK_NAME = "register_personal_data"


class Outcome(enum.StrEnum):
    """What an erasure does to one item."""

    DELETED = "deleted"
    ANONYMIZED = "anonymized"
    KEPT = "kept"


@dataclass(frozen=True)
class LegalRetention:
    """Why an item outlives an erasure request (anonymized) and for how long."""

    reason: Promise | str
    years: int


@dataclass
class DataSubject:
    """A person as one organization knows them: by an e-mail address, in that organization only.

    ``memo`` lets sources share a lookup (the person's CRM records, say) during one export or
    erasure, so that each source does not find them again.
    """

    site: Site
    email: str
    memo: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.email = normalise_email(self.email)

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@dataclass
class ErasureContext:
    """What an erasure carries from one source to the next.

    - ``forget(obj)``: besides deleting or anonymizing it, wipe the object's history (its log
      entries, search-index and reference-index rows): call it for every item a source touches.
    - ``delete_file(storage, name)``: a stored file to delete once the erasure is committed.
    - ``identifiers``: the person's distinctive values (e-mails, names, phone numbers), hunted
      in free-text stores (import reports, task results) after every source has run.
    """

    subject: DataSubject
    user: Any = None
    now: Any = None
    identifiers: set[str] = field(default_factory=set)
    forgotten: list[tuple[type[models.Model], Any]] = field(default_factory=list)
    files: list[tuple[Any, str]] = field(default_factory=list)

    def forget(self, obj: models.Model) -> None:
        self.forgotten.append((type(obj), obj.pk))

    def delete_file(self, storage, name: str) -> None:
        if name:
            self.files.append((storage, name))


def _delete(item, context: ErasureContext) -> Outcome:
    context.forget(item)
    item.delete()
    return Outcome.DELETED


@dataclass(frozen=True)
class PersonalDataSource:
    """One kind of personal data a plugin holds.

    - ``key``: a stable name (``"app_label.what"``), the key of its part in exports;
    - ``label``: what the person and staff read (translatable);
    - ``find(subject)``: the items about the person, within ``subject.site`` only;
    - ``export(item)``: one item as a flat ``{column: value}`` mapping (strings, numbers, dates);
    - ``erase(item, context)``: delete or anonymize ``item``; returns the ``Outcome`` (by default
      deletes it);
    - ``outcome(item)``: which ``Outcome`` ``erase`` will have, for the confirmation that lists
      what will be deleted, anonymized or kept (by default: deleted when ``retention`` is None,
      anonymized otherwise);
    - ``identifiers(item)``: the item's distinctive personal values, hunted elsewhere;
    - ``retention``: the legal reason that keeps items (anonymized) after an erasure;
    - ``order``: erasure order, lower first (dependents before the records they point to);
    - ``unpublish(item, user)``: stop disseminating ``item`` (unpublish the person's page, take
      them out of public listings and credits) without deleting it; returns how many public
      things were withdrawn (``None``: the source publishes nothing).
    """

    key: str
    label: Promise | str
    find: Callable[[DataSubject], Iterable]
    export: Callable[[Any], dict]
    erase: Callable[[Any, ErasureContext], Outcome] = _delete
    outcome: Callable[[Any], Outcome] | None = None
    identifiers: Callable[[Any], Iterable[str]] | None = None
    retention: LegalRetention | None = None
    order: int = 100
    unpublish: Callable[[Any, Any], int] | None = None

    def planned_outcome(self, item) -> Outcome:
        if self.outcome is not None:
            return self.outcome(item)
        return Outcome.DELETED if self.retention is None else Outcome.ANONYMIZED


def sources() -> list[PersonalDataSource]:
    """Every registered source, in erasure order (then registration order)."""
    found: dict[str, PersonalDataSource] = {}
    for declare in hooks.get_hooks(HOOK_NAME):
        for source in declare():
            if source.key in found:
                raise ValueError(f"Two personal-data sources are named {source.key!r}.")
            found[source.key] = source
    return sorted(found.values(), key=lambda source: source.order)


def items_of(source: PersonalDataSource, subject: DataSubject) -> list:
    return list(source.find(subject))


def dissemination_stop(subject: DataSubject, *, user=None) -> int:
    """Cessation of dissemination: every source that publishes something about ``subject``
    withdraws it; the records stay. Returns how many public things were withdrawn."""
    withdrawn = 0
    for source in sources():
        if source.unpublish is None:
            continue
        for item in source.find(subject):
            withdrawn += source.unpublish(item, user) or 0
    # Cached pages that listed the person (an organization's page, an index) are forgotten too.
    invalidate_sites(site_ids=[subject.site.pk])
    return withdrawn
