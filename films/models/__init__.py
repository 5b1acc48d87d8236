from .distributors import DistributorAccess, DistributorContact
from .pages import (
    AgeRating,
    DistributorFilmsPage,
    FilmCredit,
    FilmGenre,
    FilmIndexPage,
    FilmPage,
    FilmVersion,
    VersionFormat,
)
from .screenings import BoxOfficeLayout, Screening

__all__ = [
    "AgeRating",
    "BoxOfficeLayout",
    "DistributorAccess",
    "DistributorContact",
    "DistributorFilmsPage",
    "FilmCredit",
    "FilmGenre",
    "FilmIndexPage",
    "FilmPage",
    "FilmVersion",
    "Screening",
    "VersionFormat",
]
