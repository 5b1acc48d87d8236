"""Erasure: the plan staff confirm, then the erasure itself, and its proof.

``erasure_plan(subject)`` lists, per registered source, how many items will be deleted, how many
anonymized and kept, and why (``privacy.personal_data``). ``erase_subject`` runs every source's
``erase`` in one transaction, then wipes the traces that the sources' records left behind in
Wagtail and in the worker's stores — log entries and their data, the search and reference
indexes, task results that quote the person — and, once committed, deletes the files and
clears the caches that may hold rendered copies (cached pages, structured data and feeds).
What remains is an ``ErasureProof`` that holds no personal information.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connections, models, router, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry, ReferenceIndex
from wagtail.search import index

from .access import access_log_forget
from .access import current_context as current_access_context
from .models import ErasureProof, PrivacyRequest, PrivacyRequestEvent
from .models.requests import subject_reference
from .personal_data import DataSubject, ErasureContext, Outcome, PersonalDataSource, sources

logger = logging.getLogger(__name__)

#: Identifiers shorter than this are not hunted in free text (too many false matches).
MIN_IDENTIFIER_LENGTH = 5


@dataclass(frozen=True)
class PlanLine:
    """One source's part of an erasure, as the confirmation shows it."""

    source: PersonalDataSource
    deleted: int
    anonymized: int
    kept: int

    @property
    def total(self) -> int:
        return self.deleted + self.anonymized + self.kept

    @property
    def reason(self):
        return self.source.retention.reason if self.source.retention else ""

    def as_summary(self) -> dict:
        return {
            "source": self.source.key,
            "label": str(self.source.label),
            "deleted": self.deleted,
            "anonymized": self.anonymized,
            "kept": self.kept,
            "reason": str(self.reason),
        }


def _count(source: PersonalDataSource, items) -> PlanLine:
    counts = dict.fromkeys(Outcome, 0)
    for item in items:
        counts[source.planned_outcome(item)] += 1
    return PlanLine(
        source, counts[Outcome.DELETED], counts[Outcome.ANONYMIZED], counts[Outcome.KEPT]
    )


def erasure_plan(subject: DataSubject) -> list[PlanLine]:
    """What an erasure of ``subject`` will do, source by source (sources with nothing left out)."""
    lines = [_count(source, list(source.find(subject))) for source in sources()]
    return [line for line in lines if line.total]


def _content_type_ids(model) -> set[int]:
    return {
        ContentType.objects.get_for_model(model).pk,
        ContentType.objects.get_for_model(model, for_concrete_model=False).pk,
    }


def _wipe_history(forgotten: list[tuple[type[models.Model], object]]) -> None:
    """Log entries, reference-index and search-index rows of every object an erasure touched
    (deleted or anonymized: the history of an anonymized record still names the person)."""
    by_model: dict[type[models.Model], set] = {}
    for model, pk in forgotten:
        by_model.setdefault(model, set()).add(pk)
    for model, pks in by_model.items():
        type_ids = _content_type_ids(model)
        keys = [str(pk) for pk in pks]
        ModelLogEntry.objects.filter(content_type_id__in=type_ids, object_id__in=keys).delete()
        access_log_forget(model, pks)
        if issubclass(model, _page_model()):
            PageLogEntry.objects.filter(page_id__in=pks).delete()
        ReferenceIndex.objects.filter(
            models.Q(base_content_type_id__in=type_ids, object_id__in=keys)
            | models.Q(content_type_id__in=type_ids, object_id__in=keys)
            | models.Q(to_content_type_id__in=type_ids, to_object_id__in=keys)
        ).delete()
        if issubclass(model, index.Indexed):
            for instance in model._default_manager.filter(pk__in=pks):
                index.remove_object(instance)


def _forget_pending_labels() -> None:
    """The access log notes this erasure's changes (who deleted what kind of record, when),
    written once the request ends: they must not name the person either."""
    context = current_access_context()
    if context is not None:
        for entry in context.pending.values():
            entry["object_label"] = ""


def _page_model():
    from wagtail.models import Page

    return Page


def _json_text_forms(value: str) -> set[str]:
    """How ``value`` may be spelled inside stored JSON: as is, and with non-ASCII escaped."""
    escaped = value.encode("ascii", "backslashreplace").decode("ascii")
    escaped = escaped.replace("\\x", "\\u00")
    return {value, escaped}


def _quoting(model, field_names: list[str], identifiers: set[str]) -> models.QuerySet:
    """Rows of ``model`` whose text or JSON ``field_names`` quote one of ``identifiers``."""
    condition = models.Q()
    annotations = {}
    for name in field_names:
        alias = f"_text_{name}"
        annotations[alias] = Cast(name, models.TextField())
        for identifier in identifiers:
            for form in _json_text_forms(identifier):
                condition |= models.Q(**{f"{alias}__icontains": form})
    if not condition:
        return model._default_manager.none()
    return model._default_manager.annotate(**annotations).filter(condition)


