"""Spreadsheet import and export screens, shared by every listing that declares its kinds.

A listing gets them in two pieces (see ``viewsets.SpreadsheetViewSetMixin``):

- its index view mixes in ``SpreadsheetIndexMixin``: ``?export=<kind>.<fmt>`` downloads the
  listing as filtered on screen, and the header shows "Import" and, for each kind, an export
  button whose menu offers the formats;
- its viewset adds the import screens below: upload, then one page per job that shows, as
  the job goes, the column matching, the progress, the preview with confirmation, the report.

The views only check who may do what and render; each step is an ``import_job_*`` function of
``tasks.py``, every rule about rows lives in ``pipeline.py`` and the resources, and who may
import or export a kind, where, is the kind's declaration in the registry (``registry.py``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView, TemplateView, View
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton
from wagtail.models import Site

from .exports import AFTER_EXPORT_HOOK, export_response, template_response
from .files import FORMATS, SpreadsheetError
from .forms import ColumnMappingForm, ImportUploadForm, UploadLimitHandler
from .models import ImportJob, ImportJobStatus
from .pipeline import background_rows, import_columns, max_upload_bytes, resource_class_for
from .registry import export_label, get_kind, kind_label, user_import_sites
from .tasks import (
    import_job_cancel,
    import_job_check,
    import_job_confirm,
    import_job_create,
    import_job_remap,
    runs_in_background,
)

#: What happens to a row: in the preview (dry run), then in the report.
PREVIEW_STATUS_LABELS = {
    "new": pgettext_lazy("import row", "New"),
    "update": pgettext_lazy("import row", "To update"),
    "skip": pgettext_lazy("import row", "Unchanged"),
    "invalid": pgettext_lazy("import row", "Invalid"),
}
REPORT_STATUS_LABELS = {
    **PREVIEW_STATUS_LABELS,
    "new": pgettext_lazy("import row", "Created"),
    "update": pgettext_lazy("import row", "Updated"),
}
#: Rows of the preview shown per page.
PREVIEW_PER_PAGE = 100
#: How often the progress page reloads without JavaScript (seconds).
REFRESH_SECONDS = 5


def poll_interval_ms() -> int:
    """How often the progress page asks for news (milliseconds)."""
    return getattr(settings, "SPREADSHEET_IMPORT_POLL_MS", 1500)


# --- Listings: export, and the way to import ---------------------------------------------------


class SpreadsheetIndexMixin:
    """For a listing's index view: exports of what the listing shows, and an "Import" button,
    both in the header beside the listing's own buttons (not in its "…" menu: staff look for
    them there first).

    ``spreadsheet_kinds`` names the registered kinds (``registry.kinds()``) of the rows
    listed; override ``spreadsheet_queryset(kind)`` when one listing holds several kinds.
    """

    spreadsheet_kinds: tuple[str, ...] = ()
    import_url_name: str | None = None

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export", "")
        if self.spreadsheet_kinds and "." in export:
            return self.spreadsheet_export(export)
        return super().get(request, *args, **kwargs)

    def spreadsheet_queryset(self, kind: str):
        """The rows of ``kind`` as the listing shows them (filters, search, order)."""
        return self.get_queryset()

    @cached_property
    def spreadsheet_export_sites(self) -> dict[str, list[Site]]:
        """Kind → the organizations whose rows of that kind the user may export."""
        user = self.request.user
        return {kind: get_kind(kind).export_sites(user) for kind in self.spreadsheet_kinds}

    @cached_property
    def spreadsheet_import_sites(self) -> list[Site]:
        return user_import_sites(self.request.user, self.spreadsheet_kinds)

    def spreadsheet_export(self, export: str):
        kind, _dot, fmt = export.partition(".")
        if kind not in self.spreadsheet_kinds or fmt not in FORMATS:
            raise Http404
        sites = self.spreadsheet_export_sites[kind]
        if not sites:
            raise PermissionDenied
        queryset = self.spreadsheet_queryset(kind)
        queryset = resource_class_for(kind).scope_queryset(queryset, sites)
        request = self.request

        def exported(rows: int) -> None:
            for after_export in hooks.get_hooks(AFTER_EXPORT_HOOK):
                after_export(
                    request, model=queryset.model, kind=kind, fmt=fmt, rows=rows, sites=sites
                )

        return export_response(
            kind=kind,
            fmt=fmt,
            site=sites[0] if len(sites) == 1 else None,
            queryset=queryset,
            language=translation.get_language(),
            on_written=exported,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if any(self.spreadsheet_export_sites.values()):
            context["media"] = context.get("media", forms.Media()) + forms.Media(
                js=["spreadsheets/export-links.js"]
            )
        return context

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and self.spreadsheet_import_sites:
            buttons.append(
                HeaderButton(
                    _("Import"),
                    url=reverse(self.import_url_name),
                    icon_name="upload",
                    attrs={"data-crm-import": ""},
                )
            )
        buttons.extend(self.export_buttons())
        return buttons

    def export_buttons(self) -> list[ButtonWithDropdown]:
        """One header button per kind the user may export ("Export people"), whose menu offers
        the formats; each link carries the listing's filters."""
        query = self.request.GET.copy()
        query.pop("p", None)
        buttons = []
        for position, kind in enumerate(self.spreadsheet_kinds):
            if not self.spreadsheet_export_sites[kind]:
                continue
            formats = []
            for fmt in FORMATS:
                query["export"] = f"{kind}.{fmt}"
                formats.append(
                    Button(
                        fmt.upper(),
                        url=f"{self.request.path}?{query.urlencode()}",
                        icon_name="download",
                        # The listing's filters may change without a reload: the link reads
                        # them again when clicked (export-links.js).
                        attrs={"data-crm-export": f"{kind}.{fmt}"},
                        priority=FORMATS.index(fmt),
                    )
                )
            buttons.append(
                ButtonWithDropdown(
                    export_label(kind),
                    buttons=formats,
                    icon_name="download",
                    classname="w-header-button button button-secondary",
                    attrs={"data-crm-export-menu": kind},
                    priority=1100 + position,  # after "Add" and "Import"
                )
            )
        return buttons


