"""Foundation: search that understands French and English.

Wagtail's database search backend matches words as they are written: « caméra » does not find
« Caméras », and on PostgreSQL « cafe » does not find « Café ». This app's backend
(``language_search.backend``, selected in ``WAGTAILSEARCH_BACKENDS``) indexes each object in its
language (a page's locale; the site's default language otherwise), without accents, its words
reduced to their stems, and reads every query in each content language. See ``analysis`` for
the words, ``postgres`` and ``sqlite`` for the two databases.
"""
