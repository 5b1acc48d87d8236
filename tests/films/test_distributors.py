"""Distributors contribute their films: the network's staff give a distributor a login space (a
folder of the film database), its users add films there and submit them, the network's editors
publish them; a distributor's login reaches nothing else — not another distributor's films, not
a CRM record, not another organization."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils.text import slugify
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    TaskState,
    WorkflowState,
)
from wagtail.test.utils.form_data import querydict_from_html

from crm_blocks.models import OrganizationPage
from films.distributors import distributor_access_grant, distributor_user_add
from films.models import DistributorAccess, DistributorFilmsPage, FilmPage
from organizations.models import OrganizationKind
from organizations.registry import OrganizationRole
from tests.factories import (
    make_film,
    make_organization,
    make_organization_page,
    make_person,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def make_distributor(site, title="Films du Fleuve"):
    return make_organization_page(
        site.organizations_index, title, kind=OrganizationKind.DISTRIBUTOR
    )


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    """The network, its distributor and the distributor's login, built once for the module
    (tests/conftest.py): every test starts from them and is rolled back."""
    with django_db_blocker.unblock():
        site = make_organization("Réseau des salles", "reseau.test")
        fleuve = make_distributor(site)
        access = distributor_access_grant(site=site, distributor=fleuve)
        user = distributor_user_add(access=access, email="ana@fleuve.example", invite=False)
        user.set_password("motdepasse-test")
        user.save()
    return {"network": {"site": site, "distributor": fleuve, "access": access, "user": user}}


@pytest.fixture
def network(house_copy):
    return house_copy["network"]


def test_granting_access_twice_gives_one_folder_one_group_and_no_publish_right(network):
    """Staff who run the command twice find one folder, one group and the same rights: add
    and edit in the folder, never publish (what distributors send waits for the editors)."""
    site, fleuve = network["site"], network["distributor"]
    again = distributor_access_grant(site=site, distributor=fleuve)
    assert again.pk == network["access"].pk
    assert DistributorFilmsPage.objects.filter(distributor=fleuve).count() == 1
    assert DistributorAccess.objects.filter(distributor=fleuve).count() == 1
    folder = again.folder
    assert folder.get_parent().pk == site.films.pk and folder.live
    codenames = set(
        GroupPagePermission.objects.filter(group=again.group, page=folder).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}
    assert not GroupPagePermission.objects.filter(group=again.group).exclude(page=folder).exists()
    collections = GroupCollectionPermission.objects.filter(group=again.group)
    assert {p.collection.get_parent().name for p in collections} == {site.site_name}
    assert again.group.name == f"Films du Fleuve — {site.site_name}"
    assert again.group.permissions.filter(codename="access_admin").exists()


def test_only_a_distributor_of_the_organizations_crm_gets_access(network):
    """A cinema record, or another organization's distributor, is refused with a message."""
    site = network["site"]
    cinema = make_organization_page(site.organizations_index, "Le Rex", kind="cinema")
    with pytest.raises(ValidationError):
        distributor_access_grant(site=site, distributor=cinema)
    other = make_organization("Autre réseau", "autre.test")
    foreign = make_distributor(other, "Distribution Ailleurs")
    with pytest.raises(ValidationError):
        distributor_access_grant(site=site, distributor=foreign)


