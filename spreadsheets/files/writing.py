"""Writing: rows out as CSV, XLSX or ODS that spreadsheet software opens safely (formulas
neutralised), streamed so that memory does not grow with the number of rows."""

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, BinaryIO, TypeVar
from xml.sax.saxutils import escape, quoteattr

import tablib
from django.utils.translation import gettext_lazy as _

from .common import FORMATS, ODS_MIMETYPE, Format

# --- Writing ------------------------------------------------------------------------------------

#: What a formula starts with: "=", "+", "-", "@", and the characters Unicode folds (NFKC) into
#: one of them or that spreadsheets may read as a minus: fullwidth ＝ ＋ － ＠ (typed with Asian
#: keyboards), small ﹦ ﹢ ﹣ ﹫, super- and subscript ⁼ ⁺ ⁻ ₌ ₊ ₋, the minus sign − and the
#: Hebrew alternative plus sign. Whitespace before them does not make them harmless: some
#: software trims cells when it opens a file.
FORMULA_SIGNS = frozenset(
    "=+-@\u2212\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b"
    "\u207a\u207b\u207c\u208a\u208b\u208c\ufb29"
)
#: Where spreadsheet software may start a new cell inside one of ours when it opens a CSV file
#: with another separator than ours (",", ";" or tab: people choose, or the software guesses
#: from the language of the computer), or misreads its quotes: after one of these characters.
CSV_CELL_BREAKS = ",;\t\r\n"
_CSV_PIECES = re.compile(f"([{re.escape(CSV_CELL_BREAKS)}])")
#: A sign followed only by digits, spaces, parentheses, dots, commas and hyphens: a phone number
#: or a plain number. No function name, cell reference or "|" can hide in it, so the worst a
#: spreadsheet can do with it is arithmetic, never run anything; it is exported as it is.
_PLAIN_NUMBER = re.compile(
    r"[ \u00a0\u202f]*[+\-\u2212]?[\d ().,\-\u00a0\u202f]*\d[\d ().,\-\u00a0\u202f]*"
)

T = TypeVar("T")


def _starts_like_a_formula(text: str) -> bool:
    """Whether ``text``, once rid of leading apostrophes and whitespace, starts with a sign;
    or starts with a tab or a carriage return, which some software drops before reading the
    rest as a formula."""
    text = text.lstrip("'")
    return text[:1] in ("\t", "\r") or text.lstrip()[:1] in FORMULA_SIGNS


def _is_plain_number(text: str) -> bool:
    return _PLAIN_NUMBER.fullmatch(text.lstrip("'")) is not None


def neutralise(value: T, *, for_csv: bool = False) -> T:
    """Keep spreadsheet software from running a cell as a formula ("CSV injection").

    A text that starts with a formula sign (``FORMULA_SIGNS``: ``=``, ``+``, ``-``, ``@`` and
    their look-alikes, even after spaces, a tab or a line break) gets a ``'`` in front, which
    spreadsheets read as "this is text" — except a plain number or phone number (a sign, then
    only digits, spaces and ``( ) . , -``: ``+1 514 555 0100``, ``-12,5``), which can do no
    more than arithmetic and stays as it is, so that it still adds up in a funder's sheet.

    ``for_csv``: a CSV file may be opened with another separator than the one it was written
    with, and then every ``,``, ``;``, tab or line break inside a cell starts a new cell. Each
    piece of the text that such a break could make a cell of is treated as a cell of its own:
    ``"Bénévole;=HYPERLINK(…)"`` becomes ``"Bénévole;'=HYPERLINK(…)"``. Unless the whole text
    is a plain number, whose pieces are plain numbers too.

    So that ``restore`` can always undo it exactly, a piece that already starts with
    apostrophes followed by a formula sign gets one more (``'=A1`` is exported ``''=A1``).
    Values that are not text (numbers, dates) are returned unchanged: they are typed cells.
    """
    if not isinstance(value, str) or _is_plain_number(value):
        return value
    if not for_csv:
        return "'" + value if _starts_like_a_formula(value) else value  # type: ignore[return-value]
    pieces = _CSV_PIECES.split(value)
    for index in range(0, len(pieces), 2):
        if _starts_like_a_formula(pieces[index]):
            pieces[index] = "'" + pieces[index]
    return "".join(pieces)  # type: ignore[return-value]


