"""Spreadsheet import seen through a real browser, in the French admin: a small file goes from
upload to report in the request; a large one is checked and imported by a real django-tasks
database worker while the page shows its progress bar moving."""

import re
import threading
import time

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from crm_blocks.models import Contact
from spreadsheets.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


def french(message, context=None):
    with translation.override("fr"):
        return str(pgettext(context, message) if context else gettext(message))


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def people_csv(count):
    lines = ["Courriel,Prénom,Nom"]
    lines += [f"personne{n}@example.org,Prénom{n},Nom{n}" for n in range(count)]
    return "\n".join(lines) + "\n"


def open_import_page(page, login, crm_user):
    """From the records listing, as staff find it: the header's "Import" button."""
    login(page, crm_user, next_url=reverse("crm_contact:index"))
    page.wait_for_url(f"**{reverse('crm_contact:index')}")
    import_button = page.locator(f"a[href='{reverse('crm_contact:import')}']").first
    expect(import_button).to_contain_text(french("Import"))
    with page.expect_navigation():
        import_button.click()
    page.wait_for_url(f"**{reverse('crm_contact:import')}")


def upload(page, file):
    page.set_input_files("#id_file", files=[file])
    with page.expect_navigation():
        page.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/crm_contact/import/\d+/$"))


def submit(page, action):
    with page.expect_navigation():
        page.locator(f"button[name=action][value={action}]").click()


@pytest.mark.browser
def test_staff_import_a_small_file_from_upload_to_report(page, login, org, crm_user, screenshot):
    """CRM staff upload a CSV with French headers, match the one column the admin did not
    recognise, look at the preview (a cell holding HTML shows as text, nothing runs), confirm,
    and read the report; the records are then in the listing. Lost otherwise: hours of typing,
    or a file imported blind."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_import_page(page, login, crm_user)
    screenshot(page, "import-upload")

    upload(
        page,
        csv_file(
            "membres.csv",
            "Courriel;Prénom;Nom;Téléphone portable;Remarques\n"
            "elise@example.org;Élise;Tremblay;+1 819 555 0100;<script>alert('x')</script>\n"
            "marc@example.org;Marc;Roy;;\n",
        ),
    )
    expect(page.get_by_role("heading", name=french("Match the columns"))).to_be_visible()
    expect(page.locator("#id_column_0")).to_have_value("email")
    expect(page.locator("#id_column_2")).to_have_value("last_name")
    expect(page.locator("#id_column_3")).to_have_value("")  # "Téléphone portable": unknown
    expect(page.locator(".help-block", has_text="Téléphone portable")).to_be_visible()
    page.select_option("#id_column_3", "phone")
    screenshot(page, "import-mapping")
    submit(page, "check")

    expect(page.get_by_text(french("Preview: what the import would do"))).to_be_visible()
    expect(page.locator("[data-count=new] strong")).to_have_text("2")
    expect(page.locator("[data-count=invalid] strong")).to_have_text("0")
    row = page.locator("tr[data-row='2']")
    expect(row).to_contain_text("elise@example.org")
    expect(row).to_contain_text("+1 819 555 0100")
    expect(row).to_contain_text("<script>alert('x')</script>")  # shown as text
    expect(row.locator("script")).to_have_count(0)
    confirm = page.locator("button[name=action][value=confirm]")
    expect(confirm).to_be_enabled()
    screenshot(page, "import-preview")
    submit(page, "confirm")

    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator("[data-count=new] strong")).to_have_text("2")
    screenshot(page, "import-report")
    assert dialogs == []
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and bytes(job.data) == b""
    elise = Contact.objects.get(site=org, email="elise@example.org")
    assert elise.phone == "+1 819 555 0100"

    with page.expect_navigation():
        page.locator(f"a[href='{reverse('crm_contact:index')}']").last.click()
    expect(page.locator("#listing-results")).to_contain_text("Élise Tremblay")


@pytest.mark.browser
def test_staff_export_the_filtered_listing_from_its_export_button(page, login, org, crm_user):
    """The records listing shows "Export people" in its header, beside "Import"; its menu
    offers the formats, and the CSV downloaded holds the people the listing shows. Lost
    otherwise: an export nobody finds, behind the "…" menu."""
    login(page, crm_user, next_url=reverse("crm_contact:index") + "?kind=person")
    page.wait_for_url(f"**{reverse('crm_contact:index')}*")
    menu = page.locator("[data-crm-export-menu=people]")
    toggle = menu.locator("button.w-dropdown__toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(french("Export people"))
    csv_link = page.locator("a[data-crm-export='people.csv']")
    expect(csv_link).to_be_hidden()

    toggle.click()
    expect(csv_link).to_be_visible()
    expect(page.locator("a[data-crm-export^='people.']")).to_have_text(["CSV", "XLSX", "ODS"])
    with page.expect_download() as download:
        csv_link.click()

    assert re.fullmatch(r"people-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    assert download.value.url.endswith("kind=person&export=people.csv")


def memory_sqlite(connection) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def read_uncommitted(connection) -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def db_worker(settings, monkeypatch, live_server):
    """A django-tasks-db worker, built as ``manage.py db_worker`` builds it, running in a thread
    of the test process against the live server's database; stopped after the test.

    On PostgreSQL the worker is exactly the command's. SQLite's test database lives in memory,
    shared by the threads' connections ("shared cache"), where locks are per table and nobody
    waits for them: a query that meets a lock fails at once. So, there only, the worker claims
    tasks in an ordinary transaction rather than an EXCLUSIVE one (which locks the schema for
    every other thread), and both the worker and the live server read without taking locks, as
    separate processes would on a database file.
    """
    from django_tasks_db.management.commands import db_worker as command

    settings.TASKS = DATABASE_TASKS
    in_memory = memory_sqlite(connections["default"])
    if in_memory:
        monkeypatch.setattr(
            command, "exclusive_transaction", lambda using=None: transaction.atomic(using=using)
        )
        for connection in live_server.thread.connections_override.values():
            read_uncommitted(connection)
    worker = command.Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test-worker",
        excluded_queue_names=[],
    )
    errors = []

    def run():
        try:
            if in_memory:
                read_uncommitted(connections["default"])
            worker.run()
        except BaseException as error:  # noqa: BLE001 - reported by the fixture
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="db-worker", daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=30)
    assert not thread.is_alive(), "the worker did not stop"
    assert not errors, errors


def watch_progress(page, timeout=90):
    """The progress bar's values (aria-valuenow) and texts until the page leaves it."""
    seen = []
    deadline = time.monotonic() + timeout
    bar = page.locator("[role=progressbar]")
    while time.monotonic() < deadline:
        try:
            if not bar.count():
                break
            value = bar.get_attribute("aria-valuenow", timeout=1000)
            text = page.locator("[data-progress-text]").inner_text(timeout=1000)
        except Exception:  # noqa: BLE001 - the page navigated to the report meanwhile
            break
        if value is not None and (not seen or seen[-1] != (int(value), text)):
            seen.append((int(value), text))
        time.sleep(0.1)
    return seen