def test_the_command_invites_a_login_and_refuses_a_staff_login(network):
    """``grant_distributor_access`` makes the access and e-mails the new login a link to choose
    a password; the e-mail of the network's own staff is refused (that login would reach more
    than the folder)."""
    site = network["site"]
    make_distributor(site, "Sphinx Distribution")
    call_command(
        "grant_distributor_access",
        organization="reseau.test",
        distributor="sphinx distribution",
        email="lea@sphinx.example",
    )
    access = DistributorAccess.objects.get(distributor__title="Sphinx Distribution")
    assert list(access.group.user_set.values_list("email", flat=True)) == ["lea@sphinx.example"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lea@sphinx.example"]
    assert "reseau.test" in mail.outbox[0].body
    staff = make_user(site, OrganizationRole.EDITORS)
    with pytest.raises(CommandError):
        call_command(
            "grant_distributor_access",
            organization="reseau.test",
            distributor="Sphinx Distribution",
            email=staff.email,
        )
    assert not access.group.user_set.filter(pk=staff.pk).exists()
    with pytest.raises(CommandError):
        call_command("grant_distributor_access", organization="reseau.test", distributor="Inconnu")


def _create_film_data(client, folder, title, *, person=None):
    """The editor's form for a new film in ``folder``, as the browser posts it: one
    audio-described version, a director typed by name."""
    url = f"/admin/pages/add/films/filmpage/{folder.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["title"] = title
    data["slug"] = slugify(title)
    data["year"] = "2026"
    data["duration"] = "101"
    data["countries"] = "CA"
    data["trailer-count"] = "0"  # the block editor writes it; no script runs here
    data["versions-TOTAL_FORMS"] = "1"
    data.update(
        {
            "versions-0-label": "VF-AD",
            "versions-0-audio_language": "fr",
            "versions-0-subtitle_language": "",
            "versions-0-audio_description": "on",
            "versions-0-format": "dcp",
            "versions-0-ORDER": "1",
        }
    )
    data["credits-TOTAL_FORMS"] = "1"
    data.update(
        {
            "credits-0-role": "director",
            "credits-0-name": "Chloé Robichaud",
            "credits-0-character": "",
            "credits-0-ORDER": "1",
        }
    )
    if person is not None:
        data["credits-0-person"] = str(person.pk)
    return url, response, data


def test_a_distributors_film_waits_for_the_network_editor_who_publishes_it(network):
    """A distributor's user adds a film with an audio-described version in their folder and
    submits it: it is not public; the network's editor finds the task and approves it, and the
    film is published, with the folder's distributor."""
    site, folder = network["site"], network["access"].folder
    client = Client()
    client.force_login(network["user"])
    url, form_page, data = _create_film_data(client, folder, "Les Fleurs du fleuve")
    html = form_page.content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html
    data["action-submit"] = "Submit for moderation"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    film = FilmPage.objects.get(title="Les Fleurs du fleuve")
    assert not film.live
    assert film.get_parent().pk == folder.pk
    state = WorkflowState.objects.get(object_id=str(film.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert film.get_latest_revision_as_object().distributor_id == network["distributor"].pk

    editor = make_user(site, OrganizationRole.EDITORS)
    editor_client = Client()
    editor_client.force_login(editor)
    task_state = state.current_task_state
    assert TaskState.objects.reviewable_by(editor).filter(pk=task_state.pk).exists()
    response = editor_client.post(
        f"/admin/pages/workflow/action/{film.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    assert response.status_code in (200, 302)
    film.refresh_from_db()
    assert film.live
    assert film.distributor_id == network["distributor"].pk
    version = film.versions.get()
    assert version.label == "VF-AD" and version.audio_description
    assert [credit.display_name for credit in film.directors()] == ["Chloé Robichaud"]
    assert not DistributorAccess.objects.filter(group__user=editor).exists()


def test_a_distributor_cannot_choose_crm_records_even_by_posting_their_ids(network):
    """The film form of a distributor's user has no distributor or person chooser; ids posted
    by hand are ignored: the film takes the folder's distributor and the typed name only."""
    site, folder = network["site"], network["access"].folder
    rival = make_distributor(site, "Rival Distribution")
    person = make_person(site.people_index, "Personne privée", publish=False)
    client = Client()
    client.force_login(network["user"])
    url, form_page, data = _create_film_data(client, folder, "Le Courant", person=person)
    html = form_page.content.decode()
    assert 'name="distributor"' not in html
    assert 'name="credits-__prefix__-person"' not in html
    data["distributor"] = str(rival.pk)
    data["action-submit"] = "Submit for moderation"
    assert client.post(url, data).status_code == 302
    draft = FilmPage.objects.get(title="Le Courant").get_latest_revision_as_object()
    assert draft.distributor_id == network["distributor"].pk
    assert [credit.person_id for credit in draft.credits.all()] == [None]


def test_a_distributor_reaches_its_folder_and_nothing_else(network):
    """Another distributor's film, the film database itself, the CRM's records and listings,
    another organization's pages: « not found » or « forbidden », never their content."""
    site = network["site"]
    own = make_film(network["access"].folder, "Notre film", publish=False)
    rival = make_distributor(site, "Rival Distribution")
    rival_access = distributor_access_grant(site=site, distributor=rival)
    theirs = make_film(rival_access.folder, "Film du rival secret")
    loose = make_film(site.films, "Film du réseau secret", publish=False)
    person = make_person(site.people_index, "Élise Secrète")
    other = make_organization("Autre réseau", "autre.test")
    client = Client()
    client.force_login(network["user"])
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{network['access'].folder.pk}/").status_code == 200
    for page in (theirs, loose, person, site.films, rival_access.folder, other.root_page):
        for url in (
            f"/admin/pages/{page.pk}/edit/",
            f"/admin/pages/{page.pk}/",
            f"/admin/pages/{page.pk}/history/",
            f"/admin/pages/{page.pk}/edit/preview/",
        ):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert b"secret" not in response.content.lower(), url
    for url in (
        "/admin/crm_contact/",
        "/admin/crm_membership/",
        "/admin/films_distributorcontact/",
        "/admin/films_distributoraccess/",
        "/admin/rentals_booking/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b"secret" not in response.content.lower(), url
    explorer = client.get("/admin/pages/")
    home = client.get("/admin/")
    search = client.get("/admin/pages/search/?q=secret")
    for response in (explorer, home, search):
        assert response.status_code in (200, 302)
        assert b"Film du rival" not in response.content
        assert "Élise".encode() not in response.content
    assert b"Notre film" in client.get(f"/admin/pages/{network['access'].folder.pk}/").content


def test_a_login_that_leaves_the_group_loses_the_folder(network):
    """Staff who take a login out of the distributor's group close its admin at once."""
    own = make_film(network["access"].folder, "Notre film", publish=False)
    network["user"].groups.remove(network["access"].group)
    client = Client()
    client.force_login(network["user"])
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code in (302, 403, 404)
    assert Group.objects.filter(pk=network["access"].group.pk).exists()
    assert OrganizationPage.objects.filter(pk=network["distributor"].pk).exists()


def test_staff_give_a_distributor_access_from_the_admin(network):
    """The network's CRM staff choose one of their distributors and an e-mail: the folder, the
    group and the login are made and the invitation leaves; another organization's staff
    neither see the access nor may give one to this network's distributor."""
    site = network["site"]
    sphinx = make_distributor(site, "Sphinx Distribution")
    staff = make_user(site, OrganizationRole.CRM_STAFF)
    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/films_distributoraccess/")
    assert listing.status_code == 200 and "Films du Fleuve" in listing.content.decode()
    response = client.post(
        "/admin/films_distributoraccess/new/",
        {"site": site.pk, "distributor": sphinx.pk, "email": "lea@sphinx.example"},
    )
    assert response.status_code == 302
    access = DistributorAccess.objects.get(distributor=sphinx)
    assert access.group.user_set.get().email == "lea@sphinx.example"
    assert [message.to for message in mail.outbox] == [["lea@sphinx.example"]]

    other = make_organization("Autre réseau", "autre.test")
    outsider = Client()
    outsider.force_login(make_user(other, OrganizationRole.CRM_STAFF))
    assert "Sphinx" not in outsider.get("/admin/films_distributoraccess/").content.decode()
    assert outsider.get(f"/admin/films_distributoraccess/edit/{access.pk}/").status_code == 404
    rival = make_distributor(site, "Rival Distribution")
    refused = outsider.post(
        "/admin/films_distributoraccess/new/",
        {"site": other.pk, "distributor": rival.pk, "email": "x@rival.example"},
    )
    assert refused.status_code == 200
    assert not DistributorAccess.objects.filter(distributor=rival).exists()
