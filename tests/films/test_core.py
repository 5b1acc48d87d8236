"""The film database's core: every organization gets one, a film keeps its versions and the
codes cinemas write, a screening is keyed by cinema, room and start."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from films.models import FilmIndexPage, FilmPage, Screening
from films.titles import fold_title
from films.versions import parse_version, parse_versions
from tests.factories import make_cinema, make_film, make_organization, make_screening

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_every_organization_gets_a_film_database_at_films():
    """Staff of a new organization find « Films » under their home page at once."""
    site = make_organization("Réseau des salles", "reseau.test")
    index = FilmIndexPage.objects.child_of(site.root_page).get()
    assert index.slug == "films"
    assert index.live


def test_version_codes_read_as_cinemas_write_them():
    """« VFSTF-SME » is French with French subtitles for the deaf; « VF-AD » is audio
    described; an unknown code is named in the error instead of being guessed."""
    sdh = parse_version("VFSTF-SME")
    assert (sdh.audio_language, sdh.subtitle_language, sdh.sdh_subtitles) == ("fr", "fr", True)
    ad = parse_version("vf-ad")
    assert ad.audio_description and ad.label == "VF-AD"
    vost = parse_version("VOSTFR")
    assert (vost.audio_language, vost.subtitle_language) == ("", "fr")
    assert parse_version("LSF").sign_language
    with pytest.raises(ValidationError) as error:
        parse_versions("VF; VXQ; LSF")
    assert "VXQ" in " ".join(error.value.messages)


def test_titles_fold_accents_case_and_articles():
    """« L'Été dernier » in an export finds the film « l ete dernier »."""
    assert fold_title("L'Été dernier") == fold_title("l'ete DERNIER")
    assert fold_title("Chambre d'à côté, La") == fold_title("La Chambre d’à côté")


def test_a_film_keeps_its_lists_and_versions_through_a_revision():
    """Countries, languages and genres survive saving a draft and publishing it."""
    site = make_organization("Réseau des salles", "reseau.test")
    film = make_film(
        site.films,
        "Anatomie d'une chute",
        versions=("VF", "VF-AD", "VFSTF-SME"),
        countries=["FR"],
        original_languages=["fr", "en"],
        genres=["drama", "thriller"],
    )
    film = FilmPage.objects.get(pk=film.pk)
    assert film.countries == ["FR"]
    assert film.original_languages == ["fr", "en"]
    assert FilmPage.objects.filter(genres__contains="|thriller|").get() == film
    revision_film = film.get_latest_revision_as_object()
    assert revision_film.genres == ["drama", "thriller"]
    assert [v.label for v in film.versions.all()] == ["VF", "VF-AD", "VFSTF-SME"]
    assert film.versions.get(label="VF-AD").audio_description
    assert film.match_title == "anatomie d une chute"


def test_one_screening_per_cinema_room_and_start():
    """Importing the same session twice cannot show it twice, even for the organization's own
    cinema (no cinema record)."""
    site = make_organization("Cinéma Lumière", "lumiere.test")
    film = make_film(site.films)
    start = datetime.datetime(2027, 3, 9, 19, tzinfo=UTC)
    make_screening(site, film, start, room="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_screening(site, film, start, room="1")
    cinema = make_cinema(site)
    make_screening(site, film, start, cinema=cinema, room="1")
    assert Screening.objects.count() == 2