# --- Import screens ----------------------------------------------------------------------------


class SpreadsheetViewMixin(WagtailAdminTemplateMixin):
    """What every import screen of a viewset shares: its kinds, its URLs, its breadcrumbs."""

    spreadsheet_kinds: tuple[str, ...] = ()
    index_url_name: str | None = None
    import_url_name: str | None = None
    job_url_name: str | None = None
    progress_url_name: str | None = None
    template_url_name: str | None = None
    listing_label = ""
    header_icon = "upload"
    page_title = _("Import")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # The import screens only know the kinds files may be imported as (not export-only
        # reports a listing offers beside them).
        self.spreadsheet_kinds = tuple(
            kind for kind in self.spreadsheet_kinds if get_kind(kind).importable
        )

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.listing_label})
        items.append({"url": reverse(self.import_url_name), "label": _("Import")})
        return items

    def job_url(self, job: ImportJob) -> str:
        return reverse(self.job_url_name, args=[job.pk])

    #: Large fields the screens never read (the file's bytes), or not all of them.
    job_deferred_fields: tuple[str, ...] = ("data",)

    def get_job(self) -> ImportJob:
        """The job of the URL if it is the user's, in an organization they may still import
        into, and of this listing's kinds; 404 otherwise, as if it did not exist."""
        job = get_object_or_404(
            ImportJob.objects.for_user(self.request.user)
            .filter(kind__in=self.spreadsheet_kinds)
            .select_related("site")
            .defer(*self.job_deferred_fields),
            pk=self.kwargs["job_id"],
        )
        if not get_kind(job.kind).user_can_import(self.request.user, job.site):
            raise Http404
        return job


@method_decorator(csrf_exempt, name="dispatch")
class ImportUploadView(SpreadsheetViewMixin, FormView):
    """Step 1: the file, its kind, its organization."""

    template_name = "spreadsheets/upload.html"
    form_class = ImportUploadForm

    def dispatch(self, request, *args, **kwargs):
        # The size limit must be in place before anything reads the request body, CSRF
        # middleware included: hence csrf_exempt on the view, and the same check here, after.
        self.upload_limit = None
        if request.method == "POST":
            self.upload_limit = UploadLimitHandler(request, max_upload_bytes())
            request.upload_handlers.insert(0, self.upload_limit)
        return csrf_protect(self._dispatch)(request, *args, **kwargs)

    def _dispatch(self, request, *args, **kwargs):
        if not self.import_sites:
            raise Http404  # as for another organization's job: nothing to see here
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def import_sites(self) -> list[Site]:
        return user_import_sites(self.request.user, self.spreadsheet_kinds)

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": "", "label": _("Import")}
        return items

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        return {"kind": kind if kind in self.spreadsheet_kinds else self.spreadsheet_kinds[0]}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            kinds=list(self.spreadsheet_kinds),
            sites=self.import_sites,
            user=self.request.user,
            oversized=self.upload_limit.oversized if self.upload_limit else None,
        )
        return kwargs

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                site=form.cleaned_data["site"],
                user=self.request.user,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                data=upload.read(),
                publish=form.cleaned_data.get("publish", False),
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        finally:
            upload.close()  # a temporary file is deleted now, not at the end of the request
        return redirect(self.job_url(job))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["templates"] = [
            {
                "kind": kind,
                "label": kind_label(kind),
                "columns": import_columns(kind),
                "links": [
                    (fmt.upper(), reverse(self.template_url_name, args=[kind, fmt]))
                    for fmt in FORMATS
                ],
            }
            for kind in self.spreadsheet_kinds
        ]
        jobs = (
            ImportJob.objects.for_user(self.request.user)
            .filter(kind__in=self.spreadsheet_kinds)
            .exclude(status=ImportJobStatus.CANCELLED)
            .select_related("site")
            .defer("data", "report", "plan")[:10]
        )
        context["recent_jobs"] = [
            {"job": job, "url": self.job_url(job), "kind": kind_label(job.kind)} for job in jobs
        ]
        context["background_rows"] = background_rows()
        return context