def _hunt(identifiers: set[str]) -> None:
    """The stores Wagtail and the worker keep beside the records: log entries of other objects
    that quote the person (a note's label, a page's title in a move) and task results."""
    hunted = {value for value in identifiers if value and len(value) >= MIN_IDENTIFIER_LENGTH}
    if not hunted:
        return
    _quoting(ModelLogEntry, ["label", "data"], hunted).delete()
    _quoting(PageLogEntry, ["label", "data"], hunted).delete()
    # Sign-in attempts and logins that django-axes keeps under the login name (an e-mail).
    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = models.Q()
        for identifier in hunted:
            names |= models.Q(username__iexact=identifier)
        model._default_manager.filter(names).delete()
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps no results in the database
        return
    _quoting(DBTaskResult, ["args_kwargs", "return_value", "traceback"], hunted).delete()


def _drop_orphan_tasks() -> None:
    """Queued tasks about an object the erasure deleted (Wagtail's reference-index update of a
    page just saved, say) would fail once the worker reaches them: they go too. Such a task's
    arguments are the object's ``app_label``, ``model_name`` and primary key."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps no queue in the database
        return
    orphans = []
    for result in DBTaskResult.objects.filter(status="READY").only("id", "args_kwargs"):
        arguments = (result.args_kwargs or {}).get("args") or []
        if len(arguments) != 3 or not all(isinstance(a, (str, int)) for a in arguments):
            continue
        try:
            model = apps.get_model(str(arguments[0]), str(arguments[1]))
        except (LookupError, ValueError):
            continue
        try:
            gone = not model._default_manager.filter(pk=arguments[2]).exists()
        except (TypeError, ValueError):
            continue
        if gone:
            orphans.append(result.pk)
    DBTaskResult.objects.filter(pk__in=orphans).delete()


def _compact_search_index() -> None:
    """SQLite's full-text tables (Wagtail's search index) keep a deleted row's words in their
    segments until they are merged: merge them, so that the words are gone, not just unlisted.
    (PostgreSQL's dead rows are removed by its autovacuum.)"""
    connection = connections[router.db_for_write(ModelLogEntry)]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        )
        for (table,) in cursor.fetchall():
            quoted = connection.ops.quote_name(table)
            # A table name read from sqlite_master, quoted: no outside input.
            cursor.execute(f"INSERT INTO {quoted}({quoted}) VALUES ('optimize')")  # noqa: S608


def _after_commit(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("privacy: could not delete the erased file %s", name)
    # Cached pages, graphs and feeds may still render the person: nothing cached survives.
    for alias in settings.CACHES:
        caches[alias].clear()


def erase_subject(
    subject: DataSubject,
    *,
    user=None,
    by_name: str = "",
    request: PrivacyRequest | None = None,
) -> ErasureProof:
    """Erase everything the organization holds about ``subject``, but what a legal reason keeps
    (anonymized); returns the proof. One transaction: on any error, nothing is erased."""
    now = timezone.now()
    context = ErasureContext(subject=subject, user=user, now=now, identifiers={subject.email})
    with transaction.atomic():
        found = [(source, list(source.find(subject))) for source in sources()]
        for source, items in found:
            if source.identifiers is not None:
                for item in items:
                    context.identifiers.update(
                        value.strip() for value in source.identifiers(item) if value
                    )
        lines = []
        for source, items in found:
            counts = dict.fromkeys(Outcome, 0)
            for item in items:
                counts[source.erase(item, context)] += 1
            if items:
                lines.append(
                    PlanLine(
                        source,
                        counts[Outcome.DELETED],
                        counts[Outcome.ANONYMIZED],
                        counts[Outcome.KEPT],
                    )
                )
        _wipe_history(context.forgotten)
        _forget_pending_labels()
        _hunt(context.identifiers)
        _drop_orphan_tasks()
        _compact_search_index()
        proof = ErasureProof.objects.create(
            site=subject.site,
            request=request,
            erased_at=now,
            erased_by=user if getattr(user, "pk", None) else None,
            erased_by_name=by_name or (user.get_full_name() or user.get_username() if user else ""),
            reference=subject_reference(subject.site.pk, subject.email),
            summary=[line.as_summary() for line in lines],
        )
        if request is not None:
            PrivacyRequestEvent.objects.create(
                request=request, action=PrivacyRequestEvent.Action.ERASED, user=proof.erased_by
            )
        transaction.on_commit(lambda: _after_commit(context.files))
    return proof
