"""People a spreadsheet import publishes: the importer chose to publish them, stating that they
consented to a public profile; the log says so (source « import », who imported, the words of
the day), and people imported as drafts have consented to nothing."""

import pytest

from crm_blocks.consents import has_consent
from crm_blocks.models import ConsentRecord, PersonPage
from privacy.models import ConsentPurpose
from tests.crm_blocks.test_resources import ELISE, MARC, run
from tests.factories import contact_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def test_published_people_get_their_consent_logged_as_imported(org_a, crm_a):
    report = run(org_a, ELISE, MARC, user=crm_a, publish=True)
    assert report.ok, report.errors
    wording = ConsentPurpose.objects.get(site=org_a, code="public_profile").current_wording()
    for page in PersonPage.objects.filter(given_name__in=["Élise", "Marc"]):
        assert page.live
        (record,) = ConsentRecord.objects.filter(contact=contact_of(page))
        assert record.purpose_ref.code == "public_profile"
        assert (record.source, record.recorded_by) == ("import", crm_a)
        assert record.wording_version == wording and record.recorded_at is not None


def test_people_imported_as_drafts_have_consented_to_nothing(org_a, crm_a):
    report = run(org_a, ELISE, user=crm_a)
    assert report.ok, report.errors
    page = PersonPage.objects.get(given_name="Élise")
    assert not page.live
    assert not has_consent(contact_of(page), "public_profile")
    assert not ConsentRecord.objects.filter(contact=contact_of(page)).exists()
