"""Documents staff upload are private unless they choose otherwise: each organization has a
private collection whose documents only its signed-in staff can open, and the upload screens
start on it."""

import json
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from organizations.documents import private_collection_for_user
from organizations.models import OrganizationGroup, OrganizationProvision
from organizations.registry import Role
from organizations.services import organization_collection, organization_private_collection
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db

Document = get_document_model()
SECRET_CONTENT = b"Budget 2027 : salaires confidentiels, 48 213,07 $"


def role_groups(site, *roles):
    return {link.group for link in OrganizationGroup.objects.filter(site=site, role__in=roles)}


def restriction_of(collection) -> CollectionViewRestriction:
    return collection.view_restrictions.get()


def private_document(site, title="Budget confidentiel 2027"):
    return Document.objects.create(
        title=title,
        file=ContentFile(SECRET_CONTENT, name="budget-confidentiel.txt"),
        collection=organization_private_collection(site),
    )


def selected_option(html, select_name):
    select = BeautifulSoup(html, "html.parser").find("select", attrs={"name": select_name})
    assert select is not None, f"no <select name={select_name}> on the page"
    selected = select.find_all("option", selected=True)
    assert len(selected) == 1, f"{len(selected)} options selected in {select_name}"
    return int(selected[0]["value"])


def served_content(response) -> bytes:
    """The body; a file response is read to its end, which closes the file (the test client
    closes the response there, as a server would)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- The collection ----------------------------------------------------------------------------


def test_a_new_organization_gets_a_private_collection_only_its_staff_may_open():
    site = make_organization("Ciné Lumière", "lumiere.test", language="fr-fr")
    other = make_organization("Northern Lights", "northern.test", language="en")

    private = organization_private_collection(site)
    assert private is not None
    assert private.get_parent() == organization_collection(site)
    assert private.name == "Documents privés", "named in the organization's language"
    assert organization_private_collection(other).name == "Private documents"

    restriction = restriction_of(private)
    assert restriction.restriction_type == CollectionViewRestriction.GROUPS
    assert set(restriction.groups.all()) == role_groups(site, "editors", "crm_staff")
    assert organization_private_collection(other) != private


def test_an_existing_organization_gets_it_on_sync_and_not_again_once_staff_deleted_it(capsys):
    """An organization made before private collections existed gets one from
    ``sync_organizations`` (and every ``migrate``); deleted by its staff, it stays deleted."""
    site = make_organization("Ancien Ciné", "ancien.test")
    organization_private_collection(site).delete()
    OrganizationProvision.objects.filter(site=site, key__startswith="collection:").delete()
    assert organization_private_collection(site) is None

    call_command("sync_organizations")
    assert "collections privées\u00a0: 1" in capsys.readouterr().out  # the admin speaks French
    private = organization_private_collection(site)
    assert private.get_parent() == organization_collection(site)
    assert set(restriction_of(private).groups.all()) == role_groups(site, "editors", "crm_staff")

    private.delete()
    call_command("sync_organizations")
    assert "Ancien Ciné" not in capsys.readouterr().out
    assert organization_private_collection(site) is None
    assert not Collection.objects.filter(name="Documents privés").exists()


def test_a_plugins_new_admin_role_is_let_in_but_a_group_staff_took_out_stays_out():
    site = make_organization("Ciné Têtu", "tetu.test")
    private = organization_private_collection(site)
    editors = OrganizationGroup.objects.get(site=site, role="editors").group
    restriction_of(private).groups.remove(editors)

    roles = [Role("box_office", "Box office", admin=True), Role("friends", "Friends")]
    with hooks.register_temporarily("register_organization_roles", lambda: roles):
        call_command("sync_organizations")
        groups = set(restriction_of(private).groups.all())
    assert groups == role_groups(site, "crm_staff", "box_office")
    assert editors not in groups, "staff took the editors out"
    assert not role_groups(site, "friends") & groups, "not an admin role"


# --- Uploading ---------------------------------------------------------------------------------


def test_the_upload_screens_start_on_the_private_collection(client, org_a, org_b, crm_a):
    """CRM staff adding a document find their organization's private collection selected, in
    the one-document form, the multiple uploader and the chooser's upload tab."""
    private = organization_private_collection(org_a)
    client.force_login(crm_a)

    html = client.get(reverse("wagtaildocs:add")).content.decode()
    assert selected_option(html, "collection") == private.pk

    html = client.get(reverse("wagtaildocs:add_multiple")).content.decode()
    assert selected_option(html, "collection") == private.pk
    # Only their own collections are offered.
    options = BeautifulSoup(html, "html.parser").select("select[name=collection] option")
    assert {int(option["value"]) for option in options} == {
        organization_collection(org_a).pk,
        private.pk,
    }

    response = client.get(reverse("wagtaildocs_chooser:choose"))
    chooser_html = json.loads(response.content)["html"]
    assert selected_option(chooser_html, "document-chooser-upload-collection") == private.pk

    assert private_collection_for_user(crm_a) == private


