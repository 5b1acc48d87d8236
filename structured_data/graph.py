"""One ``@graph`` per page, built from the site, the page and its StreamField blocks.

Contributors hand typed nodes to a :class:`Graph`; nodes that share an ``@id`` merge into one,
and nodes refer to each other by ``@id`` instead of repeating themselves.

- the site: ``structured_data_site_nodes`` hooks (the reference site registers one that turns
  ``OrganizationSettings`` into the Organization and WebSite nodes);
- the page: :class:`~structured_data.mixins.StructuredDataPageMixin`;
- the blocks: any block with a ``structured_data(value, context)`` method, found by walking
  StructBlock, ListBlock and StreamBlock values recursively.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import translation
from wagtail import blocks, hooks

from public_cache.generations import invalidate_sites, site_generation

from .nodes import Node, Ref

SCHEMA_CONTEXT = "https://schema.org"


@dataclass
class GraphContext:
    """What contributors need to build nodes: the page, the request, the site and its URL."""

    page: Any
    request: Any
    site: Any
    site_url: str
    page_url: str
    language: str
    #: Ids of well-known nodes, filled as the graph is built.
    organization_id: str = ""
    website_id: str = ""
    webpage_id: str = ""
    main_entity_id: str = ""
    main_entity_type: str = ""
    #: Set by blocks: a FAQ makes the page an FAQPage, a video adds itself to the page…
    page_type: str | None = None
    page_mentions: list[str] = field(default_factory=list)
    page_main_entity: list[Any] = field(default_factory=list)
    page_videos: list[str] = field(default_factory=list)

    _counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> str:
        """A fresh ``@id`` on this page for a block's node: ``…/page/#faq-question-2``."""
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return f"{self.page_url}#{kind}-{self._counters[kind]}"

    def absolute(self, url: str | None) -> str | None:
        if not url:
            return None
        if url.startswith(("http://", "https://")):
            return url
        return self.site_url.rstrip("/") + "/" + url.lstrip("/")


class Graph:
    """Nodes in insertion order, merged by ``@id``."""

    def __init__(self):
        self._nodes: list[Node] = []
        self._by_id: dict[str, Node] = {}

    def add(self, node: Node) -> Node:
        if node.id and node.id in self._by_id:
            return self._merge(self._by_id[node.id], node)
        self._nodes.append(node)
        if node.id:
            self._by_id[node.id] = node
        return node

    def extend(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.add(node)

    def get(self, node_id: str) -> Node | None:
        return self._by_id.get(node_id)

    def _merge(self, existing: Node, new: Node) -> Node:
        """Fill what ``existing`` lacks from ``new``; lists are joined without duplicates.

        A more specific type wins (an Organization node merged with a MovieTheater node for the
        same ``@id`` becomes a MovieTheater)."""
        if type(new) is not type(existing) and issubclass(type(new), type(existing)):
            merged = type(new).model_validate(
                {**existing.model_dump(exclude_none=True), **new.model_dump(exclude_none=True)}
            )
            self._nodes[self._nodes.index(existing)] = merged
            self._by_id[merged.id] = merged
            existing, new = merged, existing
        for name in new.model_fields_set:
            value = getattr(new, name)
            if value is None:
                continue
            current = getattr(existing, name)
            if current is None:
                setattr(existing, name, value)
            elif isinstance(current, list) and isinstance(value, list):
                setattr(existing, name, current + [v for v in value if v not in current])
        return existing

    def to_jsonld(self) -> dict:
        return {
            "@context": SCHEMA_CONTEXT,
            "@graph": [node.to_jsonld() for node in self._nodes],
        }


def walk_blocks(stream_value, context: GraphContext) -> Iterable[Node]:
    """Nodes contributed by the blocks of a StreamField value, depth first."""
    if stream_value is None:
        return
    for child in stream_value:
        yield from _walk(child.block, child.value, context)


def _walk(block, value, context: GraphContext) -> Iterable[Node]:
    contribute = getattr(block, "structured_data", None)
    if contribute is not None:
        yield from contribute(value, context) or ()
    # Some StructBlocks (Wagtail's ImageBlock) turn their value into something else: only walk
    # into values that really are a struct.
    if isinstance(block, blocks.StructBlock) and isinstance(value, blocks.StructValue):
        for name, child_block in block.child_blocks.items():
            yield from _walk(child_block, value.get(name), context)
    elif isinstance(block, blocks.ListBlock):
        for item in value or ():
            yield from _walk(block.child_block, item, context)
    elif isinstance(block, blocks.StreamBlock):
        for child in value or ():
            yield from _walk(child.block, child.value, context)


def build_graph(page, request) -> dict:
    """The page's graph as a JSON-LD document (not cached)."""
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else page.get_site()
    if site is None:
        site = page.get_site()
    site_url = site.root_url if site else ""
    context = GraphContext(
        page=page,
        request=request,
        site=site,
        site_url=site_url,
        page_url=page.get_full_url(request) or site_url,
        language=translation.get_language() or page.locale.language_code,
    )
    context.organization_id = f"{site_url}/#organization"
    context.website_id = f"{site_url}/#website"
    context.webpage_id = f"{context.page_url}#webpage"
    graph = Graph()
    for hook in hooks.get_hooks("structured_data_site_nodes"):
        graph.extend(hook(context) or ())
    contribute = getattr(page, "structured_data_nodes", None)
    if contribute is not None:
        graph.extend(contribute(context))
    return graph.to_jsonld()


# --- Cache -------------------------------------------------------------------------------------

CACHE_TIMEOUT = 60 * 60 * 24

#: The one rule that forgets what is cached of a site (graphs and pages alike), under the name
#: callers knew it by before it moved to ``public_cache``.
invalidate_graphs = invalidate_sites


def cached_graph(page, request) -> dict:
    """The page's graph, cached per site (and its generation: see ``public_cache``), page
    revision and language, and kept on the request for the rest of its rendering; published
    pages only (previews and drafts are built fresh)."""
    site = getattr(request, "_wagtail_site", None) if request is not None else None
    revision = getattr(page, "live_revision_id", None)
    if site is None or not page.live or revision is None or getattr(request, "is_preview", False):
        return build_graph(page, request)
    language = translation.get_language() or ""
    # The script and the head metadata both read the graph: one cache read per request.
    memo = request.__dict__.setdefault("_structured_data_graphs", {})
    if (page.pk, revision, language) in memo:
        return memo[page.pk, revision, language]
    key = f"structured-data:{site.pk}:{site_generation(site.pk)}:{page.pk}:{revision}:{language}"
    graph = cache.get(key)
    if graph is None:
        graph = build_graph(page, request)
        cache.set(key, graph, CACHE_TIMEOUT)
    memo[page.pk, revision, language] = graph
    return graph


__all__ = [
    "Graph",
    "GraphContext",
    "Ref",
    "build_graph",
    "cached_graph",
    "invalidate_graphs",
    "walk_blocks",
]
