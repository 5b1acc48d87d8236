"""Writing the access log: who viewed, exported or changed private details, and which.

Three sources, each written where it is known, never where the values are:

- **views** — ``privacy.middleware.AccessLogMiddleware`` notes, for a GET of an admin view that
  shows one record of a model with registered private fields (a viewset's edit or inspect view,
  the page editor of a page with a private twin), the record the view answered with, and writes
  one row once the view answered 200 (``log_view``);
- **changes** — ``post_save``/``post_delete``/``m2m_changed`` of every model with registered
  private fields (``privacy.registry``): the *names* of the private fields whose value differs
  from the one loaded from the database (noted on ``post_init``), never the values. The rows
  of one request are merged per record and written at its end in one INSERT;
- **exports** — the spreadsheets kit's ``after_spreadsheet_export`` hook (``log_export``): how
  many rows of which kind left, in which format.

Who acted comes from the current ``AccessContext``: the request's signed-in user (set by the
middleware for every request), or the name of a command (``access_log_actor("privacy_erase")``).
Changes outside any context (migrations, tests, the bulk import path, which sends no signal) and
by anonymous visitors are not logged.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone
from django.utils.text import capfirst
from wagtail.models import Page

from .models import AccessLog, AccessLogAction, AccessLogSettings
from .models.access_log import DEFAULT_RETENTION_DAYS
from .models.records import PrivateRecord
from .registry import declarations

#: Who exported when no one signed in did: a command run on the server.
SYSTEM_ACTOR = "system"
#: Where the values loaded from the database are kept on an instance, to tell what changed.
LOADED = "_privacy_loaded_values"


# --- Which models are watched -------------------------------------------------------------------


@dataclass(frozen=True)
class Watched:
    """A model's registered private fields: concrete ones (name → attname) and many-to-many
    ones (through model → name)."""

    concrete: dict[str, str]
    many_to_many: dict[type[models.Model], str]


@cache
def watched_models() -> dict[type[models.Model], Watched]:
    """Every model with registered private fields (the log's own models excepted)."""
    found = {}
    for declaration in declarations():
        model = declaration.get_model()
        if model._meta.app_label == "privacy" and not issubclass(model, PrivateRecord):
            continue
        concrete, many = {}, {}
        for name in declaration.fields:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a stale declaration: the registry's tests say so
                continue
            if model_field.many_to_many and not model_field.auto_created:
                many[model_field.remote_field.through] = name
            elif model_field.concrete:
                concrete[name] = model_field.attname
        found[model] = Watched(concrete, many)
    return found


def is_watched(model) -> bool:
    return model in watched_models()


# --- The current context ------------------------------------------------------------------------


@dataclass
class AccessContext:
    """Who acts now (a request's user, or a command) and the changes not yet written."""

    request: object | None = None
    actor: str = ""
    pending: dict[tuple[int, str], dict] = field(default_factory=dict)

    def user(self):
        """The request's signed-in user, or ``None`` (anonymous, or a command)."""
        user = getattr(self.request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user

    def known(self) -> bool:
        """Whether someone the log can name acts (the user is read once, when first needed)."""
        return bool(self.actor) or self.user() is not None

    def add(self, instance, action: str, names: Iterable[str]) -> None:
        """Note a change of ``instance`` (merged with the earlier ones of the same record);
        nothing for an anonymous visitor, who changes only their own details."""
        if not self.known():
            return
        content_type = ContentType.objects.get_for_model(type(instance))
        key = (content_type.pk, str(instance.pk))
        entry = self.pending.get(key)
        if entry is None:
            self.pending[key] = {
                "content_type": content_type,
                "object_id": str(instance.pk),
                "object_label": record_label(instance),
                "site_id": site_id_of(instance),
                "action": action,
                "fields": dict.fromkeys(names),
                "at": timezone.now(),
            }
            return
        entry["fields"].update(dict.fromkeys(names))
        if action == AccessLogAction.DELETED or entry["action"] != AccessLogAction.CREATED:
            entry["action"] = action

    def flush(self) -> int:
        """Write the pending changes (one INSERT), if someone known made them."""
        if not self.pending:
            return 0
        pending, self.pending = self.pending, {}
        user = self.user()
        actor = actor_name(user) if user is not None else self.actor
        if not actor:
            return 0
        rows = [
            AccessLog(
                user=user,
                actor=actor,
                fields=list(entry.pop("fields")),
                **entry,
            )
            for entry in pending.values()
        ]
        AccessLog.objects.bulk_create(rows)
        return len(rows)


_context: contextvars.ContextVar[AccessContext | None] = contextvars.ContextVar(
    "privacy_access_context", default=None
)


def current_context() -> AccessContext | None:
    return _context.get()


@contextlib.contextmanager
def access_context(*, request=None, actor: str = ""):
    """Run a request or a command as someone the log knows; what changed is written at the end
    (also after an error: what was saved before it was saved)."""
    context = AccessContext(request=request, actor=actor[:150])
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)
        context.flush()


def access_log_actor(name: str):
    """For a management command or a task: its changes to private details are logged under
    ``name`` (``with access_log_actor("privacy_erase"): …``)."""
    return access_context(actor=name)


# --- Labels, organizations, actors --------------------------------------------------------------


def actor_name(user) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full_name or user.get_username())[:150]


