"""The search backend: Wagtail's database backend, indexing and querying in each language.

Select it in the settings::

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "language_search.backend"}}

Optional parameters, besides Wagtail's own: ``LANGUAGES``, the language codes a query is read
in (default: ``WAGTAIL_CONTENT_LANGUAGES``); ``DEFAULT_LANGUAGE``, the language of objects that
have none, such as images and documents (default: ``LANGUAGE_CODE``).

How it indexes and reads queries:

- an object is indexed in its language: a page in its locale's, anything else in the default
  language; its words are folded and stemmed (``analysis``);
- autocompletion (Wagtail's admin searches, choosers) also indexes the folded words whole, so
  that a partial word (« camé ») still finds « Caméras »;
- a query is read in every content language, and an object matches when it matches one of the
  readings: « cameras » is the English « camera » and the French « cam ». Reading a query in
  its own language only would need to know that language; the visitor's may not be the page's.

After a change of analyzer (this backend replacing Wagtail's, a new language), rebuild the
index: ``manage.py update_index``.
"""

from django.db import connection
from wagtail.search.backends import database
from wagtail.search.backends.database.fallback import DatabaseSearchBackend


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks for in a backend module
    """The language-aware subclass of the backend Wagtail picks for the database: PostgreSQL's,
    or SQLite's FTS5 one. Where Wagtail falls back to plain ``LIKE`` matching (SQLite without
    FTS5, other databases), its backend is kept as it is."""
    if connection.vendor == "postgresql":
        from .postgres import LanguagePostgresSearchBackend

        return LanguagePostgresSearchBackend(params)
    backend = database.SearchBackend(params)
    if connection.vendor == "sqlite" and not isinstance(backend, DatabaseSearchBackend):
        from .sqlite import LanguageSQLiteSearchBackend

        return LanguageSQLiteSearchBackend(params)
    return backend
