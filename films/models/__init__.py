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
from .profiles import ArtHouseClassification, CinemaProfile
from .screenings import BoxOfficeLayout, Screening

__all__ = [
    "AgeRating",
    "ArtHouseClassification",
    "BoxOfficeLayout",
    "CinemaProfile",
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
