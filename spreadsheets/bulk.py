"""Create and update Wagtail pages in batches, writing what Wagtail's one-by-one path writes.

Why: a spreadsheet import may create 10,000 record pages. ``parent.add_child(instance=page)``,
``page.save_revision()`` and ``revision.publish()`` cost some twenty queries and a dozen signal
receivers per page (60–140 pages/s). The two services below write the same rows — the tree,
the page and specific tables, child relations, one revision per page, the audit log, the search
and reference indexes, the rows that come with each new page (a record's private twin, and what
plugins add) — with a fixed number of queries per batch of pages, whatever the batch's length.

What "the same rows" means is checked field by field against Wagtail's own path in
``tests/spreadsheets/test_bulk_pages.py``; only primary keys and timestamps differ (one timestamp
for the whole call, where Wagtail takes a new one at each step).

No signal is sent per page, on purpose: that is where the time goes. Every receiver of this
installation is either replaced here or irrelevant to new and edited record pages:

- ``post_save`` → Wagtail's search index task: queued here once per batch
  (``search_index_task``, which calls ``backend.add_bulk()``);
- ``post_save`` → Wagtail's reference index task: done here, one insert per batch;
- ``post_save`` receivers that give a new page companion rows (``privacy``'s private twin of a
  record page, and whatever a plugin adds): each registers a ``bulk_create_page_companions``
  hook too, called here once per batch — ``fn(model, pages, site=, now=, insert=)`` — and hands
  its rows to ``insert(model, [values, …])``, one statement whatever the batch's length (rows
  already there, e.g. made by the importer, are kept);
- ``post_save`` → ``public_cache.signals``: only reacts to sites, view restrictions and the
  models that declare ``public_site_lookup`` (organization settings), never to pages;
- ``page_published`` / ``published`` → ``public_cache.signals.page_changed`` drops the site's
  cached pages and JSON-LD graphs: **the caller invalidates them once** after a bulk write
  (``public_cache.generations.invalidate_sites(url_paths=[parent.url_path])``); Wagtail's
  frontend-cache and API-cache purgers listen there too but are not installed;
- ``m2m_changed`` for parental many-to-many fields (roles): no receiver;
- ``page_slug_changed`` (redirects), alias updates, workflow cancellation, comment handling and
  scheduled publishing: the pages that need them are left to Wagtail (see each function).

Why one module of about a thousand lines: creating and updating share every step below (deriving
fields, cleaning, child relations, revisions, log entries, indexes), and each step must write what
Wagtail writes; kept together, they read as the one algorithm the tests compare with Wagtail's
own path. The SQL underneath is ``sql.py``.

The reference index is updated inside the caller's transaction; the search index task is
queued there too, so both are rolled back with everything else, and the worker indexes the
pages once the transaction commits (as it does for Wagtail's own saves).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import (
    CharField,
    F,
    Model,
    OuterRef,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from modelcluster.utils import sort_by_fields
from treebeard.exceptions import PathOverflow
from wagtail import hooks
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.log_actions import get_active_log_context
from wagtail.models import (
    COMMENTS_RELATION_NAME,
    Comment,
    Page,
    PageLogEntry,
    ReferenceIndex,
    Revision,
    WorkflowState,
)
from wagtail.search.backends import get_search_backends

from .sql import Row, chunks, insert_rows, save_new_rows, update_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

BATCH_SIZE = 500

#: Tree columns: computed here on creation, never written back from an instance on update (a
#: stale instance would otherwise undo a concurrent ``numchild`` change).
TREE_FIELDS = {"path", "depth", "numchild", "url_path"}


class PageValidationError(ValueError):
    """One page of a batch is invalid; nothing has been written.

    ``index`` is the page's position in the list passed in (from 0) and ``error`` the
    ``ValidationError`` Wagtail's own path would have raised, so that an importer can point at
    the row and the column."""

    def __init__(self, *, index: int, page: Page, error: ValidationError):
        self.index = index
        self.error = error
        if hasattr(error, "error_dict"):
            details = "; ".join(
                f"{_field_label(page, field)}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
        else:
            details = " ".join(error.messages)
        super().__init__(
            _("Page %(number)d (“%(title)s”) is invalid: %(details)s")
            % {"number": index + 1, "title": page.title or "", "details": details}
        )


def _field_label(page: Page, name: str) -> str:
    """A field's name as staff know it ("titre"), not as the code spells it ("title")."""
    try:
        return str(page._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - "__all__" or a name that is not a field
        return name


def pages_bulk_create(
    *,
    parent: Page,
    pages: list[Page],
    user: AbstractBaseUser | None = None,
    publish: bool = False,
    batch_size: int = BATCH_SIZE,
) -> list[Page]:
    """Insert ``pages`` as the last children of ``parent``, in the given order, each with one
    revision — as ``parent.add_child(instance=page)``, ``page.save_revision(user=user,
    log_action=True)`` and, with ``publish``, ``revision.publish(user=user)`` would.

    ``pages`` are unsaved instances of ONE specific page model with their content fields and
    title set; a missing slug is made from the title and de-duplicated among the parent's
    children ("marie-roy", "marie-roy-2", …). ``page.live`` is ignored: ``publish`` decides.
    ``owner`` becomes ``user`` when one is given.

    Everything is validated before anything is written (``PageValidationError`` names the
    page); the database's own constraints (foreign keys, unique columns) are not checked in
    Python, they fail the transaction instead. Must run inside ``transaction.atomic()``: an
    error in any batch then leaves the tree as it was.

    Pages published with a ``go_live_at`` in the future are created as drafts here, then
    scheduled by Wagtail's own ``revision.publish()``, one by one. Unsaved comments are refused.

    Returns ``pages``, saved: primary keys, tree position, ``latest_revision`` (and
    ``live_revision``) set.
    """
    using = router.db_for_write(Page)
    _require_atomic(using)
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    if not pages:
        return pages
    model = type(pages[0])
    _check_new_pages(model, pages)
    _derive_fields(model, pages)  # add_child's save() derives them before the revision
    now = timezone.now()

    # Lock the parent row: a concurrent import under the same parent waits here, then reads
    # the children this one added (on SQLite the whole database is locked by the first write).
    parent_row = Page._base_manager.using(using).select_for_update().get(pk=parent.pk)
    siblings = list(
        Page._base_manager.using(using)
        .filter(path__startswith=parent_row.path, depth=parent_row.depth + 1)
        .values_list("path", "slug")
    )
    last_path = max((path for path, _slug in siblings), default=None)
    _place_in_tree(parent_row, pages, last_path)
    _assign_slugs(parent_row, pages, taken={slug for _path, slug in siblings})

    content_type = ContentType.objects.get_for_model(model)
    for index, page in enumerate(pages):
        page.content_type_id = content_type.pk
        if page.locale_id is None:
            page.locale_id = parent_row.locale_id
        if not page.draft_title:
            page.draft_title = page.title
        if user is not None:
            page.owner = user
        page.live = False  # as the importer does: created as a draft, then published
        _clean(page, index)
    if publish and user is not None and not pages[0].permissions_for_user(user).can_publish():
        raise PublishPagePermissionError(_("You do not have permission to publish this page."))

    scheduled: dict[int, dict | None] = {
        id(page): None for page in pages if publish and page.go_live_at and page.go_live_at > now
    }
    site = parent_row.get_site()
    for batch in chunks(pages, batch_size):
        published = [publish and id(page) not in scheduled for page in batch]
        contents = _create_batch(
            model, batch, published, user=user, now=now, site=site, using=using
        )
        for page, content in zip(batch, contents, strict=True):
            if id(page) in scheduled:
                scheduled[id(page)] = content

    Page._base_manager.using(using).filter(pk=parent_row.pk).update(
        numchild=F("numchild") + len(pages)
    )
    parent.numchild = parent_row.numchild + len(pages)

    for page in pages:
        if id(page) in scheduled:  # Wagtail's own scheduling, page by page
            # The revision as save_revision() returns it: its content not yet through JSON.
            revision = Revision.objects.using(using).get(pk=page.latest_revision_id)
            revision.content = scheduled[id(page)]
            revision.content_object = page
            revision.publish(user=user)
    return pages


def pages_bulk_update(
    *,
    pages: list[Page],
    user: AbstractBaseUser | None = None,
    publish: bool | list[bool] = False,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Save a new revision of each existing page, as ``page.save_revision(user=user,
    log_action=True)`` and, where ``publish`` is true for that page (one flag for all, or one
    per page), ``revision.publish(user=user)`` would.

    Each instance already carries its new content (loaded from the page row or from its latest
    revision, then changed). Wagtail's rule is kept: a draft's content lives in its revision —
    the page row only gets ``draft_title``, ``latest_revision``, ``latest_revision_created_at``
    and ``has_unpublished_changes=True``, and keeps its title and content (also for a page
    never published). Publishing writes the content, ``live_revision``, ``last_published_at``…
    Tree columns are never written back from the instances.

    The pages whose save would need more than that are handed to Wagtail's own methods, one by
    one, after the others: a changed or missing slug (sibling check, descendants' URLs,
    redirects), comments, and — when publishing — aliases, a workflow in progress or a
    ``go_live_at`` in the future.

    Must run inside ``transaction.atomic()``. Every page is validated before anything is
    written (``PageValidationError``).
    """
    using = router.db_for_write(Page)
    _require_atomic(using)
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    flags = [publish] * len(pages) if isinstance(publish, bool) else list(publish)
    if len(flags) != len(pages):
        raise ValueError("Give one publish flag per page.")
    if len({page.pk for page in pages}) != len(pages):
        # Each revision is matched to its page by the page's id: one revision per page.
        raise ValueError("Give each page once.")
    now = timezone.now()
    for index, page in enumerate(pages):
        _check_existing_page(page)
        if not page.draft_title:
            page.draft_title = page.title
        _clean(page, index, check_slug=bool(page.slug))
        if page.locale_id is None:
            page.locale_id = page.get_default_locale().pk

    handed_to_wagtail: list[tuple[Page, bool]] = []
    for batch in chunks(list(zip(pages, flags, strict=True)), batch_size):
        handed_to_wagtail += _update_batch(batch, user=user, now=now, using=using)

    for page, page_publish in handed_to_wagtail:
        revision = page.save_revision(user=user, log_action=True)
        if page_publish:
            revision.publish(user=user)


# --- creation ----------------------------------------------------------------------------------


def _check_new_pages(model: type[Page], pages: Sequence[Page]) -> None:
    if not issubclass(model, Page):
        raise TypeError("Only Wagtail pages can be created here.")
    for index, page in enumerate(pages):
        if type(page) is not model:
            raise TypeError(
                f"Page {index + 1} is a {type(page).__name__}; all pages of a call must be "
                f"{model.__name__}."
            )
        if page.pk is not None or not page._state.adding:
            raise ValueError(f"Page {index + 1} is already saved.")
        if page.alias_of_id is not None:
            raise ValueError(f"Page {index + 1} is an alias.")
        comments = getattr(page, "_cluster_related_objects", {}).get(COMMENTS_RELATION_NAME)
        if comments:
            raise ValueError(f"Page {index + 1} has comments: create it with add_child().")


def _place_in_tree(parent: Page, pages: Sequence[Page], last_path: str | None) -> None:
    """Materialised paths after the parent's current last child, with treebeard's helpers."""
    depth = parent.depth + 1
    first_step = Page._str2int(last_path[-Page.steplen :]) + 1 if last_path else 1
    last_step = first_step + len(pages) - 1
    if len(Page._int2str(last_step)) > Page.steplen:
        raise PathOverflow(_("Too many children under “%(path)s”.") % {"path": parent.url_path})
    max_length = Page._meta.get_field("path").max_length
    for step, page in enumerate(pages, start=first_step):
        page.depth = depth
        page.path = Page._get_path(parent.path, depth, step)
        page.numchild = 0
        if len(page.path) > max_length:
            raise PathOverflow(_("The new pages are too deep in the tree."))
        page._cached_parent_obj = parent


def _assign_slugs(parent: Page, pages: Sequence[Page], *, taken: set[str]) -> None:
    """Slugs unique among the parent's children, old and new, as Wagtail makes them one by one:
    a given slug must be free, a missing one is the slugified title with "-2", "-3"… added."""
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    title_field = Page._meta.get_field("title")
    slug_field = Page._meta.get_field("slug")
    for index, page in enumerate(pages):
        if not page.title:
            error = ValidationError({"title": _("A page needs a title.")})
            raise PageValidationError(index=index, page=page, error=error)
        try:
            page.title = title_field.clean(page.title, page)
        except ValidationError as error:
            error = ValidationError({"title": error.messages})
            raise PageValidationError(index=index, page=page, error=error) from None
        if not page.slug:
            base = slugify(page.title, allow_unicode=allow_unicode)
            if not base:
                error = ValidationError({"slug": _("No slug can be made from this title.")})
                raise PageValidationError(index=index, page=page, error=error)
            candidate, suffix = base, 1
            while candidate in taken:
                suffix += 1
                candidate = f"{base}-{suffix}"
            page.slug = candidate
        try:
            page.slug = slug_field.clean(page.slug, page)
        except ValidationError as error:
            error = ValidationError({"slug": error.messages})
            raise PageValidationError(index=index, page=page, error=error) from None
        if page.slug in taken:
            error = ValidationError(
                {
                    "slug": _("The slug “%(slug)s” is already in use under “%(parent)s”.")
                    % {"slug": page.slug, "parent": parent.url_path}
                }
            )
            raise PageValidationError(index=index, page=page, error=error)
        taken.add(page.slug)
        page.url_path = f"{parent.url_path}{page.slug}/"


def _create_batch(
    model: type[Page],
    pages: list[Page],
    published: list[bool],
    *,
    user,
    now,
    site,
    using: str,
) -> list[dict]:
    """Write one batch of new pages and everything that hangs off them; returns the content of
    each page's revision."""
    # The page rows get their final state at once; only the revision ids come after.
    before = [_bookkeeping(page) for page in pages]
    for page, page_published in zip(pages, published, strict=True):
        page.latest_revision_created_at = now
        page.draft_title = page.title
        if page_published:
            page.live = True
            page.has_unpublished_changes = False
            page.expired = False
            page.last_published_at = now
            if page.first_published_at is None:
                page.first_published_at = now
        else:
            page.has_unpublished_changes = True
    _ensure_relations_in_memory(model, pages)
    _insert_pages(model, pages, using=using)
    _commit_relations(model, pages, using=using, existing=False)

    # The revision holds the page as save_revision() saw it, before its own bookkeeping.
    contents = []
    for page, state in zip(pages, before, strict=True):
        content = page.serializable_data()
        content.update(state)
        contents.append(content)
    revisions = _insert_revisions(pages, contents, user=user, now=now, using=using)
    for page, revision, page_published in zip(pages, revisions, published, strict=True):
        page.latest_revision_id = revision
        if page_published:
            page.live_revision_id = revision
    _point_at_revisions(pages, published, using=using)

    # save() logs the creation as the page's owner, the revision and publication as ``user``;
    # either falls back on the user of the active log context.
    context_user_id = _pk(get_active_log_context().user)
    user_id = _pk(user) or context_user_id
    entries = []
    for page, revision, page_published in zip(pages, revisions, published, strict=True):
        creator_id = page.owner_id or context_user_id
        entries.append(_log_entry(page, "wagtail.create", user_id=creator_id, now=now))
        entries.append(
            _log_entry(page, "wagtail.edit", user_id=user_id, now=now, revision=revision)
        )
        if page_published:
            entries.append(
                _log_entry(page, "wagtail.publish", user_id=user_id, now=now, revision=revision)
            )
    insert_rows(PageLogEntry, entries, using=using, raw=True)

    def insert_companions(companion_model, rows: list[dict]) -> None:
        objs = [Row(companion_model, **values) for values in rows]
        insert_rows(companion_model, objs, using=using, on_conflict=OnConflict.IGNORE, raw=True)

    for create_companions in hooks.get_hooks("bulk_create_page_companions"):
        create_companions(model, pages, site=site, now=now, insert=insert_companions)
    _update_references(model, pages, using=using, existing=False)
    _update_search_index(model, pages)
    _forget_relations_in_memory(model, pages)
    return contents


def _insert_pages(model: type[Page], pages: list[Page], *, using: str) -> None:
    """``wagtailcore_page`` rows first, their ids read back (``RETURNING``, SQLite ≥ 3.35 and
    PostgreSQL), then one insert per table down the multi-table inheritance chain, each row
    with its parent links set to that id.

    Django's ``bulk_create()`` refuses inherited models (and splits rows by SQLite's historical
    999-parameter limit, so that its statement count would grow with the batch)."""
    root = Page._meta.concrete_model
    pk_field = root._meta.pk
    path_field = root._meta.get_field("path")
    fields = [field for field in root._meta.local_concrete_fields if field is not pk_field]
    rows = insert_rows(root, pages, using=using, fields=fields, returning=[pk_field, path_field])
    by_path = {page.path: page for page in pages}
    for pk, path in rows:  # matched on the unique path, whatever order RETURNING gives
        page = by_path[path]
        page.pk = pk
        setattr(page, pk_field.attname, pk)
    for table_model in _table_chain(model)[1:]:
        for page in pages:
            for link in table_model._meta.parents.values():
                setattr(page, link.attname, page.id)
        insert_rows(
            table_model, pages, using=using, fields=table_model._meta.local_concrete_fields
        )
    for page in pages:
        page._state.adding = False
        page._state.db = using


def _insert_revisions(pages, contents, *, user, now, using) -> list[int]:
    """One ``Revision`` per page, as ``save_revision()`` creates it; returns their ids, in the
    order of ``pages``.

    ``RETURNING`` promises no order: each id is matched to its page by the page id the revision
    records (``object_id``), never by its position among the returned rows — a page pointing
    at another page's revision would publish that page's content under its own URL."""
    base_content_type_id = pages[0].get_base_content_type().pk
    rows = [
        Row(
            Revision,
            content_type_id=ContentType.objects.get_for_model(page, for_concrete_model=False).pk,
            base_content_type_id=base_content_type_id,
            object_id=str(page.pk),
            created_at=now,
            user_id=_pk(user),
            content=content,
            object_str=str(page),
            approved_go_live_at=None,
        )
        for page, content in zip(pages, contents, strict=True)
    ]
    returning = [Revision._meta.pk, Revision._meta.get_field("object_id")]
    returned = insert_rows(Revision, rows, using=using, returning=returning, raw=True)
    revision_of_page = {object_id: pk for pk, object_id in returned}
    return [revision_of_page[str(page.pk)] for page in pages]


def _point_at_revisions(pages: list[Page], published: list[bool], *, using: str) -> None:
    """Set ``latest_revision`` (and ``live_revision`` once published) on the new page rows: each
    has exactly one revision, found by a subquery on its (indexed) object id — one statement
    whatever the batch's length."""
    revision = Subquery(
        Revision.objects.filter(
            base_content_type_id=pages[0].get_base_content_type().pk,
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    rows = Page._base_manager.using(using)
    live = [
        page.pk for page, page_published in zip(pages, published, strict=True) if page_published
    ]
    drafts = [
        page.pk for page, page_published in zip(pages, published, strict=True) if not page_published
    ]
    if live:
        rows.filter(pk__in=live).update(latest_revision=revision, live_revision=revision)
    if drafts:
        rows.filter(pk__in=drafts).update(latest_revision=revision)


def _bookkeeping(page: Page) -> dict:
    """The page-wide state Wagtail's revisions record, as it stands before ``save_revision()``
    (keys as in ``serializable_data()``)."""
    return {
        "live": page.live,
        "has_unpublished_changes": page.has_unpublished_changes,
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "latest_revision_created_at": page.latest_revision_created_at,
        "latest_revision": page.latest_revision_id,
        "live_revision": page.live_revision_id,
        "expired": page.expired,
        "draft_title": page.draft_title,
    }


# --- update --------------------------------------------------------------------------------


def _check_existing_page(page: Page) -> None:
    if page.pk is None or page._state.adding:
        raise ValueError("Only saved pages can be updated; create new ones first.")
    if not isinstance(page, page.specific_class):
        raise RuntimeError(f"Pass the specific version of each page (page.specific), not {page!r}.")
    if page.alias_of_id:
        raise RuntimeError(
            f"{page!r} is an alias: aliases follow their original, with no revision."
        )


def _update_batch(batch, *, user, now, using) -> list[tuple[Page, bool]]:
    """Save one batch of revisions; returns the pages left to Wagtail's own methods."""
    pages = [page for page, _publish in batch]
    pks = [page.pk for page in pages]
    object_ids = [str(pk) for pk in pks]
    base_content_type = pages[0].get_base_content_type()
    rows = {
        row["pk"]: row
        for row in Page._base_manager.using(using).filter(pk__in=pks).values("pk", "slug", "title")
    }
    missing = [page for page in pages if page.pk not in rows]
    if missing:
        raise ValueError(_("%(page)r no longer exists.") % {"page": missing[0]})
    relations = _prefetch_relations(pages)
    # Comments in the database (resolved ones included: publishing deletes those) or in hand.
    with_comments = set(
        Comment.objects.using(using).filter(page_id__in=pks).values_list("page_id", flat=True)
    ) | {page.pk for page in pages if list(getattr(page, COMMENTS_RELATION_NAME).all())}
    publishing = [page.pk for page, page_publish in batch if page_publish]
    aliased: set[int] = set()
    in_workflow: set[str] = set()
    if publishing:
        aliased = set(
            Page._base_manager.using(using)
            .filter(alias_of_id__in=publishing)
            .values_list("alias_of_id", flat=True)
        )
        if getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True) and getattr(
            settings, "WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH", True
        ):
            in_workflow = set(
                WorkflowState.objects.using(using)
                .active()
                .filter(base_content_type=base_content_type, object_id__in=object_ids)
                .values_list("object_id", flat=True)
            )

    bulk, handed_to_wagtail = [], []
    for page, page_publish in batch:
        needs_wagtail = (
            page.slug != rows[page.pk]["slug"]
            or page.pk in with_comments
            or (
                page_publish
                and (
                    page.pk in aliased
                    or str(page.pk) in in_workflow
                    or (page.go_live_at is not None and page.go_live_at > now)
                )
            )
        )
        (handed_to_wagtail if needs_wagtail else bulk).append((page, page_publish))
    if not bulk:
        return handed_to_wagtail

    pages = [page for page, _publish in bulk]
    published = [page_publish for _page, page_publish in bulk]
    if user is not None:
        for page, page_publish in bulk:
            if page_publish and not page.permissions_for_user(user).can_publish():
                raise PublishPagePermissionError(
                    _("You do not have permission to publish this page.")
                )
    had_revisions: set[str] = set()
    if any(published):
        had_revisions = set(
            Revision.objects.using(using)
            .filter(
                base_content_type=base_content_type,
                object_id__in=[str(page.pk) for page in pages],
            )
            .values_list("object_id", flat=True)
            .distinct()
        )

    # The revision is the instance as given (save_revision() serialises before its bookkeeping).
    contents = [page.serializable_data() for page in pages]
    revisions = _insert_revisions(pages, contents, user=user, now=now, using=using)

    for page, revision, page_publish in zip(pages, revisions, published, strict=True):
        page.latest_revision_id = revision
        page.latest_revision_created_at = now
        page.draft_title = page.title
        page.has_unpublished_changes = True
        if page_publish:
            page.live = True
            page.has_unpublished_changes = False
            page.expired = False
            page.last_published_at = now
            page.live_revision_id = revision
            if page.first_published_at is None:
                page.first_published_at = now

    drafts = [page for page, page_publish in zip(pages, published, strict=True) if not page_publish]
    if drafts:  # exactly save_revision()'s update_fields
        update_rows(
            Page,
            drafts,
            ["draft_title", "latest_revision"],
            using=using,
            constants={"latest_revision_created_at": now, "has_unpublished_changes": True},
        )
    live = [page for page, page_publish in zip(pages, published, strict=True) if page_publish]
    by_model: dict[type[Page], list[Page]] = defaultdict(list)
    for page in live:
        by_model[type(page)].append(page)
    for model, model_pages in by_model.items():
        _derive_fields(model, model_pages)  # publish's full save() derives them
        for table_model in _table_chain(model):
            fields = [
                field.attname
                for field in table_model._meta.local_concrete_fields
                if not field.primary_key and field.name not in TREE_FIELDS
            ]
            update_rows(table_model, model_pages, fields, using=using)
        _commit_relations(model, model_pages, using=using, existing=True)
    if live:
        # Publishing clears any approval for later publication of the pages' other revisions.
        Revision.objects.using(using).filter(
            base_content_type=base_content_type,
            object_id__in=[str(page.pk) for page in live],
        ).exclude(approved_go_live_at=None).update(approved_go_live_at=None)

    user_id = _pk(user) or _pk(get_active_log_context().user)
    entries = []
    for page, revision, page_publish in zip(pages, revisions, published, strict=True):
        entries.append(
            _log_entry(page, "wagtail.edit", user_id=user_id, now=now, revision=revision)
        )
        if not page_publish:
            continue
        old_title = rows[page.pk]["title"]
        data = None
        if str(page.pk) in had_revisions and old_title != str(page):
            data = {"title": {"old": old_title, "new": str(page)}}
            entries.append(
                _log_entry(
                    page,
                    "wagtail.rename",
                    user_id=user_id,
                    now=now,
                    revision=revision,
                    data=data,
                    content_changed=False,
                )
            )
        entries.append(
            _log_entry(
                page, "wagtail.publish", user_id=user_id, now=now, revision=revision, data=data
            )
        )
    insert_rows(PageLogEntry, entries, using=using, raw=True)

    all_by_model: dict[type[Page], list[Page]] = defaultdict(list)
    for page in pages:
        all_by_model[type(page)].append(page)
    for model, model_pages in all_by_model.items():
        _update_search_index(model, model_pages)
    for model, model_pages in by_model.items():
        _update_references(model, model_pages, using=using, existing=True)
        _forget_relations_in_memory(model, model_pages)
    for page in pages:
        for name in relations:
            getattr(page, "_prefetched_objects_cache", {}).pop(name, None)
    return handed_to_wagtail


def _prefetch_relations(pages: list[Page]) -> set[str]:
    """Read the child relations the revisions serialise, one query per relation for the batch
    (``serializable_data()`` would otherwise run one per page and relation)."""
    names = set()
    by_model: dict[type[Page], list[Page]] = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    for model, model_pages in by_model.items():
        relation_names = [rel.get_accessor_name() for rel in get_all_child_relations(model)]
        relation_names += [field.name for field in get_all_child_m2m_relations(model)]
        for name in relation_names:
            pending = [
                page
                for page in model_pages
                if name not in getattr(page, "_cluster_related_objects", {})
                and name not in getattr(page, "_prefetched_objects_cache", {})
            ]
            if pending:
                prefetch_related_objects(pending, name)
                names.add(name)
    return names


# --- shared steps --------------------------------------------------------------------------------


def _require_atomic(using: str) -> None:
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError(
            "Bulk page writes must run inside transaction.atomic(), so that an error "
            "leaves the page tree as it was."
        )


def _derive_fields(model: type[Page], pages: Sequence[Page]) -> None:
    """What the page model's own ``save()`` computes before writing (``sort_name``…): the bulk
    path never calls ``save()``, so a model that overrides it says how through a
    ``set_derived_fields()`` method, which its ``save()`` calls too. One that overrides
    ``save()`` without it is refused rather than written wrong."""
    if not hasattr(model, "set_derived_fields"):
        overrides = [
            cls
            for cls in model.__mro__
            if "save" in cls.__dict__ and cls not in Page.__mro__ and issubclass(cls, Model)
        ]
        if overrides:
            raise TypeError(
                f"{model.__name__}.save() computes fields the bulk path would miss: give the "
                "model a set_derived_fields() method that save() calls."
            )
        return
    for page in pages:
        page.set_derived_fields()


def _clean(page: Page, index: int, *, check_slug: bool = True) -> None:
    """``full_clean()`` without its queries: field validation (StreamField blocks included) and
    the model's own ``clean()``; slug uniqueness is checked for the whole batch, foreign keys
    and unique columns by the database."""
    if not page.title:
        error = ValidationError({"title": _("A page needs a title.")})
        raise PageValidationError(index=index, page=page, error=error)
    exclude = set(TREE_FIELDS)
    if not check_slug:
        exclude.add("slug")
    for field in page._meta.concrete_fields:
        if field.is_relation:
            exclude.add(field.name)
    try:
        page.clean_fields(exclude=exclude)
        if type(page).clean is not Page.clean:
            # The subclass adds rules; Page's own part (one sibling query) is done for the batch.
            page._check_slug_is_unique = _nothing
            try:
                page.clean()
            finally:
                del page._check_slug_is_unique
    except ValidationError as error:
        raise PageValidationError(index=index, page=page, error=error) from None


def _nothing() -> None:
    return None


def _table_chain(model: type[Model]) -> list[type[Model]]:
    """The concrete tables of a page, from ``wagtailcore_page`` down, parents before children
    (any depth of multi-table inheritance)."""
    model = model._meta.concrete_model
    ordered: list[type[Model]] = []
    pending = [*reversed(model._meta.get_parent_list()), model]
    while pending:
        for candidate in pending:
            if all(parent in ordered for parent in candidate._meta.parents):
                ordered.append(candidate)
                pending.remove(candidate)
                break
        else:  # pragma: no cover - Django forbids inheritance cycles
            raise TypeError(f"Cannot order the tables of {model.__name__}.")
    return ordered


def _ensure_relations_in_memory(model: type[Page], pages: list[Page]) -> None:
    """Give every child relation an in-memory list before the pages get their ids, so that the
    revision and the reference index read them without a query per page."""
    relations = [
        (rel.get_accessor_name(), rel.related_model) for rel in get_all_child_relations(model)
    ]
    relations += [(field.name, field.related_model) for field in get_all_child_m2m_relations(model)]
    for page in pages:
        if not hasattr(page, "_cluster_related_objects"):
            page._cluster_related_objects = {}
        for name, related_model in relations:
            # An unsaved page has no rows yet: an untouched relation is empty.
            items = page._cluster_related_objects.setdefault(name, [])
            ordering = related_model._meta.ordering
            if ordering and len(items) > 1:
                sort_by_fields(items, ordering)


def _forget_relations_in_memory(model: type[Page], pages: list[Page]) -> None:
    """As modelcluster's ``commit()``: once written, relations are read from the database."""
    names = [rel.get_accessor_name() for rel in get_all_child_relations(model)]
    names += [field.name for field in get_all_child_m2m_relations(model)]
    for page in pages:
        cluster = getattr(page, "_cluster_related_objects", None)
        if cluster:
            for name in names:
                cluster.pop(name, None)


def _commit_relations(model: type[Page], pages: list[Page], *, using: str, existing: bool) -> None:
    """What ``ClusterableModel.save()`` commits: the in-memory child objects (inline panels)
    and parental many-to-many links, batched per relation. With ``existing``, rows no longer
    listed are deleted, as modelcluster does."""
    for rel in get_all_child_relations(model):
        name = rel.get_accessor_name()
        if name == COMMENTS_RELATION_NAME:
            continue  # pages with comments are left to Wagtail
        touched = [page for page in pages if name in getattr(page, "_cluster_related_objects", {})]
        if not touched:
            continue
        child_model = rel.related_model
        if get_all_child_relations(child_model) or child_model._meta.parents:
            raise ValueError(f"The “{name}” items cannot be written in bulk.")
        fk = rel.field
        keep: list[Model] = []
        for page in touched:
            for item in page._cluster_related_objects[name]:
                setattr(item, fk.name, page)
                keep.append(item)
        if existing:
            kept = {item.pk for item in keep if item.pk is not None}
            stale = (
                child_model._base_manager.using(using)
                .filter(**{f"{fk.attname}__in": [page.pk for page in touched]})
                .exclude(pk__in=kept)
            )
            stale.delete()
            old = [item for item in keep if item.pk is not None]
            if old:
                fields = [
                    field.attname
                    for field in child_model._meta.local_concrete_fields
                    if not field.primary_key
                ]
                update_rows(child_model, old, fields, using=using)
        new = [item for item in keep if item.pk is None]
        if new:
            save_new_rows(child_model, new, using=using)
    for field in get_all_child_m2m_relations(model):
        touched = [
            page for page in pages if field.name in getattr(page, "_cluster_related_objects", {})
        ]
        if not touched:
            continue
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name())
        target = through._meta.get_field(field.m2m_reverse_field_name())
        wanted = {
            (page.pk, item.pk)
            for page in touched
            for item in page._cluster_related_objects[field.name]
        }
        if existing:
            current = list(
                through._base_manager.using(using)
                .filter(**{f"{source.attname}__in": [page.pk for page in touched]})
                .values_list("pk", source.attname, target.attname)
            )
            stale = [row for row, page_pk, item_pk in current if (page_pk, item_pk) not in wanted]
            if stale:
                through._base_manager.using(using).filter(pk__in=stale).delete()
            wanted -= {(page_pk, item_pk) for _row, page_pk, item_pk in current}
        links = [
            through(**{source.attname: page_pk, target.attname: target_pk})
            for page_pk, target_pk in sorted(wanted, key=lambda pair: (pair[0], str(pair[1])))
        ]
        if links:
            insert_rows(through, links, using=using)


def _pk(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def _log_entry(page, action, *, user_id, now, revision=None, data=None, content_changed=True):
    """A ``PageLogEntry`` as ``wagtail.log_actions.log()`` writes it for ``page``."""
    return Row(
        PageLogEntry,
        content_type_id=ContentType.objects.get_for_model(page, for_concrete_model=False).pk,
        label=page.get_admin_display_title(),
        action=action,
        timestamp=now,
        data=data or {},
        uuid=get_active_log_context().uuid,
        user_id=user_id,
        revision_id=revision,
        content_changed=content_changed,
        deleted=False,
        page_id=page.pk,
    )


def _update_search_index(model: type[Page], pages: list[Page]) -> None:
    """Queue one search-index task per batch, where Wagtail queues one per saved page.

    Wagtail never indexes in the request: its ``post_save`` handler enqueues a task that the
    worker runs after the transaction commits. Doing the same per batch keeps an import's
    transaction short (indexing is most of the bulk path's time otherwise: ~40% on SQLite,
    ~65% on PostgreSQL), and the task row is written in the import's transaction, so it is
    rolled back with everything else. Under an immediate task backend (the tests) the batch is
    indexed on the spot."""
    if not list(get_search_backends(with_auto_update=True)) or not model.get_search_fields():
        return
    search_index_task.enqueue(
        model._meta.app_label, model._meta.model_name, [page.pk for page in pages]
    )


@task()
def search_index_task(app_label: str, model_name: str, pks: list[int]) -> None:
    """Index a batch of pages in every search backend, as Wagtail's per-page index task does:
    the rows are read back through ``get_indexed_objects()`` (its filters and related
    fields)."""
    model = apps.get_model(app_label, model_name)
    objects = list(model.get_indexed_objects().filter(pk__in=pks))
    if not objects:
        return
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, objects)


def _update_references(model: type[Page], pages: list[Page], *, using: str, existing: bool) -> None:
    """``ReferenceIndex.create_or_update_for_object()`` for a batch: one read of the existing
    references, one insert, one delete."""
    if not ReferenceIndex.is_indexed(model):
        return
    content_types = [
        ContentType.objects.get_for_model(cls, for_concrete_model=False)
        for cls in [model, *model._meta.get_parent_list()]
    ]
    content_type, base_content_type = content_types[0], content_types[-1]
    known = {ct.pk for ct in content_types}
    found = {
        str(page.pk): set(ReferenceIndex._extract_references_from_object(page)) for page in pages
    }
    stored: dict[str, dict[tuple, tuple[int, int]]] = defaultdict(dict)
    if existing:
        for row_id, ct_id, object_id, *reference in (
            ReferenceIndex.objects.using(using)
            .filter(base_content_type=base_content_type, object_id__in=list(found))
            .values_list(
                "id",
                "content_type_id",
                "object_id",
                "to_content_type_id",
                "to_object_id",
                "model_path",
                "content_path",
            )
        ):
            stored[object_id][tuple(reference)] = (ct_id, row_id)
    new_rows, stale = [], []
    for object_id, references in found.items():
        current = stored.get(object_id, {})
        for to_ct, to_id, model_path, content_path in sorted(references - set(current)):
            new_rows.append(
                ReferenceIndex(
                    content_type_id=content_type.pk,
                    base_content_type_id=base_content_type.pk,
                    object_id=object_id,
                    to_content_type_id=to_ct,
                    to_object_id=to_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                )
            )
        stale += [
            row_id
            for reference, (ct_id, row_id) in current.items()
            if reference not in references and ct_id in known
        ]
    if new_rows:
        on_conflict = (
            OnConflict.IGNORE if connections[using].features.supports_ignore_conflicts else None
        )
        insert_rows(ReferenceIndex, new_rows, using=using, on_conflict=on_conflict)
    if stale:
        ReferenceIndex.objects.using(using).filter(pk__in=stale).delete()
