"""The person in charge's screens (issue 14, items 3 and 7): CRM staff edit their own
organization's privacy settings (person in charge, processors) and consent purposes, never
another organization's."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from privacy.models import ConsentPurpose, PrivacySettings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def settings_url(site):
    return reverse("wagtailsettings:edit", args=["privacy", "privacysettings", site.pk])


def test_crm_staff_name_the_person_in_charge_and_the_processors(client, org_a, crm_a):
    """Saved from the settings screen, the person in charge and a processor reach the page."""
    client.force_login(crm_a)
    assert client.get(settings_url(org_a)).status_code == 200
    data = nested_form_data(
        {
            "officer_name": "Nadia Roy",
            "officer_title_fr": "Directrice générale",
            "officer_title_en": "Executive Director",
            "officer_email": "vie-privee@boreal.test",
            "officer_phone": "",
            "officer_address": "",
            "processors": inline_formset(
                [{"name": "Courrielleur Inc.", "purpose": "Infolettre", "country": "Canada"}]
            ),
            "public_profile_consent_required": "on",
            "extra_text_fr": "",
            "extra_text_en": "",
        }
    )
    response = client.post(settings_url(org_a), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    settings = PrivacySettings.for_site(org_a)
    assert settings.officer_name == "Nadia Roy"
    assert [p.name for p in settings.processors.all()] == ["Courrielleur Inc."]
    text = client.get("/confidentialite/", HTTP_HOST=org_a.hostname).content.decode()
    assert "Nadia Roy" in text and "Courrielleur Inc." in text


def test_another_organizations_privacy_screens_are_closed(client, org_a, crm_b):
    """Organization B's staff cannot open A's privacy settings nor A's purposes."""
    client.force_login(crm_b)
    assert client.get(settings_url(org_a)).status_code in (302, 403, 404)
    purpose = ConsentPurpose.objects.get(site=org_a, code="newsletter")
    url = reverse("privacy_consentpurpose:edit", args=[purpose.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("privacy_consentpurpose:index")).content.decode()
    own = ConsentPurpose.objects.filter(site__in=[purpose.site]).values_list("pk", flat=True)
    for pk in own:
        assert reverse("privacy_consentpurpose:edit", args=[pk]) not in listing


def test_editors_do_not_manage_privacy(client, org_a, editor_a):
    """Editors are not the person in charge: the purposes are not theirs to change."""
    client.force_login(editor_a)
    purpose = ConsentPurpose.objects.get(site=org_a, code="newsletter")
    response = client.get(reverse("privacy_consentpurpose:edit", args=[purpose.pk]))
    assert response.status_code in (302, 403, 404)
