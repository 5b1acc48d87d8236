"""Every upload purges the import jobs left behind: files are forgotten and reports reduced to
their counts after a day, jobs deleted after thirty days. Staff uploading a file should not wait
for every report of every organization to be read: the purge costs the same few queries whether
the installation holds ten jobs or ten thousand."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spreadsheets.models import PURGE_BATCH, ImportJob, ImportJobStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

NOW = timezone.now()
FILE = b"email;nom\r\nelise@example.org;Tremblay\r\n"


def report(rows=2):
    """A report as ``ImportReport.to_dict()`` stores it: counts, and rows that quote the file."""
    return {
        "kind": "people",
        "dry_run": False,
        "total": rows,
        "new": rows,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
        "errors": [{"row": 2, "field": "email", "message": "elise@example.org est invalide"}],
        "unknown_columns": ["remarque"],
        "columns": ["email", "last_name"],
        "rows": [
            {"row": n + 2, "status": "new", "values": {"email": f"p{n}@example.org"}}
            for n in range(rows)
        ],
    }


def make_jobs(site, count, *, status, days, with_report=True, data=FILE):
    jobs = ImportJob.objects.bulk_create(
        ImportJob(
            site=site,
            kind="people",
            filename=f"membres-{n}.csv",
            status=status,
            data=data,
            report=report() if with_report else None,
        )
        for n in range(count)
    )
    ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
        updated_at=NOW - datetime.timedelta(days=days)
    )
    return [ImportJob.objects.get(pk=job.pk) for job in jobs]


def left_behind(site, count):
    """Jobs of every kind the purge has work for, and recent ones it must leave alone."""
    return {
        "forgotten": make_jobs(site, count, status=ImportJobStatus.DONE, days=31),
        "abandoned": make_jobs(site, count, status=ImportJobStatus.UPLOADED, days=2),
        "unconfirmed": make_jobs(site, count, status=ImportJobStatus.CHECKED, days=2),
        "stopped": make_jobs(site, count, status=ImportJobStatus.IMPORTING, days=2),
        "done": make_jobs(site, count, status=ImportJobStatus.DONE, days=2, data=b""),
        "recent": make_jobs(site, count, status=ImportJobStatus.CHECKED, days=0),
    }


def purge_queries() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        ImportJob.objects.purge(now=NOW)
    return [query["sql"] for query in queries.captured_queries]


def test_the_purge_keeps_its_promises(org_a, org_b):
    jobs = left_behind(org_a, 2) | {"other": make_jobs(org_b, 1, status="done", days=3)}
    ImportJob.objects.purge(now=NOW)

    def fresh(name):
        return [ImportJob.objects.get(pk=job.pk) for job in jobs[name]]

    assert not ImportJob.objects.filter(pk__in=[job.pk for job in jobs["forgotten"]]).exists()
    for name, status in [
        ("abandoned", ImportJobStatus.CANCELLED),
        ("unconfirmed", ImportJobStatus.CANCELLED),
        ("stopped", ImportJobStatus.FAILED),
        ("done", ImportJobStatus.DONE),
    ]:
        for job in fresh(name):
            assert job.status == status and bytes(job.data) == b""
    for job in fresh("abandoned") + fresh("unconfirmed") + fresh("stopped") + fresh("done"):
        kept = job.import_report()
        assert (kept.total, kept.new, kept.invalid, kept.unknown_columns) == (2, 2, 1, ["remarque"])
        assert kept.rows == [] and kept.errors == []
        assert "elise@example.org" not in str(job.report)
    (other,) = fresh("other")
    assert other.import_report().rows == []
    for job in fresh("recent"):  # staff may still confirm it: nothing is taken away
        assert job.status == ImportJobStatus.CHECKED and bytes(job.data) == FILE
        assert len(job.import_report().rows) == 2


def test_the_purge_costs_the_same_whatever_the_number_of_jobs(org_a, org_b):
    left_behind(org_a, 2)
    few = purge_queries()
    left_behind(org_a, 40)
    left_behind(org_b, 40)
    many = purge_queries()
    assert len(many) == len(few)
    # No file and no report is read into Python, however many there are.
    reads = [sql for sql in many if sql.lstrip().upper().startswith("SELECT")]
    assert reads
    assert not [sql for sql in reads if '"data"' in sql or '"report"' in sql], reads


def test_a_backlog_of_forgotten_jobs_goes_a_batch_at_a_time_oldest_first(org_a):
    older = make_jobs(org_a, PURGE_BATCH, status=ImportJobStatus.DONE, days=60, data=b"")
    newer = make_jobs(org_a, 20, status=ImportJobStatus.DONE, days=40, data=b"")
    first = purge_queries()
    assert not ImportJob.objects.filter(pk__in=[job.pk for job in older]).exists()
    assert ImportJob.objects.count() == 20
    assert len(purge_queries()) == len(first)
    assert not ImportJob.objects.filter(pk__in=[job.pk for job in newer]).exists()
