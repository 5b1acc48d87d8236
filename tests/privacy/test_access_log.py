"""The staff access log: the person in charge of personal information can tell who opened,
changed or exported whose private details, and when.

What a user would lose without it: an organization could not answer « who looked at my file? »
(Law 25, GDPR), and a look at a record, a change of an e-mail or an export of every member would
leave no trace. What they would lose if it were careless: the log itself leaking the values it
protects, another organization's staff reading it, or each listing writing a row per record.
"""

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm_blocks.models import Contact, PersonPage
from privacy.access import access_log_actor, access_log_forget, purge_access_log
from privacy.models import AccessLog, AccessLogAction, AccessLogSettings
from tests.crm_blocks.admin_forms import person_form
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

MIDDLEWARE = "privacy.middleware.AccessLogMiddleware"
CANARY_EMAIL = "canari-journal@example.org"
CANARY_NOTE = "CANARI-NOTE-du-journal"


@pytest.fixture
def person(org_a):
    return make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "privacy_accesslog" in q["sql"]]


def count_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), log_queries(queries.captured_queries)


def without_middleware():
    from django.conf import settings

    return override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != MIDDLEWARE])


# --- Views ------------------------------------------------------------------------------------


def test_opening_a_record_logs_who_opened_which_one(crm_a, org_a, person):
    """The CRM view of a record: one row naming the staff member, the record and its
    organization."""
    contact = contact_of(person)
    response = logged_in(crm_a).get(reverse("crm_contact:inspect", args=[contact.pk]))
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.actor, entry.action) == (crm_a, crm_a.username, "viewed")
    assert entry.content_type == ContentType.objects.get_for_model(Contact)
    assert (entry.object_id, entry.object_label) == (str(contact.pk), "Élise Tremblay")
    assert entry.site_id == org_a.pk
    assert entry.fields == [] and entry.rows is None


def test_opening_a_record_costs_one_insert_and_nothing_else(crm_a, person):
    """Logging a view is a single INSERT: the same page with the log's middleware taken out
    makes exactly one query fewer."""
    url = reverse("crm_contact:inspect", args=[contact_of(person).pk])
    client = logged_in(crm_a)
    client.get(url)  # warm caches (content types, site root paths)
    with_log, log_sql = count_queries(client, url)
    with without_middleware():
        plain_client = logged_in(crm_a)
        plain_client.get(url)
        without_log, none = count_queries(plain_client, url)
    assert none == []
    assert len(log_sql) == 1 and log_sql[0].lstrip().upper().startswith("INSERT")
    assert with_log - without_log == 1


def test_the_page_editor_of_a_record_is_logged_for_those_who_see_its_private_tab(
    crm_a, editor_a, person
):
    """A person's page opened in the editor by CRM staff (who see the private tab) is logged
    once; an editor who sees only public fields opens nothing private, and writes no row."""
    url = reverse("wagtailadmin_pages:edit", args=[person.pk])
    assert logged_in(crm_a).get(url).status_code == 200
    entry = AccessLog.objects.get()
    assert entry.content_type == ContentType.objects.get_for_model(PersonPage)
    assert (entry.object_id, entry.object_label, entry.user) == (
        str(person.pk),
        "Élise Tremblay",
        crm_a,
    )
    response = logged_in(editor_a).get(url)
    assert response.status_code == 200
    assert 'name="private_email"' not in response.content.decode()
    assert AccessLog.objects.count() == 1


def test_listings_anonymous_visits_and_refusals_write_nothing(client, crm_a, crm_b, org_a, person):
    """The records listing shows fifty records: it writes no row (only a record opened or
    exported counts). Nor does an anonymous visit, nor another organization's staff refused
    the record."""
    make_person(org_a.people_index, "Maude Gagnon")
    staff = logged_in(crm_a)
    with CaptureQueriesContext(connection) as queries:
        assert staff.get(reverse("crm_contact:index")).status_code == 200
    assert log_queries(queries.captured_queries) == []
    url = reverse("crm_contact:inspect", args=[contact_of(person).pk])
    assert client.get(url).status_code == 302  # to the login page
    assert logged_in(crm_b).get(url).status_code == 404
    assert client.get(person.url, HTTP_HOST=org_a.hostname).status_code == 200
    assert not AccessLog.objects.exists()


