"""CRM staff find records by membership status, role, internal tag, name or e-mail."""

import datetime

import pytest
from django.urls import reverse

from crm_blocks.models import ContactTag, Membership, MembershipStatus, MembershipType
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def records(org_a):
    today = datetime.date.today()
    kind = MembershipType.objects.create(site=org_a, name="Individuel")
    people = {
        "active": make_person(org_a.people_index, "Alice Active", roles=["filmmaker"]),
        "expired": make_person(org_a.people_index, "Bruno Échu", roles=["technician"]),
        "pending": make_person(org_a.people_index, "Chloé Attente", publish=False),
    }
    Membership.objects.create(
        contact=contact_of(people["active"]),
        membership_type=kind,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )
    Membership.objects.create(
        contact=contact_of(people["expired"]),
        membership_type=kind,
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=35),
        status=MembershipStatus.ACTIVE,
    )
    Membership.objects.create(
        contact=contact_of(people["pending"]),
        membership_type=kind,
        start_date=today,
        status=MembershipStatus.PENDING,
    )
    donor = ContactTag.objects.create(site=org_a, name="Donateur")
    contact_of(people["pending"]).tags.add(donor)
    pending = contact_of(people["pending"])
    pending.email = "chloe@example.org"
    pending.save()
    return people, donor


def listing(client, **params):
    return client.get(reverse("crm_contact:index"), params).content.decode()


def test_an_active_membership_past_its_end_date_is_listed_as_expired(client, crm_a, records):
    client.force_login(crm_a)
    expired = listing(client, membership_status="expired")
    assert "Bruno Échu" in expired and "Alice Active" not in expired
    active = listing(client, membership_status="active")
    assert "Alice Active" in active and "Bruno Échu" not in active
    assert "Chloé Attente" in listing(client, membership_status="pending")


def test_filter_by_role_and_by_internal_tag(client, crm_a, records):
    _people, donor = records
    client.force_login(crm_a)
    filmmakers = listing(client, role="filmmaker")
    assert "Alice Active" in filmmakers and "Bruno Échu" not in filmmakers
    tagged = listing(client, tags=donor.pk)
    assert "Chloé Attente" in tagged and "Alice Active" not in tagged


def test_search_by_name_or_email(client, crm_a, records):
    client.force_login(crm_a)
    by_email = listing(client, q="chloe@example")
    assert "Chloé Attente" in by_email and "Alice Active" not in by_email
    by_name = listing(client, q="Bruno")
    assert "Bruno Échu" in by_name and "Chloé Attente" not in by_name


def test_drafts_are_crm_records_too_and_show_as_unpublished(client, crm_a, records):
    client.force_login(crm_a)
    html = listing(client)
    assert "Chloé Attente" in html  # a draft page is a private CRM record


def test_crm_staff_export_the_filtered_listing(client, crm_a, records):
    from spreadsheets.files import read_table

    client.force_login(crm_a)
    html = listing(client, membership_status="expired")
    assert "export=people.xlsx" in html
    response = client.get(
        reverse("crm_contact:index"), {"membership_status": "expired", "export": "people.xlsx"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    table = read_table(b"".join(response.streaming_content), "export.xlsx")
    assert [row[1] for row in table.dataset] == ["Bruno"]  # first_name of the one expired member


def test_export_never_includes_another_organizations_records(client, crm_a, org_b, records):
    from tests.factories import make_person

    make_person(org_b.people_index, "Zaza Réseau")
    client.force_login(crm_a)
    response = client.get(reverse("crm_contact:index"), {"export": "people.csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Alice" in content and "Active" in content and "Zaza" not in content


def test_editors_cannot_export(client, editor_a, records):
    client.force_login(editor_a)
    response = client.get(reverse("crm_contact:index"), {"export": "people.csv"})
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("url_name", ["crm_membership:index", "crm_affiliation:index"])
def test_membership_and_affiliation_listings_cost_the_same_for_2_or_10_rows(
    client, org_a, crm_a, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm_blocks.models import Affiliation
    from tests.factories import make_organization_page

    kind = MembershipType.objects.create(site=org_a, name="Individuel")
    partner = contact_of(make_organization_page(org_a.organizations_index, "Partenaire"))

    def add(count, start):
        for n in range(start, start + count):
            person = contact_of(make_person(org_a.people_index, f"Membre {n:02d}"))
            Membership.objects.create(
                contact=person, membership_type=kind, start_date=datetime.date(2026, 1, 1)
            )
            Affiliation.objects.create(person=person, organization=partner, role="Monteuse")

    def queries():
        client.get(reverse(url_name))
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse(url_name)).content.decode()
        return len(ctx.captured_queries), html

    client.force_login(crm_a)
    add(2, 0)
    few, _ = queries()
    add(8, 2)
    many, html = queries()
    assert "Membre 09" in html
    assert many == few, f"{few} queries for 2 rows, {many} for 10"
