"""Staff create and edit people and organizations as pages; the private twin follows."""

import pytest
from django.db import transaction
from django.urls import reverse
from wagtail.models import Locale

from crm_blocks.models import Contact
from tests.crm_blocks.admin_forms import children, create_url, person_form
from tests.factories import contact_of, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def test_crm_staff_create_a_person_with_private_email(client, org_a, crm_a):
    client.force_login(crm_a)
    response = client.post(
        create_url(org_a.people_index),
        person_form("Élise Tremblay", "elise-tremblay", private_email="elise@example.org"),
    )
    assert response.status_code == 302
    person = children(org_a.people_index).get(slug="elise-tremblay").specific
    assert person.live
    assert contact_of(person).email == "elise@example.org"
    assert contact_of(person).site == org_a


def test_the_editor_form_has_private_fields_only_for_crm_staff(client, org_a, crm_a, editor_a):
    client.force_login(editor_a)
    html = client.get(create_url(org_a.people_index)).content.decode()
    assert 'name="private_email"' not in html
    client.force_login(crm_a)
    html = client.get(create_url(org_a.people_index)).content.decode()
    assert 'name="private_email"' in html


def test_editor_without_crm_role_cannot_write_private_fields(client, org_a, editor_a):
    client.force_login(editor_a)
    response = client.post(
        create_url(org_a.people_index),
        person_form("Paul Roy", "paul-roy", private_email="paul@example.org"),
    )
    assert response.status_code == 302
    person = children(org_a.people_index).get(slug="paul-roy")
    assert contact_of(person).email == ""


def test_creating_a_record_with_an_existing_email_is_refused_with_the_name(
    client, org_a, crm_a
):
    existing = make_person(org_a.people_index, "Élise Tremblay")
    Contact.objects.filter(translation_key=existing.translation_key).update(
        email="elise@example.org"
    )
    client.force_login(crm_a)
    response = client.post(
        create_url(org_a.people_index),
        person_form("E. Tremblay", "e-tremblay", private_email="Elise@Example.org"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already uses this e-mail" in html or "utilise déjà ce courriel" in html
    assert not children(org_a.people_index).filter(slug="e-tremblay").exists()


def test_near_identical_name_warns_and_needs_confirmation(client, org_a, crm_a):
    make_person(org_a.people_index, "Élise Tremblay")
    client.force_login(crm_a)
    data = person_form("elise tremblay", "elise-tremblay-2")
    response = client.post(create_url(org_a.people_index), data)
    assert response.status_code == 200
    assert 'name="confirm_distinct_record"' in response.content.decode()
    assert not children(org_a.people_index).filter(slug="elise-tremblay-2").exists()
    data["confirm_distinct_record"] = "on"
    response = client.post(create_url(org_a.people_index), data)
    assert response.status_code == 302
    assert children(org_a.people_index).filter(slug="elise-tremblay-2").exists()


def test_same_name_in_another_organization_is_not_a_duplicate(client, org_a, org_b, crm_a):
    make_person(org_b.people_index, "Élise Tremblay")
    client.force_login(crm_a)
    response = client.post(
        create_url(org_a.people_index), person_form("Élise Tremblay", "elise-tremblay")
    )
    assert response.status_code == 302


def test_a_translated_record_stays_one_crm_record(org_a):
    person = make_person(org_a.people_index, "Élise Tremblay")
    contact = contact_of(person)
    english = Locale.objects.create(language_code="en")
    org_a.root_page.copy_for_translation(english)
    org_a.people_index.copy_for_translation(english)
    translated = person.copy_for_translation(english)
    assert translated.locale == english
    assert Contact.objects.count() == 1
    assert contact_of(translated) == contact


def test_deleting_the_last_page_of_a_record_deletes_its_private_details(
    org_a, django_capture_on_commit_callbacks
):
    person = make_person(org_a.people_index, "Élise Tremblay")
    key = person.translation_key
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        person.delete()
    assert not Contact.objects.filter(translation_key=key).exists()


def test_crm_view_shows_everything_about_a_record(client, org_a, crm_a):
    partner = make_organization_page(org_a.organizations_index, "Productions du Nord")
    person = make_person(org_a.people_index, "Élise Tremblay", publish=False)
    contact = contact_of(person)
    contact.email = "elise@example.org"
    contact.save()
    from crm_blocks.models import Affiliation

    Affiliation.objects.create(person=contact, organization=contact_of(partner), role="Monteuse")
    client.force_login(crm_a)
    url = reverse("crm_contact:inspect", args=[contact.pk])
    html = client.get(url).content.decode()
    assert "elise@example.org" in html
    assert "Productions du Nord" in html and "Monteuse" in html
    response = client.post(url, {"body": "Appel pour la location du 12 mars."})
    assert response.status_code == 302
    assert "Appel pour la location du 12 mars." in client.get(url).content.decode()


def test_crm_staff_see_and_edit_a_records_mobile_number(client, org_a, crm_a):
    """A mobile number is a private detail like the others: CRM staff type it in the page's
    private tab, find it in the records listing, and it reaches the record's twin."""
    client.force_login(crm_a)
    html = client.get(create_url(org_a.people_index)).content.decode()
    assert 'name="private_mobile_phone"' in html
    response = client.post(
        create_url(org_a.people_index),
        person_form("Léa Fortin", "lea-fortin", private_mobile_phone="+1 819 555 0123"),
    )
    assert response.status_code == 302
    person = children(org_a.people_index).get(slug="lea-fortin").specific
    assert contact_of(person).mobile_phone == "+1 819 555 0123"
    listing = client.get(reverse("crm_contact:index")).content.decode()
    assert "+1 819 555 0123" in listing, "a record reached only by mobile shows its number"
