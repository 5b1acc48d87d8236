"""The « public profile » gate (issue 14, item 3): a person is published only with their consent
to a public profile, and withdrawing it unpublishes every translation of their page at once, so
that it leaves the site, its search, sitemap and structured data."""

import json

import lxml.html
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from crm_blocks.consents import give_consent, has_consent, withdraw_consent
from crm_blocks.models import ConsentRecord, PersonPage
from privacy.models import PrivacySettings
from privacy.models.consents import ConsentRequired
from tests.crm_blocks.admin_forms import create_url, person_form
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

REFUSAL = "ne peut pas être publiée"


def edit_publish(client, page):
    """The editor's « Publish » on ``page`` through Wagtail's real edit view."""
    data = person_form(page.title, page.slug, public_profile_consent="")
    data.pop("public_profile_consent")
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def test_publishing_a_person_without_consent_is_refused_in_french(client, org_a, crm_a):
    """The editor presses « Publish »: the page stays a draft, the private details typed are
    kept, and a French message says why and what to do."""
    person = make_person(org_a.people_index, "Élise Tremblay", publish=False)
    client.force_login(crm_a)
    data = person_form(person.title, person.slug, private_email="elise@example.org")
    data.pop("public_profile_consent")
    with translation.override("fr"):
        response = client.post(reverse("wagtailadmin_pages:edit", args=[person.pk]), data)
        shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert not PersonPage.objects.get(pk=person.pk).live
    assert any(
        REFUSAL in message and "«\u00a0Élise Tremblay\u00a0»" in message for message in shown
    ), shown
    assert contact_of(person).email == "elise@example.org"


def test_a_new_person_is_not_published_without_the_consent_box(client, org_a, crm_a):
    """Creating and publishing at once, the box unticked: a draft, not a live page."""
    client.force_login(crm_a)
    data = person_form("Marc Lavoie", "marc-lavoie")
    data.pop("public_profile_consent")
    response = client.post(create_url(org_a.people_index), data)
    assert response.status_code == 302
    page = PersonPage.objects.get(slug="marc-lavoie")
    assert not page.live
    assert client.get(page.url, HTTP_HOST=org_a.hostname).status_code == 404


def test_the_consent_box_records_the_consent_and_publishes(client, org_a, crm_a):
    """CRM staff tick the box (its words shown): the consent is logged with its source and who
    recorded it, and the page is published."""
    client.force_login(crm_a)
    form = lxml.html.fromstring(client.get(create_url(org_a.people_index)).content)
    (box,) = form.xpath("//input[@name='public_profile_consent']")
    assert box.get("checked") is None
    response = client.post(
        create_url(org_a.people_index),
        person_form("Marc Lavoie", "marc-lavoie", public_profile_consent_source="paper"),
    )
    assert response.status_code == 302
    page = PersonPage.objects.get(slug="marc-lavoie")
    assert page.live
    (record,) = ConsentRecord.objects.filter(contact=contact_of(page))
    assert record.purpose_ref.code == "public_profile"
    assert (record.source, record.recorded_by) == ("paper", crm_a)


def test_editors_cannot_tick_the_consent_box(client, org_a, editor_a):
    """Consents are private: an editor without CRM access does not get the box, and cannot
    publish a person who has not consented."""
    person = make_person(org_a.people_index, "Élise Tremblay", publish=False)
    client.force_login(editor_a)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[person.pk])).content.decode()
    assert 'name="public_profile_consent"' not in html
    client.post(
        reverse("wagtailadmin_pages:edit", args=[person.pk]),
        person_form(person.title, person.slug),
    )
    assert not PersonPage.objects.get(pk=person.pk).live
    assert not has_consent(contact_of(person), "public_profile")


def test_every_way_of_publishing_checks_the_consent(org_a):
    """A script or a workflow publishing the revision is refused too."""
    person = make_person(org_a.people_index, "Élise Tremblay", publish=False)
    with pytest.raises(ConsentRequired):
        person.save_revision().publish()
    assert not PersonPage.objects.get(pk=person.pk).live
    give_consent(contact=contact_of(person), purpose="public_profile", source="email")
    PersonPage.objects.get(pk=person.pk).save_revision().publish()
    assert PersonPage.objects.get(pk=person.pk).live


def test_an_organization_may_turn_the_gate_off(org_a):
    """The gate is on by default; an organization whose person in charge turns it off publishes
    people without the check."""
    settings = PrivacySettings.for_site(org_a)
    assert settings.public_profile_consent_required
    settings.public_profile_consent_required = False
    settings.save()
    person = make_person(org_a.people_index, "Élise Tremblay", publish=True, consent=False)
    assert person.live
    assert not has_consent(contact_of(person), "public_profile")


def graph_names(html: str) -> str:
    return " ".join(
        script.text
        for script in lxml.html.fromstring(html).xpath("//script[@type='application/ld+json']")
    )


