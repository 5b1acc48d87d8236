"""The admin's box-office import: upload an export for a cinema, say which column is which when
the headers are not recognised (remembered for the cinema), see what the import would do — the
uncertain films to settle, the drafts it would make, the errors with their lines — then confirm.

The file waits between the steps in an ``ImportJob`` of kind ``screenings`` (the spreadsheets
kit's model: its bytes are forgotten once the import is over, and left-behind jobs are purged).
The rules are ``films.boxoffice``'s; these views only check who may do what and render.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from spreadsheets.files import SpreadsheetError
from spreadsheets.models import ImportJob, ImportJobStatus
from spreadsheets.pipeline import max_upload_bytes, read_upload
from spreadsheets.registry import get_kind

from .boxoffice import (
    DRAFT,
    FIELDS,
    BoxOfficeError,
    BoxOfficeReport,
    boxoffice_import,
    cinemas_of,
    column_mapping,
    field_label,
    missing_fields,
)

KIND = "screenings"
#: The URL names of the screens (``films.screening_viewsets``).
URL_NAMES = {
    "upload": "films_screenings:boxoffice",
    "job": "films_screenings:boxoffice_job",
    "index": "films_screenings:index",
}


def import_sites(user) -> list:
    return get_kind(KIND).import_sites(user)


class BoxOfficeUploadForm(forms.Form):
    cinema = forms.ChoiceField(
        label=_("Cinema"),
        help_text=_("Whose box office wrote the file: a cinema record, or the organization."),
    )
    file = forms.FileField(
        label=_("Box-office export"),
        help_text=_("CSV or XLSX, as the ticketing software writes it, headers in the first row."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for site in sites:
            name = site.site_name or site.hostname
            choices.append(
                (f"{site.pk}:0", _("%(site)s (the organization itself)") % {"site": name})
            )
            for cinema in cinemas_of(site):
                label = cinema.title if len(sites) == 1 else f"{name} — {cinema.title}"
                choices.append((f"{site.pk}:{cinema.pk}", label))
        self.sites = {site.pk: site for site in sites}
        self.fields["cinema"].choices = choices
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"

    def clean_cinema(self):
        site_pk, _colon, cinema_pk = self.cleaned_data["cinema"].partition(":")
        site = self.sites[int(site_pk)]
        cinema = None
        if cinema_pk != "0":
            cinema = cinemas_of(site).filter(pk=int(cinema_pk)).first()
            if cinema is None:
                raise forms.ValidationError(_("Choose a cinema of the list."))
        return site, cinema


class ColumnsForm(forms.Form):
    """For each field, the column of the file that holds it."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [(h, h) for h in headers]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=field_label(name),
                choices=choices,
                required=False,
                initial=mapping.get(name, ""),
            )

    def clean(self):
        cleaned = super().clean()
        missing = missing_fields({name: cleaned.get(name) for name in FIELDS})
        if missing:
            raise forms.ValidationError(
                _("Choose the column of: %(fields)s.")
                % {"fields": ", ".join(field_label(name) for name in missing)}
            )
        return cleaned


class BoxOfficeMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = _("Import a box-office export")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(URL_NAMES["index"]), "label": _("Screenings")},
            {"url": "", "label": self.page_title},
        ]