def _record_title(model: type[PrivateRecord], pk) -> str:
    keys = model._default_manager.filter(pk=pk).values("translation_key")
    return (
        Page.objects.filter(translation_key__in=keys)
        .order_by("pk")
        .values_list("title", flat=True)
        .first()
        or ""
    )


def record_label(instance) -> str:
    """What staff call a record, without any private value: a twin's page title; for a row
    tied to a twin (a consent, a note), that record's title and the row's kind; else its kind
    and id. A model may say better with an ``access_log_label()`` method."""
    custom = getattr(instance, "access_log_label", None)
    if callable(custom):
        return str(custom())[:255]
    kind = capfirst(str(instance._meta.verbose_name))
    if isinstance(instance, PrivateRecord):
        name = getattr(instance, "name", None)
        if not isinstance(name, str) or not name:
            name = _record_title(type(instance), instance.pk)
        return (name or f"{kind} #{instance.pk}")[:255]
    if isinstance(instance, Page):
        return instance.title[:255]
    for model_field in instance._meta.concrete_fields:
        related = model_field.related_model if model_field.many_to_one else None
        if related is not None and issubclass(related, PrivateRecord):
            related_pk = getattr(instance, model_field.attname)
            if related_pk is not None:
                title = _record_title(related, related_pk)
                if title:
                    return f"{title} — {kind}"[:255]
    return f"{kind} #{instance.pk}"[:255]


def site_id_of(instance) -> int | None:
    """The id of ``instance``'s organization, following its queryset's ``site_lookup`` (the last
    step read as an id, so ``"site"`` costs no query)."""
    if isinstance(instance, Page):
        site = instance.get_site()
        return site.pk if site else None
    queryset = type(instance)._default_manager.all()
    path = getattr(queryset, "site_lookup", "site").split("__")
    value = instance
    for attribute in path[:-1]:
        value = getattr(value, attribute, None)
        if value is None:
            return None
    try:
        last = type(value)._meta.get_field(path[-1])
    except FieldDoesNotExist:  # a model without a site
        return None
    return getattr(value, last.attname, None) if last.many_to_one else None


# --- Changes ------------------------------------------------------------------------------------


def _values(instance, watched: Watched) -> dict:
    loaded = instance.__dict__
    return {attname: loaded[attname] for attname in watched.concrete.values() if attname in loaded}


def note_loaded_values(sender, instance, **kwargs) -> None:
    """``post_init``: remember the private values as loaded, to name those a save changes."""
    if _context.get() is None:
        return
    watched = watched_models().get(sender)
    if watched is not None:
        instance.__dict__[LOADED] = _values(instance, watched)


def log_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    context = _context.get()
    if raw or context is None:
        return
    watched = watched_models().get(sender)
    if watched is None:
        return
    current = _values(instance, watched)
    loaded = instance.__dict__.get(LOADED)
    if created:
        names = [name for name, attname in watched.concrete.items() if current.get(attname)]
        action = AccessLogAction.CREATED
    elif loaded is None:
        # Loaded before anyone was known: only what the save names, if it does.
        names = [name for name in watched.concrete if update_fields and name in update_fields]
        action = AccessLogAction.CHANGED
    else:
        names = [
            name
            for name, attname in watched.concrete.items()
            if attname in loaded and attname in current and loaded[attname] != current[attname]
        ]
        if not names:
            return
        action = AccessLogAction.CHANGED
    instance.__dict__[LOADED] = current
    context.add(instance, action, names)


def log_deleted(sender, instance, **kwargs) -> None:
    context = _context.get()
    if context is None or not is_watched(sender):
        return
    context.add(instance, AccessLogAction.DELETED, ())


