"""Consent by purpose (issue 14, item 3): each organization's purposes, asked separately, in
versioned French and English words; the log says which words, when, from where and who
recorded it; privacy by default; withdrawal in one click, at once."""

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm_blocks.consents import give_consent, has_consent, withdraw_consent
from crm_blocks.models import ConsentRecord
from privacy.consents import consent_wording_set
from privacy.models import ConsentPurpose, ConsentWording
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

BUILT_IN = {"public_profile", "newsletter", "member_directory", "photos"}


@pytest.fixture
def person(org_a):
    return make_person(org_a.people_index, "Élise Tremblay", publish=False)


def inspect(client, contact):
    return client.get(reverse("crm_contact:inspect", args=[contact.pk]))


def test_every_organization_gets_the_built_in_purposes_all_optional(org_a, org_b):
    """A new organization asks for the four purposes the product relies on, none of them
    required: privacy by default."""
    for site in (org_a, org_b):
        purposes = ConsentPurpose.objects.filter(site=site)
        assert set(purposes.values_list("code", flat=True)) == BUILT_IN
        assert not purposes.filter(required_for_membership=True).exists()
        for purpose in purposes:
            wording = purpose.current_wording()
            assert wording.version == 1 and wording.text_fr and wording.text_en
            assert wording.text_fr != wording.text_en


def test_a_new_person_has_consented_to_nothing(person):
    """Privacy by default: no purpose is consented to until a consent is recorded."""
    contact = contact_of(person)
    assert not ConsentRecord.objects.filter(contact=contact).exists()
    for code in BUILT_IN:
        assert not has_consent(contact, code)


def test_the_crm_view_asks_each_purpose_separately_unticked_with_its_words(client, person, crm_a):
    """Staff see one box per purpose, none ticked, each with the words the person agrees to."""
    client.force_login(crm_a)
    html = lxml.html.fromstring(inspect(client, contact_of(person)).content)
    boxes = html.xpath("//input[@type='checkbox'][starts-with(@name, 'purpose_')]")
    assert len(boxes) == 4
    assert not [box for box in boxes if box.get("checked") is not None]
    text = " ".join(html.xpath("//main")[0].itertext())
    newsletter = ConsentPurpose.objects.get(site=person.get_site(), code="newsletter")
    assert newsletter.current_wording().text_fr in text


def test_a_consent_is_logged_with_version_date_source_and_who(client, person, crm_a):
    """Ticking only the newsletter logs that consent alone, with the words shown (version 1),
    the source staff chose and who recorded it."""
    contact = contact_of(person)
    newsletter = ConsentPurpose.objects.get(site=contact.site, code="newsletter")
    client.force_login(crm_a)
    response = client.post(
        reverse("crm_contact:inspect", args=[contact.pk]),
        {"action": "give_consent", "source": "paper", f"purpose_{newsletter.pk}": "on"},
    )
    assert response.status_code == 302
    (record,) = ConsentRecord.objects.filter(contact=contact)
    assert record.purpose_ref == newsletter
    assert record.wording_version == newsletter.current_wording()
    assert record.wording_version.version == 1
    assert record.wording == newsletter.current_wording().text_fr
    assert record.source == "paper"
    assert record.recorded_by == crm_a
    assert record.recorded_at is not None and record.given_on is not None
    assert has_consent(contact, "newsletter")
    assert not has_consent(contact, "public_profile")
    assert not has_consent(contact, "photos")
    html = inspect(client, contact).content.decode()
    assert "version 1" in html and crm_a.get_username() in html


