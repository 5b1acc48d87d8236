"""A film's JSON-LD (``Movie``) and its screenings' (``ScreeningEvent``)."""

from __future__ import annotations


def film_nodes(film, context):
    return iter(())