def restore(value: T, *, for_csv: bool = False) -> T:
    """Undo ``neutralise`` on import: ``restore(neutralise(v)) == v`` for every value, with
    the same ``for_csv``.

    Only our prefix goes: an apostrophe before a text (or, ``for_csv``, a piece of text after
    a ``,``, ``;``, tab or line break) that ``neutralise`` would have prefixed. "'tis" and
    "'Bonjour'" are left alone. Not applied by ``read_table``: the importer calls it on text
    cells, once, ``for_csv`` when the file is a CSV file.

    Exact because ``neutralise`` decides piece by piece, on what the apostrophes it adds do not
    change: whether the piece starts with a sign once its apostrophes are set aside, and whether
    the whole text is a plain number (an added apostrophe never makes it one).
    """
    if not isinstance(value, str) or _is_plain_number(value):
        return value
    if not for_csv:
        if value.startswith("'") and _starts_like_a_formula(value):
            return value[1:]  # type: ignore[return-value]
        return value
    pieces = _CSV_PIECES.split(value)
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        if piece.startswith("'") and _starts_like_a_formula(piece):
            pieces[index] = piece[1:]
    return "".join(pieces)  # type: ignore[return-value]


def write_table(dataset: tablib.Dataset, fmt: Format) -> bytes:
    """Export a dataset as a file for staff, every text cell passed through ``neutralise``.

    ``"csv"``: UTF-8 with a BOM (without it Excel shows "QuÃ©bec"), ``,`` between cells, every
    cell quoted, CRLF between rows (what RFC 4180 and Excel expect; line breaks inside a cell
    are kept as they are); text neutralised piece by piece (``neutralise(for_csv=True)``), so
    that the file is safe whether it is opened with ``,``, ``;`` or tab as its separator;
    numbers written as numbers. ``"xlsx"`` and ``"ods"``: numbers, dates and booleans stay
    typed cells, text cells are always written as text, never as formulas.

    For small files (tests, a blank template); large exports stream with ``write_file``.
    """
    output = io.BytesIO()
    write_file(output, dataset, fmt=fmt, headers=list(dataset.headers or []), title=dataset.title)
    return output.getvalue()


def write_file(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    fmt: Format,
    headers: Sequence[Any] | None = None,
    title: str | None = None,
) -> int:
    """Write ``rows`` to ``output`` (a binary file object) as ``write_table`` would; returns
    how many rows (headers not counted) were written.

    ``rows`` is consumed once, as it comes: memory does not grow with the number of rows. CSV
    goes out in chunks; XLSX rows wait in openpyxl's temporary file on disk until the workbook
    is assembled; ODS rows are compressed into the archive as they are written. ``title``
    names the sheet of XLSX and ODS files.
    """
    if fmt == "csv":
        counted = _CountedRows(rows)
        for chunk in iter_csv(counted, headers=headers):
            output.write(chunk)
        return counted.count
    if fmt == "xlsx":
        return _stream_xlsx(output, rows, headers=headers, title=title)
    if fmt == "ods":
        return _stream_ods(output, rows, headers=headers, title=title)
    raise ValueError(f"Unknown spreadsheet format {fmt!r}; expected one of {FORMATS}.")


class _CountedRows:
    """``rows``, counting them as they go by."""

    def __init__(self, rows: Iterable[Sequence[Any]]):
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def iter_csv(
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None = None,
    batch: int = 1000,
    delimiter: str = ",",
) -> Iterator[bytes]:
    """Stream a CSV export as UTF-8 chunks, BOM first, ``batch`` rows at a time.

    The same writer as ``write_table("csv")``, for exports too large to hold in memory
    (a ``StreamingHttpResponse`` over a queryset iterator). ``delimiter``: ``";"`` is what
    French spreadsheet software expects (the open-data exports' default).
    """
    buffer = io.StringIO()
    # Every cell quoted: a cell holding a separator stays one cell whichever separator the
    # spreadsheet software assumes.
    writerow = csv.writer(
        buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL
    ).writerow
    yield codecs.BOM_UTF8
    if headers:
        writerow([_csv_cell(h) for h in headers])
    pending = 0
    for row in rows:
        writerow([_csv_cell(v) for v in row])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


