"""The admin dashboard's panel of the user's imports still waiting for them (columns to match,
a preview to confirm) or running, each linked to its screen."""

from __future__ import annotations

from django.template.loader import render_to_string
from wagtail.admin.ui.components import Component

from .models import ImportJob, ImportJobStatus
from .registry import kinds
from .viewsets import job_admin_url

#: Not over: waiting for the user (columns to match, preview to confirm) or for the worker.
PENDING = (
    ImportJobStatus.UPLOADED,
    ImportJobStatus.CHECKING,
    ImportJobStatus.CHECKED,
    ImportJobStatus.IMPORTING,
)


class PendingImportsPanel(Component):
    name = "spreadsheets_pending_imports"
    template_name = "spreadsheets/dashboard/pending_imports.html"
    order = 225
    limit = 10

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        jobs = (
            ImportJob.objects.for_user(self.user)
            .filter(status__in=PENDING)
            .select_related("site")
            .only("pk", "kind", "filename", "status", "created_at", "site__site_name")
            .order_by("-created_at", "-pk")
        )
        known = kinds()
        rows = []
        for job in jobs[: self.limit * 2]:
            kind = known.get(job.kind)
            # Only jobs the user may still carry on: their kind is installed, and they may
            # still import it into that organization (the job's screen checks the same).
            if kind is None or not kind.user_can_import(self.user, job.site):
                continue
            url = job_admin_url(job)
            if url is None:
                continue
            rows.append({"job": job, "url": url, "kind": kind.label})
            if len(rows) == self.limit:
                break
        return {"rows": rows, "several_sites": len({row["job"].site_id for row in rows}) > 1}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["rows"]:
            return ""  # nothing to act on: no panel
        return render_to_string(self.template_name, context)


def pending_imports_panel(request, panels):
    """``construct_homepage_panels`` hook."""
    panels.append(PendingImportsPanel(request.user))
