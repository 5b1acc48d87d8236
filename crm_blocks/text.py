"""Text comparison helpers shared by names, sort keys and spreadsheet headers."""

import unicodedata


def fold(text: str) -> str:
    """Case-folded and without accents: « Élise », "ÉLISE" and "elise" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
