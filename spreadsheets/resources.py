"""The base of every spreadsheet resource: columns, widgets, and the two-phase import.

Every resource is bound to one organization (``site``): it only finds, updates and creates that
organization's rows, so a row carrying another organization's e-mail or id can never touch it.
Each declares its columns once (``sheet_columns``): canonical names for operators' files, headers
in the user's language for staff, and the other spellings accepted on import.

Imports run in two phases (``run_import``). First every row goes through django-import-export's
row machinery (natural keys, field widgets, validation, skip-unchanged) with ``use_bulk`` on, but
nothing is written: the instances are only collected. Then, if every row is valid, everything is
written in one transaction, in batches (``write``). Existing rows are looked up in a few queries
for the whole file (``prepare``), not one query per row.

Plugins subclass ``SpreadsheetResource`` (rows of a plain model) or ``PageResource`` (``pages``:
the page itself is the row) and declare their kinds in the registry (``registry``).
"""

from __future__ import annotations

import datetime as dt
import html as html_module
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from import_export import resources, widgets
from import_export.results import RowResult
from wagtail.fields import StreamField

from .files import parse_bool, parse_date, parse_decimal
from .reports import PREVIEW_ROWS, Column, RowError, RowPreview
from .sql import chunks
from .text import fold

#: Keys looked up per query when existing rows are fetched for a file.
LOOKUP_CHUNK = 500


# --- Text <-> StreamField --------------------------------------------------------------------


