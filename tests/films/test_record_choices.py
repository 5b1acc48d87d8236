"""The film forms offer an organization's editors only their own CRM records: another
organization's person or distributor, posted by id, is refused with a form error and nothing is
saved — an editor cannot link (and so publish) a record that is not theirs."""

import pytest
from django.test import Client
from django.utils.text import slugify
from wagtail.test.utils.form_data import querydict_from_html

from films.models import FilmPage
from organizations.models import OrganizationKind
from organizations.registry import OrganizationRole
from tests.factories import make_film, make_organization_page, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def _film_form(client, url, title):
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["title"] = title
    data["slug"] = slugify(title)
    data["year"] = "2026"
    data["duration"] = "95"
    data["countries"] = "FR"
    data["trailer-count"] = "0"
    data["versions-TOTAL_FORMS"] = "0"
    data["credits-TOTAL_FORMS"] = "1"
    data.update(
        {
            "credits-0-role": "director",
            "credits-0-name": "Nom tapé",
            "credits-0-character": "",
            "credits-0-ORDER": "1",
        }
    )
    return data


@pytest.fixture
def records_a(org_a):
    return {
        "person": make_person(org_a.people_index, "Personne de A"),
        "distributor": make_organization_page(
            org_a.organizations_index, "Distributeur de A", kind=OrganizationKind.DISTRIBUTOR
        ),
    }


@pytest.fixture
def client_b(org_b):
    client = Client()
    client.force_login(make_user(org_b, OrganizationRole.EDITORS))
    return client


def test_an_editor_cannot_credit_another_organizations_person_on_a_new_film(
    org_b, records_a, client_b
):
    """Org B's editor posts org A's person id in a credit: the form says the choice is not
    valid, and no film is created."""
    url = f"/admin/pages/add/films/filmpage/{org_b.films.pk}/"
    data = _film_form(client_b, url, "Film de B")
    data["credits-0-person"] = str(records_a["person"].pk)
    data["action-publish"] = "Publish"
    response = client_b.post(url, data)
    assert response.status_code == 200
    credit_errors = response.context["form"].formsets["credits"].forms[0].errors
    assert "person" in credit_errors
    assert not FilmPage.objects.filter(title="Film de B").exists()


def test_an_editor_cannot_give_a_film_another_organizations_distributor(org_b, records_a, client_b):
    """Org B's editor posts org A's distributor id, on a new film and on an existing one: a
    form error each time, nothing saved (the film keeps no distributor)."""
    url = f"/admin/pages/add/films/filmpage/{org_b.films.pk}/"
    data = _film_form(client_b, url, "Film de B")
    data["distributor"] = str(records_a["distributor"].pk)
    data["action-publish"] = "Publish"
    response = client_b.post(url, data)
    assert response.status_code == 200
    assert "distributor" in response.context["form"].errors
    assert not FilmPage.objects.filter(title="Film de B").exists()

    film = make_film(org_b.films, "Film existant", versions=())
    revisions = film.revisions.count()
    edit_url = f"/admin/pages/{film.pk}/edit/"
    data = _film_form(client_b, edit_url, "Film existant")
    data["distributor"] = str(records_a["distributor"].pk)
    data["credits-0-person"] = str(records_a["person"].pk)
    data["action-publish"] = "Publish"
    response = client_b.post(edit_url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "distributor" in form.errors
    assert "person" in form.formsets["credits"].forms[0].errors
    film.refresh_from_db()
    assert film.distributor_id is None and film.revisions.count() == revisions
    assert not film.credits.exists()


def test_an_editor_still_chooses_the_records_of_their_own_organization(org_b, client_b):
    """Org B's own person and distributor are accepted and saved."""
    person = make_person(org_b.people_index, "Personne de B")
    distributor = make_organization_page(
        org_b.organizations_index, "Distributeur de B", kind=OrganizationKind.DISTRIBUTOR
    )
    url = f"/admin/pages/add/films/filmpage/{org_b.films.pk}/"
    data = _film_form(client_b, url, "Film de B")
    data["distributor"] = str(distributor.pk)
    data["credits-0-person"] = str(person.pk)
    data["action-publish"] = "Publish"
    response = client_b.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    film = FilmPage.objects.get(title="Film de B")
    assert film.distributor_id == distributor.pk
    assert [credit.person_id for credit in film.credits.all()] == [person.pk]
