"""The background side of the admin's table upload: a large file is stored by the worker
(``manage.py db_worker``, django-tasks), with its progress published as the spreadsheet kit's
imports publish theirs (``ImportJob.publish_progress``); the editor's screen follows it.

Files of more than ``SPREADSHEET_IMPORT_BACKGROUND_ROWS`` rows go there, like the kit's
imports; smaller ones are stored in the request. Every status change is a conditional update,
so that a double click or two workers never store a file twice.
"""

from __future__ import annotations

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from spreadsheets.files import SpreadsheetError
from spreadsheets.models import ImportJob, ImportJobStatus
from spreadsheets.pipeline import background_rows

from .inference import ColumnPlan, UploadRefused, dataset_upload, read_upload
from .models import DatasetPage

logger = logging.getLogger(__name__)

#: The ``ImportJob.kind`` of a dataset's table upload.
KIND = "opendata_dataset"


def runs_in_background(job: ImportJob) -> bool:
    return job.total_rows > background_rows()


def upload_job_store(job: ImportJob) -> bool:
    """Store the checked file: now, or in the worker for a large file. ``False`` if the job
    is no longer waiting for confirmation (confirmed twice, cancelled)."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKED).update(
        status=ImportJobStatus.IMPORTING,
        progress_done=0,
        progress_total=0,
        updated_at=timezone.now(),
    )
    if not updated:
        return False
    job.forget_progress()
    if not runs_in_background(job):
        upload_job_run(job.pk)
        return True
    result = store_uploaded_table.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])
    return True


def upload_job_run(job_id: int) -> None:
    """Store the job's file as its dataset's table and record what came of it: ``report``
    ``{"rows": n}`` when stored, ``{"errors": [[row, column, value, message], …],
    "error_count": n}`` when refused (messages in the uploader's language)."""
    job = (
        ImportJob.objects.select_related("site", "user")
        .filter(pk=job_id, kind=KIND, status=ImportJobStatus.IMPORTING)
        .first()
    )
    if job is None:
        return
    dataset = DatasetPage.objects.filter(pk=(job.plan or {}).get("dataset")).first()
    with translation.override(job.language or None):
        if dataset is None:
            _finish(job, ImportJobStatus.FAILED, error=_("The dataset no longer exists."))
            return
        columns = [ColumnPlan.from_dict(c) for c in job.plan.get("columns", [])]
        try:
            table = read_upload(bytes(job.data), job.filename)
            stored = dataset_upload(
                dataset,
                table,
                columns,
                filename=job.filename,
                user=job.user,
                progress=job.publish_progress,
            )
        except UploadRefused as refused:
            errors = [[e.row, e.column, e.value, e.message] for e in refused.check.errors]
            _finish(
                job,
                ImportJobStatus.FAILED,
                report={"errors": errors, "error_count": refused.check.error_count},
                error=_("The file has errors: nothing was stored."),
            )
            return
        except (SpreadsheetError, ValueError) as error:
            _finish(job, ImportJobStatus.FAILED, error=str(error))
            return
        except Exception:
            logger.exception("Dataset upload %s failed", job_id)
            _finish(
                job,
                ImportJobStatus.FAILED,
                error=_("Unexpected error: nothing was written. Try again later."),
            )
            return
    _finish(job, ImportJobStatus.DONE, report={"rows": stored.row_count})


def _finish(job: ImportJob, status: str, *, report=None, error: str = "") -> None:
    progress = job.current_progress()
    ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.IMPORTING).update(
        status=status,
        report=report,
        error=error,
        data=b"",
        progress_done=progress.done,
        progress_total=progress.total,
        updated_at=timezone.now(),
    )


@task()
def store_uploaded_table(job_id: int) -> None:
    """The worker's side of ``upload_job_store``."""
    upload_job_run(job_id)
