"""Titles folded for matching: « L'Été dernier » and « l ete dernier » are the same film."""

import re
import unicodedata

_ARTICLES = re.compile(r"^(le|la|les|l|the|a|an|un|une)\s+")


def fold_title(title: str) -> str:
    """Lower case, no accents, no punctuation, single spaces; a leading article dropped, so that
    exports writing « Chambre d'à côté, La » or « La chambre d'à côté » meet."""
    text = unicodedata.normalize("NFKD", str(title or ""))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    text = re.sub(r"[^\w]+", " ", text).strip()
    # « Chambre d'à côté, La » → « la chambre d a cote »
    match = re.search(r"\s(le|la|les|l|the|a|an)$", text)
    if match and "," in str(title):
        text = f"{match.group(1)} {text[: match.start()]}".strip()
    return _ARTICLES.sub("", text)