def test_a_view_that_names_its_record_is_logged_too(crm_a, org_a, person):
    """The loan slip of a booking (not a Wagtail edit or inspect view) declares the record it
    shows: printing it is logged as a look at that booking."""
    from zoneinfo import ZoneInfo

    from rentals.models import Booking
    from rentals.services import request_booking
    from tests.factories import make_equipment

    item = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)
    start = dt.datetime(2027, 4, 5, 10, tzinfo=ZoneInfo("America/Toronto"))
    booking = request_booking(
        org_a, contact_of(person), [(item, 1)], start, start + dt.timedelta(days=2)
    )
    response = logged_in(crm_a).get(reverse("rentals_booking:slip", args=[booking.pk]))
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert entry.content_type == ContentType.objects.get_for_model(Booking)
    assert (entry.object_id, entry.site_id, entry.user) == (str(booking.pk), org_a.pk, crm_a)


# --- Changes ----------------------------------------------------------------------------------


def all_log_text() -> str:
    """Every value of every column of the log, as one text."""
    rows = AccessLog.objects.values_list(*[f.attname for f in AccessLog._meta.concrete_fields])
    return repr(list(rows))


def test_a_change_logs_the_fields_changed_never_their_values(crm_a, org_a, person):
    """Staff change a person's e-mail and notes in the page editor: one row says « email,
    notes » changed by them; neither the old nor the new values are anywhere in the log."""
    Contact.objects.filter(pk=contact_of(person).pk).update(email="ancienne@example.org")
    data = person_form(
        "Élise Tremblay",
        person.slug,
        summary="Monteuse.",
        private_email=CANARY_EMAIL,
        private_notes=CANARY_NOTE,
    )
    response = logged_in(crm_a).post(reverse("wagtailadmin_pages:edit", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert contact_of(person).email == CANARY_EMAIL
    entry = AccessLog.objects.get(action=AccessLogAction.CHANGED)
    assert entry.content_type == ContentType.objects.get_for_model(Contact)
    assert sorted(entry.fields) == ["email", "notes"]
    assert (entry.user, entry.site_id, entry.object_label) == (crm_a, org_a.pk, "Élise Tremblay")
    text = all_log_text()
    for value in (CANARY_EMAIL, CANARY_NOTE, "ancienne@example.org"):
        assert value not in text


def test_private_details_typed_when_publishing_an_edit_are_kept(crm_a, person):
    """Staff correct the e-mail of a published person and publish: the twin gets it (Wagtail
    reloads the page before ``after_edit_page``; the twin is written before publishing)."""
    data = person_form("Élise Tremblay", person.slug, private_email="nouvelle@example.org")
    response = logged_in(crm_a).post(reverse("wagtailadmin_pages:edit", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert contact_of(person).email == "nouvelle@example.org"
    draft = person_form(
        "Élise Tremblay", person.slug, private_email="brouillon@example.org", action_publish=False
    )
    assert logged_in(crm_a).post(reverse("wagtailadmin_pages:edit", args=[person.pk]), draft)
    assert contact_of(person).email == "brouillon@example.org"


def test_a_save_that_changes_no_private_field_writes_nothing(crm_a, person):
    """Saving the page again with the same private details is not a change of them."""
    data = person_form("Élise Tremblay", person.slug, summary="Autre résumé.")
    response = logged_in(crm_a).post(reverse("wagtailadmin_pages:edit", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not AccessLog.objects.filter(action=AccessLogAction.CHANGED).exists()


def test_a_command_logs_its_changes_under_its_name(org_a, person):
    """Outside a request, a command that declares itself is the one named in the log."""
    with access_log_actor("privacy_erase"):
        contact = Contact.objects.get(pk=contact_of(person).pk)
        contact.phone = "+1 514 555 0100"
        contact.save()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.user, entry.action, entry.fields) == (
        "privacy_erase",
        None,
        "changed",
        ["phone"],
    )


# --- Exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_logs_how_many_rows_left(crm_a, org_a, person, fmt):
    """Exporting the people listing writes one row: who, which kind, the format and the number
    of rows in the file."""
    make_person(org_a.people_index, "Maude Gagnon")
    response = logged_in(crm_a).get(reverse("crm_contact:index") + f"?export=people.{fmt}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        sent = len(content.decode("utf-8-sig").strip().splitlines()) - 1
    else:
        sent = load_workbook(io.BytesIO(content)).active.max_row - 1
    assert sent == 2
    entry = AccessLog.objects.get()
    assert (entry.action, entry.rows, entry.detail) == ("exported", 2, f"people.{fmt}")
    assert (entry.user, entry.site_id) == (crm_a, org_a.pk)
    assert entry.content_type == ContentType.objects.get_for_model(Contact)


def test_the_export_command_is_logged_as_the_system(org_a, person, tmp_path):
    output = tmp_path / "people.csv"
    call_command("export_records", "people", organization=org_a.hostname, output=output)
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.user, entry.rows, entry.site_id) == ("system", None, 1, org_a.pk)


# --- The log, for the person in charge ---------------------------------------------------------


def entry(site, label, *, at=None, action=AccessLogAction.VIEWED):
    return AccessLog.objects.create(
        site=site,
        actor="quelqu’un",
        action=action,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id="1",
        object_label=label,
        at=at or timezone.now(),
    )


def test_each_organization_reads_only_its_own_log(crm_a, crm_b, editor_a, org_a, org_b):
    """CRM staff of the second organization see their entries, never the first one's; an
    editor without the CRM role does not reach the log."""
    entry(org_a, "Fiche-de-Boréal")
    entry(org_b, "Fiche-du-Réseau")
    url = reverse("privacy_accesslog:index")
    html_b = logged_in(crm_b).get(url).content.decode()
    assert "Fiche-du-Réseau" in html_b and "Fiche-de-Boréal" not in html_b
    html_a = logged_in(crm_a).get(url).content.decode()
    assert "Fiche-de-Boréal" in html_a and "Fiche-du-Réseau" not in html_a
    assert logged_in(editor_a).get(url).status_code in (302, 403)


def test_the_log_is_read_only_and_filtered_by_action(crm_a, org_a):
    """Nobody adds or edits an entry; the filter by action keeps only that action."""
    entry(org_a, "Fiche-consultée")
    entry(org_a, "Fiche-exportée", action=AccessLogAction.EXPORTED)
    client = logged_in(crm_a)
    html = client.get(reverse("privacy_accesslog:index") + "?action=exported").content.decode()
    assert "Fiche-exportée" in html and "Fiche-consultée" not in html
    assert client.get(reverse("privacy_accesslog:add")).status_code in (302, 403)
    edit = reverse("privacy_accesslog:edit", args=[AccessLog.objects.first().pk])
    assert client.get(edit).status_code in (302, 403, 404)


# --- Retention --------------------------------------------------------------------------------


def test_purge_deletes_what_each_organization_keeps_no_longer_and_only_that(org_a, org_b):
    """The first organization keeps a year (the default), the second 90 days: each loses the
    entries older than its period, and keeps the rest."""
    AccessLogSettings.objects.update_or_create(site=org_b, defaults={"retention_days": 90})
    now = timezone.now()
    keep = [
        entry(org_a, "a-recent", at=now - dt.timedelta(days=364)),
        entry(org_b, "b-recent", at=now - dt.timedelta(days=89)),
    ]
    entry(org_a, "a-old", at=now - dt.timedelta(days=366))
    entry(org_b, "b-old", at=now - dt.timedelta(days=91))
    entry(None, "no-site-old", at=now - dt.timedelta(days=400))
    assert purge_access_log(now=now) == 3
    assert sorted(AccessLog.objects.values_list("pk", flat=True)) == sorted(e.pk for e in keep)


def test_purge_command_says_how_many_it_deleted(org_a):
    entry(org_a, "très-ancien", at=timezone.now() - dt.timedelta(days=800))
    out = io.StringIO()
    call_command("privacy_purge_access_log", stdout=out)
    assert "1" in out.getvalue()
    assert not AccessLog.objects.exists()


def test_crm_staff_set_how_long_their_organization_keeps_the_log(crm_a, editor_a, org_a):
    """The person in charge changes the period in the organization's settings (at least 30
    days); an editor cannot."""
    url = reverse("wagtailsettings:edit", args=["privacy", "accesslogsettings", org_a.pk])
    client = logged_in(crm_a)
    refused = client.post(url, {"retention_days": "7"})
    assert refused.status_code == 200
    assert "30" in " ".join(refused.context["form"].errors["retention_days"])
    assert client.post(url, {"retention_days": "730"}).status_code == 302
    assert AccessLogSettings.for_site(org_a).retention_days == 730
    assert logged_in(editor_a).get(url).status_code in (302, 403)


def test_an_erasure_blanks_the_name_of_the_record_and_keeps_the_trace(crm_a, org_a, person):
    """After a person's erasure the log still says who opened which kind of record and when,
    but no longer the person's name; other records keep theirs."""
    contact = contact_of(person)
    other = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    client = logged_in(crm_a)
    for record in (contact, other):
        client.get(reverse("crm_contact:inspect", args=[record.pk]))
    client.get(reverse("wagtailadmin_pages:edit", args=[person.pk]))
    assert access_log_forget(Contact, [contact.pk]) == 1
    assert access_log_forget(PersonPage, [person.pk]) == 1
    assert "Élise Tremblay" not in all_log_text()
    assert AccessLog.objects.filter(object_label="Maude Gagnon").count() == 1
    assert AccessLog.objects.filter(user=crm_a, action="viewed").count() == 3
