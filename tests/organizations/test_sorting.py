"""Names sorted as a French reader expects: « École » and « Élise » among the E's, « Œuvre » with
the O's, whatever the case — in the CRM listings and their choice lists, in the page explorer
and on the public indexes, on SQLite as on PostgreSQL (``DATABASE_URL``). A byte-wise sort puts
every name that starts with an accented capital after « Zoé », where nobody looks for it."""

import datetime

import lxml.html
import pytest
from django.urls import reverse

from crm_blocks.models import Affiliation, ContactTag, Membership, MembershipType
from organizations.sorting import collate, collation_key
from tests.factories import contact_of, make_organization_page, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

#: In the order of a French dictionary.
NAMES = [
    "abeille Aubin",
    "Arbre Martin",
    "École du Nord",
    "Élise Tremblay",
    "Émile Nelligan",
    "Eric Ouellet",
    "Île Verte",
    "Ivan Roy",
    "oasis Dubé",
    "Œuvre Vive",
    "Olivier Pelletier",
    "Zoé Zamor",
]
#: The same names in a scrambled order (a byte-wise sort would leave É, Î and Œ last).
SCRAMBLED = [NAMES[i] for i in (11, 3, 0, 9, 6, 2, 10, 4, 1, 8, 5, 7)]


def table_names(html: str, column: int = 0) -> list[str]:
    """The text of one column of the admin listing, row by row."""
    doc = lxml.html.fromstring(html)
    cells = doc.xpath(f"//table[contains(@class, 'listing')]/tbody/tr/td[{column + 1}]")
    names = []
    for cell in cells:
        link = cell.xpath(".//a")
        names.append((link[0] if link else cell).text_content().strip())
    return names


def test_the_collation_key_files_names_as_a_french_dictionary():
    assert sorted(SCRAMBLED, key=collation_key) == NAMES
    # Accents, then case, only part names that are otherwise the same.
    assert sorted(["côte", "Cote", "cote"], key=collation_key) == ["cote", "Cote", "côte"]


def test_the_database_sorts_with_the_same_collation(org_a):
    """The collation the listings use, run by the database itself (SQLite's registered
    function, or PostgreSQL's ICU collation made by migration)."""
    for name in SCRAMBLED:
        ContactTag.objects.create(site=org_a, name=name)
    tags = ContactTag.objects.filter(site=org_a)
    assert list(tags.order_by(collate("name")).values_list("name", flat=True)) == NAMES
    # The model's own ordering is the French one: every choice list of tags follows it.
    assert list(tags.values_list("name", flat=True)) == NAMES
    assert list(tags.order_by(collate("name").desc()).values_list("name", flat=True)) == (
        NAMES[::-1]
    )


@pytest.fixture
def people(org_a):
    return {name: make_person(org_a.people_index, name) for name in SCRAMBLED}


def test_crm_records_listing_sorts_names_in_french_order(client, crm_a, people):
    client.force_login(crm_a)
    url = reverse("crm_contact:index")
    assert table_names(client.get(url).content.decode()) == NAMES  # the default ordering
    assert table_names(client.get(url, {"ordering": "name"}).content.decode()) == NAMES
    assert table_names(client.get(url, {"ordering": "-name"}).content.decode()) == NAMES[::-1]


def test_memberships_and_affiliations_sort_by_name_in_french_order(client, crm_a, org_a, people):
    kind = MembershipType.objects.create(site=org_a, name="Individuel")
    company = contact_of(make_organization_page(org_a.organizations_index, "Zénith Films"))
    for page in people.values():
        Membership.objects.create(
            contact=contact_of(page), membership_type=kind, start_date=datetime.date(2026, 1, 5)
        )
        Affiliation.objects.create(person=contact_of(page), organization=company, role="Membre")
    client.force_login(crm_a)
    memberships = client.get(reverse("crm_membership:index"), {"ordering": "contact_name"})
    assert table_names(memberships.content.decode()) == NAMES
    affiliations = client.get(reverse("crm_affiliation:index"), {"ordering": "person_name"})
    assert table_names(affiliations.content.decode()) == NAMES


def test_choice_lists_of_records_and_types_are_in_french_order(client, crm_a, org_a, people):
    for name in ("Étudiant", "Soutien", "Individuel", "Ami"):
        MembershipType.objects.create(site=org_a, name=name)
    client.force_login(crm_a)
    doc = lxml.html.fromstring(client.get(reverse("crm_membership:add")).content.decode())
    records = [o.text_content().strip() for o in doc.xpath("//select[@name='contact']/option")]
    assert [name for name in records if name in NAMES] == NAMES
    options = doc.xpath("//select[@name='membership_type']/option")
    types = [o.text_content().strip() for o in options]
    assert [t for t in types if t.strip("-")] == ["Ami", "Étudiant", "Individuel", "Soutien"]


def test_types_and_tags_listings_sort_in_french_order(client, crm_a, org_a):
    for name in ("Étudiant", "Soutien", "Individuel", "Ami"):
        MembershipType.objects.create(site=org_a, name=name)
        ContactTag.objects.create(site=org_a, name=name)
    client.force_login(crm_a)
    expected = ["Ami", "Étudiant", "Individuel", "Soutien"]
    assert table_names(client.get(reverse("crm_membershiptype:index")).content.decode()) == (
        expected
    )
    assert table_names(client.get(reverse("crm_contacttag:index")).content.decode()) == expected


def explorer_titles(doc) -> list[str]:
    links = doc.xpath("//table//td[contains(@class, 'title')]//a[1]")
    return [t for t in (a.text_content().strip() for a in links) if t in NAMES]


def test_page_explorer_sorted_by_title_is_in_french_order(client, org_a, people):
    admin = make_user(username="admin-tri", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailadmin_explore", args=[org_a.people_index.pk])
    doc = lxml.html.fromstring(client.get(url, {"ordering": "title"}).content.decode())
    assert explorer_titles(doc) == NAMES
    doc = lxml.html.fromstring(client.get(url, {"ordering": "-title"}).content.decode())
    assert explorer_titles(doc) == NAMES[::-1]


def test_public_indexes_list_oe_with_the_o(client, org_a):
    """The public lists sort by a stored key (``sort_name``): « Œ » is spelt out there too."""
    for name in ("Zénith Films", "Œil du Nord", "Orange Films", "Obscura"):
        make_organization_page(org_a.organizations_index, name)
    html = client.get(org_a.organizations_index.url, HTTP_HOST=org_a.hostname).content.decode()
    positions = [html.index(n) for n in ("Obscura", "Œil du Nord", "Orange Films", "Zénith Films")]
    assert positions == sorted(positions)
