"""The editor's report: what the page will tell search engines, and what is missing, in plain
words, before publishing."""

from __future__ import annotations

import json

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError
from wagtail.admin.panels import Panel

from .graph import build_graph


class StructuredDataPanel(Panel):
    """Shows the JSON-LD the page will publish and the missing properties, each pointing at the
    field of the editor that fixes it (``structured_data_fields`` on the page class)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Search engines"))
        kwargs.setdefault(
            "help_text",
            _("What Google and partner portals will read from this page once it is published."),
        )
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "structured_data/panels/report.html"

        def get_context_data(self, parent_context=None):
            from .validation import validate_graph

            context = super().get_context_data(parent_context)
            page = self.instance
            context.update({"unsaved": False, "issues": [], "document": "", "crashed": False})
            if page is None or not page.pk:
                context["unsaved"] = True
                return context
            try:
                document = build_graph(page, None)
            except ValidationError:
                context["crashed"] = True
                return context
            issues = validate_graph(document)
            fields = getattr(type(page), "structured_data_fields", {})
            page_url = page.get_full_url() or "\0"
            context["issues"] = [
                {
                    "issue": issue,
                    # Only the page's own nodes are fixed in this editor; the organization's
                    # site-wide node is fixed in its settings.
                    "field": self._field(page, fields, issue)
                    if (issue.node_id or "").startswith(page_url)
                    else None,
                }
                for issue in sorted(issues, key=lambda i: (i.level != "error", str(i.message)))
            ]
            context["errors"] = sum(1 for i in issues if i.level == "error")
            context["warnings"] = sum(1 for i in issues if i.level == "warning")
            context["document"] = json.dumps(document, ensure_ascii=False, indent=2)
            return context

        @staticmethod
        def _field(page, fields, issue):
            """Where the editor fixes ``issue``: the field's label in the editor's language, an
            anchor, and what Wagtail's focus controller moves to — switching to the field's tab
            first, since the report is on another one. A field's whole wrapper is focused (an
            image chooser's input is hidden); for inline rows (a person's links) it is their
            "add" button. Nothing for a name that is no field of the page."""
            name = fields.get(f"{issue.node_type}.{issue.property}") or fields.get(issue.property)
            if not name:
                return None
            try:
                field = page._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if field.concrete:
                return {
                    "name": name,
                    "label": field.verbose_name,
                    "anchor": f"#id_{name}",
                    "target": f"[data-field]:has(#id_{name})",
                }
            if field.one_to_many:  # inline rows (ParentalKey): their "add" button
                return {
                    "name": name,
                    "label": field.related_model._meta.verbose_name_plural,
                    "anchor": f"#id_{name}-ADD",
                    "target": f"#id_{name}-ADD",
                }
            return None
