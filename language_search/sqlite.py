"""SQLite: Wagtail's FTS5 backend, fed with words analyzed here.

SQLite cannot stem (FTS5 tokenizers are written in C), so the words are analyzed in Python
(``analysis``) on both sides: the index stores an object's analyzed words (« cam caf » for
« Caméras du café ») in Wagtail's index table, which SQLite copies to its FTS5 table; a query is
analyzed the same way before it becomes an FTS5 ``MATCH`` expression.
"""

from __future__ import annotations

from functools import cached_property

from wagtail.search.backends.database.sqlite.query import Lexeme, SearchQueryExpression
from wagtail.search.backends.database.sqlite.sqlite import (
    ObjectIndexer,
    SQLiteAutocompleteQueryCompiler,
    SQLiteIndex,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)
from wagtail.search.models import IndexEntry
from wagtail.search.query import Phrase, PlainText
from wagtail.search.utils import get_content_type_pk

from .analysis import SIMPLE, Analyzer
from .languages import LanguageMixin


class AnalyzedObjectIndexer(ObjectIndexer):
    """Wagtail's extraction of an object's text, analyzed in the object's language."""

    def __init__(self, obj, backend, analyzer: Analyzer):
        super().__init__(obj, backend)
        self.analyzer = analyzer

    @cached_property
    def title(self):
        return " ".join(self.analyzer.analyze(ObjectIndexer.title.func(self)))

    @cached_property
    def body(self):
        return " ".join(self.analyzer.analyze(ObjectIndexer.body.func(self)))

    @cached_property
    def autocomplete(self):
        """Folded words whole, for partial words, then their stems, for inflections."""
        text = ObjectIndexer.autocomplete.func(self)
        return " ".join([*SIMPLE.analyze(text), *self.analyzer.analyze(text)])


class LanguageSQLiteIndex(SQLiteIndex):
    def add_items(self, model, objs):
        """Index ``objs`` in their languages: one statement inserts new entries and updates
        existing ones (SQLite's triggers copy both to the FTS5 table)."""
        if not model.get_search_fields():
            return
        objs = list(objs)
        if not objs:
            return
        content_type_pk = get_content_type_pk(model)
        analyzers = self.backend.object_analyzers(model, objs)
        entries = []
        for obj, analyzer in zip(objs, analyzers, strict=True):
            indexer = AnalyzedObjectIndexer(obj, self.backend, analyzer)
            entries.append(
                IndexEntry(
                    content_type_id=content_type_pk,
                    object_id=indexer.id,
                    title=indexer.title,
                    autocomplete=indexer.autocomplete,
                    body=indexer.body,
                    title_norm=1.0,
                )
            )
        IndexEntry._default_manager.using(self.write_connection.alias).bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["content_type", "object_id"],
            update_fields=["title", "autocomplete", "body", "title_norm"],
        )
        self._refresh_title_norms()


class FtsExpression(Lexeme):
    """A ready-made FTS5 query, in parentheses so that it combines safely with others."""

    def as_sql(self, compiler, connection):
        return "%s", [f"({self.value})"]


#: Matches nothing: a query with no word in it (« ? », « -- »).
NO_WORDS = '""'


class AnalyzedQueryMixin:
    """Reads each plain-text or phrase part of a query once per analyzer (``config``, the
    backend's ``query_analyzers``), and matches any reading."""

    def build_search_query_content(self, query, config=None):
        if isinstance(query, PlainText):
            readings = [self.plain_text_reading(query, analyzer) for analyzer in config]
        elif isinstance(query, Phrase):
            readings = [self.phrase_reading(query.query_string, analyzer) for analyzer in config]
        else:
            return super().build_search_query_content(query, config=config)
        readings = list(dict.fromkeys(reading for reading in readings if reading))
        return SearchQueryExpression(FtsExpression(" OR ".join(readings) or NO_WORDS))

    def plain_text_reading(self, query: PlainText, analyzer: Analyzer) -> str:
        """Each term of ``query`` analyzed (a term of several words, « l'équipe », as a
        phrase), joined by the query's operator. When autocompleting, the last term is a prefix
        in the reading that keeps words whole only: the stem of a word being typed means
        nothing (« camé » → « cam », which is « Camille » too)."""
        terms = [analyzer.analyze(term) for term in query.query_string.split()]
        terms = [term for term in terms if term]
        if not terms:
            return ""
        lexemes = [f'"{" ".join(term)}"' for term in terms]
        if self.LAST_TERM_IS_PREFIX and analyzer.stemmer is None:
            lexemes[-1] += "*"
        return "(" + f" {query.operator.upper()} ".join(lexemes) + ")"

    def phrase_reading(self, text: str, analyzer: Analyzer) -> str:
        analyzed = analyzer.analyze(text)
        return f'"{" ".join(analyzed)}"' if analyzed else ""


class LanguageSQLiteSearchQueryCompiler(AnalyzedQueryMixin, SQLiteSearchQueryCompiler):
    pass


class LanguageSQLiteAutocompleteQueryCompiler(AnalyzedQueryMixin, SQLiteAutocompleteQueryCompiler):
    pass


class LanguageSQLiteSearchBackend(LanguageMixin, SQLiteSearchBackend):
    query_compiler_class = LanguageSQLiteSearchQueryCompiler
    autocomplete_query_compiler_class = LanguageSQLiteAutocompleteQueryCompiler
    index_class = LanguageSQLiteIndex

    def __init__(self, params):
        super().__init__(params)
        # What the query compilers receive as their "config": the readings of a query.
        self.config = self.query_analyzers
        self.autocomplete_config = (SIMPLE, *self.query_analyzers)