def paragraphs_to_stream(text: str) -> str:
    """Plain text (paragraphs separated by blank lines) as a StreamField of one text block."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not parts:
        return "[]"
    html = "".join(
        "<p>" + "<br/>".join(escape(line) for line in p.split("\n")) + "</p>" for p in parts
    )
    return json.dumps([{"type": "text", "value": {"text": html}}])


def raw_stream_to_paragraphs(raw) -> str:
    """The text blocks of a StreamField's raw data (a list of ``{"type", "value"}`` dicts, or
    its JSON) as plain paragraphs: the inverse of ``paragraphs_to_stream``. Reads the stored
    JSON directly, without building blocks, so that exporting 100,000 records stays cheap."""
    if isinstance(raw, str):
        raw = json.loads(raw or "[]")
    paragraphs = []
    for child in raw or ():
        if child.get("type") != "text":
            continue
        html = (child.get("value") or {}).get("text") or ""
        for chunk in html.split("</p>"):
            lines = re.split(r"<br\s*/?>", chunk)
            text = "\n".join(_line_text(line) for line in lines)
            if text.strip():
                paragraphs.append(text.strip())
    return "\n\n".join(paragraphs)


#: An opening <p> with double-quoted attributes, as rich text writes it (<p data-block-key="x">).
_OPENING_P = re.compile(r'<p(?:\s+[\w:.-]+(?:="[^"<>&]*")?)*\s*>')
#: A well-formed character or entity reference, which ``strip_tags`` leaves as it is.
_REFERENCE = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);")


def _line_text(line: str) -> str:
    """``unescape(strip_tags(line)).strip()``, without an HTML parser for the common line: an
    opening <p>, then text without tags whose ``&`` all start well-formed references
    (``&#x27;``, ``&amp;``), which ``strip_tags`` would return unchanged. Any other line goes
    through ``strip_tags``: the result is the same, character for character."""
    match = _OPENING_P.match(line)
    rest = line[match.end() :] if match else line
    if "<" in rest or ("&" in rest and rest.count("&") != len(_REFERENCE.findall(rest))):
        return html_module.unescape(strip_tags(line)).strip()
    return html_module.unescape(rest).strip()


def stream_to_paragraphs(stream) -> str:
    """The text blocks of a StreamField value as plain paragraphs."""
    return raw_stream_to_paragraphs(list(getattr(stream, "raw_data", stream) or ()))


def distinct_cells(dataset, name: str) -> list[str]:
    """The distinct non-blank values of column ``name`` (none if the file lacks it), to look
    them up in a few queries."""
    headers = list(dataset.headers or [])
    if name not in headers:
        return []
    position = headers.index(name)
    return sorted({str(row[position] or "").strip() for row in dataset} - {""})


def chunked(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    """``items`` in lists of ``size`` (lookups of a file's keys, a few queries per file)."""
    return chunks(items, size)


# --- Columns and widgets ---------------------------------------------------------------------


@dataclass(frozen=True)
class SheetColumn:
    """A column of a kind's spreadsheets.

    ``name`` is the canonical header (what operators' files and commands use), ``label`` the
    header staff see in their language, ``aliases`` other spellings accepted on import (case,
    accents and punctuation are ignored anyway). ``help`` tells staff what to write, when what
    the column's widget or model field says (``SpreadsheetResource.column_hint``) is not enough.
    """

    name: str
    label: str | Promise
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str | Promise = ""


def column(name: str, label: Promise, *aliases: str, required: bool = False, help: str = ""):
    """A ``SheetColumn``; ``label`` is a literal ``pgettext_lazy("spreadsheet column", …)`` so
    that ``makemessages`` finds it."""
    return SheetColumn(
        name=name,
        label=label,
        aliases=aliases,
        required=required,
        help=help,
    )


class TextWidget(widgets.Widget):
    """Any cell as stripped text: a phone number typed as a number in Excel stays its digits,
    a date cell becomes ``yyyy-mm-dd``."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value

    def describe(self) -> str | None:
        """What a cell may hold, for staff: nothing to say of text (its model field may)."""
        return None


class DateWidget(widgets.Widget):
    """dd/mm/yyyy, yyyy-mm-dd or a real date cell (see ``parse_date``); exported as a date."""

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return str(DATE_HINT)


class AmountWidget(widgets.Widget):
    """1 234,50 or 1234.50 or a number cell (see ``parse_decimal``); blank is 0."""

    def clean(self, value, row=None, **kwargs):
        amount = parse_decimal(value)
        return Decimal("0") if amount is None else amount

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return f"{AMOUNT_HINT} {EMPTY_IS_ZERO}"


class YesNoWidget(widgets.Widget):
    """oui/non, yes/no, vrai/faux, 1/0 or a ticked "x" (see ``parse_bool``); blank is
    ``None``; exported as a boolean cell."""

    def clean(self, value, row=None, **kwargs):
        return parse_bool(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return str(YES_NO_HINT)


class LabelChoiceWidget(widgets.Widget):
    """A choice by its code or its label in any of the site's languages ("actif", "Active")."""

    def __init__(self, choices, *, default=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.default = default

    def lookup(self) -> dict[str, str]:
        found = {}
        for code, label in self.choices:
            found[fold(str(code))] = code
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    found[fold(str(label))] = code
        return found

    def code_for(self, text: str) -> str | None:
        """The code ``text`` names, by code or label; ``None`` when it names none."""
        if not hasattr(self, "_lookup"):
            self._lookup = self.lookup()
        return self._lookup.get(fold(text.strip()))

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return self.default
        code = self.code_for(text)
        if code is None:
            raise ValueError(
                gettext("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(str(label) for _c, label in self.choices)}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))

    def describe(self) -> str:
        text = choices_hint(self.choices)
        if self.default is not None:
            default = dict(self.choices).get(self.default, self.default)
            text += " " + gettext("Empty: %(default)s.") % {"default": default}
        return text


# --- What to write in a column ---------------------------------------------------------------

DATE_HINT = gettext_lazy("A date, day first: 31/12/2026, or 2026-12-31, or a date cell.")
AMOUNT_HINT = gettext_lazy("An amount: 1234,50 or 1 234,50 or 1234.50, or a number cell.")
EMPTY_IS_ZERO = gettext_lazy("Empty is 0.")
YES_NO_HINT = gettext_lazy(
    "Yes or no: oui/non, yes/no, vrai/faux, 1/0, or x for yes. Empty: unknown."
)
#: What a model field accepts, by its class (the first that matches, in this order).
FIELD_HINTS: tuple[tuple[type[models.Field], Promise], ...] = (
    (models.BooleanField, YES_NO_HINT),
    (models.DateTimeField, gettext_lazy("A date and time: 2026-12-31 18:30, or a date cell.")),
    (models.DateField, DATE_HINT),
    (models.DecimalField, AMOUNT_HINT),
    (models.FloatField, AMOUNT_HINT),
    (models.IntegerField, gettext_lazy("A whole number.")),
    (models.EmailField, gettext_lazy("An e-mail address.")),
    (models.URLField, gettext_lazy("A web address, like https://example.org/.")),
    (StreamField, gettext_lazy("Text; separate paragraphs with an empty line.")),
    (models.TextField, gettext_lazy("Text; line breaks are kept.")),
)
TEXT_HINT = pgettext_lazy("spreadsheet column", "Text.")


def choices_hint(choices) -> str:
    """"One of: …", the choices' labels in the active language (staff may write a choice's
    label in any of the installation's languages, or its code)."""
    return gettext("One of: %(choices)s.") % {
        "choices": ", ".join(str(label) for _code, label in choices)
    }


def model_field_hint(field: models.Field) -> str:
    """What a cell for ``field`` may hold, from its choices, its class or its length."""
    if field.choices:
        return choices_hint(field.flatchoices)
    for field_class, hint in FIELD_HINTS:
        if isinstance(field, field_class):
            return str(hint)
    if getattr(field, "max_length", None):
        return gettext("Text, at most %(length)s characters.") % {"length": field.max_length}
    return str(TEXT_HINT)


# --- The shared machinery --------------------------------------------------------------------


class SheetRowResult(RowResult):
    """A row result that does not ask the instance for its ``str()``: for a record that is a
    query (its page's title), once per row."""

    def add_instance_info(self, instance):
        self.object_id = getattr(instance, "pk", None)
        self.object_repr = ""


class SpreadsheetResource(resources.ModelResource):
    """A resource bound to one organization, declared by its ``sheet_columns``."""

    sheet_columns: tuple[SheetColumn, ...] = ()
    #: Rows are written in batches of this size.
    write_batch_size = 500

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = True
        use_transactions = False

    def __init__(self, *, site, user=None, publish: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.site = site
        self.user = user if getattr(user, "pk", None) else None
        self.publish = publish
        self.pending_new: list = []
        self.pending_updates: list = []

    def get_row_result_class(self):
        return SheetRowResult

    @classmethod
    def scope_queryset(cls, queryset, sites):
        """``queryset``'s rows that belong to one of ``sites`` (the path to the site is the one
        its ``SiteScopedQuerySet`` declares)."""
        lookup = getattr(queryset, "site_lookup", "site")
        return queryset.filter(**{f"{lookup}__in": sites})

    # Columns -----------------------------------------------------------------------------

    @classmethod
    def spreadsheet_columns(cls):
        """The columns, in the active language, each with what to write in it."""
        return [
            Column(name=c.name, label=str(c.label), required=c.required, help=cls.column_hint(c))
            for c in cls.sheet_columns
        ]

    @classmethod
    def column_hint(cls, column: SheetColumn) -> str:
        """What to write in ``column``, in the active language: its own ``help``, else what
        its field's widget accepts (dates, amounts, yes/no, a choice), else what the model field
        it fills accepts (a choice among its choices, an e-mail address, text of some length…).
        So the import screen describes a new kind's columns without a word from its plugin."""
        if column.help:
            return str(column.help)
        field = cls.fields.get(column.name)
        describe = getattr(getattr(field, "widget", None), "describe", None)
        hint = describe() if describe is not None else None
        if hint:
            return hint
        model_field = cls.column_model_field(column.name)
        return model_field_hint(model_field) if model_field is not None else str(TEXT_HINT)

    @classmethod
    def column_model_field(cls, name: str) -> models.Field | None:
        """The model field that column ``name`` fills, if any: its field's ``attribute`` on
        the resource's model."""
        field = cls.fields.get(name)
        model = cls._meta.model
        if field is None or not field.attribute or model is None:
            return None
        try:
            return model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None

    @classmethod
    def header_spellings(cls) -> dict[str, list[str]]:
        """Every header accepted for each column: its name, its aliases, and its label in each
        of the installation's languages (so a file exported in French imports in English)."""
        spellings = {c.name: [c.name, *c.aliases] for c in cls.sheet_columns}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for c in cls.sheet_columns:
                    spellings[c.name].append(str(c.label))
        return spellings

    def export_headers(self, language: str | None = None) -> list[str]:
        """Canonical names (``language=None``), or headers in ``language``."""
        if language is None:
            return [c.name for c in self.sheet_columns]
        with translation.override(language):
            return [str(c.label) for c in self.sheet_columns]

    # Phase 1: validation ---------------------------------------------------------------------

    def run_import(self, dataset, *, row_numbers, report, dry_run: bool, progress=None) -> None:
        """Validate every row, fill ``report``, then (unless ``dry_run`` or a row is invalid)
        write everything in one transaction."""
        total = len(dataset)
        steps = total if dry_run else 2 * total
        self._progress = progress
        self._progress_total = steps
        self._row_numbers = row_numbers
        try:
            self.prepare(dataset)
        except ValidationError as error:
            report.errors.append(RowError(0, "", " ".join(error.messages)))
            return
        result = self.import_data(dataset, dry_run=False, use_transactions=False)
        for error in result.base_errors:
            report.errors.append(RowError(0, "", _unexpected(error.error)))
        for row_result in result.rows:
            status = {
                RowResult.IMPORT_TYPE_NEW: "new",
                RowResult.IMPORT_TYPE_UPDATE: "update",
                RowResult.IMPORT_TYPE_SKIP: "skip",
            }.get(row_result.import_type, "invalid")
            if status == "new":
                report.new += 1
            elif status == "update":
                report.updated += 1
            elif status == "skip":
                report.unchanged += 1
            else:
                report.invalid += 1
            if status != "invalid" and len(report.rows) >= PREVIEW_ROWS:
                continue
            preview: RowPreview = self.preview_of(row_result)
            preview.status = status
            for name, messages in _row_errors(row_result).items():
                preview.errors[name] = messages
                for message in messages:
                    report.errors.append(RowError(preview.row, name, message))
            report.rows.append(preview)
        if not report.ok:
            report.rows.sort(key=lambda preview: preview.status != "invalid")
            del report.rows[max(PREVIEW_ROWS, report.invalid) :]
        if dry_run or not report.ok:
            return
        try:
            with transaction.atomic():
                self.write()
        except ValidationError as error:
            report.errors.append(RowError(0, "", " ".join(error.messages)))
        except PermissionDenied:
            report.errors.append(
                RowError(
                    0,
                    "",
                    gettext(
                        "You may not publish pages of this organization: import without "
                        "publishing, or ask an editor to publish. Nothing was written."
                    ),
                )
            )
        except Exception as error:  # noqa: BLE001 - reported to staff; nothing was written
            report.errors.append(RowError(0, "", _unexpected(error)))

    def tick(self, count: int = 1) -> None:
        self._done = getattr(self, "_done", 0) + count
        if self._progress is not None and (
            self._done % 100 == 0 or self._done >= self._progress_total
        ):
            self._progress(self._done, self._progress_total)

    def prepare(self, dataset) -> None:
        """Fetch, in a few queries, what the rows of ``dataset`` will be matched against."""

    def import_row(self, row, instance_loader, **kwargs):
        """django-import-export's row steps, in its order and with its hooks, minus what these
        resources never use (deletion, diffs, stored instances, many-to-many): at 10,000 rows
        those cost more than writing the rows."""
        self._current_row = self._row_numbers[kwargs["row_number"] - 1]
        row_result = SheetRowResult()
        row_result.sheet_row = (self._current_row, row)
        try:
            self.before_import_row(row, **kwargs)
            instance, new = self.get_or_init_instance(instance_loader, row)
            self.after_init_instance(instance, new, row, **kwargs)
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            )
            errors = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if self.skip_row(instance, None, row, errors):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self.validate_instance(instance, errors)
                self.save_instance(instance, new, row, **kwargs)
            row_result.object_id = instance.pk
            self.after_import_row(row, row_result, **kwargs)
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:  # noqa: BLE001 - reported on its row, nothing is written
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs["row_number"])
            )
        self.tick()
        return row_result

    def preview_of(self, row_result):
        """The preview of one row (built only for the rows a report keeps)."""
        number, row = row_result.sheet_row
        before = getattr(row_result, "_before", None) or {}
        after = getattr(row_result, "_after", None) or {}
        return RowPreview(
            row=number,
            status="",
            values={k: _preview_text(v) for k, v in row.items()},
            changes={
                name: [_preview_text(before.get(name)), _preview_text(after.get(name))]
                for name in row
                if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE
                and before.get(name) != after.get(name)
            },
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._before = {} if new else self.current_values(instance)

    def current_values(self, instance) -> dict:
        """Column → the value ``instance`` holds now, as the file would write it."""
        return {
            c.name: self.fields[c.name].get_value(instance) if c.name in self.fields else None
            for c in self.sheet_columns
        }

    def get_import_fields(self):
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """The declared widget cleans the cell onto the attribute, as ``Field.save`` does for
        these plain fields (no defaults, no nested attributes), without its per-cell cost."""
        if field.attribute and field.column_name in row:
            setattr(instance, field.attribute, field.widget.clean(row[field.column_name], row=row))

    def import_instance(self, instance, row, **kwargs):
        """Like django-import-export's, but errors are keyed by column, not by attribute."""
        errors = {}
        for field in self.get_import_fields():
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as error:
                errors[field.column_name] = [str(error)]
        try:
            self.check_row(instance, row)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row) -> None:
        """Rules that need more than one cell; raise ``ValidationError({column: message})``."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        instance._after = self.current_values(instance)
        return all(instance._before.get(name) == instance._after.get(name) for name in row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Field validation without a query per row: uniqueness is checked against what
        ``prepare`` fetched, and by the database constraints when writing."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.unchecked_fields()],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(self.column_for_field(name), messages)
        if errors:
            raise ValidationError(errors)

    def unchecked_fields(self) -> list[str]:
        """Model fields ``full_clean`` leaves to the write phase (relations set there)."""
        return []

    def column_for_field(self, name: str) -> str:
        return name

    def after_import_row(self, row, row_result, **kwargs):
        instance = getattr(self, "_last_instance", None)
        if instance is not None:
            row_result._before = getattr(instance, "_before", None)
            row_result._after = getattr(instance, "_after", None)

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        self._last_instance = instance
        return instance, new

    def save_instance(self, instance, is_create, row, **kwargs):
        (self.pending_new if is_create else self.pending_updates).append(instance)

    def bulk_create(self, *args, **kwargs):
        """Rows are collected by ``save_instance`` and written by ``write``."""

    bulk_update = bulk_create

    def after_import(self, dataset, result, **kwargs):
        """No primary key comes from a file: there is no sequence to reset."""

    # Phase 2: writing ------------------------------------------------------------------------

    def write(self) -> None:  # pragma: no cover - each resource writes its own way
        raise NotImplementedError

    # Export ------------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None) -> Iterator[list]:
        """Rows of values in ``sheet_columns`` order, for the whole organization or for
        ``queryset`` (already scoped to the user's organizations), streamed in chunks so that
        memory does not grow with the number of rows."""
        raise NotImplementedError  # pragma: no cover

    def export(self, queryset=None, **kwargs):
        """A ``tablib.Dataset`` with canonical headers (small exports and tests)."""
        dataset = tablib.Dataset(headers=self.export_headers())
        for row in self.iter_export_rows(queryset):
            dataset.append(row)
        return dataset


def _unexpected(error) -> str:
    return gettext("Unexpected error, nothing was written: %(error)s") % {"error": error}


def _preview_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row_errors(row_result) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                errors.setdefault("" if name == "__all__" else name, []).extend(messages)
        else:
            errors.setdefault("", []).extend(error.messages)
    for error in row_result.errors:
        errors.setdefault("", []).append(_unexpected(error.error))
    return errors