#: First characters after which a text may need ``neutralise`` (signs, whitespace, and the
#: apostrophe it adds): every other text is written as it is, without a regular expression.
_NEUTRALISE_FIRST = FORMULA_SIGNS | {"'"}
#: Texts that may need ``neutralise(for_csv=True)``: a sign (or the apostrophe it adds) at the
#: start or after a cell break, whitespace between. Every other text is written as it is.
_CSV_SUSPECT = re.compile(
    f"(?:^|[{re.escape(CSV_CELL_BREAKS)}])"
    + r"[\s']*"
    + f"[{re.escape(''.join(sorted(FORMULA_SIGNS)))}]"
)
_NUMBERS = (int, Decimal, float)


def _csv_cell(value: Any) -> str:
    """A cell of a CSV export: text neutralised piece by piece (``neutralise(for_csv=True)``);
    numbers as their digits, never prefixed (they hold nothing but a sign and digits, and stay
    numbers in the spreadsheet); other values as their text, neutralised."""
    if value.__class__ is not str:
        text = _csv_text(value)
        if isinstance(value, _NUMBERS) and not isinstance(value, bool):
            return text
        value = text
    if _CSV_SUSPECT.search(value) is None:
        return value
    return neutralise(value, for_csv=True)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f")  # never "1E+3"
    return str(value)


#: Characters XML 1.0 (so XLSX and ODS) cannot hold; they are dropped from exported text.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TYPED = (bool, int, Decimal, dt.date, dt.time)


def _typed_cell(value: Any) -> Any:
    """A value as a typed cell of XLSX and ODS: ``None``, ``bool``, ``int``, a finite
    ``Decimal``, a naive ``date``/``datetime``/``time``, or text that XML can hold and that
    ``neutralise`` made safe. Anything else is written as its text."""
    if value.__class__ is str:
        if _XML_ILLEGAL.search(value):
            value = _XML_ILLEGAL.sub("", value)
        if value and (value[0] in _NEUTRALISE_FIRST or value[0].isspace()):
            return neutralise(value)
        return value
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(repr(value)) if value == value else None
    if isinstance(value, Decimal) and not value.is_finite():
        return None if value.is_nan() else str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        # Spreadsheets have no time zones: the time as it was on the server's clock.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, _TYPED):
        return value
    return _typed_cell(str(value))


def _sheet_title(title: str | None) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", title or "").strip("' ")[:31]
    return cleaned or "Sheet1"


# XLSX


