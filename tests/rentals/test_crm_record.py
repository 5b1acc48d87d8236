"""A person's CRM view shows their bookings and trainings: the desk answers "what does Maude
have out, and may she take the Alexa?" from one screen."""

import datetime as dt

import pytest
from django.urls import reverse

from rentals.models import Qualification, Training
from rentals.services import request_booking
from tests.factories import contact_of, make_equipment, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}


def test_the_crm_view_of_a_person_lists_her_bookings_and_trainings(client, org_a, crm_a):
    maude = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    booking = request_booking(
        org_a,
        maude,
        [(camera, 1)],
        dt.date(2027, 4, 6),
        dt.date(2027, 4, 8),
        production_title="Les Glaces",
    )
    training = Training.objects.create(site=org_a, name="Formation caméra cinéma")
    Qualification.objects.create(contact=maude, training=training, obtained_on=dt.date(2026, 5, 2))
    client.force_login(crm_a)
    html = client.get(reverse("crm_contact:inspect", args=[maude.pk]), **A).content.decode()
    assert "Location de matériel" in html
    assert reverse("rentals_booking:edit", args=[booking.pk]) in html and "Les Glaces" in html
    assert "Formation caméra cinéma" in html and "2 mai 2026" in html


def test_someone_without_the_desks_permission_sees_no_rentals_section(client, org_a, crm_a):
    """CRM staff without the bookings permission (a group trimmed by an administrator) see the
    record without the section."""
    maude = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    group = crm_a.groups.get()
    group.permissions.remove(*group.permissions.filter(content_type__app_label="rentals"))
    client.force_login(crm_a)
    html = client.get(reverse("crm_contact:inspect", args=[maude.pk]), **A).content.decode()
    assert "crm-rentals-heading" not in html
