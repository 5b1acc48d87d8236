"""Words as the search index keeps them: folded (lower case, no accents), then stemmed.

A language's *analyzer* turns text into the words that are indexed and looked for:
« Les Caméras » → ``["le", "cam"]`` in French, « cameras » → ``["camera"]`` in English. The same
analyzer runs on the text of an object and on a query, so « caméra », « caméras » and « camera »
all meet at « cam ». Accents are removed before stemming, on both sides, so that a visitor who
types without them finds the same words as one who types them.

On PostgreSQL, each analyzer is a text search configuration (``pg_config``, created by this
app's migration: PostgreSQL's own Snowball stemmers behind its ``unaccent`` dictionary); on
SQLite, it is the Snowball stemmer of the ``snowballstemmer`` package, run here. Both implement
the same Snowball algorithms.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.conf import settings

#: Letters that Unicode does not decompose but French spells out: « œuvre » is typed « oeuvre ».
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})

#: A word is a run of letters and digits; anything else separates words (as SQLite's FTS5
#: ``unicode61`` tokenizer, which reads the index, does).
WORD = re.compile(r"[^\W_]+")

#: How many (algorithm, word) stems are kept in memory: stemming is a pure function of the
#: word, and an index rebuild meets the same words again and again.
STEM_CACHE_SIZE = 100_000


def fold(text: str) -> str:
    """Lower case, without accents or ligatures: « Œuvres Élues » → « oeuvres elues »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order: « L'équipe, 2 caméras » →
    ``["l", "equipe", "2", "cameras"]``."""
    return WORD.findall(fold(text))


_stemmers = threading.local()


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(algorithm: str, word: str) -> str:
    """``word`` reduced by the Snowball ``algorithm`` (« french », « english »).

    A Snowball stemmer keeps its work in the instance while it stems, so each thread has its own.
    """
    stemmer = getattr(_stemmers, algorithm, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(algorithm)
        setattr(_stemmers, algorithm, stemmer)
    return stemmer.stemWord(word)


@dataclass(frozen=True)
class Analyzer:
    """How one language's text becomes indexed words.

    ``name`` names it; ``pg_config`` is the PostgreSQL text search configuration doing the same;
    ``stemmer`` the Snowball algorithm, ``None`` to keep folded words whole."""

    name: str
    pg_config: str
    stemmer: str | None = None

    def analyze(self, text: str) -> list[str]:
        """The words of ``text`` as this analyzer indexes them."""
        folded = words(text)
        if self.stemmer is None:
            return folded
        return [stem(self.stemmer, word) for word in folded]


#: Folded words, whole: what autocompletion matches partial words against.
SIMPLE = Analyzer("simple", "lm_simple")
FRENCH = Analyzer("french", "lm_french", "french")
ENGLISH = Analyzer("english", "lm_english", "english")

#: The analyzer of each language with a stemmer; any other language is indexed with ``SIMPLE``.
#: A language added here needs its PostgreSQL configuration in a migration.
ANALYZERS = {"fr": FRENCH, "en": ENGLISH}


def analyzer_for(language_code: str) -> Analyzer:
    """The analyzer of a language code: « fr-ca » and « fr » are French."""
    return ANALYZERS.get(language_code.split("-")[0].lower(), SIMPLE)


def analyzers_for(language_codes: Iterable[str]) -> tuple[Analyzer, ...]:
    """The distinct analyzers of ``language_codes``, in their order."""
    return tuple(dict.fromkeys(analyzer_for(code) for code in language_codes))


def content_analyzers() -> tuple[Analyzer, ...]:
    """The analyzers of the site's content languages (``WAGTAIL_CONTENT_LANGUAGES``)."""
    return analyzers_for(code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES)


#: Stems shorter than this match too many names by substring (« caméras » → « cam »: Camille,
#: Cameron); ``substring_stems`` leaves them out.
MIN_SUBSTRING_STEM = 4


def substring_stems(term: str, analyzers: Iterable[Analyzer]) -> set[str]:
    """The stems of a one-word query ``term`` in each language, for listings that the database
    filters by substring (``LIKE``) rather than through the search index: the term finds its
    plurals, its stem finds its singular (« Caméras » → ``{"camera"}``, « chevaux » →
    ``{"cheval"}``). Empty for a term of several words (« chloe@example.org ») and for stems
    too short to mean anything alone."""
    folded = words(term)
    if len(folded) != 1:
        return set()
    stems = {analyzer.analyze(folded[0])[0] for analyzer in analyzers}
    return {stem for stem in stems if len(stem) >= MIN_SUBSTRING_STEM}
