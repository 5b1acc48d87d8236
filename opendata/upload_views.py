"""The admin's table upload for a dataset: upload a file → dry run (the first rows as they will
be stored, each column's type to confirm or change, members-only and filter columns, the errors
with their rows) → confirm → stored, the old table replaced at once.

Reached from the dataset's page editor (header button) and from the page listing (``more``
menu), for users who may edit the page: Wagtail's page permissions, so only the dataset's
organization; any other page id is a 404. The file waits between the steps in an ``ImportJob``
of kind ``opendata_dataset`` (the spreadsheets kit's model: its bytes are forgotten once the
upload is over, and left-behind jobs are purged). Files are bounded by
``SPREADSHEET_IMPORT_MAX_BYTES`` and ``OPENDATA_UPLOAD_MAX_ROWS`` (the message says
the limit); above ``SPREADSHEET_IMPORT_BACKGROUND_ROWS`` rows the store runs in the worker
(``opendata.tasks``) and the screen follows its progress. The rules are
``opendata.inference``'s; these views check who may do what and render.
"""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from spreadsheets.files import SpreadsheetError
from spreadsheets.models import ImportJob, ImportJobStatus
from spreadsheets.pipeline import max_upload_bytes

from .fields import FieldType, text_of
from .inference import (
    ColumnPlan,
    check_table,
    max_rows,
    propose_columns,
    read_upload,
    with_members_only,
)
from .models import DatasetPage, SourceKind
from .tables import NoData, all_fields
from .tasks import KIND, upload_job_store

#: Seconds between two reloads of the progress screen (it works without JavaScript).
REFRESH_SECONDS = 3


def editable_dataset(user, page_id: int) -> DatasetPage:
    """The dataset ``page_id`` if ``user`` may edit it (404 otherwise, as if it did not
    exist: another organization's datasets are not even confirmed to exist)."""
    page = get_object_or_404(DatasetPage, pk=page_id)
    if not page.permissions_for_user(user).can_edit():
        raise Http404
    return page


def upload_url(page) -> str:
    return reverse("opendata_upload:upload", args=[page.pk])


class TableUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, XLSX or ODS, with the column headings in the first row."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx,.ods"


class ColumnsForm(forms.Form):
    """For each column: its type, whether members only read it, whether it is a filter."""

    def __init__(self, *args, columns: list[ColumnPlan], locked=frozenset(), **kwargs):
        """``locked``: columns the page's « members-only columns » names (members only
        whatever the box says: the box is ticked and cannot be unticked here)."""
        super().__init__(*args, **kwargs)
        self.columns = columns
        for n, column in enumerate(columns):
            choices = (
                [(FieldType.GEO_POINT.value, FieldType.GEO_POINT.label)]
                if column.is_pair
                else FieldType.choices
            )
            self.fields[f"type_{n}"] = forms.ChoiceField(
                label=_("Type of %(column)s") % {"column": column.label},
                choices=choices,
                initial=column.type,
            )
            self.fields[f"members_{n}"] = forms.BooleanField(
                label=_("%(column)s: members only") % {"column": column.label},
                required=False,
                initial=column.members_only or column.name in locked,
                disabled=column.name in locked,
            )
            self.fields[f"facet_{n}"] = forms.BooleanField(
                label=_("%(column)s: filter") % {"column": column.label},
                required=False,
                initial=column.facet,
            )

    def chosen(self) -> list[ColumnPlan]:
        data = self.cleaned_data
        return [
            replace(
                column,
                type=data[f"type_{n}"],
                members_only=data[f"members_{n}"],
                facet=data[f"facet_{n}"],
            )
            for n, column in enumerate(self.columns)
        ]

    def rows(self):
        """Per column: its plan and its three fields (for the template's table)."""
        return [
            (column, self[f"type_{n}"], self[f"members_{n}"], self[f"facet_{n}"])
            for n, column in enumerate(self.columns)
        ]


class DatasetUploadMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = _("Upload a table")

    def dispatch(self, request, *args, **kwargs):
        self.dataset = editable_dataset(request.user, kwargs["page_id"])
        if self.dataset.source_kind != SourceKind.UPLOAD:
            messages.error(
                request,
                _("This dataset shows live records: choose “Uploaded table” as its data first."),
            )
            return redirect("wagtailadmin_pages:edit", self.dataset.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.dataset.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.dataset.pk]),
                "label": self.dataset.title,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.dataset_context())
        return context

    def get_context_data_base(self) -> dict:
        """The admin frame's context without a form (the outcome screen has none)."""
        context = WagtailAdminTemplateMixin.get_context_data(self, form=None)
        context.update(self.dataset_context(), view=self)
        return context

    def dataset_context(self) -> dict:
        return {
            "dataset": self.dataset,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[self.dataset.pk]),
            "upload_url": upload_url(self.dataset),
            "limit_size": filesizeformat(max_upload_bytes()),
            "limit_rows": max_rows(),
        }

    def previous_fields(self):
        try:
            return all_fields(self.dataset)
        except NoData:
            return ()


