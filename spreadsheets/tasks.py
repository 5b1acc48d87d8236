"""Spreadsheet import jobs, step by step, and the background task that runs the large ones.

The admin's views call the ``import_job_*`` functions below; each moves an ``ImportJob`` one step
(upload → column matching → dry run → confirmation → import) and says nothing about HTML. The
checking and importing steps run in the request for small files and in the worker
(``manage.py db_worker``) above ``pipeline.background_rows()`` rows, through the same
``import_job_run``: a file gives the same report whichever process reads it.

Every status change is a conditional update (``filter(status=…).update(…)``), so that a double
click, a cancellation while the worker runs, or two workers can never run one step twice.
"""

from __future__ import annotations

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .files import SpreadsheetError
from .models import ImportJob, ImportJobStatus
from .pipeline import background_rows, import_plan, spreadsheet_import

logger = logging.getLogger(__name__)


def import_job_create(
    *, site, user, kind: str, filename: str, data: bytes, publish: bool = False
) -> ImportJob:
    """Read the file's headers and keep it for the next steps.

    Raises ``SpreadsheetError`` (a message for staff) when the file cannot be used. Files of
    jobs left behind by anyone are purged on the way.
    """
    plan = import_plan(kind=kind, data=data, filename=filename)
    ImportJob.objects.purge()
    return ImportJob.objects.create(
        site=site,
        user=user if getattr(user, "pk", None) else None,
        kind=kind,
        filename=filename[:255],
        format=plan.format,
        size=len(data),
        data=data,
        plan={"headers": plan.headers, "mapping": plan.mapping, "unknown": plan.unknown},
        columns=plan.mapping,
        publish=publish,
        language=translation.get_language() or "",
        total_rows=plan.row_count,
    )


def import_job_check(job: ImportJob, *, columns: dict[str, str]) -> None:
    """Dry-run the file with the columns staff matched: now, or in the worker for a large
    file. ``columns`` maps every file header to a column name, or to "" to ignore it."""
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=(ImportJobStatus.UPLOADED, ImportJobStatus.CHECKED)
    ).update(
        status=ImportJobStatus.CHECKING,
        updated_at=timezone.now(),
        columns=columns,
        report=None,
        error="",
        progress_done=0,
        progress_total=0,
    )
    if updated:
        _start(job, dry_run=True)


def import_job_confirm(job: ImportJob) -> bool:
    """Import the checked file for real: now, or in the worker for a large file. Refused
    (``False``) unless the dry run found every row valid."""
    report = job.import_report()
    if job.status != ImportJobStatus.CHECKED or report is None or not report.ok:
        return False
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKED).update(
        status=ImportJobStatus.IMPORTING,
        progress_done=0,
        progress_total=0,
        updated_at=timezone.now(),
    )
    if updated:
        _start(job, dry_run=False)
    return bool(updated)


def import_job_cancel(job: ImportJob) -> bool:
    """Give up before importing: the file is forgotten at once. A dry run under way in the
    worker finishes unseen (it writes nothing); an import under way cannot be cancelled."""
    cancellable = (ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING, ImportJobStatus.CHECKED)
    updated = ImportJob.objects.filter(pk=job.pk, status__in=cancellable).update(
        # The report quotes rows (private details included): it goes with the file.
        status=ImportJobStatus.CANCELLED,
        data=b"",
        report=None,
        updated_at=timezone.now(),
    )
    job.forget_progress()
    return bool(updated)


def import_job_remap(job: ImportJob) -> bool:
    """Back from the preview to the column matching."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKED).update(
            status=ImportJobStatus.UPLOADED, report=None, updated_at=timezone.now()
        )
    )


def runs_in_background(job: ImportJob) -> bool:
    return job.total_rows > background_rows()


def _start(job: ImportJob, *, dry_run: bool) -> None:
    job.forget_progress()
    if not runs_in_background(job):
        import_job_run(job.pk, dry_run=dry_run)
        return
    result = run_import_job.enqueue(job.pk, dry_run)
    # Only this column: with an immediate backend the task has already changed the others.
    ImportJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])


def import_job_run(job_id: int, *, dry_run: bool) -> None:
    """Check (``dry_run``) or import the job's file, and store the report.

    Does nothing if the job is no longer at that step (cancelled meanwhile, or already run).
    Messages in the report are in the language of whoever uploaded the file.
    """
    running = ImportJobStatus.CHECKING if dry_run else ImportJobStatus.IMPORTING
    job = ImportJob.objects.select_related("site", "user").filter(pk=job_id, status=running).first()
    if job is None:
        return
    data = bytes(job.data)
    with translation.override(job.language or None):
        job.publish_progress(0, job.total_rows if dry_run else 2 * job.total_rows)
        try:
            report = spreadsheet_import(
                site=job.site,
                kind=job.kind,
                data=data,
                filename=job.filename,
                user=job.user,
                columns=job.columns,
                dry_run=dry_run,
                publish=job.publish,
                progress=job.publish_progress,
            )
        except (SpreadsheetError, ValueError) as error:
            _finish(job, running, status=ImportJobStatus.FAILED, error=str(error))
            return
        except Exception:
            logger.exception("Import job %s failed", job_id)
            _finish(
                job,
                running,
                status=ImportJobStatus.FAILED,
                error=_("Unexpected error: nothing was written. Try again later."),
            )
            return
    if dry_run:
        status = ImportJobStatus.CHECKED
    else:
        status = ImportJobStatus.DONE if report.ok else ImportJobStatus.FAILED
    _finish(job, running, status=status, report=report.to_dict())


def _finish(job: ImportJob, running: str, *, status: str, report=None, error: str = "") -> None:
    fields = {"status": status, "report": report, "error": error, "updated_at": timezone.now()}
    if status in ImportJob.FINISHED:
        fields["data"] = b""
    progress = job.current_progress()
    fields.update(progress_done=progress.done, progress_total=progress.total)
    ImportJob.objects.filter(pk=job.pk, status=running).update(**fields)


@task()
def run_import_job(job_id: int, dry_run: bool) -> None:
    """The worker's side of ``import_job_check`` and ``import_job_confirm``."""
    import_job_run(job_id, dry_run=dry_run)