def test_new_words_make_a_new_version_and_old_consents_keep_theirs(client, person, crm_a):
    """Editing a purpose's words in the admin makes version 2; version 1 is kept as it was and
    the consent given under it still points to it; a new consent gets version 2."""
    contact = contact_of(person)
    purpose = ConsentPurpose.objects.get(site=contact.site, code="photos")
    first = give_consent(contact=contact, purpose="photos", source="email")
    old_text = purpose.current_wording().text_fr
    client.force_login(crm_a)
    response = client.post(
        reverse("privacy_consentpurpose:edit", args=[purpose.pk]),
        {
            "site": contact.site.pk,
            "name_fr": purpose.name_fr,
            "name_en": purpose.name_en,
            "code": "photos",
            "wording_fr": "J’accepte que des photos de moi soient publiées sur le site Web.",
            "wording_en": "I agree that photos of me be published on the website.",
            "active": "on",
            "sort_order": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = list(purpose.wordings.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].text_fr == old_text
    assert versions[1].created_by == crm_a
    first.refresh_from_db()
    assert first.wording_version == versions[0] and first.wording == old_text
    withdraw_consent(record=first)
    again = give_consent(contact=contact, purpose="photos", source="email")
    assert again.wording_version == versions[1]
    assert again.wording.startswith("J’accepte que des photos")
    # The same words again make no new version; an old version cannot be edited.
    consent_wording_set(purpose=purpose, text_fr=versions[1].text_fr, text_en=versions[1].text_en)
    assert purpose.wordings.count() == 2
    versions[0].text_fr = "Réécrit"
    with pytest.raises(ValidationError):
        versions[0].save()
    assert ConsentWording.objects.get(pk=versions[0].pk).text_fr == old_text


def test_a_built_in_code_cannot_be_renamed(client, org_a, crm_a):
    """The software finds « public_profile » by its code: staff cannot change it."""
    purpose = ConsentPurpose.objects.get(site=org_a, code="public_profile")
    client.force_login(crm_a)
    response = client.post(
        reverse("privacy_consentpurpose:edit", args=[purpose.pk]),
        {
            "site": org_a.pk,
            "name_fr": "Profil",
            "code": "profil",
            "wording_fr": "J’accepte.",
            "active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200
    purpose.refresh_from_db()
    assert purpose.code == "public_profile"


def test_withdrawal_is_one_click_and_takes_effect_at_once(client, person, crm_a):
    """The « Confirm the withdrawal » button withdraws the consent: dated, by whom, in force no
    more."""
    contact = contact_of(person)
    record = give_consent(contact=contact, purpose="newsletter", source="form")
    client.force_login(crm_a)
    html = lxml.html.fromstring(inspect(client, contact).content)
    (form,) = html.xpath("//form[.//input[@name='action'][@value='withdraw_consent']]")
    assert form.xpath(".//input[@name='record']")[0].get("value") == str(record.pk)
    response = client.post(
        reverse("crm_contact:inspect", args=[contact.pk]),
        {"action": "withdraw_consent", "record": str(record.pk)},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_on is not None and record.withdrawn_by == crm_a
    assert not has_consent(contact, "newsletter")
    with pytest.raises(ValidationError):
        withdraw_consent(record=record)


def test_consent_to_another_organizations_purpose_is_refused(person, org_b):
    """A purpose of another organization was never shown to this person: refused, nothing
    written."""
    contact = contact_of(person)
    other = ConsentPurpose.objects.get(site=org_b, code="newsletter")
    with pytest.raises(ValidationError):
        give_consent(contact=contact, purpose=other, source="form")
    with pytest.raises(ValidationError):
        give_consent(contact=contact, purpose="unknown_purpose", source="form")
    with pytest.raises(ValidationError):
        give_consent(contact=contact, purpose="newsletter", source="carrier pigeon")
    assert not ConsentRecord.objects.filter(contact=contact).exists()


def test_another_organizations_staff_cannot_record_or_withdraw(client, person, crm_b):
    """The CRM view of another organization's record answers « not found »."""
    contact = contact_of(person)
    record = give_consent(contact=contact, purpose="newsletter", source="form")
    client.force_login(crm_b)
    url = reverse("crm_contact:inspect", args=[contact.pk])
    response = client.post(url, {"action": "withdraw_consent", "record": str(record.pk)})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.withdrawn_on is None


def test_a_purpose_consented_to_cannot_be_deleted_but_its_organization_can(person, org_a):
    """The log keeps the purpose and words agreed to: deleting them is refused; deleting the
    whole organization (its records and purposes together) is not blocked."""
    from django.db.models import RestrictedError

    give_consent(contact=contact_of(person), purpose="newsletter", source="form")
    purpose = ConsentPurpose.objects.get(site=org_a, code="newsletter")
    with pytest.raises(RestrictedError):
        purpose.delete()
    site_pk = org_a.pk
    org_a.delete()
    assert not ConsentPurpose.objects.filter(site_id=site_pk).exists()
    assert not ConsentRecord.objects.filter(contact__site_id=site_pk).exists()


def test_existing_organizations_get_the_purposes_at_the_next_sync_once(org_a):
    """An organization made before consent purposes existed gets them from
    ``sync_organizations`` (run by every ``migrate``), once: a second sync adds nothing."""
    from organizations.models import OrganizationProvision
    from organizations.services import organization_sync

    ConsentPurpose.objects.filter(site=org_a).delete()
    OrganizationProvision.objects.filter(
        site=org_a, key="provision:privacy.consent_purposes"
    ).delete()
    given = organization_sync(org_a)
    assert "provision:privacy.consent_purposes" in given
    assert set(ConsentPurpose.objects.filter(site=org_a).values_list("code", flat=True)) == BUILT_IN
    assert organization_sync(org_a) == []
    assert ConsentPurpose.objects.filter(site=org_a).count() == 4