class DatasetUploadView(DatasetUploadMixin, FormView):
    template_name = "opendata/admin/upload.html"
    form_class = TableUploadForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            form.add_error(
                "file",
                _("The file is too large (%(size)s). The limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(max_upload_bytes()),
                },
            )
            return self.form_invalid(form)
        data = upload.read()
        try:
            table = read_upload(data, upload.name)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        columns = with_members_only(
            propose_columns(table, self.previous_fields()), self.dataset.members_field_names()
        )
        ImportJob.objects.purge()
        job = ImportJob.objects.create(
            site=self.dataset.get_site(),
            user=self.request.user,
            kind=KIND,
            filename=upload.name[:255],
            format=table.format,
            size=len(data),
            data=data,
            plan={"dataset": self.dataset.pk, "columns": [c.to_dict() for c in columns]},
            language=translation.get_language() or "",
            total_rows=len(table.dataset),
            status=ImportJobStatus.CHECKED,
        )
        return redirect("opendata_upload:preview", self.dataset.pk, job.pk)


class DatasetUploadPreviewView(DatasetUploadMixin, FormView):
    """The dry run of the file with the columns as they stand; confirming stores it."""

    template_name = "opendata/admin/preview.html"
    form_class = ColumnsForm
    page_title = _("Check the table")

    def dispatch(self, request, *args, **kwargs):
        self.job = (
            ImportJob.objects.filter(kind=KIND, user=request.user, pk=kwargs["job_id"])
            .select_related("site")
            .first()
        )
        if self.job is None or (self.job.plan or {}).get("dataset") != kwargs["page_id"]:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.job.status == ImportJobStatus.CHECKED:
            return super().get(request, *args, **kwargs)
        return self.render_to_response(self.outcome_context())

    def post(self, request, *args, **kwargs):
        if self.job.status != ImportJobStatus.CHECKED:
            return redirect("opendata_upload:preview", self.dataset.pk, self.job.pk)
        return super().post(request, *args, **kwargs)

    def get_template_names(self):
        if self.job.status == ImportJobStatus.CHECKED:
            return ["opendata/admin/preview.html"]
        return ["opendata/admin/outcome.html"]

    def outcome_context(self) -> dict:
        """The store under way in the worker, or what came of it."""
        job = self.job
        report = job.report or {}
        progress = job.current_progress()
        context = self.get_context_data_base()
        context.update(
            job=job,
            running=job.is_running,
            done=job.status == ImportJobStatus.DONE,
            cancelled=job.status == ImportJobStatus.CANCELLED,
            rows=report.get("rows", 0),
            errors=report.get("errors", []),
            more_errors=report.get("error_count", 0) - len(report.get("errors", [])),
            percent=progress.percent,
            stalled=job.is_stalled(progress),
            refresh_seconds=REFRESH_SECONDS,
            preview_url=reverse("opendata_upload:preview", args=[self.dataset.pk, job.pk]),
        )
        return context

    @cached_property
    def columns(self) -> list[ColumnPlan]:
        return [ColumnPlan.from_dict(c) for c in self.job.plan.get("columns", [])]

    @cached_property
    def table(self):
        return read_upload(bytes(self.job.data), self.job.filename)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "columns": self.columns,
            "locked": self.dataset.members_field_names(),
        }

    def form_valid(self, form):
        job = self.job
        action = self.request.POST.get("action", "check")
        if action == "cancel":
            job.status, job.data = ImportJobStatus.CANCELLED, b""
            job.save(update_fields=["status", "data", "updated_at"])
            return redirect("wagtailadmin_pages:edit", self.dataset.pk)
        columns = form.chosen()
        job.plan = {**job.plan, "columns": [c.to_dict() for c in columns]}
        job.save(update_fields=["plan", "updated_at"])
        self.__dict__.pop("columns", None)
        if action != "confirm":
            return redirect("opendata_upload:preview", self.dataset.pk, job.pk)
        if not check_table(self.table, columns, site=job.site, preview=0).ok:
            # Still waiting for confirmation: the editor may choose other types.
            messages.error(self.request, _("The file has errors: nothing was stored."))
            return redirect("opendata_upload:preview", self.dataset.pk, job.pk)
        if not upload_job_store(job):
            return redirect("opendata_upload:preview", self.dataset.pk, job.pk)
        job.refresh_from_db()
        if job.status == ImportJobStatus.DONE:
            rows = (job.report or {}).get("rows", 0)
            messages.success(
                self.request,
                ngettext(
                    "%(count)s row stored in “%(title)s”.",
                    "%(count)s rows stored in “%(title)s”.",
                    rows,
                )
                % {"count": rows, "title": self.dataset.title},
            )
            return redirect("wagtailadmin_pages:edit", self.dataset.pk)
        if job.status == ImportJobStatus.FAILED and not job.is_running:
            messages.error(self.request, job.error)
        return redirect("opendata_upload:preview", self.dataset.pk, job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = check_table(self.table, self.columns, site=self.job.site)
        context.update(
            job=self.job,
            check=check,
            preview=[
                [text_of(c.type, value) for c, value in zip(check.columns, row, strict=True)]
                for row in check.preview_cells()
            ],
            more_errors=check.error_count - len(check.errors),
            preview_url=reverse("opendata_upload:preview", args=[self.dataset.pk, self.job.pk]),
        )
        return context
