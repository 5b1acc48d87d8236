"""Spreadsheet export: one organization's rows of a kind, or a listing's filtered rows, as a file.

One code path for the admin's download buttons, the ``export_records`` command and the
services that return bytes, for every kind registered through ``register_spreadsheet_kinds``.
Rows come from the kind's resource (``iter_export_rows``: a few queries per chunk of rows,
whatever the number of rows) and go straight to the streaming writers of ``spreadsheets.files``,
so an export of 100,000 rows neither holds them in memory nor makes a query per row:

- CSV is streamed to the browser as it is written (``StreamingHttpResponse``);
- XLSX and ODS are ZIP archives whose table of contents comes last: they are written to a
  temporary file (in memory while small, on disk beyond ``SPOOL_BYTES``) and sent from there.

What is exported imports back unchanged: the same columns as imports take, text cells that a
spreadsheet would run as formulas neutralised (and restored on import), dates and amounts as
typed cells.

Headers are the canonical column names of the kind's columns (what operators' scripts expect)
when ``language`` is ``None``, otherwise their labels in that language; views pass the user's
language. Either imports back.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from .files import FORMATS, Format, iter_csv, write_file
from .pipeline import resource_class_for

__all__ = [
    "AFTER_EXPORT_HOOK",
    "CONTENT_TYPES",
    "SPOOL_BYTES",
    "export_bytes",
    "export_file",
    "export_filename",
    "export_response",
    "template_filename",
    "template_response",
]

#: The media type of each format, for downloads.
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
#: Called after each export from a listing or by ``export_records``:
#: ``fn(request, *, model, kind, fmt, rows, sites)``, ``request`` being ``None`` for the
#: command (the privacy plugin logs exports of private details). For a CSV download, once it
#: ends: ``rows`` then counts what was sent.
AFTER_EXPORT_HOOK = "after_spreadsheet_export"
#: XLSX and ODS downloads are assembled in memory up to this size, then on disk.
SPOOL_BYTES = 2 * 1024 * 1024


def export_file(
    *,
    kind: str,
    fmt: Format,
    site=None,
    queryset: QuerySet | None = None,
    language: str | None = None,
    output: BinaryIO,
) -> int:
    """Write the rows of ``kind`` (any registered spreadsheet kind) to ``output``, a binary
    file object, as a ``fmt`` file; return how many rows were written.

    The rows are all of ``site``'s, or those of ``queryset`` — a listing's filtered queryset of
    the model of the kind's resource, already scoped to the organizations the user works for.
    Given both, the queryset is further limited to ``site``. Rows that are pages (or have one)
    are exported as their latest draft: what staff last saved.

    Raises ``ValueError`` for an unknown kind or format, or a queryset of the wrong model.
    """
    resource, queryset = _resource_and_queryset(kind=kind, fmt=fmt, site=site, queryset=queryset)
    return _write(resource, queryset, kind=kind, fmt=fmt, language=language, output=output)


def export_response(
    *,
    kind: str,
    fmt: Format,
    site=None,
    queryset: QuerySet | None = None,
    language: str | None = None,
    filename: str | None = None,
    on_written: Callable[[int], None] | None = None,
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """A download of what ``export_file`` writes, named ``filename`` (by default
    ``people-2026-11-21.csv``: the kind and today's date in the server's time zone).

    CSV is streamed while the rows are read, so the download starts at once and memory stays
    flat; the database is read as the response is sent, after the view has returned. XLSX and
    ODS are written first (their archive's table of contents comes last), into a temporary file
    that the response closes, and so deletes, once sent.

    ``on_written(rows)`` is called with the number of rows written: once the last is sent for a
    CSV (or once the download stops, with those sent so far), once the file is ready otherwise.
    """
    resource, queryset = _resource_and_queryset(kind=kind, fmt=fmt, site=site, queryset=queryset)
    filename = filename or export_filename(kind, fmt)
    if fmt == "csv":
        # Headers are computed now, in the view's language and before any byte is sent.
        headers = resource.export_headers(language)

        def content() -> Iterator[bytes]:
            counted = _Counted(resource.iter_export_rows(queryset))
            try:
                with _language(language):
                    yield from iter_csv(counted, headers=headers)
            finally:
                if on_written is not None:
                    on_written(counted.count)

        response = StreamingHttpResponse(content(), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the response
    try:
        rows = _write(resource, queryset, kind=kind, fmt=fmt, language=language, output=spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    if on_written is not None:
        on_written(rows)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
    )


def template_response(*, kind: str, fmt: Format, language: str | None = None) -> HttpResponse:
    """A blank ``fmt`` file for ``kind``: only its header row, in ``language`` (canonical
    column names when ``None``; views pass the user's language), to fill in and import."""
    from io import BytesIO

    _check_format(fmt)
    resource = resource_class_for(kind)(site=None)
    output = BytesIO()
    write_file(output, [], fmt=fmt, headers=resource.export_headers(language), title=kind)
    response = HttpResponse(output.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, template_filename(kind, fmt, language=language)
    )
    return response


def export_filename(kind: str, fmt: Format) -> str:
    """``people-2026-11-21.csv``: what was exported, and the day, in the server's time zone."""
    return f"{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def template_filename(kind: str, fmt: Format, *, language: str | None = None) -> str:
    """``people-template.xlsx``, in ``language`` when given."""
    with _language(language):
        return gettext("%(kind)s-template.%(format)s") % {"kind": kind, "format": fmt}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown spreadsheet format {fmt!r}; expected one of {FORMATS}.")


def _resource_and_queryset(*, kind: str, fmt: str, site, queryset: QuerySet | None):
    """The resource of ``kind`` (any registered kind), and the rows to export: ``None`` for
    all of ``site``'s, else ``queryset`` — of the resource's model or a subclass — limited to
    ``site`` when given (through its ``for_site``, or else the resource's own rows)."""
    _check_format(fmt)
    resource_class = resource_class_for(kind)
    if queryset is None:
        if site is None:
            raise ValueError("An export needs a site or a queryset.")
        return resource_class(site=site), None
    model = resource_class._meta.model
    if not issubclass(queryset.model, model):
        raise ValueError(
            f"A {kind} export takes a queryset of {model.__name__}, not of "
            f"{queryset.model.__name__}."
        )
    resource = resource_class(site=site)
    if site is not None:
        for_site = getattr(queryset, "for_site", None)
        queryset = (
            for_site(site)
            if for_site is not None
            else queryset.filter(pk__in=resource.get_queryset().values("pk"))
        )
    return resource, queryset


def _write(resource, queryset, *, kind: str, fmt: Format, language: str | None, output) -> int:
    with _language(language):
        return write_file(
            output,
            resource.iter_export_rows(queryset),
            fmt=fmt,
            headers=resource.export_headers(language),
            title=kind,
        )


class _Counted:
    """An iterator of rows that counts those taken from it."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        row = next(self.rows)
        self.count += 1
        return row


def _language(language: str | None):
    return translation.override(language) if language else contextlib.nullcontext()


def export_bytes(
    *,
    kind: str,
    fmt: str,
    site=None,
    queryset=None,
    language: str | None = None,
) -> bytes:
    """Rows of ``kind`` as a CSV (UTF-8 with BOM), XLSX or ODS file: all of ``site``'s, or
    those of ``queryset`` (a listing already scoped to the user's organizations), with
    canonical headers or, given a ``language``, headers in that language.

    The whole file in memory: for tests and small files. Downloads and commands stream with
    ``export_response`` and ``export_file``.
    """
    output = io.BytesIO()
    export_file(kind=kind, fmt=fmt, site=site, queryset=queryset, language=language, output=output)
    return output.getvalue()
