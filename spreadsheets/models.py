"""Spreadsheet import jobs: one uploaded file on its way from upload to report.

Why a model: an import takes several requests (upload, column matching, preview, confirmation)
and, for large files, runs in a worker process that may be on another machine. The job carries
everything those steps share, including the file's bytes (in the database, so that no upload
sits in a file system and any worker can read it). The bytes are emptied as soon as the import
is over (done, failed or cancelled), and jobs left behind are purged (``ImportJobQuerySet.purge``).

Progress travels through a cache every process shares (``progress_cache``), not through this
row: the write phase of an import runs inside one transaction, where an update of this row would
stay invisible to the web process until the very end.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models import Func, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.registry import admin_roles
from organizations.scoping import SiteScopedQuerySet

from .reports import ImportReport

#: After this long without a change, a job's file is forgotten and an unfinished job is closed.
STALE_AFTER = dt.timedelta(days=1)
#: After this long, the job itself (and its report, which quotes rows) is deleted.
FORGET_AFTER = dt.timedelta(days=30)
#: At most this many forgotten jobs are deleted per purge (the rest at the next one), so that
#: an upload never waits for a backlog.
PURGE_BATCH = 100
#: The parts of a report that quote rows; the rest (the counts) is kept.
REPORT_QUOTES = ("rows", "errors")
#: How long the cache keeps a job's progress after its last update.
PROGRESS_TIMEOUT = 2 * 24 * 3600
#: The job row's copy of the progress is written at most this often (seconds).
PROGRESS_SAVE_INTERVAL = 2.0


def progress_cache():
    """The cache that carries progress from the worker to the web processes."""
    alias = getattr(settings, "SPREADSHEET_IMPORT_PROGRESS_CACHE", None)
    if alias is None:
        alias = "progress" if "progress" in settings.CACHES else "default"
    return caches[alias]


def stalled_after() -> dt.timedelta:
    """A running job without progress for this long is reported as stopped."""
    return dt.timedelta(seconds=getattr(settings, "SPREADSHEET_IMPORT_STALLED_SECONDS", 600))


class ImportJobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Columns to match")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int
    #: When the worker last reported, or ``None`` if it has not started yet.
    at: dt.datetime | None

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


class _WithoutKeys(Func):
    """A JSON object without some of its top-level keys, computed by the database: reports are
    trimmed by one ``UPDATE``, never read into Python. (SQLite and MySQL: ``JSON_REMOVE``;
    PostgreSQL: ``jsonb - text[]``.)"""

    function = "JSON_REMOVE"
    output_field = models.JSONField()

    def __init__(self, expression, keys):
        self.keys = list(keys)
        super().__init__(expression, *[Value(f"$.{key}") for key in self.keys])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - %s::text[])", (*params, self.keys)


class ImportJobQuerySet(SiteScopedQuerySet):
    def for_user(self, user, roles=None):
        """The jobs ``user`` started in organizations they work for (every job, for a
        superuser). Whether they may still import that kind there is checked by the views."""
        jobs = super().for_user(user, roles or admin_roles())
        if getattr(user, "is_superuser", False):
            return jobs
        return jobs.filter(user=user)

    def running(self):
        return self.filter(status__in=ImportJob.RUNNING)

    def purge(self, *, now: dt.datetime | None = None) -> None:
        """Forget the files and the quoted rows of jobs untouched for a day (closing the
        unfinished ones), and delete jobs older than a month.

        Run at every upload, so it costs a fixed handful of queries whatever the number of jobs:
        each statement picks, in the database, only the jobs past a limit that still need the
        work, and no file or report is read into Python."""
        now = now or timezone.now()
        # Only the oldest ids: deleting sends signals, for which Django would otherwise read
        # whole rows, files and reports included.
        forgotten = self.filter(updated_at__lt=now - FORGET_AFTER).order_by("updated_at")
        self.filter(pk__in=forgotten.values("pk")[:PURGE_BATCH]).only("pk").delete()
        stale = self.filter(updated_at__lt=now - STALE_AFTER)
        stale.filter(status__in=ImportJob.RUNNING).update(status=ImportJobStatus.FAILED, data=b"")
        stale.filter(status__in=(ImportJobStatus.UPLOADED, ImportJobStatus.CHECKED)).update(
            status=ImportJobStatus.CANCELLED, data=b""
        )
        # Reports quote rows, private details included: after a day only the counts remain.
        stale.filter(report__has_any_keys=REPORT_QUOTES).update(
            report=_WithoutKeys("report", REPORT_QUOTES)
        )


class ImportJob(models.Model):
    """One spreadsheet import into one organization, from upload to report."""

    Status = ImportJobStatus
    RUNNING = (ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING)
    FINISHED = (ImportJobStatus.DONE, ImportJobStatus.FAILED, ImportJobStatus.CANCELLED)

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind of records"), max_length=30)
    filename = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    data = models.BinaryField(_("file content"), blank=True, default=b"", editable=False)
    #: The file's headers, and how they were matched automatically: {"headers", "mapping",
    #: "unknown"}, so that the column matching form does not read the file again.
    plan = models.JSONField(_("headers"), default=dict, blank=True)
    #: File header → column name ("" to ignore it), as staff chose.
    columns = models.JSONField(_("column matching"), default=dict, blank=True)
    publish = models.BooleanField(_("publish new records"), default=False)
    #: The language of the person who uploaded the file: the worker's messages are in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.UPLOADED,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    #: ``ImportReport.to_dict()``: the dry run's while the job waits for confirmation, then
    #: the import's.
    report = models.JSONField(_("report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        db_table = "crm_blocks_importjob"
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "updated_at"], name="import_job_status_updated")]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def import_report(self):
        """The stored report as an ``ImportReport``, or ``None``."""
        return ImportReport.from_dict(self.report) if self.report else None

    # Progress ------------------------------------------------------------------------------

    @property
    def progress_key(self) -> str:
        return f"crm-import-progress:{self.pk}"

    def publish_progress(self, done: int, total: int) -> None:
        """Tell the web processes how far the job is. Called by the worker every ~100 rows,
        also from inside the write transaction: the cache is outside any transaction; the job
        row is only updated when no transaction is open, and not more than every 2 seconds."""
        now = time.time()
        progress_cache().set(self.progress_key, (done, total, now), PROGRESS_TIMEOUT)
        if transaction.get_connection().in_atomic_block:
            return
        if now - getattr(self, "_progress_saved_at", 0) < PROGRESS_SAVE_INTERVAL and done < total:
            return
        self._progress_saved_at = now
        ImportJob.objects.filter(pk=self.pk).update(
            progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    def current_progress(self) -> JobProgress:
        """The latest progress the worker published (cache), or the job row's copy."""
        cached = progress_cache().get(self.progress_key)
        if cached:
            done, total, at = cached
            return JobProgress(done, total, dt.datetime.fromtimestamp(at, tz=dt.UTC))
        if self.progress_total:
            return JobProgress(self.progress_done, self.progress_total, self.updated_at)
        return JobProgress(0, 0, None)

    def forget_progress(self) -> None:
        progress_cache().delete(self.progress_key)

    def is_stalled(self, progress: JobProgress | None = None, *, now=None) -> bool:
        """Whether a running job has shown no sign of life for too long (the worker stopped,
        or none runs)."""
        if not self.is_running:
            return False
        progress = progress or self.current_progress()
        last = max(filter(None, [progress.at, self.updated_at]))
        return (now or timezone.now()) - last > stalled_after()
