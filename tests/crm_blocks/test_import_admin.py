"""CRM staff import spreadsheets from the admin: upload, column matching, a dry run whose preview
shows every row's fate and errors, confirmation, report; large files in the background with a
progress bar. And they export what a listing shows, or a blank template to fill in."""

import csv
import datetime
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from crm_blocks.models import Contact, Membership, MembershipType
from organizations.models import OrganizationGroup
from organizations.registry import OrganizationRole
from spreadsheets.files import read_table
from spreadsheets.models import ImportJob, progress_cache
from tests.factories import contact_of, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

PEOPLE_CSV = (
    "Courriel;Prénom;NOM;Remarques;Couleur préférée\n"
    "elise@example.org;Élise;Tremblay;Membre fondatrice;bleu\n"
    "marc@example.org;Marc;Roy;;vert\n"
).encode()


def french(message):
    """What the admin shows for ``message`` in French (the msgid while it is untranslated)."""
    with translation.override("fr"):
        return gettext(message)


def text_of(response) -> str:
    """The page's main content as text, whitespace collapsed (not the non-breaking spaces of
    French punctuation), entities left as they are."""
    html = response.content.decode()
    html = html[html.index('<div class="nice-padding') :]
    return re.sub(r"[ \t\r\n\f\v]+", " ", re.sub(r"<[^>]+>", " ", html))


def upload(client, data=PEOPLE_CSV, filename="membres.csv", url="crm_contact:import", **fields):
    fields.setdefault("kind", "people")
    return client.post(reverse(url), {"file": SimpleUploadedFile(filename, data), **fields})


def job_url(job, name="import_job", namespace="crm_contact"):
    return reverse(f"{namespace}:{name}", args=[job.pk])


def mapping_of(job, **overrides):
    """The column matching form as submitted: the automatic matching, with ``overrides``."""
    columns = {**job.columns, **overrides}
    data = {"action": "check"}
    for index, header in enumerate(job.plan["headers"]):
        data[f"column_{index}"] = columns.get(header, "")
    return data


def check(client, job, **overrides):
    response = client.post(job_url(job), mapping_of(job, **overrides))
    job.refresh_from_db()
    return response


@pytest.fixture
def staff(client, crm_a):
    client.force_login(crm_a)
    return client


# --- The whole flow ------------------------------------------------------------------------------


