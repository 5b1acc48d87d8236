"""Retention that runs by itself: per-organization periods, a preview of what the next run will
destroy or anonymize, and runs that do exactly that, with their report."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_blocks.models import Contact
from events.models import EventPrivate
from privacy.models import RetentionPolicy, RetentionRun
from privacy.retention import retention_apply, retention_preview
from privacy.tasks import privacy_daily
from spreadsheets.models import ImportJob
from tests.factories import contact_of, make_event, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

NOW = timezone.make_aware(datetime.datetime(2027, 3, 1, 4, 0))


def aged(model, pk, **moments):
    model.objects.filter(pk=pk).update(**moments)


def preview_of(site, key, now=NOW):
    (preview,) = [p for p in retention_preview(site, now) if p.rule.key == key]
    return preview


def test_a_run_does_exactly_what_its_preview_said(org_a, org_b, crm_a):
    """Imports finished 91 days ago and a contributor answered 7 months ago are listed by the
    preview, and the run destroys or anonymizes exactly those; recent ones, and org_b's, stay.
    The run's report says what each rule did."""
    old = ImportJob.objects.create(site=org_a, kind="people", filename="vieux.csv", status="done")
    recent = ImportJob.objects.create(site=org_a, kind="people", filename="neuf.csv", status="done")
    theirs = ImportJob.objects.create(
        site=org_b, kind="people", filename="autre.csv", status="done"
    )
    aged(ImportJob, old.pk, updated_at=NOW - datetime.timedelta(days=91))
    aged(ImportJob, recent.pk, updated_at=NOW - datetime.timedelta(days=10))
    aged(ImportJob, theirs.pk, updated_at=NOW - datetime.timedelta(days=91))
    event = make_event(org_a.agenda, "Ciné-club proposé")
    twin = EventPrivate.objects.get(translation_key=event.translation_key)
    aged(
        EventPrivate,
        twin.pk,
        contributor_name="Canari Proposeuse",
        contributor_email="proposeuse@canari.test",
        contributor_answered_at=NOW - datetime.timedelta(days=220),
    )

    imports = preview_of(org_a, "spreadsheets.import_reports")
    contributors = preview_of(org_a, "events.contributor_details")
    assert [job.pk for job in imports.items] == [old.pk]
    assert imports.names == [f"vieux.csv ({old.created_at:%Y-%m-%d})"]
    assert [item.pk for item in contributors.items] == [twin.pk]

    run = retention_apply(org_a, now=NOW)
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {recent.pk, theirs.pk}
    twin.refresh_from_db()
    assert twin.contributor_name == "" and twin.contributor_email == ""
    lines = {line["rule"]: line for line in run.results}
    assert lines["spreadsheets.import_reports"]["done"] == 1
    assert lines["spreadsheets.import_reports"]["period"] == "90 jours"
    assert lines["events.contributor_details"]["done"] == 1
    assert preview_of(org_a, "spreadsheets.import_reports").count == 0


def test_inactive_people_are_erased_only_once_the_organization_switches_the_rule_on(org_a, crm_a):
    """Off by default (privacy by default does not mean erasing people unasked); once set to
    three years, a person untouched for four years is erased with a proof, one seen last year
    stays."""
    dormant = contact_of(make_person(org_a.people_index, "Dormante Ancienne"))
    active = contact_of(make_person(org_a.people_index, "Active Récente"))
    four_years_ago = NOW - datetime.timedelta(days=4 * 365)
    aged(Contact, dormant.pk, updated_at=four_years_ago)
    aged(Contact, active.pk, updated_at=NOW - datetime.timedelta(days=200))
    from wagtail.models import Page

    Page.objects.filter(translation_key=dormant.translation_key).update(
        latest_revision_created_at=four_years_ago, last_published_at=four_years_ago
    )
    Page.objects.filter(translation_key=active.translation_key).update(
        latest_revision_created_at=four_years_ago, last_published_at=four_years_ago
    )
    assert preview_of(org_a, "crm_blocks.inactive_people").period is None
    RetentionPolicy.objects.create(site=org_a, periods={"crm_blocks.inactive_people": 3})
    preview = preview_of(org_a, "crm_blocks.inactive_people")
    assert [contact.pk for contact in preview.items] == [dormant.pk]
    retention_apply(org_a, now=NOW)
    assert not Contact.objects.filter(pk=dormant.pk).exists()
    assert Contact.objects.filter(pk=active.pk).exists()
    assert org_a.erasure_proofs.count() == 1


def test_the_person_in_charge_sets_periods_and_previews_in_the_admin(
    client, org_a, crm_a, editor_a
):
    """« Conservation des données »: the periods form (French errors on a bad value), the
    preview, a run from the admin with its report; editors are sent back to the dashboard."""
    client.force_login(crm_a)
    url = reverse("privacy_retention:index")
    page = client.get(url, HTTP_HOST=org_a.hostname).content.decode()
    assert "Ce que la prochaine exécution fera" in page
    response = client.post(url, {"site": org_a.pk, "spreadsheets.import_reports": "0"})
    assert "Assurez-vous que cette valeur est supérieure ou égale à 1" in response.content.decode()
    client.post(url, {"site": org_a.pk, "spreadsheets.import_reports": "30"})
    assert RetentionPolicy.objects.get(site=org_a).periods["spreadsheets.import_reports"] == 30
    client.post(url, {"site": org_a.pk, "action": "run"})
    assert RetentionRun.objects.get(site=org_a).trigger == "manual"
    client.force_login(editor_a)
    refused = client.get(url, HTTP_HOST=org_a.hostname)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's refusal


def test_the_daily_round_runs_retention_for_every_organization(org_a, org_b):
    """The worker's daily round leaves a report for each organization."""
    with mock.patch("privacy.reminders.send_reminders", return_value=0):
        privacy_daily(now=NOW)
    assert RetentionRun.objects.filter(site=org_a).exists()
    assert RetentionRun.objects.filter(site=org_b).exists()
