"""``{% structured_data %}`` writes the page's one JSON-LD script; ``{% head_metadata %}`` the
canonical link, language alternates, Open Graph and Twitter card, from the same graph."""

import json

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from ..graph import cached_graph
from ..head import head_metadata_for

register = template.Library()

# Characters that could end the script element, open an HTML comment, or end a JavaScript
# string in older parsers. JSON allows them escaped as \uXXXX; the decoded value is unchanged.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def jsonld_script(data: dict) -> str:
    """A ``<script type="application/ld+json">`` element that no value can break out of."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return f'<script type="application/ld+json">{payload}</script>'


@register.simple_tag(takes_context=True)
def structured_data(context):
    if not getattr(settings, "STRUCTURED_DATA_ENABLED", True):
        return ""
    page = context.get("page")
    request = context.get("request")
    if page is None or not hasattr(page, "structured_data_nodes"):
        return ""
    return mark_safe(jsonld_script(cached_graph(page, request)))  # noqa: S308 - escaped above


@register.inclusion_tag("structured_data/head_metadata.html", takes_context=True)
def head_metadata(context):
    if not getattr(settings, "STRUCTURED_DATA_ENABLED", True):
        return {"meta": None}
    page = context.get("page")
    request = context.get("request")
    if page is None or not hasattr(page, "structured_data_nodes"):
        return {"meta": None}
    return {"meta": head_metadata_for(page, request, cached_graph(page, request))}