def test_people_import_from_upload_to_report_in_french(staff, org_a, crm_a):
    """Upload, match columns (French headers recognised, an unknown one listed), preview,
    confirm, report: two new draft records, and the file forgotten."""
    response = upload(staff)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.site, job.user, job.kind, job.total_rows) == (org_a, crm_a, "people", 2)
    assert job.status == ImportJob.Status.UPLOADED and job.data

    mapping = staff.get(job_url(job))
    html = mapping.content.decode()
    assert '<html lang="fr"' in html
    assert french("Match the columns") in html and french("Ignore this column") in html
    # "Courriel", "Prénom", "NOM" and "Remarques" matched; the favourite colour is listed as
    # unknown and preselected as ignored.
    assert re.search(r'name="column_0".*?<option value="email" selected>', html, re.S)
    assert re.search(r'name="column_2".*?<option value="last_name" selected>', html, re.S)
    assert re.search(r'name="column_4".*?<option value="" selected>', html, re.S)
    assert "Couleur préférée" in text_of(mapping)

    response = check(staff, job)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.CHECKED and not job.task_result_id
    assert Contact.objects.count() == 0  # a dry run writes nothing

    preview = staff.get(job_url(job))
    text = text_of(preview)
    assert french("Preview: what the import would do") in text
    assert re.search(r'data-count="new"><strong>2</strong>', preview.content.decode())
    assert "elise@example.org" in text and "Membre fondatrice" in text
    assert 'value="confirm"' in preview.content.decode()
    assert (
        " disabled"
        not in re.search(r'<button[^>]*value="confirm"[^>]*>', preview.content.decode())[0]
    )

    response = staff.post(job_url(job), {"action": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.error, job.report and job.report["errors"])
    assert bytes(job.data) == b""  # the uploaded file is gone
    report = staff.get(job_url(job))
    assert re.search(r'data-count="new"><strong>2</strong>', report.content.decode())
    assert Contact.objects.filter(site=org_a, email="elise@example.org").exists()
    assert contact_of_email("marc@example.org").site == org_a


def contact_of_email(email):
    return Contact.objects.get(email=email)


def test_memberships_import_through_the_memberships_listing(client, org_a, crm_a):
    """The same screens serve the memberships listing, for its own kind of rows."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    contact = contact_of(person)
    contact.email = "elise@example.org"
    contact.save()
    MembershipType.objects.create(site=org_a, name="Individuel")
    client.force_login(crm_a)

    listing = client.get(reverse("crm_membership:index")).content.decode()
    assert f'href="{reverse("crm_membership:import")}"' in listing
    data = (
        "courriel du membre,type d'adhésion,date de début,montant\n"
        'elise@example.org,Individuel,15/01/2026,"25,50"\n'
    ).encode()
    response = upload(client, data, url="crm_membership:import", kind="memberships")
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job, namespace="crm_membership")
    client.post(job_url(job, namespace="crm_membership"), mapping_of(job))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.import_report().ok
    client.post(job_url(job, namespace="crm_membership"), {"action": "confirm"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    membership = Membership.objects.get()
    assert (membership.contact, membership.start_date, str(membership.fee)) == (
        contact,
        datetime.date(2026, 1, 15),
        "25.50",
    )
    # A memberships job is not reachable through the records listing's URLs.
    assert client.get(job_url(job)).status_code == 404


def test_a_bad_row_shows_its_number_and_field_and_cannot_be_confirmed(staff, org_a):
    data = (
        "email,first_name,last_name\n"
        "elise@example.org,Élise,Tremblay\n"
        "paul.gagnon(at)example.org,Paul,Gagnon\n"
    ).encode()
    upload(staff, data)
    job = ImportJob.objects.get()
    check(staff, job)
    assert job.status == ImportJob.Status.CHECKED

    preview = staff.get(job_url(job))
    html = preview.content.decode()
    row = re.search(r'<tr data-row="3" data-status="invalid">.*?</tr>', html, re.S)
    assert row, "row 3 (the header is row 1) is not shown as invalid"
    with translation.override("fr"):
        from django.core.validators import EmailValidator

        invalid_email = str(EmailValidator.message)
    assert invalid_email != "Enter a valid email address."  # Django's French catalogue
    assert invalid_email in row[0] and "courriel" in row[0]  # the column, in French
    assert "paul.gagnon(at)example.org" in row[0]
    assert re.search(r'<button[^>]*value="confirm"[^>]*disabled', html)

    staff.post(job_url(job), {"action": "confirm"})  # forced anyway
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not Contact.objects.exists()


def test_html_in_cells_is_escaped_in_the_preview(staff):
    data = (
        'email,first_name,last_name,notes\nelise@example.org,Élise,"<b>Tremblay</b>",'
        '"<script>alert(""notes"")</script>"\n'
    ).encode()
    upload(staff, data)
    job = ImportJob.objects.get()
    check(staff, job)
    html = staff.get(job_url(job)).content.decode()
    assert "<script>alert" not in html and "<b>Tremblay" not in html
    assert "&lt;script&gt;alert(&quot;notes&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Tremblay&lt;/b&gt;" in html


def test_mapping_two_file_columns_to_one_field_is_refused(staff):
    upload(staff)
    job = ImportJob.objects.get()
    response = check(staff, job, **{"Prénom": "email"})
    assert response.status_code == 200
    assert job.status == ImportJob.Status.UPLOADED
    message = french("Each column can be fed by one file column only: %(columns)s.") % {
        "columns": "email"
    }
    assert message in response.content.decode()


def test_staff_change_the_matching_after_the_preview(staff):
    upload(staff)
    job = ImportJob.objects.get()
    check(staff, job, Remarques="")
    assert job.import_report().columns == ["email", "first_name", "last_name"]
    staff.post(job_url(job), {"action": "remap"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    check(staff, job, Remarques="notes")
    assert job.import_report().columns == ["email", "first_name", "last_name", "notes"]


def test_the_uploaded_file_is_gone_after_a_cancel(staff):
    upload(staff)
    job = ImportJob.objects.get()
    check(staff, job)
    assert job.data
    response = staff.post(job_url(job), {"action": "cancel"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and bytes(job.data) == b""
    assert french("This import was cancelled. Its file has been deleted.") in text_of(
        staff.get(job_url(job))
    )
    staff.post(job_url(job), {"action": "confirm"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not Contact.objects.exists()


def test_files_left_behind_are_purged_at_the_next_upload(staff):
    upload(staff)
    old = ImportJob.objects.get()
    ImportJob.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    upload(staff)
    old.refresh_from_db()
    assert bytes(old.data) == b"" and old.status == ImportJob.Status.CANCELLED
    assert ImportJob.objects.exclude(pk=old.pk).get().data


def test_an_unreadable_file_is_refused_with_a_message(staff):
    response = upload(staff, b"PK\x03\x04 not really a zip", filename="membres.xlsx")
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    assert 'class="error-message"' in response.content.decode()


def test_too_large_upload_is_refused_with_its_size_and_the_limit(staff, settings):
    """The upload stops being kept at the limit (nothing past it in memory or on disk), and
    staff read how large their file was and what the limit is, in French."""
    settings.SPREADSHEET_IMPORT_MAX_BYTES = 1000
    data = b"email,first_name,last_name\n" + b"x@example.org,Xavier,Ouellet\n" * 200
    response = upload(staff, data)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    with translation.override("fr"):
        expected = gettext("The file is too large (%(size)s). The limit is %(limit)s.") % {
            "size": filesizeformat(len(data)),
            "limit": filesizeformat(1000),
        }
    assert expected.startswith("Le fichier est trop volumineux (5,7")
    assert expected in response.content.decode()


def test_the_upload_still_needs_its_csrf_token(crm_a):
    """The upload view reads the request body itself (to stop at the size limit), so it does
    its own CSRF check: a forged form from another site is refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(crm_a)
    response = upload(client)
    assert response.status_code == 403 and not ImportJob.objects.exists()
    page = client.get(reverse("crm_contact:import"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = upload(client, csrfmiddlewaretoken=token)
    assert response.status_code == 302 and ImportJob.objects.exists()


# --- Permissions ---------------------------------------------------------------------------------


def import_urls(job):
    return [
        reverse("crm_contact:import"),
        job_url(job),
        job_url(job, "import_progress"),
        reverse("crm_contact:import_template", args=["people", "csv"]),
    ]


@pytest.fixture
def job_a(staff, crm_a, client):
    upload(staff)
    job = ImportJob.objects.get()
    client.logout()
    return job


def test_editors_without_the_crm_role_get_nothing(client, job_a, editor_a):
    client.force_login(editor_a)
    for url in import_urls(job_a):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(job_url(job_a), {"action": "cancel"}).status_code in (302, 403, 404)
    response = upload(client)
    assert response.status_code in (302, 403, 404)
    assert ImportJob.objects.count() == 1
    job_a.refresh_from_db()
    assert job_a.status == ImportJob.Status.UPLOADED


def test_crm_staff_of_another_organization_never_see_the_job(client, job_a, crm_b):
    client.force_login(crm_b)
    assert client.get(reverse("crm_contact:import")).status_code == 200  # their own imports
    for url in import_urls(job_a)[1:3]:
        assert client.get(url).status_code == 404, url
    for action in ("check", "confirm", "cancel"):
        assert client.post(job_url(job_a), {"action": action}).status_code == 404
    job_a.refresh_from_db()
    assert job_a.status == ImportJob.Status.UPLOADED and job_a.data
    assert "membres.csv" not in client.get(reverse("crm_contact:import")).content.decode()


def test_crm_staff_cannot_upload_into_another_organization(client, crm_b, org_a, org_b):
    client.force_login(crm_b)
    upload(client, site=org_a.pk)  # their only organization is chosen for them
    assert ImportJob.objects.get().site == org_b
    admin = make_user(username="admin", is_superuser=True)
    client.force_login(admin)  # sees every organization, and must choose among them
    response = upload(client, site=999_999)
    assert response.status_code == 200 and ImportJob.objects.count() == 1
    upload(client, site=org_a.pk)
    assert ImportJob.objects.filter(site=org_a, user=admin).exists()


def test_crm_staff_without_the_import_permission_get_nothing(client, org_a, job_a, crm_a):
    group = OrganizationGroup.objects.get(site=org_a, role=OrganizationRole.CRM_STAFF).group
    group.permissions.remove(Permission.objects.get(codename="import_contact"))
    crm_a = type(crm_a).objects.get(pk=crm_a.pk)  # forget cached permissions
    client.force_login(crm_a)
    listing = client.get(reverse("crm_contact:index"))
    assert listing.status_code == 200
    assert f'href="{reverse("crm_contact:import")}"' not in listing.content.decode()
    for url in import_urls(job_a):
        assert client.get(url).status_code == 404, url


def test_colleagues_do_not_see_each_others_jobs(client, org_a, job_a):
    colleague = make_user(org_a, OrganizationRole.CRM_STAFF, username="collegue")
    client.force_login(colleague)
    assert client.get(job_url(job_a)).status_code == 404


# --- Background jobs and progress ----------------------------------------------------------------


def people_rows(count: int) -> bytes:
    lines = ["email,first_name,last_name"]
    lines += [f"personne{n}@example.org,Prénom{n},Nom{n}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_is_checked_and_imported_by_a_background_task(staff, settings, monkeypatch):
    """Above SPREADSHEET_IMPORT_BACKGROUND_ROWS rows the dry run and the import are tasks. The
    tests' immediate backend runs them inline: the job's status, report and published progress are
    what the worker would leave."""
    settings.SPREADSHEET_IMPORT_BACKGROUND_ROWS = 50
    published = []
    original = ImportJob.publish_progress

    def spy(job, done, total):
        published.append((job.status, done, total))
        original(job, done, total)

    monkeypatch.setattr(ImportJob, "publish_progress", spy)
    upload(staff, people_rows(250))
    job = ImportJob.objects.get()
    check(staff, job)
    assert job.status == ImportJob.Status.CHECKED and job.task_result_id
    assert job.import_report().new == 250
    dry = [(done, total) for status, done, total in published]
    assert dry[0] == (0, 250) and dry[-1] == (250, 250)
    assert len(dry) >= 3 and dry == sorted(dry)  # every ~100 rows, never backwards
    assert (job.progress_done, job.progress_total) == (250, 250)

    published.clear()
    staff.post(job_url(job), {"action": "confirm"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.error, job.report and job.report["errors"])
    assert job.import_report().new == 250 and bytes(job.data) == b""
    assert Contact.objects.count() == 250
    steps = [done for _status, done, _total in published]
    assert steps[0] == 0 and steps[-1] == 500 and steps == sorted(steps)
    assert job.current_progress().done == 500  # what the progress bar read last


def test_the_worker_writes_errors_in_the_language_of_whoever_uploaded(client, crm_a):
    """The worker has no request: the report's messages follow the uploader's admin
    language, here English, whatever language the worker process runs in."""
    from wagtail.users.models import UserProfile

    from spreadsheets.tasks import import_job_run

    profile = UserProfile.get_for_user(crm_a)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(crm_a)
    upload(client, b"email,last_name\nnot-an-email,Roy\n")
    job = ImportJob.objects.get()
    assert job.language == "en"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    with translation.override("fr"):
        import_job_run(job.pk, dry_run=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert [error.message for error in job.import_report().errors] == [
        "Enter a valid email address."
    ]
    preview = client.get(job_url(job)).content.decode()
    assert "Enter a valid email address." in preview and '<html lang="en"' in preview


def test_a_dry_run_cancelled_while_the_worker_runs_stays_cancelled(staff, settings):
    from spreadsheets.tasks import import_job_run

    upload(staff, people_rows(10))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    page = staff.get(job_url(job)).content.decode()
    assert 'value="cancel"' in page  # a dry run writes nothing: it may be stopped
    staff.post(job_url(job), {"action": "cancel"})
    import_job_run(job.pk, dry_run=True)  # the worker picks the task up afterwards
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.report is None
    assert bytes(job.data) == b""


def test_the_progress_endpoint_reads_the_cache_the_worker_writes(staff):
    upload(staff, people_rows(3000))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    job.refresh_from_db()
    job.publish_progress(1200, 3000)

    state = staff.get(job_url(job, "import_progress")).json()
    assert (state["done"], state["total"], state["percent"]) == (1200, 3000, 40)
    assert re.sub(r"\D", "", state["text"]) == "12003000"
    assert state["finished"] is False and state["stalled"] is False
    assert state["url"] == job_url(job)

    page = staff.get(job_url(job)).content.decode()
    bar = re.search(r'<div[^>]*role="progressbar"[^>]*>', page)[0]
    assert 'aria-valuenow="40"' in bar and "aria-valuetext=" in bar
    assert 'aria-live="polite"' in page and 'http-equiv="refresh"' in page

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
    assert staff.get(job_url(job, "import_progress")).json()["finished"] is True


def test_progress_written_inside_the_write_transaction_reaches_the_cache_only(staff):
    from django.db import transaction

    upload(staff, people_rows(10))
    job = ImportJob.objects.get()
    with transaction.atomic():
        job.publish_progress(7, 20)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (0, 0)  # no row lock held by the worker
    assert job.current_progress().done == 7


def test_the_progress_endpoint_costs_a_few_queries_whatever_the_job(staff):
    upload(staff, people_rows(10))
    upload(staff, people_rows(3000))
    small, large = ImportJob.objects.order_by("total_rows")
    ImportJob.objects.update(status=ImportJob.Status.IMPORTING)
    small.publish_progress(3, 20)
    large.publish_progress(4500, 6000)
    counts = []
    for job in (small, large, small):
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(job_url(job, "import_progress")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] and counts[0] <= 8, counts
    job_query = next(
        q["sql"] for q in queries.captured_queries if "crm_blocks_importjob" in q["sql"]
    )
    assert '"data"' not in job_query and '"report"' not in job_query  # never the file itself


def test_a_job_without_news_for_long_says_the_worker_stopped(staff):
    upload(staff, people_rows(10))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    progress_cache().delete(job.progress_key)
    state = staff.get(job_url(job, "import_progress")).json()
    assert state["stalled"] is True and "db_worker" in state["message"]


# --- Export and templates ------------------------------------------------------------------------


def test_the_listing_offers_import_and_exports_of_what_it_shows(staff, org_a):
    html = staff.get(reverse("crm_contact:index"), {"kind": "person"}).content.decode()
    assert f'href="{reverse("crm_contact:import")}"' in html
    assert "export=people.xlsx" in html and "kind=person" in html
    assert 'data-crm-export="organizations.ods"' in html


def test_export_keeps_the_listing_filters_and_uses_the_users_language(staff, org_a, org_b):
    make_person(org_a.people_index, "Alice Active")
    make_person(org_a.people_index, "Bruno Échu")
    make_person(org_b.people_index, "Zaza Réseau")
    response = staff.get(reverse("crm_contact:index"), {"q": "Alice", "export": "people.csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Alice" in content and "Bruno" not in content and "Zaza" not in content
    with translation.override("fr"):
        from spreadsheets.pipeline import import_columns

        first_header = import_columns("people")[0].label
    assert next(csv.reader(io.StringIO(content)))[0] == first_header


def test_export_needs_the_export_permission_of_the_organization(client, org_a, crm_a):
    group = OrganizationGroup.objects.get(site=org_a, role=OrganizationRole.CRM_STAFF).group
    group.permissions.remove(Permission.objects.get(codename="export_contact"))
    client.force_login(type(crm_a).objects.get(pk=crm_a.pk))
    html = client.get(reverse("crm_contact:index")).content.decode()
    assert "export=people" not in html
    response = client.get(reverse("crm_contact:index"), {"export": "people.csv"})
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_blank_templates_have_the_headers_in_the_users_language(staff, fmt):
    url = reverse("crm_contact:import_template", args=["people", fmt])
    assert url in staff.get(reverse("crm_contact:import")).content.decode()
    response = staff.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    with pytest.raises(Exception):  # noqa: B017, PT011 - a template holds no row
        read_table(content, f"template.{fmt}")
    with translation.override("fr"):
        from spreadsheets.pipeline import import_columns

        labels = [column.label for column in import_columns("people")]
    text = content.decode("utf-8-sig") if fmt == "csv" else ""
    if fmt == "csv":
        assert next(csv.reader(io.StringIO(text))) == labels


# --- Trust: what the screens say --------------------------------------------------------------


def test_the_disabled_confirm_button_says_why_beside_it(staff):
    """While rows are invalid, staff read beside the greyed-out button why they cannot
    confirm, in French, and screen readers read it with the button."""
    data = (
        "email,first_name,last_name\n"
        "elise@example.org,Élise,Tremblay\n"
        "paul.gagnon(at)example.org,Paul,Gagnon\n"
        "marc(at)example.org,Marc,Roy\n"
    ).encode()
    upload(staff, data)
    job = ImportJob.objects.get()
    check(staff, job)

    page = BeautifulSoup(staff.get(job_url(job)).content, "html.parser")

    button = page.find("button", attrs={"value": "confirm"})
    reason = page.find(id="crm-import-confirm-reason")
    assert button.has_attr("disabled") and button["aria-describedby"] == reason["id"]
    assert button.find_parent(class_="crm-import-confirm") is reason.parent
    with translation.override("fr"):
        expected = ngettext(
            "The import cannot be confirmed while %(rows)s row has errors: correct the file "
            "and upload it again, or change the column matching.",
            "The import cannot be confirmed while %(rows)s rows have errors: correct the file "
            "and upload it again, or change the column matching.",
            2,
        ) % {"rows": 2}
    assert expected.startswith("L’importation ne peut pas être confirmée")
    assert reason.get_text(" ", strip=True) == expected


def test_a_valid_preview_has_no_reason_beside_its_confirm_button(staff):
    upload(staff)
    job = ImportJob.objects.get()
    check(staff, job)

    page = BeautifulSoup(staff.get(job_url(job)).content, "html.parser")

    assert not page.find("button", attrs={"value": "confirm"}).has_attr("disabled")
    assert page.find(id="crm-import-confirm-reason") is None


def header_of(response) -> BeautifulSoup:
    """The listing's header: its title, then its buttons."""
    return BeautifulSoup(response.content, "html.parser").find("header")


@pytest.mark.parametrize(
    ("listing", "kinds"),
    [("crm_contact:index", ["people", "organizations"]), ("crm_membership:index", ["memberships"])],
)
def test_exports_are_buttons_of_the_listing_header_not_hidden_in_its_menu(staff, listing, kinds):
    """Staff see "Export people" in the header, beside "Import"; its menu offers the formats,
    each a link that keeps the listing's filters. Nothing of it is in the "…" menu."""
    header = header_of(staff.get(reverse(listing), {"kind": "person"}))

    for kind in kinds:
        menu = header.find(attrs={"data-crm-export-menu": kind})
        toggle = menu.find("button", class_="w-dropdown__toggle")
        links = menu.find_all("a", attrs={"data-crm-export": True})
        assert toggle.get_text(strip=True) == export_label_in_french(kind)
        assert "button-secondary" in toggle["class"]
        assert [link.get_text(strip=True) for link in links] == ["CSV", "XLSX", "ODS"]
        assert [link["data-crm-export"] for link in links] == [
            f"{kind}.csv",
            f"{kind}.xlsx",
            f"{kind}.ods",
        ]
        assert all("kind=person" in link["href"] for link in links)
    more_menus = header.find_all(
        lambda tag: tag.name == "button" and tag.get("aria-label") == french("Actions")
    )
    assert not any(
        menu.find_parent(attrs={"data-controller": "w-dropdown"}).find(
            attrs={"data-crm-export": True}
        )
        for menu in more_menus
    )


def export_label_in_french(kind: str) -> str:
    from spreadsheets.registry import export_label

    with translation.override("fr"):
        return export_label(kind)


def column_rows(page: BeautifulSoup, kind_label: str) -> dict[str, str]:
    """Column → what to write, from the import page's table for ``kind_label``."""
    heading = page.find("h3", string=kind_label)
    table = heading.find_next("table")
    return {
        row.th.get_text(strip=True): row.find_all("td")[-1].get_text(" ", strip=True)
        for row in table.tbody.find_all("tr")
    }


def test_the_import_page_lists_every_column_with_what_to_write_in_french(staff):
    """Made from each kind's declarations: an organization's kind among the kinds of the
    vocabulary, an e-mail, a web address; a membership's dates day first, its fee as an amount,
    its status among the statuses."""
    from crm_blocks.models import MembershipStatus
    from organizations.models import OrganizationKind
    from spreadsheets.pipeline import import_columns
    from spreadsheets.registry import kind_label

    records = BeautifulSoup(staff.get(reverse("crm_contact:import")).content, "html.parser")
    memberships = BeautifulSoup(staff.get(reverse("crm_membership:import")).content, "html.parser")

    with translation.override("fr"):
        organizations = column_rows(records, kind_label("organizations"))
        people = column_rows(records, kind_label("people"))
        fees = column_rows(memberships, kind_label("memberships"))
        kinds = [str(label) for label in OrganizationKind.labels]
        statuses = [str(label) for _code, label in MembershipStatus.choices if _code != "expired"]
        for kind, rows in (("organizations", organizations), ("people", people)):
            assert list(rows) == [column.label for column in import_columns(kind)]
    assert all(hint for rows in (organizations, people, fees) for hint in rows.values())
    assert organizations["type"] == f"Une valeur parmi\u00a0: {', '.join(kinds)}."
    assert "Cinéma" in organizations["type"] and "Festival" in organizations["type"]
    assert organizations["courriel"] == "Une adresse courriel."
    assert organizations["site Web"].startswith("Une adresse web")
    assert "31/12/2026" in fees["date de début"] and "2026-12-31" in fees["date de début"]
    assert "1 234,50" in fees["cotisation payée"]
    assert fees["statut"].startswith(f"Une valeur parmi\u00a0: {', '.join(statuses)}.")
    assert people["affiliations"].startswith("«\u00a0Organisme (rôle)")