def test_staff_who_pick_the_public_collection_get_it(client, org_a, crm_a):
    """The listing filtered on the public collection opens the uploader on it, and a document
    added to it is public."""
    public = organization_collection(org_a)
    client.force_login(crm_a)
    url = reverse("wagtaildocs:add_multiple") + "?" + urlencode({"collection_id": public.pk})
    assert selected_option(client.get(url).content.decode(), "collection") == public.pk

    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Programme public",
            "file": ContentFile(b"Programme de la saison", name="programme.txt"),
            "collection": public.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(title="Programme public")
    assert document.collection == public
    client.logout()
    response = client.get(document.url)
    assert response.status_code == 200
    assert served_content(response) == b"Programme de la saison", "served to the public"


def test_an_upload_without_a_choice_lands_in_the_private_collection(client, org_a, crm_a):
    """The form as the browser sends it after the page loaded: the selected collection."""
    client.force_login(crm_a)
    html = client.get(reverse("wagtaildocs:add")).content.decode()
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Procès-verbal du CA",
            "file": ContentFile(b"Confidentiel", name="pv.txt"),
            "collection": selected_option(html, "collection"),
        },
    )
    assert response.status_code == 302
    assert Document.objects.get(title="Procès-verbal du CA").collection == (
        organization_private_collection(org_a)
    )


# --- Serving -----------------------------------------------------------------------------------


def test_a_private_document_is_served_to_its_organizations_staff_only(
    client, org_a, org_b, crm_a, editor_a, crm_b
):
    document = private_document(org_a)
    member_a = make_user(org_a, "members", username="membre-boreal")
    login = reverse("wagtailcore_login")

    response = client.get(document.url)
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert SECRET_CONTENT not in served_content(response)

    for outsider in (member_a, crm_b):
        client.force_login(outsider)
        response = client.get(document.url)
        assert response.status_code in (302, 403), outsider.username
        assert SECRET_CONTENT not in served_content(response), outsider.username
        client.logout()

    for staff in (crm_a, editor_a):
        client.force_login(staff)
        response = client.get(document.url)
        assert response.status_code == 200, staff.username
        assert served_content(response) == SECRET_CONTENT
        client.logout()


def test_a_private_document_appears_in_no_public_output(client, org_a):
    """Its title and address are found nowhere on the public site: pages, search, sitemap."""
    document = private_document(org_a, title="Zyxwvu budget confidentiel")
    assert document.collection.view_restrictions.exists()
    host = {"HTTP_HOST": org_a.hostname}
    search = reverse("search")

    home = client.get("/", **host)
    assert home.status_code == 200 and org_a.root_page.title in home.content.decode()
    found = client.get(f"{search}?{urlencode({'q': org_a.people_index.title})}", **host)
    assert org_a.people_index.url in found.content.decode(), "the search finds public pages"

    for url in ("/", org_a.people_index.url, "/sitemap.xml", f"{search}?q=Zyxwvu"):
        html = client.get(url, **host).content.decode()
        searched = html.replace("Zyxwvu", "") if "q=" in url else html
        assert "budget confidentiel" not in searched, url
        assert document.url not in html and document.file.name not in html, url


def test_staff_of_several_organizations_and_superusers(org_a, org_b):
    """Staff of two organizations start on one of their private collections; superusers keep
    Wagtail's default (they work for every organization)."""
    both = make_user(org_a, "crm_staff", username="double")
    both.groups.add(OrganizationGroup.objects.get(site=org_b, role="editors").group)
    assert private_collection_for_user(both) in {
        organization_private_collection(org_a),
        organization_private_collection(org_b),
    }
    admin = make_user(username="root", is_superuser=True)
    assert private_collection_for_user(admin) is None
    assert Group.objects.filter(organization_role__site=org_a).exists()
