"""Header matching: a file's headers, in French or English, to a kind's columns."""

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from ..text import fold
from .common import SpreadsheetError

# --- Header matching ----------------------------------------------------------------------------


class HeaderMatch(NamedTuple):
    """Which header feeds which field, and the headers nobody asked for (shown, not refused)."""

    mapping: dict[str, str]
    unknown: list[str]


def normalise_header(text: object) -> str:
    """The comparison key of a header: no case, no accents, letters and digits only.

    "Prénom", "prenom", "PRÉNOM " and "pré-nom" are one key; so are "E-mail", "e_mail" and
    "email". Everything that is not a letter or a digit goes, which also forgives the stray
    "*" or "." that people add to headers.
    """
    return "".join(char for char in fold(str(text)) if char.isalnum())


def match_headers(headers: Iterable[object], columns: Mapping[str, Iterable[str]]) -> HeaderMatch:
    """Map a file's headers to canonical field names, in French or English, forgivingly.

    ``columns`` maps each field to its accepted spellings, e.g. ``{"email": ["email", "e-mail",
    "courriel"]}``; the field name itself is always accepted. Headers that match nothing are
    returned in ``unknown`` so the preview can list them: an extra column is not an error. Two
    headers that feed the same field are, since we could not know which one to believe.

    Raises ``ValueError`` if ``columns`` itself gives one spelling to two fields (a programming
    error), and ``SpreadsheetError`` (``code="duplicate_columns"``) for duplicate headers.
    """
    lookup: dict[str, str] = {}
    for field, spellings in columns.items():
        for spelling in (field, *spellings):
            key = normalise_header(spelling)
            if not key:
                continue
            if lookup.setdefault(key, field) != field:
                raise ValueError(
                    f"Header spelling {spelling!r} is given for both {lookup[key]!r} and {field!r}."
                )

    mapping: dict[str, str] = {}
    unknown: list[str] = []
    by_field: dict[str, list[str]] = {}
    for header in headers:
        title = str(header).strip()
        field = lookup.get(normalise_header(title))
        if field is None:
            unknown.append(title)
            continue
        by_field.setdefault(field, []).append(title)
        mapping[title] = field

    duplicates = [titles for titles in by_field.values() if len(titles) > 1]
    if duplicates:
        raise SpreadsheetError(
            _(
                "Several columns hold the same information: %(columns)s. Keep only one "
                "of each, then try again."
            ),
            code="duplicate_columns",
            params={
                "columns": "; ".join(", ".join(f"“{t}”" for t in group) for group in duplicates)
            },
        )
    return HeaderMatch(mapping, unknown)