def log_many_to_many(sender, instance, action, reverse, **kwargs) -> None:
    context = _context.get()
    if context is None or reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    watched = watched_models().get(type(instance))
    if watched is None or sender not in watched.many_to_many:
        return
    context.add(instance, AccessLogAction.CHANGED, [watched.many_to_many[sender]])


def connect_signals() -> None:
    """Called once by the app's ``ready``."""
    post_init.connect(note_loaded_values, dispatch_uid="privacy_access_loaded")
    post_save.connect(log_saved, dispatch_uid="privacy_access_saved")
    post_delete.connect(log_deleted, dispatch_uid="privacy_access_deleted")
    m2m_changed.connect(log_many_to_many, dispatch_uid="privacy_access_m2m")


# --- Views and exports --------------------------------------------------------------------------


def log_view(*, user, instance, site_id=None, detail: str = "") -> AccessLog:
    """One row: ``user`` looked at ``instance``'s private details (one INSERT: written without
    ``save()``, whose ``post_save`` receivers of other apps would read it back)."""
    entry = AccessLog(
        user=user,
        actor=actor_name(user),
        action=AccessLogAction.VIEWED,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_label=record_label(instance),
        site_id=site_id if site_id is not None else site_id_of(instance),
        detail=detail[:100],
    )
    AccessLog.objects.bulk_create([entry])
    return entry


def exported_model_is_private(model) -> bool:
    """An export is logged when its rows are, or have, private details: a model with
    registered private fields, or a page with a private twin that is."""
    from .pages import twin_model_of

    if is_watched(model):
        return True
    twin = twin_model_of(model) if issubclass(model, Page) else None
    return twin is not None and is_watched(twin)


def log_export(request, *, model, kind: str, fmt: str, rows: int, sites=()) -> list[AccessLog]:
    """An ``after_spreadsheet_export`` hook: one row per organization exported from, with the
    number of rows of the file, if the rows hold private details."""
    if not exported_model_is_private(model):
        return []
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        # A command (``export_records``): under its context's name, else the system's.
        context = _context.get()
        actor = (context.actor if context is not None else "") or SYSTEM_ACTOR
        user = None
    else:
        actor = actor_name(user)
    content_type = ContentType.objects.get_for_model(model)
    site_ids = [getattr(site, "pk", site) for site in sites] or [None]
    entries = [
        AccessLog(
            user=user,
            actor=actor,
            action=AccessLogAction.EXPORTED,
            content_type=content_type,
            object_label=capfirst(str(model._meta.verbose_name_plural))[:255],
            rows=rows,
            site_id=site_id,
            detail=f"{kind}.{fmt}"[:100],
        )
        for site_id in site_ids
    ]
    return AccessLog.objects.bulk_create(entries)


# --- Retention ----------------------------------------------------------------------------------


def purge_access_log(now: dt.datetime | None = None) -> int:
    """Delete the entries older than each organization keeps them (``AccessLogSettings``,
    a year by default); return how many were deleted. One DELETE per retention period in use."""
    now = now or timezone.now()
    custom: dict[int, list[int]] = {}
    for site_id, days in AccessLogSettings.objects.exclude(
        retention_days=DEFAULT_RETENTION_DAYS
    ).values_list("site_id", "retention_days"):
        custom.setdefault(days, []).append(site_id)
    deleted = 0
    # ``_raw_delete``: one DELETE, rows not loaded (``delete()`` would load them, since
    # receivers listen to every model's ``post_delete``); nothing refers to a log entry.
    entries = AccessLog.objects.all()
    for days, site_ids in custom.items():
        deleted += entries.filter(
            site_id__in=site_ids, at__lt=now - dt.timedelta(days=days)
        )._raw_delete(entries.db)
    customised = [site_id for site_ids in custom.values() for site_id in site_ids]
    deleted += (
        entries.exclude(site_id__in=customised)
        .filter(at__lt=now - dt.timedelta(days=DEFAULT_RETENTION_DAYS))
        ._raw_delete(entries.db)
    )
    return deleted


# --- Erasure ------------------------------------------------------------------------------------


def access_log_forget(model: type[models.Model], object_ids: Iterable) -> int:
    """Blank the record label of the entries about ``model``'s ``object_ids`` (an erasure: the
    log still says who viewed, changed or exported what kind of record and when, no longer whose
    it was). Call it for the twin and for each of its pages. Returns how many entries changed."""
    content_type = ContentType.objects.get_for_model(model)
    return (
        AccessLog.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in object_ids]
        )
        .exclude(object_label="")
        .update(object_label="")
    )