def assert_moved(seen):
    values = [value for value, _text in seen]
    assert len(seen) >= 2, f"the progress bar never moved: {seen}"
    assert values == sorted(values), f"the progress bar went backwards: {seen}"
    assert len({text for _value, text in seen}) >= 2, seen


@pytest.mark.browser
def test_a_large_import_runs_in_the_background_with_a_live_progress_bar(
    page, login, org, crm_user, db_worker, settings, monkeypatch, screenshot
):
    """Above SPREADSHEET_IMPORT_BACKGROUND_ROWS rows, the check and the import run in the worker.
    Staff watch the bar fill ("1 200 / 3 000 lignes"), then get the preview and, after confirming,
    the report. Lost otherwise: a browser tab that must stay open for minutes, or a file
    imported with no sign of life."""
    settings.SPREADSHEET_IMPORT_BACKGROUND_ROWS = 50
    settings.SPREADSHEET_IMPORT_POLL_MS = 250
    rows = 3000
    # A laptop checks 3,000 rows in under a second: pace the worker so that the bar can be
    # seen moving (every progress report, ~every 100 rows, waits a little).
    original = ImportJob.publish_progress

    def paced(job, done, total):
        original(job, done, total)
        time.sleep(0.08)

    monkeypatch.setattr(ImportJob, "publish_progress", paced)

    open_import_page(page, login, crm_user)
    upload(page, csv_file("grand-fichier.csv", people_csv(rows)))
    expect(page.locator("#id_column_0")).to_have_value("email")
    submit(page, "check")

    # The dry run, in the worker.
    expect(page.locator("[role=progressbar]")).to_be_visible()
    screenshot(page, "import-progress")
    assert_moved(watch_progress(page))
    expect(page.get_by_text(french("Preview: what the import would do"))).to_be_visible(
        timeout=60_000
    )
    expect(page.locator("[data-count=new] strong")).to_have_text(re.compile(r"3\D?000"))
    job = ImportJob.objects.get()
    assert job.task_result_id and job.status == ImportJob.Status.CHECKED

    # The import itself, in the worker; the browser only follows it.
    submit(page, "confirm")
    expect(page.locator("[role=progressbar]")).to_be_visible()
    seen = watch_progress(page, timeout=180)
    assert_moved(seen)
    expect(page.locator(".messages .success")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-count=new] strong")).to_have_text(re.compile(r"3\D?000"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and bytes(job.data) == b""
    assert Contact.objects.filter(site=org).count() == rows
    # The French text the live region read aloud: "1 200 / 3 000 lignes".
    last_text = seen[-1][1]
    assert re.sub(r"\D", "", last_text).endswith("3000"), seen
