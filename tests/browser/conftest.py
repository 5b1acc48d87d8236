"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server.

- One Chromium for all the browser tests, a fresh context (cookies, storage) per test.
- Never ``playwright install``: the browser is Debian's ``/usr/bin/chromium``; CI installs it,
  so a missing browser is a failure, not a skip.
- The organization under test is served at the live server's own host and port, so that
  Wagtail's ``Site`` routing picks it for every request the browser makes.
- Test modules mark themselves ``django_db(transaction=True, serialized_rollback=True)``: the
  live server only sees committed data, hence a transactional database, which Django flushes
  after each test; serialized rollback gives every test back the data the migrations created
  (root page, locales, roles).
"""

import os
import re
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from organizations.registry import OrganizationRole
from tests.factories import make_organization, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "motdepasse-test"  # the one tests.factories.make_user gives everybody
SCREENSHOTS = Path(__file__).parent / "screenshots"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that fixtures know a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def playwright_browser(django_db_setup, django_db_blocker):
    """One headless Chromium shared by every browser test.

    Playwright's sync API keeps an asyncio loop running in this thread for as long as it is
    started, which changes two things for Django in the tests' own code:

    - Django refuses database access from a thread with a running loop
      (``SynchronousOnlyOperation``). The tests' ORM calls are ordinary synchronous code, so
      the check is lifted exactly while the browser lives, and put back afterwards.
    - ``django.db.connections`` keeps its connections per asyncio context rather than per thread
      while a loop runs, so the tests get new connection objects, without the migrations' data
      that the test database's creation serialized onto the old ones for
      ``serialized_rollback``. The database is therefore created before Playwright starts
      (``django_db_setup``), and that data is handed over to the new connections; they are
      closed before Playwright stops, so that nothing keeps the test database open.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests drive Debian's Chromium "
            "(apt-get install chromium); never `playwright install`.",
            pytrace=False,
        )
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine is slower than 5 s at times
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
                with django_db_blocker.unblock():
                    connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(request, playwright_browser, live_server):
    """``new_page(**context_options)``: a page in a fresh browser context of a French-speaking
    Québec user, pointed at the live server. A failed test leaves a screenshot of each of its
    pages in tests/browser/screenshots/."""
    contexts = []

    def factory(**options):
        options = {
            "base_url": live_server.url,
            "locale": "fr-CA",
            "timezone_id": "America/Toronto",
            **options,
        }
        context = playwright_browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:
            for index, open_page in enumerate(context.pages):
                SCREENSHOTS.mkdir(exist_ok=True)
                name = f"failed-{request.node.name}-{number}-{index}.png"
                open_page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def org(live_server):
    """An organization whose Wagtail site is the live server's host and port."""
    address = urlparse(live_server.url)
    return make_organization(
        "Centre Images Boréales", address.hostname, port=address.port, language="fr-ca"
    )


@pytest.fixture
def crm_user(org):
    return make_user(org, OrganizationRole.CRM_STAFF, username="marie-crm")


@pytest.fixture
def editor_user(org):
    return make_user(org, OrganizationRole.EDITORS, username="paul-redacteur")


def sign_in(page, user, next_url="/admin/", password=PASSWORD):
    """Sign in through the real admin login form, and land on ``next_url``."""
    page.goto(f"/admin/login/?next={quote(next_url)}")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form.login-form [type=submit]").click()
    assert "/admin/login/" not in urlparse(page.url).path, (
        f"login failed for {user.get_username()}: still on {page.url}"
    )
    return page


@pytest.fixture
def login():
    """``login(page, user, next_url="/admin/")``: sign in through the admin login form."""
    return sign_in


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: a full-page PNG in tests/browser/screenshots/ (gitignored),
    for humans to look at."""

    def take(page, name):
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
