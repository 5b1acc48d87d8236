"""The languages a backend reads queries in, and the language each object is indexed in."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Locale, TranslatableMixin

from .analysis import Analyzer, analyzer_for, analyzers_for, content_analyzers


class LanguageMixin:
    """What both databases' backends share: the analyzers of queries and of objects."""

    def __init__(self, params):
        super().__init__(params)
        #: Every reading of a query, one per content language.
        self.query_analyzers: tuple[Analyzer, ...] = (
            analyzers_for(params["LANGUAGES"]) if params.get("LANGUAGES") else content_analyzers()
        )
        self.default_analyzer = analyzer_for(
            params.get("DEFAULT_LANGUAGE") or settings.LANGUAGE_CODE
        )

    def object_analyzers(self, model, objs) -> list[Analyzer]:
        """The analyzer of each of ``objs``, in order: its locale's language, or the default.

        One query for the whole batch (the locales), whatever its size."""
        if not issubclass(model, TranslatableMixin):
            return [self.default_analyzer] * len(objs)
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        return [
            analyzer_for(languages[obj.locale_id])
            if obj.locale_id in languages
            else self.default_analyzer
            for obj in objs
        ]