def test_withdrawal_unpublishes_every_translation_and_removes_it_everywhere(client, org_a, crm_a):
    """After the withdrawal, the person's French and English pages answer 404 and are gone from
    the people index, every JSON-LD graph of the site, the sitemap and the site search; the CRM
    record stays."""
    person = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse de documentaires.")
    english = person.copy_for_translation(
        Locale.objects.get_or_create(language_code="en")[0], copy_parents=True, alias=False
    )
    english.save_revision().publish()
    urls = [person.full_url, PersonPage.objects.get(pk=english.pk).full_url]
    paths = [PersonPage.objects.get(pk=pk).url for pk in (person.pk, english.pk)]
    index_path = org_a.people_index.url

    def public(path, **params):
        return client.get(path, params, HTTP_HOST=org_a.hostname)

    # Before: published everywhere (so that the checks below can fail).
    for path in paths:
        assert public(path).status_code == 200
    assert "Élise Tremblay" in public(index_path).content.decode()
    sitemap = public("/sitemap.xml").content.decode()
    assert all(url in sitemap for url in urls)
    assert "Élise Tremblay" in public(reverse("search"), q="Tremblay").content.decode()

    record = ConsentRecord.objects.get(
        contact=contact_of(person), purpose_ref__code="public_profile"
    )
    client.force_login(crm_a)
    response = client.post(
        reverse("crm_contact:inspect", args=[contact_of(person).pk]),
        {"action": "withdraw_consent", "record": str(record.pk)},
    )
    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if "autorisations" in str(m)]
    client.logout()

    for path in paths:
        assert public(path).status_code == 404
    index_html = public(index_path).content.decode()
    assert "Élise Tremblay" not in index_html
    assert "Élise Tremblay" not in graph_names(index_html)
    home_graph = graph_names(public("/").content.decode())
    assert "Élise Tremblay" not in home_graph
    sitemap = public("/sitemap.xml").content.decode()
    assert not any(url in sitemap for url in urls)
    assert "Élise Tremblay" not in public(reverse("search"), q="Tremblay").content.decode()
    assert contact_of(person).pk  # the CRM record stays
    assert not PersonPage.objects.filter(translation_key=person.translation_key, live=True).exists()


def test_withdrawing_another_purpose_leaves_the_page_published(org_a):
    """Only the public profile's withdrawal unpublishes: the newsletter's does not."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    record = give_consent(contact=contact_of(person), purpose="newsletter", source="form")
    assert withdraw_consent(record=record) == []
    assert PersonPage.objects.get(pk=person.pk).live


def test_json_ld_of_the_person_is_gone_with_the_page(client, org_a):
    """The person's own graph (JSON-LD on their page) is not served once withdrawn."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    html = client.get(person.url, HTTP_HOST=org_a.hostname).content.decode()
    graph = json.loads(
        lxml.html.fromstring(html).xpath("//script[@type='application/ld+json']")[0].text
    )
    assert any(node.get("name") == "Élise Tremblay" for node in graph["@graph"])
    record = ConsentRecord.objects.get(
        contact=contact_of(person), purpose_ref__code="public_profile"
    )
    withdraw_consent(record=record)
    assert client.get(person.url, HTTP_HOST=org_a.hostname).status_code == 404


def test_bulk_publish_is_refused_whole_and_names_the_people(client, org_a, crm_a):
    """« Publish » on a selection holding a person without consent publishes nothing and names
    them."""
    without = make_person(org_a.people_index, "Élise Tremblay", publish=False)
    consented = make_person(org_a.people_index, "Marc Lavoie", publish=False, consent=True)
    client.force_login(crm_a)
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={without.pk}&id={consented.pk}&next=/admin/"
    )
    with translation.override("fr"):
        response = client.post(url)
        shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert not PersonPage.objects.filter(pk__in=[without.pk, consented.pk], live=True).exists()
    assert any("Élise Tremblay" in m and "Marc Lavoie" not in m for m in shown), shown


def test_a_scheduled_publication_is_called_off_without_consent(org_a):
    """Consent withdrawn before the scheduled time: the scheduler publishes nothing and calls
    the publication off, instead of failing for every other page."""
    from django.core.management import call_command
    from django.utils import timezone

    person = make_person(org_a.people_index, "Élise Tremblay", publish=False, consent=True)
    revision = person.save_revision()
    revision.approved_go_live_at = timezone.now() - timezone.timedelta(minutes=1)
    revision.save()
    record = ConsentRecord.objects.get(contact=contact_of(person))
    withdraw_consent(record=record)
    call_command("publish_scheduled")
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    assert not PersonPage.objects.get(pk=person.pk).live


def test_after_withdrawal_the_person_leaves_the_events_they_perform_in(client, org_a):
    """Credits read public records only: the event page and its JSON-LD name the performer while
    their profile is public, and no more once the consent is withdrawn."""
    from events.models import EventPerformer
    from tests.factories import make_event

    person = make_person(org_a.people_index, "Élise Tremblay")
    event = make_event(org_a.agenda, "Ciné-club", publish=False)
    event.performers = [EventPerformer(person=person, role="animatrice")]
    event.save_revision().publish()
    event.refresh_from_db()

    def public(path):
        response = client.get(path, HTTP_HOST=org_a.hostname)
        assert response.status_code == 200
        return response.content.decode()

    assert "Élise Tremblay" in graph_names(public(event.url))
    record = ConsentRecord.objects.get(
        contact=contact_of(person), purpose_ref__code="public_profile"
    )
    withdraw_consent(record=record)
    assert "Élise Tremblay" not in public(event.url)
