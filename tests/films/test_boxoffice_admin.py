"""The box-office import and the barometer in the admin, as a cinema's staff use them: upload,
columns asked once and remembered, uncertain films settled in the preview, confirmation, the
screenings listing; another organization's staff find none of it; the barometer adds up
admissions per week, film and cinema for the organization's staff only."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from films.models import BoxOfficeLayout, FilmPage, Screening
from organizations.registry import OrganizationRole
from spreadsheets.models import ImportJob
from tests.factories import make_cinema, make_film, make_screening, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "boxoffice"
UPLOAD = "films_screenings:boxoffice"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, site, cinema, data: bytes, name="seances.csv"):
    return client.post(
        reverse(UPLOAD),
        {
            "cinema": f"{site.pk}:{cinema.pk if cinema else 0}",
            "file": SimpleUploadedFile(name, data),
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def test_staff_import_the_french_export_after_settling_an_uncertain_film(org_a, crm_a):
    """The Lumière export is read at once (its headers are known); the preview lists the film
    whose title is only close to one of the database, and the drafts it would make; once the
    film is chosen and the import confirmed, the screenings are in the listing."""
    cinema = make_cinema(org_a, "Cinéma Lumière")
    film = make_film(org_a.films, "La Traversée des Mont", year=2026)  # typed without its « s »
    client = client_for(crm_a)
    response = upload(client, org_a, cinema, (FIXTURES / "cinema-lumiere-seances.csv").read_bytes())
    assert response.status_code == 302
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    html = preview.content.decode()
    assert "Films à confirmer" in html and "La Traversée des Monts" in html
    assert "Un titre proche, pas le même." in html
    assert "Les Arbres de l&#x27;hiver" in html  # a draft to make
    assert "Confirmer l’importation" in html
    assert not Screening.objects.exists()
    done = client.post(
        response["Location"],
        {"action": "confirm", "film_0": str(film.pk)},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert done.status_code == 302
    report = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Nouvelles séances\u00a0: 42\u00a0; mises à jour\u00a0: 0" in report
    assert Screening.objects.filter(cinema=cinema).count() == 42
    assert Screening.objects.filter(film=film).exists()
    assert not FilmPage.objects.get(title="Les Arbres de l'hiver").live
    listing = client.get(reverse("films_screenings:index"), HTTP_ACCEPT_LANGUAGE="fr")
    assert listing.status_code == 200
    assert "La Traversée des Mont" in listing.content.decode()


def test_columns_asked_once_then_remembered_for_the_cinema(org_a, crm_a):
    """A file whose headers are not known leads to the matching step; the choice is kept for
    the cinema, so its next export goes straight to the preview."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    cinema = make_cinema(org_a, "Le Rex")
    data = "Jour;Créneau;Oeuvre;Nb\r\n04/01/2027;19:00;Les Arbres de l'hiver;12\r\n".encode()
    client = client_for(crm_a)
    job_url = upload(client, org_a, cinema, data)["Location"]
    page = client.get(job_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Quelle colonne contient quoi" in page and "Créneau" in page
    bad = client.post(job_url, {"action": "columns", "time": "Créneau"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Choisissez la colonne de" in bad.content.decode()
    chosen = {"date": "Jour", "time": "Créneau", "title": "Oeuvre", "admissions": "Nb"}
    client.post(job_url, {"action": "columns", **chosen})
    client.post(job_url, {"action": "confirm"})
    assert Screening.objects.get().admissions == 12
    assert BoxOfficeLayout.objects.get(cinema=cinema).mapping == chosen
    again = upload(client, org_a, cinema, data.replace(b"19:00", b"21:00"))
    preview = client.get(again["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aperçu" in preview and "Nouvelles séances\u00a0: 1\u00a0;" in preview


def test_errors_are_listed_with_their_lines_and_nothing_can_be_confirmed(org_a, crm_a):
    """A bad row: the preview lists it with its line, in French, and offers no confirmation."""
    data = (
        "Date séance;Heure;Titre;Entrées\r\n"
        "04/01/2027;19h00;Les Arbres de l'hiver;12\r\n"
        "32/01/2027;19h00;Les Arbres de l'hiver;12\r\n"
    ).encode("cp1252")
    client = client_for(crm_a)
    job_url = upload(client, org_a, None, data)["Location"]
    html = client.get(job_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ligne 3" in html and "32/01/2027" in html
    assert "Confirmer l’importation" not in html
    client.post(job_url, {"action": "confirm"})
    assert not Screening.objects.exists() and not FilmPage.objects.filter(live=False).exists()


def test_another_organizations_staff_cannot_reach_the_import_or_its_screenings(
    org_a, crm_a, org_b, crm_b
):
    """A job and the screenings of one organization answer 404 to another's staff, and the
    cinema list offers only their own organization."""
    film = make_film(org_a.films)
    screening = make_screening(org_a, film, dt.datetime(2027, 1, 4, 19, tzinfo=dt.UTC))
    job_url = upload(
        client_for(crm_a), org_a, None, (FIXTURES / "cinema-lumiere-seances.csv").read_bytes()
    )["Location"]
    other = client_for(crm_b)
    assert other.get(job_url).status_code == 404
    assert other.post(job_url, {"action": "confirm"}).status_code == 404
    form = other.get(reverse(UPLOAD)).content.decode()
    assert f'value="{org_a.pk}:0"' not in form and f'value="{org_b.pk}:0"' in form
    assert other.get(reverse("films_screenings:edit", args=[screening.pk])).status_code == 404
    assert ImportJob.objects.filter(site=org_a).count() == 1


def test_the_barometer_adds_up_admissions_per_week_film_and_cinema(org_a, crm_a, editor_a, org_b):
    """Staff and editors read admissions per week, with totals; a member of no staff group is
    refused; another organization's figures never show."""
    cinema = make_cinema(org_a, "Cinéma Lumière")
    film = make_film(org_a.films, "Les Arbres de l'hiver")
    monday = dt.date(2027, 1, 4)

    def at(day, hour):
        return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)

    make_screening(org_a, film, at(monday, 18), cinema=cinema, admissions=10)
    make_screening(org_a, film, at(monday + dt.timedelta(days=2), 18), cinema=cinema, admissions=15)
    make_screening(org_a, film, at(monday + dt.timedelta(days=8), 18), cinema=cinema, admissions=7)
    make_screening(org_b, make_film(org_b.films, "Ailleurs"), at(monday, 18), admissions=999)
    url = reverse("films_barometer:index") + "?start=2027-01-04&end=2027-01-17"
    for user in (crm_a, editor_a):
        html = client_for(user).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        row = html.split("Les Arbres de l&#x27;hiver</th>")[1].split("</tr>")[0]
        assert "<td>25</td><td>7</td><td><strong>32</strong></td><td>3</td>" in row
        assert "999" not in html and "Ailleurs" not in html
    download = client_for(crm_a).get(url + "&format=csv")
    assert download["Content-Type"].startswith("text/csv")
    assert "32" in download.content.decode("utf-8-sig")
    member = make_user(org_a, OrganizationRole.MEMBERS)
    assert client_for(member).get(url).status_code in (302, 403)


def test_the_listing_exports_its_screenings_and_the_dashboard_leads_back_to_an_import(org_a, crm_a):
    """Staff export the screenings they see (figures included: it is their export), laid out
    like a box-office export; an import left at the column step waits on the dashboard."""
    film = make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    make_screening(
        org_a, film, dt.datetime(2027, 1, 5, 0, 30, tzinfo=dt.UTC), version="VF", admissions=77
    )
    client = client_for(crm_a)
    export = client.get(
        reverse("films_screenings:index") + "?export=screenings.csv", HTTP_ACCEPT_LANGUAGE="fr"
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert "entrées" in header and "numéro de visa" in header
    assert '"2027-01-04","19:30","Les Arbres de l\'hiver","158432","VF"' in row  # Toronto time
    assert row.endswith('"","1","77",""')
    job_url = upload(client, org_a, None, b"A;B\r\n1;2\r\n")["Location"]
    dashboard = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="fr")
    assert job_url in dashboard.content.decode()


def test_staff_correct_a_screenings_figures_by_hand(org_a, crm_a):
    """A cashier's typo is corrected in the screening's form; the barometer's default period
    (the last 8 weeks) opens without choosing anything."""
    film = make_film(org_a.films, "Les Arbres de l'hiver")
    screening = make_screening(
        org_a, film, dt.datetime(2027, 1, 5, 0, 30, tzinfo=dt.UTC), admissions=770
    )
    client = client_for(crm_a)
    url = reverse("films_screenings:edit", args=[screening.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "status": "scheduled",
            "room": "1",
            "version_label": "VF",
            "admissions": "77",
            "gross_receipts": "600.60",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    screening.refresh_from_db()
    assert screening.admissions == 77 and screening.film == film
    barometer = client.get(reverse("films_barometer:index"), HTTP_ACCEPT_LANGUAGE="fr")
    assert barometer.status_code == 200 and "Baromètre" in barometer.content.decode()


def test_moving_a_screening_to_a_room_taken_at_that_time_is_refused_in_the_form(org_a, crm_a):
    """Staff who move a session to a room where the cinema already has one at the same start
    see the form again with a message on the room, in French, instead of an error page; the
    screening keeps its room. Another free room is accepted."""
    film = make_film(org_a.films, "Les Arbres de l'hiver")
    start = dt.datetime(2027, 1, 5, 0, 30, tzinfo=dt.UTC)
    make_screening(org_a, film, start, room="2")
    screening = make_screening(org_a, film, start, room="1")
    client = client_for(crm_a)
    url = reverse("films_screenings:edit", args=[screening.pk])
    fields = {"status": "scheduled", "version_label": "VF", "admissions": "7"}
    response = client.post(url, {**fields, "room": "2"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.context["form"].errors["room"] == [
        "Ce cinéma a déjà une séance dans la salle «\u00a02\u00a0» à cette heure."
    ]
    screening.refresh_from_db()
    assert screening.room == "1" and screening.admissions is None
    moved = client.post(url, {**fields, "room": "3"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert moved.status_code == 302
    screening.refresh_from_db()
    assert (screening.room, screening.admissions) == ("3", 7)