class ImportJobView(SpreadsheetViewMixin, TemplateView):
    """Steps 2 to 5 at one address: what the page shows follows the job's status."""

    TEMPLATES = {
        ImportJobStatus.UPLOADED: "spreadsheets/mapping.html",
        ImportJobStatus.CHECKING: "spreadsheets/progress.html",
        ImportJobStatus.IMPORTING: "spreadsheets/progress.html",
    }
    HEADINGS = {
        ImportJobStatus.UPLOADED: _("Match the columns"),
        ImportJobStatus.CHECKING: _("Checking the file…"),
        ImportJobStatus.CHECKED: _("Preview: what the import would do"),
        ImportJobStatus.IMPORTING: _("Importing…"),
        ImportJobStatus.DONE: _("Import report"),
        ImportJobStatus.FAILED: _("The import failed"),
        ImportJobStatus.CANCELLED: _("Import cancelled"),
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.mapping_form = None

    def dispatch(self, request, *args, **kwargs):
        self.job = self.get_job()
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return [self.TEMPLATES.get(self.job.status, "spreadsheets/report.html")]

    def get_page_subtitle(self):
        return self.job.filename

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.job.filename}]

    def get_mapping_form(self, data=None) -> ColumnMappingForm:
        plan = self.job.plan or {}
        return ColumnMappingForm(
            data,
            headers=plan.get("headers", []),
            columns=import_columns(self.job.kind),
            mapping=self.job.columns or plan.get("mapping", {}),
        )

    def post(self, request, *args, **kwargs):
        job = self.job
        action = request.POST.get("action", "")
        if action == "cancel":
            import_job_cancel(job)
        elif action == "remap":
            import_job_remap(job)
        elif action == "confirm":
            import_job_confirm(job)
        elif action == "check" and job.status == ImportJobStatus.UPLOADED:
            form = self.get_mapping_form(request.POST)
            if not form.is_valid():
                self.mapping_form = form
                return self.get(request, *args, **kwargs)
            import_job_check(job, columns=form.mapping())
        return redirect(self.job_url(job))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        context.update(
            job=job,
            heading=self.HEADINGS[job.status],
            kind_label=kind_label(job.kind),
            job_url=self.job_url(job),
            upload_url=reverse(self.import_url_name),
            index_url=reverse(self.index_url_name) if self.index_url_name else "",
            in_background=runs_in_background(job),
        )
        if job.status == ImportJobStatus.UPLOADED:
            context.update(self.mapping_context())
        elif job.is_running:
            context.update(progress_context(job, reverse(self.progress_url_name, args=[job.pk])))
        else:
            context.update(report_context(job, job.import_report(), self.request.GET.get("p")))
        return context

    def mapping_context(self) -> dict:
        form = self.mapping_form or self.get_mapping_form()
        columns = import_columns(self.job.kind)
        mapping = self.job.columns or {}
        matched = {name for name in mapping.values() if name}
        return {
            "form": form,
            "unknown": (self.job.plan or {}).get("unknown", []),
            "missing_required": [c for c in columns if c.required and c.name not in matched],
            "columns": columns,
        }