def _stream_xlsx(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None,
    title: str | None,
) -> int:
    """An XLSX workbook through openpyxl's write-only mode: each row is turned into XML and
    written to a temporary file as it comes, then the file is copied into the archive.

    Text never becomes a formula: openpyxl only takes a text starting with "=" as one, and
    ``neutralise`` (applied to every text by ``_typed_cell``) prefixes every such text.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    count = 0
    try:
        if headers:
            sheet.freeze_panes = "A2"
            bold = Font(bold=True)
            cells = []
            for header in headers:
                cell = WriteOnlyCell(sheet, value=_typed_cell(str(header)))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        append = sheet.append
        for row in rows:
            append([_typed_cell(value) for value in row])
            count += 1
        workbook.save(output)
    finally:
        _discard_xlsx_rows(sheet)
    return count


def _discard_xlsx_rows(sheet) -> None:
    """openpyxl removes a write-only sheet's temporary file when the workbook is saved, and
    otherwise only when the process exits: an export stopped half-way (a database error, a
    download cancelled) removes it now."""
    writer = getattr(sheet, "_writer", None)
    if writer is None or not os.path.exists(writer.out):
        return
    with contextlib.suppress(Exception):
        if sheet._rows is not None:
            sheet._rows.close()
        writer.xf.close()
    with contextlib.suppress(OSError, ValueError):
        writer.cleanup()


# ODS


def _stream_ods(
    output: BinaryIO,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None,
    title: str | None,
) -> int:
    """An OpenDocument 1.2 spreadsheet, written row by row (odfpy builds the whole document in
    memory first, and takes seconds per 10,000 rows).

    The package (ODF 1.2 part 3): ``mimetype`` first and uncompressed, so that the file is
    recognised by its first bytes, then the manifest, ``meta.xml``, ``styles.xml`` and
    ``content.xml``, whose rows are compressed into the archive as they are written.
    Numbers are float cells, dates date cells shown as yyyy-mm-dd, text string cells.
    """
    rows = iter(rows)
    width = len(headers) if headers else 0
    if not width:
        first = next(rows, None)
        if first is not None:
            width = len(first)
            rows = itertools.chain([first], rows)
    count = 0
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(_zip_entry("mimetype", compress=False), ODS_MIMETYPE)
        for name, xml in _ODS_FIXED_PARTS:
            archive.writestr(_zip_entry(name), xml)
        with archive.open(_zip_entry("content.xml"), "w") as content:
            content.write(
                _ODS_CONTENT_HEAD.format(
                    name=quoteattr(_sheet_title(title)), columns=max(width, 1)
                ).encode()
            )
            if headers:
                content.write(
                    (
                        "<table:table-header-rows>"
                        + _ods_row([str(h) for h in headers], header=True)
                        + "</table:table-header-rows>"
                    ).encode()
                )
            pending: list[str] = []
            for row in rows:
                pending.append(_ods_row(row))
                count += 1
                if len(pending) >= 500:
                    content.write("".join(pending).encode())
                    pending.clear()
            if not headers and not count:
                pending.append(_ODS_EMPTY_ROW)  # a table holds at least one row
            content.write("".join(pending).encode())
            content.write(_ODS_CONTENT_TAIL)
    return count


def _zip_entry(name: str, *, compress: bool = True) -> zipfile.ZipInfo:
    # A fixed date: the same records give the same bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


_ODS_XMLNS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ODS_FIXED_PARTS = (
    (
        "META-INF/manifest.xml",
        _XML_DECLARATION
        + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>",
    ),
    (
        "meta.xml",
        _XML_DECLARATION + f'<office:document-meta {_ODS_XMLNS} office:version="1.2"><office:meta>'
        "<meta:generator>Liens Mutuels</meta:generator></office:meta></office:document-meta>",
    ),
    (
        "styles.xml",
        _XML_DECLARATION + f'<office:document-styles {_ODS_XMLNS} office:version="1.2">'
        "<office:styles/></office:document-styles>",
    ),
)
#: Year-month-day: unambiguous in every language, and what ``parse_date`` reads back.
_ODS_YMD = (
    '<number:year number:style="long"/><number:text>-</number:text>'
    '<number:month number:style="long"/><number:text>-</number:text>'
    '<number:day number:style="long"/>'
)
_ODS_CONTENT_HEAD = (
    _XML_DECLARATION + f'<office:document-content {_ODS_XMLNS} office:version="1.2">'
    "<office:automatic-styles>"
    f'<number:date-style style:name="lm-date">{_ODS_YMD}</number:date-style>'
    f'<number:date-style style:name="lm-datetime">{_ODS_YMD}<number:text> </number:text>'
    '<number:hours number:style="long"/><number:text>:</number:text>'
    '<number:minutes number:style="long"/></number:date-style>'
    '<number:number-style style:name="lm-amount">'
    '<number:number number:decimal-places="2" number:min-integer-digits="1"/>'
    "</number:number-style>"
    '<style:style style:name="lm-date-cell" style:family="table-cell"'
    ' style:data-style-name="lm-date"/>'
    '<style:style style:name="lm-datetime-cell" style:family="table-cell"'
    ' style:data-style-name="lm-datetime"/>'
    '<style:style style:name="lm-amount-cell" style:family="table-cell"'
    ' style:data-style-name="lm-amount"/>'
    '<style:style style:name="lm-header" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles>"
    "<office:body><office:spreadsheet>"
    "<table:table table:name={name}>"
    '<table:table-column table:number-columns-repeated="{columns}"/>'
)
_ODS_CONTENT_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"
_ODS_EMPTY_CELL = "<table:table-cell/>"
_ODS_EMPTY_ROW = f"<table:table-row>{_ODS_EMPTY_CELL}</table:table-row>"


def _ods_row(values: Iterable[Any], *, header: bool = False) -> str:
    cell = _ods_header_cell if header else _ods_cell
    return "<table:table-row>" + "".join([cell(value) for value in values]) + "</table:table-row>"


def _ods_header_cell(value: Any) -> str:
    text = _typed_cell(value)
    if not text:
        return _ODS_EMPTY_CELL
    return (
        '<table:table-cell office:value-type="string" table:style-name="lm-header">'
        + _ods_text(text)
        + "</table:table-cell>"
    )


def _ods_cell(value: Any) -> str:
    value = _typed_cell(value)
    kind = value.__class__
    if kind is str:
        if not value:
            return _ODS_EMPTY_CELL
        return (
            '<table:table-cell office:value-type="string">'
            + _ods_text(value)
            + "</table:table-cell>"
        )
    if value is None:
        return _ODS_EMPTY_CELL
    if kind is bool:
        return (
            '<table:table-cell office:value-type="boolean" office:boolean-value="'
            + ("true" if value else "false")
            + '"><text:p>'
            + escape(_csv_text(value))
            + "</text:p></table:table-cell>"
        )
    if isinstance(value, int | Decimal):
        shown = format(value, "f") if isinstance(value, Decimal) else str(int(value))
        style = (
            ' table:style-name="lm-amount-cell"'
            if isinstance(value, Decimal) and value.as_tuple().exponent == -2
            else ""
        )
        return (
            f'<table:table-cell office:value-type="float" office:value="{shown}"{style}>'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.datetime):
        return (
            '<table:table-cell office:value-type="date" office:date-value="'
            + value.isoformat(timespec="seconds")
            + '" table:style-name="lm-datetime-cell"><text:p>'
            + value.isoformat(sep=" ", timespec="minutes")
            + "</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        shown = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{shown}"'
            f' table:style-name="lm-date-cell"><text:p>{shown}</text:p></table:table-cell>'
        )
    return _ods_cell(_csv_text(value))  # a time of day: its text, as in CSV


def _ods_text(text: str) -> str:
    """Text as ``text:p`` paragraphs, one per line (what LibreOffice writes), with the runs of
    spaces that readers would otherwise collapse written as ``text:s``.

    A tab stays a tab character: LibreOffice Calc keeps it in the cell, whereas it turns
    ``text:tab`` into a space.
    """
    if "\n" in text or "\r" in text or "  " in text or text[0] == " " or text[-1] == " ":
        return "".join([_ods_paragraph(line) for line in text.split("\n")])
    return "<text:p>" + escape(text) + "</text:p>"


#: Spaces that readers would collapse or drop: runs of two or more, and spaces starting or
#: ending a paragraph.
_SPACE_RUN = re.compile("^ +| +$| {2,}")


def _ods_paragraph(line: str) -> str:
    if not line:
        return "<text:p/>"
    xml = escape(line, {"\r": "&#13;"})  # a bare CR would be read back as a line feed

    def spaces(match: re.Match) -> str:
        count = len(match.group())
        if match.start() == 0 or match.end() == len(xml):
            # Spaces starting or ending a paragraph are dropped by readers unless marked.
            return f'<text:s text:c="{count}"/>' if count > 1 else "<text:s/>"
        return f' <text:s text:c="{count - 1}"/>' if count > 2 else " <text:s/>"

    return "<text:p>" + _SPACE_RUN.sub(spaces, xml) + "</text:p>"
