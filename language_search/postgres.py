"""PostgreSQL: Wagtail's backend with a text search configuration per language.

The configurations (``lm_french``, ``lm_english``, ``lm_simple``; this app's migration) are
PostgreSQL's own, with its ``unaccent`` dictionary before the stemmer. An object's vectors are
built with its language's configuration; a query is parsed once per content language's
configuration, and the parses are joined with ``||`` (or ``&&`` where the query negates).
"""

from __future__ import annotations

import operator
import re
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import TextField, Value
from wagtail.search.backends.database.postgres.postgres import (
    EMPTY_VECTOR,
    ObjectIndexer,
    PostgresAutocompleteQueryCompiler,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from wagtail.search.backends.database.postgres.query import Lexeme
from wagtail.search.models import IndexEntry
from wagtail.search.query import Phrase, PlainText
from wagtail.search.utils import get_content_type_pk

from .analysis import SIMPLE, Analyzer
from .languages import LanguageMixin


class AnalyzedObjectIndexer(ObjectIndexer):
    """Wagtail's extraction of an object's text, vectorised in the object's language."""

    def __init__(self, obj, backend, analyzer: Analyzer):
        super().__init__(obj, backend)
        self.analyzer = analyzer

    def as_vector(self, texts, for_autocomplete=False):
        """Title and body in the object's configuration; autocompletion in ``lm_simple`` too,
        so that partial words match whole folded words (see ``backend``)."""
        texts = [(text.strip(), weight) for text, weight in texts]
        texts = [(text, weight) for text, weight in texts if text]
        if not texts:
            return EMPTY_VECTOR
        analyzers = [SIMPLE, self.analyzer] if for_autocomplete else [self.analyzer]
        configs = list(dict.fromkeys(analyzer.pg_config for analyzer in analyzers))
        vectors = [
            SearchVector(Value(text, output_field=TextField()), weight=weight, config=config)
            for text, weight in texts
            for config in configs
        ]
        return reduce(operator.add, vectors)


class LanguagePostgresIndex(PostgresIndex):
    def add_items(self, model, objs):
        """Index ``objs`` in their languages, in one ``INSERT … ON CONFLICT DO UPDATE``."""
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
                    title_text=indexer.title_text,
                    body_text=indexer.body_text,
                )
            )
        IndexEntry._default_manager.using(self.write_connection.alias).bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["content_type", "object_id"],
            update_fields=[
                "title",
                "autocomplete",
                "body",
                "title_norm",
                "title_text",
                "body_text",
            ],
        )
        self._refresh_title_norms()


class AnalyzedQueryMixin:
    """Parses each plain-text or phrase part of a query once per configuration (``config``:
    the backend's tuple of them), and matches any parse."""

    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, PlainText):
            parses = [self.plain_text_parse(query, one, invert) for one in config]
        elif isinstance(query, Phrase):
            parses = [
                SearchQuery(query.query_string, search_type="phrase", config=one, invert=invert)
                for one in config
            ]
        else:
            return super().build_tsquery_content(query, config=config, invert=invert)
        parses = [parse for parse in parses if parse is not None]
        if not parses:
            return None
        # « not (French or English reading) » is « not French and not English ».
        return reduce(operator.and_ if invert else operator.or_, parses)

    def plain_text_parse(self, query: PlainText, config: str, invert: bool):
        """The terms of ``query`` in ``config``, joined by its operator. When autocompleting,
        the last term is a prefix in ``lm_simple`` only, which indexes whole words: the stem of
        a word being typed means nothing (« camé » → « cam », which is « Camille » too)."""
        terms = [term for term in re.split(r"[\s\-]+", query.query_string) if term]
        if not terms:
            return None
        prefix = self.LAST_TERM_IS_PREFIX and config == SIMPLE.pg_config
        lexemes = [Lexeme(term, invert=invert) for term in terms[:-1]]
        lexemes.append(Lexeme(terms[-1], invert=invert, prefix=prefix))
        combine = operator.and_ if query.operator == "and" else operator.or_
        return SearchQuery(reduce(combine, lexemes), search_type="raw", config=config)

    def search(self, config, start, stop, score_field=None, backend=None):
        """Keeps the configurations for ``get_fields_vectors``, which Wagtail calls without."""
        self.configs = config
        return super().search(config, start, stop, score_field=score_field, backend=backend)

    def get_fields_vectors(self, search_query):
        """A search limited to some fields (``fields=``) reads the fields themselves, whose
        language is unknown: each field is vectorised in every configuration of the query."""
        return [
            (
                reduce(
                    operator.add,
                    [SearchVector(field_lookup, config=config) for config in self.configs],
                ),
                search_field.boost,
            )
            for field_lookup, search_field in self.search_fields.items()
        ]


class LanguagePostgresSearchQueryCompiler(AnalyzedQueryMixin, PostgresSearchQueryCompiler):
    pass


class LanguagePostgresAutocompleteQueryCompiler(
    AnalyzedQueryMixin, PostgresAutocompleteQueryCompiler
):
    pass


class LanguagePostgresSearchBackend(LanguageMixin, PostgresSearchBackend):
    query_compiler_class = LanguagePostgresSearchQueryCompiler
    autocomplete_query_compiler_class = LanguagePostgresAutocompleteQueryCompiler
    index_class = LanguagePostgresIndex

    def __init__(self, params):
        super().__init__(params)
        # What the query compilers receive as their "config": one configuration per reading.
        self.config = tuple(analyzer.pg_config for analyzer in self.query_analyzers)
        self.autocomplete_config = tuple(
            dict.fromkeys(analyzer.pg_config for analyzer in (SIMPLE, *self.query_analyzers))
        )
