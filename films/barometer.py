"""The barometer (« Baromètre »): admissions per week, per film and per cinema, for a period
(the last 8 weeks unless chosen), with totals — what the box-office imports bring, read by the
organization's staff only (CRM staff and editors holding ``films.view_screening`` through its
group), as an HTML table or a CSV/XLSX download.

Admissions and receipts are private figures: this screen is in the admin, scoped to the
organizations the user works for; nothing here is ever public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from organizations.permissions import site_ids_with_permissions
from organizations.registry import OrganizationRole
from spreadsheets.files import write_table

from .models import Screening

DEFAULT_WEEKS = 8
#: The longest period shown at once (a table of 53 weeks is already wide).
MAX_WEEKS = 53
ROLES = (OrganizationRole.CRM_STAFF, OrganizationRole.EDITORS)


def barometer_sites(user):
    """The organizations whose barometer ``user`` may read."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    return Site.objects.filter(
        pk__in=site_ids_with_permissions(user, ["films.view_screening"], ROLES)
    )


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class BarometerLine:
    film: str
    cinema: str
    weeks: list[int]
    admissions: int = 0
    receipts: Decimal = Decimal(0)
    sessions: int = 0
    #: The film's page and the cinema's record (0: the organization itself), for stable keys.
    film_id: int = 0
    cinema_key: int = 0


@dataclass
class Barometer:
    weeks: list[dt.date]
    lines: list[BarometerLine] = field(default_factory=list)
    week_totals: list[int] = field(default_factory=list)
    admissions: int = 0
    receipts: Decimal = Decimal(0)
    sessions: int = 0


def barometer(
    site, start: dt.date, end: dt.date, organization_name: str = "", screenings=None
) -> Barometer:
    """Admissions of ``site``'s screenings from ``start`` to ``end`` (local days), per film and
    cinema and per week (weeks start on Monday): one grouped query. ``screenings`` narrows the
    rows read (the open-data barometer keeps public films and cinemas only)."""
    first = monday(start)
    weeks = [first + dt.timedelta(weeks=n) for n in range((monday(end) - first).days // 7 + 1)]
    position = {week: n for n, week in enumerate(weeks)}
    rows = (
        (Screening.objects.all() if screenings is None else screenings)
        .filter(site=site, local_date__gte=start, local_date__lte=end)
        .exclude(status=Screening.Status.CANCELLED)
        .values("film_id", "film__title", "cinema_key", "cinema__title", "local_date")
        .annotate(
            total_admissions=Sum("admissions"),
            total_receipts=Sum("gross_receipts"),
            sessions=Count("pk"),
        )
        .order_by()
    )
    lines: dict[tuple, BarometerLine] = {}
    result = Barometer(weeks=weeks, week_totals=[0] * len(weeks))
    for row in rows:
        key = (row["film_id"], row["cinema_key"])
        line = lines.get(key)
        if line is None:
            line = lines[key] = BarometerLine(
                film=row["film__title"],
                cinema=row["cinema__title"] or organization_name,
                weeks=[0] * len(weeks),
                film_id=row["film_id"],
                cinema_key=row["cinema_key"],
            )
        admissions = row["total_admissions"] or 0
        receipts = row["total_receipts"] or Decimal(0)
        week = position[monday(row["local_date"])]
        line.weeks[week] += admissions
        line.admissions += admissions
        line.receipts += receipts
        line.sessions += row["sessions"]
        result.week_totals[week] += admissions
        result.admissions += admissions
        result.receipts += receipts
        result.sessions += row["sessions"]
    result.lines = sorted(
        lines.values(), key=lambda line: (-line.admissions, line.film.casefold(), line.cinema)
    )
    return result


class BarometerForm(forms.Form):
    site = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), queryset=Site.objects.none(), required=False
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() < 2:
            self.fields["site"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or monday(end) - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (end - start).days > MAX_WEEKS * 7:
            raise forms.ValidationError(
                _("Choose a period of %(weeks)s weeks at most.") % {"weeks": MAX_WEEKS}
            )
        cleaned.update(start=start, end=end)
        return cleaned


class BarometerView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "films/boxoffice/barometer.html"
    page_title = gettext_lazy("Barometer")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not self.sites.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def sites(self):
        return barometer_sites(self.request.user).order_by("site_name", "pk")

    @cached_property
    def form(self):
        return BarometerForm(self.request.GET or None, sites=self.sites)

    def period(self):
        form = self.form
        if self.request.GET and form.is_valid():
            data = form.cleaned_data
            return data.get("site") or self.sites.first(), data["start"], data["end"]
        end = timezone.localdate()
        return self.sites.first(), monday(end) - dt.timedelta(weeks=DEFAULT_WEEKS - 1), end

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx") and (not request.GET or self.form.is_valid()):
            return self.download(fmt)
        return super().get(request, *args, **kwargs)

    def build(self):
        site, start, end = self.period()
        return site, start, end, barometer(site, start, end, site.site_name or site.hostname)

    def download(self, fmt: str) -> HttpResponse:
        site, start, end, result = self.build()
        headers = [
            _("Film"),
            _("Cinema"),
            *[_("Week of %(day)s") % {"day": week.isoformat()} for week in result.weeks],
            _("Admissions"),
            _("Sessions"),
            _("Gross receipts"),
        ]
        dataset = tablib.Dataset(headers=headers)
        for line in result.lines:
            dataset.append(
                [line.film, line.cinema, *line.weeks, line.admissions, line.sessions, line.receipts]
            )
        dataset.append(
            [
                _("Total"),
                "",
                *result.week_totals,
                result.admissions,
                result.sessions,
                result.receipts,
            ]
        )
        response = HttpResponse(
            write_table(dataset, fmt),
            content_type="text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="barometre-{start.isoformat()}-{end.isoformat()}.{fmt}"'
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site, start, end, result = self.build()
        query = self.request.GET.copy()
        links = []
        for fmt in ("csv", "xlsx"):
            query["format"] = fmt
            links.append((fmt.upper(), f"?{query.urlencode()}"))
        context.update(
            form=self.form, site=site, start=start, end=end, barometer=result, downloads=links
        )
        return context
