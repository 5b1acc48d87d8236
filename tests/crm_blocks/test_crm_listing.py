"""CRM staff find records by membership status, role, internal tag, name or e-mail."""

import datetime

import pytest
from django.urls import reverse

from crm_blocks.models import ContactTag, Membership, MembershipStatus, MembershipType
from tests.factories import contact_of, make_person

pytestmark = pytest.mark.django_db


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
