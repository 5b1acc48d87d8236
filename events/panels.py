"""The editor's preview of the dates an event will be published with, and the code that shows
an agenda on another website."""

from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class UpcomingDatesPanel(Panel):
    """The next dates, as the saved version of the event would publish them (moved and
    cancelled dates marked), so that staff check a rule before publishing it."""

    def __init__(self, count: int = 8, **kwargs):
        kwargs.setdefault("heading", _("Next dates"))
        super().__init__(**kwargs)
        self.count = count

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "count": self.count}

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/admin/upcoming_dates_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["rows"], context["error"], context["tz"] = [], None, None
            if page.pk and page.start_date:
                try:
                    rows, tz = page.upcoming_occurrences(count=self.panel.count)
                except ValidationError as error:
                    context["error"] = error.messages[0]
                else:
                    context["rows"] = [
                        {
                            "start": row.start.astimezone(tz),
                            "all_day": row.all_day,
                            "status": row.status,
                            "status_label": row.get_status_display(),
                            "note": row.note,
                        }
                        for row in rows
                    ]
                    context["tz"] = tz
            return context


class EmbedSnippetPanel(Panel):
    """The code that shows the agenda on another website (an ``<iframe>`` of its ``embed/``
    page) and the address of its ``events.json``, ready to copy. The instance says which
    agendas (``embed_agendas()``: ``(agenda, cinema)`` pairs; a cinema narrows a network's
    agenda to one member)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/admin/embed_snippet_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            snippets = []
            request = self.request
            for agenda, cinema in self.instance.embed_agendas():
                base = agenda.get_full_url(request)
                if not base:
                    continue
                query = f"?{urlencode({'cinema': cinema})}" if cinema else ""
                snippets.append(
                    {
                        "agenda": agenda,
                        "cinema": cinema,
                        "embed_url": f"{base}embed/{query}",
                        "json_url": f"{base}events.json{query}",
                        "title": agenda.title,
                    }
                )
            context["snippets"] = snippets
            return context
