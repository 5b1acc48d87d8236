"""Text sorted as a French reader expects, on every database.

« École » and « Élise » come among the E's, « Œuvre » with the O's, lower and upper case
together: not after « Zoé », where a byte-wise (C) collation puts every accented capital.

One collation name, :data:`COLLATION`, means the same thing on both databases:

- PostgreSQL gets it from ICU (``CREATE COLLATION liens_fr (provider = icu, locale = 'fr')``,
  migration ``organizations.0002_french_collation``);
- SQLite gets it from Python: every new connection registers :func:`compare`, which orders by
  :func:`collation_key` (``register_sqlite_collation``, connected in ``apps.py``).

Listings sort with it through :func:`collate` (one expression) or :func:`collated_ordering`
(a queryset's whole ``order_by``, as a Wagtail listing or a model's ``Meta.ordering`` left it).
Stored sort keys (``sort_name`` of record pages) are :func:`primary_key` strings, which sort
the same way under any collation.
"""

from __future__ import annotations

import unicodedata

from django.db import models
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

#: The collation's name, the same on PostgreSQL and SQLite.
COLLATION = "liens_fr"

#: Letters that Unicode does not decompose but a French dictionary files as two.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
#: Apostrophes and dashes typed the typographic way sort as their plain twins.
PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})

TEXT_FIELDS = (models.CharField, models.TextField)


def _base(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(LIGATURES).translate(PUNCTUATION))


def primary_key(text: str) -> str:
    """What a dictionary compares first: letters without accents or case, ligatures spelt out.
    « Élise », "ELISE" and "elise" have the same primary key; so have « Œil » and "oeil"."""
    decomposed = unicodedata.normalize("NFKD", _base(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def collation_key(text: str) -> tuple[str, str, str]:
    """The full key: letters first (:func:`primary_key`), then accents (« cote » before
    « côte »), then case (lower case first, as ICU does)."""
    base = _base(text)
    return primary_key(base), base.casefold(), base.swapcase()


def compare(left: str, right: str) -> int:
    """SQLite's collation function: negative, zero or positive, as ``left`` sorts before,
    with or after ``right``."""
    left_key, right_key = collation_key(left), collation_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: teach each new SQLite connection the collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)


def collate(expression) -> Collate:
    """``expression`` (a field name or an expression) compared the French way."""
    return Collate(models.F(expression) if isinstance(expression, str) else expression, COLLATION)


def _is_text(queryset: models.QuerySet, name: str) -> bool:
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return isinstance(getattr(annotation, "output_field", None), TEXT_FIELDS)
    try:
        field = queryset.model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a lookup through a relation, "pk", "?"…: left as it is
        return False
    return isinstance(field, TEXT_FIELDS) and not field.choices


def collated_ordering(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` with every text column of its ordering compared the French way: its own
    ``order_by``, or its model's ``Meta.ordering`` when it has none. Columns with choices are
    left alone (they hold codes, not words), as are expressions and lookups through relations.
    """
    query = queryset.query
    ordering = list(query.order_by)
    if not ordering and query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    if not ordering:
        return queryset
    changed = False
    rewritten = []
    for item in ordering:
        if isinstance(item, str) and item.lstrip("-") and _is_text(queryset, item.lstrip("-")):
            expression = collate(item.lstrip("-"))
            rewritten.append(
                OrderBy(expression, descending=True) if item.startswith("-") else expression.asc()
            )
            changed = True
        else:
            rewritten.append(item)
    return queryset.order_by(*rewritten) if changed else queryset