def rows_text(done: int, total: int) -> str:
    """Progress as staff read it ("1 200 / 3 000 rows"), in the active language."""
    return ngettext("%(done)s / %(total)s row", "%(done)s / %(total)s rows", total) % {
        "done": number_format(done, force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }


def progress_state(job: ImportJob) -> dict:
    """What the progress bar shows, for the page and for its JSON endpoint."""
    progress = job.current_progress()
    rows = job.total_rows
    if job.status == ImportJobStatus.IMPORTING and progress.total > rows:
        # An import validates every row, then writes them: two passes over the rows.
        if progress.done <= rows:
            phase, done = _("Checking the rows before writing"), progress.done
        else:
            phase, done = _("Writing the records"), progress.done - rows
    elif job.status == ImportJobStatus.IMPORTING:
        phase, done = _("Importing"), progress.done
    else:
        phase, done = _("Checking the file (nothing is written)"), progress.done
    stalled = job.is_stalled(progress)
    if stalled:
        message = _(
            "No progress for a long time: the background worker seems to have stopped. Nothing "
            "is written until the whole file is imported. Ask the person who runs the site to "
            "check the worker (manage.py db_worker), then start again."
        )
    elif progress.at is None:
        message = _("Waiting for the background worker to start…")
    else:
        message = ""
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "phase": str(phase),
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "text": rows_text(min(done, rows), rows),
        "message": str(message),
        "stalled": stalled,
        "finished": not job.is_running,
    }


def progress_context(job: ImportJob, progress_url: str) -> dict:
    return {
        "progress": progress_state(job),
        "progress_url": progress_url,
        "poll_interval": poll_interval_ms(),
        "refresh_seconds": REFRESH_SECONDS,
        "can_cancel": job.status == ImportJobStatus.CHECKING,
    }


def report_context(job: ImportJob, report, page_number) -> dict:
    """The preview (dry run) or the report: counts, file-wide errors, and the rows."""
    if report is None:
        return {"report": None, "can_confirm": False}
    labels = {column.name: column.label for column in import_columns(job.kind)}
    columns = [(name, labels.get(name, name)) for name in report.columns]
    previews = report.rows
    if job.status == ImportJobStatus.FAILED:
        # Nothing was written: only the rows that explain why are worth showing.
        previews = [preview for preview in previews if preview.errors]
    page = Paginator(previews, PREVIEW_PER_PAGE).get_page(page_number)
    status_labels = PREVIEW_STATUS_LABELS if report.dry_run else REPORT_STATUS_LABELS
    rows = []
    for preview in page.object_list:
        cells = []
        for name, _label in columns:
            change = preview.changes.get(name)
            cells.append(
                {
                    "value": preview.values.get(name, ""),
                    "before": change[0] if change else None,
                    "errors": preview.errors.get(name, []),
                }
            )
        rows.append(
            {
                "number": preview.row,
                "status": preview.status,
                "status_label": status_labels.get(preview.status, preview.status),
                "cells": cells,
                "errors": [
                    (labels.get(name, name) if name else "", message)
                    for name, messages in preview.errors.items()
                    for message in messages
                ],
            }
        )
    file_errors = [error.message for error in report.errors if not error.row]
    rows_with_errors = len({error.row for error in report.errors if error.row})
    can_confirm = job.status == ImportJobStatus.CHECKED and report.ok and report.total > 0
    return {
        "report": report,
        "columns": columns,
        "rows": rows,
        "page": page,
        "file_errors": file_errors,
        "rows_with_errors": rows_with_errors,
        "can_confirm": can_confirm,
        "cannot_confirm_because": (
            "" if can_confirm else cannot_confirm_because(report, rows_with_errors, file_errors)
        ),
    }


def cannot_confirm_because(report, rows_with_errors: int, file_errors: list[str]) -> str:
    """Why the preview's "Confirm the import" button is disabled, shown beside it."""
    if rows_with_errors:
        return ngettext(
            "The import cannot be confirmed while %(rows)s row has errors: correct the file and "
            "upload it again, or change the column matching.",
            "The import cannot be confirmed while %(rows)s rows have errors: correct the file "
            "and upload it again, or change the column matching.",
            rows_with_errors,
        ) % {"rows": number_format(rows_with_errors, force_grouping=True)}
    if file_errors:
        return str(_("The import cannot be confirmed: the file has the errors shown above."))
    if not report.total:
        return str(_("The import cannot be confirmed: the file has no row to import."))
    return ""


@method_decorator(never_cache, name="dispatch")
class ImportProgressView(SpreadsheetViewMixin, View):
    """The progress bar's news, as JSON: a few queries whatever the file's size."""

    job_deferred_fields = ("data", "report", "plan", "columns")

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        state = progress_state(job)
        state["url"] = self.job_url(job)
        return JsonResponse(state)


class ImportTemplateView(SpreadsheetViewMixin, View):
    """A blank file with the kind's headers in the user's language, to fill in."""

    def get(self, request, kind, fmt):
        if kind not in self.spreadsheet_kinds or fmt not in FORMATS:
            raise Http404
        if not get_kind(kind).import_sites(request.user):
            raise Http404
        return template_response(kind=kind, fmt=fmt, language=translation.get_language())
