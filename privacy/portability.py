"""Access and portability: everything an organization holds about a person, in one ZIP file.

The archive holds a readable summary (``summary.html``, in the person's language), the data as
JSON (``data.json``: one key per registered source) and as CSV (``csv/<source>.csv``: one file
per source that found something), so that the person can read it and another service can take
it in. Every registered source (``privacy.personal_data``) is covered; nothing else is.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .personal_data import DataSubject, PersonalDataSource, sources

#: Cells a spreadsheet would run as a formula start with one of these: they get an apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportPart:
    source: PersonalDataSource
    rows: list[dict]

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.rows:
            seen.update(dict.fromkeys(row))
        return list(seen)

    @property
    def filename(self) -> str:
        return f"csv/{self.source.key.replace('.', '-')}.csv"


def collect_export(subject: DataSubject) -> list[ExportPart]:
    """Each source's rows about ``subject`` (sources that found nothing are left out); column
    names are in the active language."""
    parts = []
    for source in sources():
        rows = [source.export(item) for item in source.find(subject)]
        if rows:
            parts.append(ExportPart(source, rows))
    return parts


def readable(value) -> str:
    """A value as the summary and the CSV files show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return translation.gettext("yes") if value else translation.gettext("no")
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="minutes")
            if timezone.is_aware(value)
            else value.isoformat(timespec="minutes")
        )
    if isinstance(value, (datetime.date, decimal.Decimal)):
        return str(value) if isinstance(value, decimal.Decimal) else value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(readable(item) for item in value)
    return str(value)


def _csv_cell(value) -> str:
    text = readable(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv(part: ExportPart) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = part.columns
    writer.writerow(columns)
    for row in part.rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    # A byte-order mark, so that spreadsheets open the UTF-8 text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_subject(subject: DataSubject, *, language: str, now=None) -> bytes:
    """The ZIP archive of everything about ``subject``, its summary in ``language``."""
    now = now or timezone.now()
    with translation.override(language):
        parts = collect_export(subject)
        document = {
            "organization": subject.site.site_name or subject.site.hostname,
            "email": subject.email,
            "exported_at": now,
            "sources": {
                part.source.key: {"label": str(part.source.label), "items": part.rows}
                for part in parts
            },
        }
        summary = render_to_string(
            "privacy/export/summary.html",
            {
                "organization": document["organization"],
                "email": subject.email,
                "exported_at": now,
                "parts": [
                    {
                        "label": part.source.label,
                        "filename": part.filename,
                        "columns": part.columns,
                        "rows": [
                            [readable(row.get(column)) for column in part.columns]
                            for row in part.rows
                        ],
                    }
                    for part in parts
                ],
                "language": language,
            },
        )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("summary.html", summary)
        zipped.writestr(
            "data.json",
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for part in parts:
            zipped.writestr(part.filename, _csv(part))
    return archive.getvalue()
