"""The one admin integration every listing shares: declare the kinds of rows, get the screens."""

from django.urls import NoReverseMatch, path, reverse

from . import views

#: Kind name → URL name of the job screen of the listing that imports it, filled as viewsets are
#: registered: an import job knows its kind, not the listing it was started from.
_job_url_names: dict[str, str] = {}


def job_admin_url(job) -> str | None:
    """The address of ``job``'s screen (matching, progress, preview or report), or ``None``
    when no registered listing imports its kind."""
    url_name = _job_url_names.get(job.kind)
    if url_name is None:
        return None
    try:
        return reverse(url_name, args=[job.pk])
    except NoReverseMatch:
        return None


class SpreadsheetViewSetMixin:
    """Spreadsheet import and export for a listing, declared by the kinds of rows it lists.

    ``spreadsheet_kinds`` names kinds of the registry (``registry.kinds()``); the index view
    class must mix in ``views.SpreadsheetIndexMixin`` (exports, "Import" button).
    Adds ``import/`` (upload), ``import/<job>/`` (matching, preview, report),
    ``import/<job>/progress/`` (JSON for the progress bar) and ``import/template/<kind>.<fmt>``
    (a blank file to fill in). Works for any Wagtail viewset with an index view, page-type
    listings included.
    """

    spreadsheet_kinds: tuple[str, ...] = ()
    import_view_class = views.ImportUploadView
    import_job_view_class = views.ImportJobView
    import_progress_view_class = views.ImportProgressView
    import_template_view_class = views.ImportTemplateView

    def on_register(self):
        super().on_register()
        for kind in self.spreadsheet_kinds:
            _job_url_names.setdefault(kind, self.get_url_name("import_job"))

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            spreadsheet_kinds=self.spreadsheet_kinds,
            import_url_name=self.get_url_name("import"),
            **kwargs,
        )

    def get_spreadsheet_view_kwargs(self) -> dict:
        return {
            "spreadsheet_kinds": self.spreadsheet_kinds,
            "index_url_name": self.get_url_name("index"),
            "import_url_name": self.get_url_name("import"),
            "job_url_name": self.get_url_name("import_job"),
            "progress_url_name": self.get_url_name("import_progress"),
            "template_url_name": self.get_url_name("import_template"),
            "listing_label": self.menu_label,
        }

    def spreadsheet_view(self, view_class):
        return view_class.as_view(**self.get_spreadsheet_view_kwargs())

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", self.spreadsheet_view(self.import_view_class), name="import"),
            path(
                "import/<int:job_id>/",
                self.spreadsheet_view(self.import_job_view_class),
                name="import_job",
            ),
            path(
                "import/<int:job_id>/progress/",
                self.spreadsheet_view(self.import_progress_view_class),
                name="import_progress",
            ),
            path(
                "import/template/<slug:kind>.<slug:fmt>",
                self.spreadsheet_view(self.import_template_view_class),
                name="import_template",
            ),
        ]


def register_job_screen(kind: str, url_name: str) -> None:
    """For a kind imported through screens of its own (not this mixin's): ``url_name`` takes
    a job's pk and shows it, so that the dashboard's pending imports link to it."""
    _job_url_names.setdefault(kind, url_name)
