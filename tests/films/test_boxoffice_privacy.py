"""Admissions and receipts are a cinema's business figures: once imported from its box office,
they appear on no public page — the film's page, the cinema's record page, the film database
— nor in their JSON-LD, whatever else those pages show of the screenings."""

import datetime as dt

import pytest
from django.utils import translation

from films.boxoffice import boxoffice_import
from films.models import Screening
from tests.factories import make_cinema, make_film

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

ADMISSIONS = "8731017"
RECEIPTS = "9182736,45"


def test_admissions_and_receipts_reach_no_public_page_or_graph(client, org_a):
    """Planted through a real import, the figures are in the database, and in no response."""
    cinema = make_cinema(org_a, "Cinéma Lumière")
    film = make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    data = (
        "Date séance;Heure;Titre;Visa;Version;Salle;Entrées;Recette TTC\r\n"
        f"04/01/2099;19h00;Les Arbres de l'hiver;158432;VF;Salle 1;{ADMISSIONS};{RECEIPTS}\r\n"
    ).encode("cp1252")
    with translation.override("fr"):
        report = boxoffice_import(site=org_a, data=data, filename="canari.csv", cinema=cinema)
    assert report.ready
    screening = Screening.objects.get()
    assert screening.admissions == int(ADMISSIONS)
    assert screening.starts_at > dt.datetime.now(dt.UTC)  # a coming screening, if listed
    for page in (film, cinema, org_a.films):
        response = client.get(page.url, HTTP_HOST=org_a.hostname)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        for figure in (ADMISSIONS, "8 731 017", "8\u00a0731\u00a0017", "9182736", "9 182 736"):
            assert figure not in html, (page.url, figure)
    graph = client.get(film.url, HTTP_HOST=org_a.hostname).content.decode()
    assert 'type="application/ld+json"' in graph  # the graph is there, without the figures