class BoxOfficeUploadView(BoxOfficeMixin, FormView):
    template_name = "films/boxoffice/upload.html"
    form_class = BoxOfficeUploadForm

    def dispatch(self, request, *args, **kwargs):
        if not self.sites:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def sites(self):
        return import_sites(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sites": self.sites}

    def form_valid(self, form):
        site, cinema = form.cleaned_data["cinema"]
        upload = form.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            form.add_error("file", _("The file is too large."))
            return self.form_invalid(form)
        data = upload.read()
        try:
            table = read_upload(data, upload.name)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        mapping = column_mapping(table.headers, site=site, cinema=cinema)
        ImportJob.objects.purge()
        job = ImportJob.objects.create(
            site=site,
            user=self.request.user,
            kind=KIND,
            filename=upload.name[:255],
            format=table.format,
            size=len(data),
            data=data,
            plan={"headers": table.headers, "cinema": cinema.pk if cinema else 0},
            columns=mapping,
            language=translation.get_language() or "",
            total_rows=len(table.dataset),
        )
        if not missing_fields(mapping):
            run_check(job)
        return redirect(URL_NAMES["job"], job_id=job.pk)


def job_cinema(job):
    cinema_pk = (job.plan or {}).get("cinema") or 0
    return cinemas_of(job.site).filter(pk=cinema_pk).first() if cinema_pk else None


def run_check(job, *, decisions=None, dry_run=True) -> BoxOfficeReport | None:
    """Dry-run (or import) the job's file with its columns; store what came of it."""
    chosen = (job.plan or {}).get("chosen")
    try:
        report = boxoffice_import(
            site=job.site,
            data=bytes(job.data),
            filename=job.filename,
            cinema=job_cinema(job),
            columns=job.columns if chosen else None,
            decisions=decisions,
            dry_run=dry_run,
            user=job.user,
        )
    except BoxOfficeError as error:
        job.status, job.error, job.report = ImportJobStatus.UPLOADED, str(error), None
        job.save(update_fields=["status", "error", "report", "updated_at"])
        return None
    job.report = report.to_dict()
    job.error = ""
    if dry_run or not report.ready:
        job.status = ImportJobStatus.CHECKED
    else:
        job.status, job.data = ImportJobStatus.DONE, b""
    job.save(update_fields=["status", "error", "report", "data", "updated_at"])
    return report


class BoxOfficeJobView(BoxOfficeMixin, TemplateView):
    """Mapping, preview and report of one upload, following its status."""

    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(
            ImportJob.objects.for_user(request.user).filter(kind=KIND).select_related("site"),
            pk=kwargs["job_id"],
        )
        if not get_kind(KIND).user_can_import(request.user, self.job.site):
            raise Http404
        self.columns_form = None
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        if self.job.status == ImportJobStatus.UPLOADED:
            return ["films/boxoffice/columns.html"]
        return ["films/boxoffice/preview.html"]

    def get_page_subtitle(self):
        return self.job.filename

    def report(self) -> BoxOfficeReport | None:
        return BoxOfficeReport.from_dict(self.job.report) if self.job.report else None

    def post(self, request, *args, **kwargs):
        job, action = self.job, request.POST.get("action", "")
        if job.status in ImportJob.FINISHED:
            return redirect(URL_NAMES["job"], job_id=job.pk)
        if action == "cancel":
            job.status, job.data, job.report = ImportJobStatus.CANCELLED, b"", None
            job.save(update_fields=["status", "data", "report", "updated_at"])
            return redirect(URL_NAMES["index"])
        if action == "remap":
            job.status = ImportJobStatus.UPLOADED
            job.save(update_fields=["status", "updated_at"])
        elif action == "columns":
            form = ColumnsForm(request.POST, headers=self.headers, mapping=job.columns)
            if not form.is_valid():
                self.columns_form = form
                return self.get(request, *args, **kwargs)
            job.columns = {name: form.cleaned_data[name] for name in FIELDS}
            job.plan = {**(job.plan or {}), "chosen": True}
            job.save(update_fields=["columns", "plan", "updated_at"])
            run_check(job)
        elif action == "confirm" and job.status == ImportJobStatus.CHECKED:
            report = self.report()
            decisions = {}
            for number, held in enumerate(report.held if report else []):
                choice = request.POST.get(f"film_{number}", "")
                allowed = {str(pk) for pk, _label in held.candidates} | {DRAFT}
                if choice in allowed:
                    decisions[held.key] = choice
            decisions = {**(job.plan or {}).get("decisions", {}), **decisions}
            job.plan = {**(job.plan or {}), "decisions": decisions}
            job.save(update_fields=["plan", "updated_at"])
            run_check(job, decisions=decisions, dry_run=False)
        return redirect(URL_NAMES["job"], job_id=job.pk)

    @cached_property
    def headers(self) -> list[str]:
        return list((self.job.plan or {}).get("headers", []))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        cinema = job_cinema(job)
        context.update(
            job=job,
            cinema=cinema.title if cinema else (job.site.site_name or job.site.hostname),
            job_url=reverse(URL_NAMES["job"], args=[job.pk]),
            index_url=reverse(URL_NAMES["index"]),
            upload_url=reverse(URL_NAMES["upload"]),
        )
        if job.status == ImportJobStatus.UPLOADED:
            context["form"] = self.columns_form or ColumnsForm(
                headers=self.headers, mapping=job.columns or {}
            )
            context["error"] = job.error
            return context
        report = self.report()
        context.update(
            report=report,
            done=job.status == ImportJobStatus.DONE,
            cancelled=job.status == ImportJobStatus.CANCELLED,
            held=[
                {"number": n, "held": held, "name": f"film_{n}"}
                for n, held in enumerate(report.held if report else [])
            ],
            can_confirm=bool(
                report and report.ok and job.status == ImportJobStatus.CHECKED and report.total
            ),
            mapping=[
                (field_label(name), header)
                for name, header in (report.mapping if report else {}).items()
            ],
        )
        return context
