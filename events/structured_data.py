"""An event's schema.org nodes (``structured_data``, ARCHITECTURE §5).

Built from the page it is given; this module never imports the models (the page class calls
it), so that the page's graph and the models stay one way round.
"""

from __future__ import annotations

from collections.abc import Iterable

from structured_data.graph import GraphContext
from structured_data.nodes import Event, Node


def event_nodes(page, context: GraphContext) -> Iterable[Node]:
    node_id = f"{context.page_url}#event"
    context.main_entity_id = node_id
    context.main_entity_type = "Event"
    yield Event(id=node_id, name=page.title, description=page.summary or None, url=context.page_url)
