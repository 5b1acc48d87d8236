"""The dataset's schema.org ``Dataset`` node (Google Dataset Search)."""

from __future__ import annotations


def dataset_nodes(page, context):
    return ()
