"""One organization never reaches another's records, through lists, direct URLs, search,
choosers or forms."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm_blocks.models import Contact, Membership, MembershipType
from organizations.models import OrganizationGroup
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house, django_db_blocker):
    """The organizations, each with a draft record, the second with a membership too."""
    with django_db_blocker.unblock():
        return {**house, "two_orgs": build_two_orgs(house["org_a"], house["org_b"])}


@pytest.fixture
def two_orgs(house_copy):
    return house_copy["two_orgs"]


def build_two_orgs(org_a, org_b):
    alice = make_person(org_a.people_index, "Alice Gagnon", publish=False)
    bruno = make_person(org_b.people_index, "Bruno Lefèvre-Secret", publish=False)
    type_b = MembershipType.objects.create(site=org_b, name="Salle membre")
    membership_b = Membership.objects.create(
        contact=contact_of(bruno), membership_type=type_b, start_date="2026-01-01"
    )
    return {
        "alice": alice,
        "bruno": bruno,
        "contact_b": contact_of(bruno),
        "type_b": type_b,
        "membership_b": membership_b,
    }


def test_crm_listing_shows_only_own_records(client, crm_a, two_orgs):
    client.force_login(crm_a)
    response = client.get(reverse("crm_contact:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Gagnon" in html
    assert "Bruno Lefèvre-Secret" not in html


def test_crm_search_by_name_does_not_cross_organizations(client, crm_a, two_orgs):
    client.force_login(crm_a)
    response = client.get(reverse("crm_contact:index"), {"q": "Bruno"})
    assert "Bruno Lefèvre-Secret" not in response.content.decode()


@pytest.mark.parametrize("view", ["inspect", "edit", "delete", "history"])
def test_direct_urls_to_another_organizations_record_answer_404(client, crm_a, two_orgs, view):
    client.force_login(crm_a)
    url = reverse(f"crm_contact:{view}", args=[two_orgs["contact_b"].pk])
    assert client.get(url).status_code == 404


def test_posting_to_another_organizations_record_changes_nothing(client, crm_a, two_orgs):
    client.force_login(crm_a)
    contact_b = two_orgs["contact_b"]
    url = reverse("crm_contact:edit", args=[contact_b.pk])
    response = client.post(url, {"email": "pirate@example.org"})
    assert response.status_code == 404
    contact_b.refresh_from_db()
    assert contact_b.email == ""


def test_memberships_of_another_organization_are_invisible(client, crm_a, two_orgs):
    client.force_login(crm_a)
    assert "Bruno" not in client.get(reverse("crm_membership:index")).content.decode()
    url = reverse("crm_membership:edit", args=[two_orgs["membership_b"].pk])
    assert client.get(url).status_code == 404


def test_membership_form_offers_only_own_records_and_types(client, crm_a, two_orgs):
    client.force_login(crm_a)
    html = client.get(reverse("crm_membership:add")).content.decode()
    assert "Alice Gagnon" in html
    assert "Bruno Lefèvre-Secret" not in html
    assert "Salle membre" not in html


def test_membership_posted_with_another_organizations_contact_is_refused(
    client, crm_a, org_a, two_orgs
):
    client.force_login(crm_a)
    own_type = MembershipType.objects.create(site=org_a, name="Individuel")
    before = Membership.objects.count()
    response = client.post(
        reverse("crm_membership:add"),
        {
            "contact": two_orgs["contact_b"].pk,
            "membership_type": own_type.pk,
            "start_date": "2026-02-01",
            "fee": "10",
            "status": "active",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert Membership.objects.count() == before


def test_page_editor_of_another_organization_is_refused(client, crm_a, two_orgs):
    """Another organization's page is "not found", as if it did not exist."""
    client.force_login(crm_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[two_orgs["bruno"].pk]))
    assert response.status_code == 404
    assert "Bruno" not in response.content.decode()


def test_admin_page_search_does_not_list_other_organizations_pages(client, crm_a, two_orgs):
    client.force_login(crm_a)
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "Bruno"})
    assert response.status_code == 200
    assert "Bruno Lefèvre-Secret" not in response.content.decode()


def test_page_chooser_does_not_offer_other_organizations_pages(client, crm_a, two_orgs):
    client.force_login(crm_a)
    response = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Bruno"})
    assert "Bruno Lefèvre-Secret" not in response.content.decode()


def test_editor_without_crm_role_sees_no_crm_menu_nor_records(client, editor_a, two_orgs):
    client.force_login(editor_a)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("crm_contact:index") not in dashboard
    assert client.get(reverse("crm_contact:index")).status_code in (302, 403)
    own = contact_of(two_orgs["alice"])
    assert client.get(reverse("crm_contact:inspect", args=[own.pk])).status_code in (
        302,
        403,
        404,
    )


def test_scoped_querysets_follow_the_users_roles(crm_a, crm_b, two_orgs):
    assert set(Contact.objects.for_user(crm_a)) == {contact_of(two_orgs["alice"])}
    assert set(Contact.objects.for_user(crm_b)) == {two_orgs["contact_b"]}
    assert list(Membership.objects.for_user(crm_a)) == []


def test_page_chooser_browse_does_not_offer_other_organizations_pages(client, crm_a, two_orgs):
    client.force_login(crm_a)
    response = client.get(reverse("wagtailadmin_choose_page"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Réseau des cinémas indépendants" not in html
    own_index = two_orgs["alice"].get_parent()
    response = client.get(reverse("wagtailadmin_choose_page_child", args=[own_index.pk]))
    assert "Alice Gagnon" in response.content.decode()
    other_index = two_orgs["bruno"].get_parent()
    response = client.get(reverse("wagtailadmin_choose_page_child", args=[other_index.pk]))
    assert "Bruno Lefèvre-Secret" not in response.content.decode()


def test_images_of_another_organization_are_not_offered(client, org_a, org_b, crm_a):
    from wagtail.models import Collection

    from tests.factories import make_image

    make_image("Affiche du Réseau", collection=Collection.objects.get(name=org_b.site_name))
    make_image("Portrait Boréal", collection=Collection.objects.get(name=org_a.site_name))
    client.force_login(crm_a)
    listing = client.get(reverse("wagtailimages:index")).content.decode()
    chooser = client.get(reverse("wagtailimages_chooser:choose")).json()["html"]
    for html in (listing, chooser):
        assert "Portrait Boréal" in html
        assert "Affiche du Réseau" not in html


def test_a_permission_taken_away_in_one_organization_is_not_lent_by_another(
    client, org_a, org_b, crm_a, two_orgs
):
    """Someone on the CRM staff of both organizations, whose CRM group in the second one lost
    the right to see and change records, sees and changes only the first one's records: the
    permission their first organization grants does not count in the second."""
    crm_a.groups.add(OrganizationGroup.objects.get(site=org_b, role="crm_staff").group)
    b_staff = OrganizationGroup.objects.get(site=org_b, role="crm_staff").group
    b_staff.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="crm_blocks",
            codename__in=["view_contact", "change_contact", "delete_contact"],
        )
    )
    client.force_login(crm_a)
    listing = client.get(reverse("crm_contact:index")).content.decode()
    assert "Bruno" not in listing and "Alice" in listing
    contact_b = two_orgs["contact_b"]
    for view in ("inspect", "edit"):
        url = reverse(f"crm_contact:{view}", args=[contact_b.pk])
        assert client.get(url).status_code == 404, view
    # With the permission given back in the second organization, its records are there again.
    b_staff.permissions.add(Permission.objects.get(codename="view_contact"))
    assert "Bruno" in client.get(reverse("crm_contact:index")).content.decode()
