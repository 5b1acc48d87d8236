"""Text comparison helpers shared by names, sort keys and spreadsheet headers."""

import unicodedata


def fold(text: str) -> str:
    """Case-folded and without accents: « Élise », "ÉLISE" and "elise" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def name_key(text: str) -> str:
    """How names are compared: folded, its words separated by one space. « Marie  ROY »,
    "marie roy " and "Marie Roy" are one name."""
    return " ".join(fold(text).split())
