"""``import_records screenings FILE --organization HOST [--cinema NAME] [--map field=Header]
[--accept-close-matches]``: what an operator types to bring a cinema's box-office export in."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from films.models import BoxOfficeLayout, Screening
from tests.factories import make_cinema, make_film

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "boxoffice"


def run(*args):
    out = io.StringIO()
    with translation.override("fr"):
        call_command("import_records", "screenings", *args, stdout=out)
    return out.getvalue()


def test_the_lumiere_export_for_a_cinema_named_without_its_accents(org_a):
    """« --cinema "cinema lumiere" » finds « Cinéma Lumière »; unknown films become drafts and
    the command says so; running it again changes nothing."""
    cinema = make_cinema(org_a, "Cinéma Lumière")
    path = FIXTURES / "cinema-lumiere-seances.csv"
    out = run(str(path), "--organization", org_a.hostname, "--cinema", "cinema lumiere")
    assert (
        "Nouvelles séances\u00a0: 42\u00a0; mises à jour\u00a0: 0\u00a0; inchangées\u00a0: 0."
        in out
    )
    assert "Nouveau film en brouillon\u00a0: Les Arbres de l'hiver" in out
    assert Screening.objects.filter(cinema=cinema).count() == 42
    again = run(str(path), "--organization", org_a.hostname, "--cinema", "Cinéma Lumière")
    assert (
        "Nouvelles séances\u00a0: 0\u00a0; mises à jour\u00a0: 0\u00a0; inchangées\u00a0: 42."
        in again
    )
    with pytest.raises(CommandError, match="Aucun cinéma de cet organisme ne s’appelle"):
        run(str(path), "--organization", org_a.hostname, "--cinema", "Le Rex")


def test_unknown_columns_fail_listing_the_headers_then_map_is_remembered(org_a, tmp_path):
    """Without recognisable headers the command lists the file's columns; ``--map`` imports it
    and is remembered, so the next run needs no option."""
    make_film(org_a.films, "Les Arbres de l'hiver")
    path = tmp_path / "export.csv"
    path.write_text("Jour;Créneau;Oeuvre\n04/01/2027;19:00;Les Arbres de l'hiver\n")
    with pytest.raises(CommandError) as error:
        run(str(path), "--organization", org_a.hostname)
    assert "«\u00a0Jour\u00a0», «\u00a0Créneau\u00a0», «\u00a0Oeuvre\u00a0»" in str(error.value)
    maps = ["--map", "date=Jour", "--map", "time=Créneau", "--map", "title=Oeuvre"]
    run(str(path), "--organization", org_a.hostname, *maps)
    assert BoxOfficeLayout.objects.get(site=org_a, cinema_key=0).mapping["time"] == "Créneau"
    path.write_text("Jour;Créneau;Oeuvre\n05/01/2027;19:00;Les Arbres de l'hiver\n")
    assert "Nouvelles séances\u00a0: 1\u00a0;" in run(str(path), "--organization", org_a.hostname)
    with pytest.raises(CommandError, match="--map prend champ=En-tête"):
        run(str(path), "--organization", org_a.hostname, "--map", "heure=Créneau")


def test_uncertain_films_stop_the_command_unless_accepted(org_a, tmp_path):
    """A close title is printed with its candidates and nothing is written;
    ``--accept-close-matches`` takes the candidate; ``--dry-run`` writes nothing."""
    film = make_film(org_a.films, "La Traversée des Monts")
    path = tmp_path / "export.csv"
    path.write_text("Date;Heure;Titre\n04/01/2027;19:00;La Traversee des Mont\n")
    with pytest.raises(CommandError) as error:
        run(str(path), "--organization", org_a.hostname)
    assert "Rien n’a été importé" in str(error.value)
    assert "La Traversée des Monts (2026)" in str(error.value)
    assert not Screening.objects.exists()
    dry = run(str(path), "--organization", org_a.hostname, "--accept-close-matches", "--dry-run")
    assert dry.startswith("Essai à blanc, rien n’a été écrit") and not Screening.objects.exists()
    run(str(path), "--organization", org_a.hostname, "--accept-close-matches")
    assert Screening.objects.get().film == film
