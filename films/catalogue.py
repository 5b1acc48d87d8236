"""What the film database's pages show (the index with its filters, a film's page with its
coming screenings)."""

from __future__ import annotations

from .models import FilmPage


def film_index_context(index, request) -> dict:
    films = FilmPage.objects.published(within=index).order_by("title")
    return {"films": films}


def film_page_context(film, request) -> dict:
    return {}
