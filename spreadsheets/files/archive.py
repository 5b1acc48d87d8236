"""XLSX and ODS files are ZIP archives of XML parts: reading those parts with bounds.

A spreadsheet of a few kilobytes can unpack to gigabytes (a "zip bomb"), or hold XML written to
make a parser build something huge. So the parts are never unpacked whole, nor turned into a
document tree: each is decompressed a chunk at a time and fed to expat, whose handlers keep only
what the readers need and may stop the reading at any point.

- Sizes: ``zip_sizes_check`` refuses an archive whose parts claim to unpack to more than a
  ratio of the upload limit; ``zipfile`` never unpacks more than a part claims (a part that
  lies fails its checksum, and is refused as damaged).
- XML: no document type declaration, so no entity can expand (the "billion laughs"), and
  nothing is fetched from outside; no stretch of text without a ``<`` longer than
  ``MAX_XML_STRETCH``, so that expat never holds a giant tag or attribute whole.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers.expat import ExpatError, ParserCreate, XMLParserType

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .common import SpreadsheetError, damaged

#: What a part is decompressed and parsed by.
CHUNK_BYTES = 64 * 1024
#: The longest run of XML without a "<" fed to the parser: far more than the longest tag with
#: its attributes, or the longest cell text (``MAX_CELL_CHARS``, escaped), a program writes.
MAX_XML_STRETCH = 4 * 1024 * 1024
#: A legitimate sheet unpacks to 5–35 times its size (LibreOffice's ODS of repeated rows, 200
#: times: its parts are read as they come anyway). Parts claiming more than this ratio of the
#: upload limit are refused before anything is read.
MAX_UNPACKED_RATIO = 20


def open_archive(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(label) from exc


def zip_sizes_check(archive: zipfile.ZipFile, *, max_bytes: int | None) -> None:
    """Refuse an archive whose parts claim to unpack to more than ``MAX_UNPACKED_RATIO`` times
    ``max_bytes``."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if max_bytes is not None and unpacked > max_bytes * MAX_UNPACKED_RATIO:
        raise SpreadsheetError(
            _("The file is too large once unpacked (%(size)s). Split it into smaller files."),
            code="too_large",
            params={"size": filesizeformat(unpacked)},
        )


def xml_parser() -> XMLParserType:
    """An expat parser that reports names as ``"namespace local"`` and refuses any document
    type declaration (and so any entity) and anything external."""
    parser = ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK_BYTES
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    parser.ExternalEntityRefHandler = _refuse_declarations
    return parser


class XmlDeclarationRefused(Exception):
    """A part declares a document type or entities: no spreadsheet program writes them."""


def _refuse_declarations(*args) -> None:
    raise XmlDeclarationRefused


def feed_part(
    archive: zipfile.ZipFile, name: str, parser: XMLParserType, *, label: str
) -> Iterator[None]:
    """Feed the part ``name`` to ``parser`` a chunk at a time, yielding after each chunk, so
    that a reader can hand on what the parser's handlers collected, or stop.

    A part that is missing, fails its checksum, is not well-formed XML, declares entities or
    holds an overlong stretch without tags is refused as damaged (``label`` names the format).
    ``SpreadsheetError`` raised by a handler goes through as it is.
    """
    try:
        with archive.open(name) as stream:
            stretch = 0  # bytes since the last "<"
            while chunk := stream.read(CHUNK_BYTES):
                first = chunk.find(b"<")
                if first < 0:
                    stretch += len(chunk)
                else:
                    if stretch + first > MAX_XML_STRETCH:
                        raise damaged(label)
                    stretch = len(chunk) - chunk.rfind(b"<") - 1
                if stretch > MAX_XML_STRETCH:
                    raise damaged(label)
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
            yield
    except SpreadsheetError:
        raise
    except (
        KeyError,
        ExpatError,
        XmlDeclarationRefused,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,  # a compression method zipfile does not know
    ) as exc:
        raise damaged(label) from exc


def read_part(archive: zipfile.ZipFile, name: str, parser: XMLParserType, *, label: str) -> None:
    """Feed the whole part ``name`` to ``parser`` (see ``feed_part``)."""
    for _chunk in feed_part(archive, name, parser, label=label):
        pass
