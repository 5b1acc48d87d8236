"""Security in a real browser: no page of the site breaks its own Content-Security-Policy, and
CRM staff set up two-step sign-in through the real pages before the admin opens.

Chromium reports every blocked script, style, image or frame as a ``securitypolicyviolation``
event and a console message; a page that needs something its policy forbids would be broken
for visitors (a map without tiles, a chart without style, an admin form whose buttons do
nothing). The walk goes through a page of each kind, public then admin, as one visitor then
one staff member, and fails on the first report."""

import base64
import datetime as dt
import time
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import expect

from opendata.fields import Field, FieldType
from tests.browser.conftest import PASSWORD
from tests.factories import (
    make_dataset,
    make_event,
    make_film,
    make_member,
    make_person,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: Collects the page's CSP violations; Playwright's init scripts are not subject to its CSP.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def path_of(url):
    return urlparse(url).path


class Watch:
    """Every CSP report of a browser context, from its console and from the DOM events."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.context.add_init_script(LISTEN)
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        # Tiles come from the Internet: the test answers them empty.
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())

    def visit(self, path, expect_status=200):
        response = self.page.goto(path)
        assert response.status == expect_status, f"{path}: {response.status}"
        self.page.wait_for_load_state("load")
        self.check(path)

    def check(self, where):
        events = self.page.evaluate("() => window.__cspViolations || []")
        assert not events, f"CSP violations on {where}: {events}"
        assert not self.console, f"CSP violations on {where}: {self.console}"


@pytest.fixture(autouse=True)
def _forget_devices():
    """Whether a user has a device is kept in the cache (``signin.policy.has_device``); the
    database is emptied after the test, not what the cache remembers of it."""
    yield
    cache.clear()


@pytest.mark.browser
def test_every_kind_of_page_keeps_its_policy_and_staff_enrol_a_second_factor(
    new_page, org, crm_user, settings
):
    """Public pages (home, person, event, agenda, film, the data portal's chart, the member
    space) and the admin (dashboard, a page's edit form, a CRM listing) report no CSP
    violation. On the way, CRM staff sign in, are sent to the enrolment page, scan… read the
    key, type the app's code, get their recovery codes, and only then reach the admin."""
    settings.SIGNIN_2FA_REQUIRED_ROLES = ["superusers", "crm_staff"]
    person = make_person(org.people_index, "Élise Tremblay", summary="Monteuse.")
    event = make_event(org.agenda, "Atelier de montage", start_date=dt.date.today())
    film = make_film(org.films, "Les Arbres de l'hiver")
    cinemas = make_dataset(
        org.data,
        "Salles de cinéma",
        fields=[
            Field("nom", "Nom", FieldType.TEXT),
            Field("ville", "Ville", FieldType.TEXT, facet=True),
            Field("ecrans", "Écrans", FieldType.INTEGER),
            Field("position", "Position", FieldType.GEO_POINT),
        ],
        rows=[
            {
                "nom": f"Cinéma {n}",
                "ville": ["Montréal", "Québec"][n % 2],
                "ecrans": n + 1,
                "position": (45.5 + n / 100, -73.5),
            }
            for n in range(6)
        ],
    )
    member, _contact = make_member(org, "Maude Gagnon")

    visitor = Watch(new_page())
    for path in (
        "/",
        path_of(person.url),
        path_of(org.agenda.url),
        path_of(event.url),
        path_of(film.url),
        path_of(org.data.url),
        f"{path_of(cinemas.url)}?view=chart&chart=bar&x=ville&y=ecrans&agg=sum",
        f"{path_of(cinemas.url)}?view=map",
    ):
        visitor.visit(path)
    expect(visitor.page.locator("svg.dataset-chart__svg")).to_have_count(0)  # the map view now
    visitor.visit(f"{path_of(cinemas.url)}?view=chart&chart=bar&x=ville&y=ecrans&agg=sum")
    expect(visitor.page.locator("svg.dataset-chart__svg")).to_be_visible()

    visitor.visit("/espace-membre/connexion/")
    visitor.page.fill("#id_username", member.get_username())
    visitor.page.fill("#id_password", PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.locator("form.member-form button[type=submit]").click()
    assert path_of(visitor.page.url) == reverse("member_space")
    visitor.check("the member space")

    staff = Watch(new_page())
    staff.visit("/admin/login/")
    staff.page.fill("#id_username", crm_user.get_username())
    staff.page.fill("#id_password", PASSWORD)
    with staff.page.expect_navigation():
        staff.page.locator("form.login-form [type=submit]").click()
    assert path_of(staff.page.url) == reverse("signin_enrol"), staff.page.url
    staff.check("the enrolment page")
    qr_code = staff.page.locator(".signin__qr svg")
    expect(qr_code).to_be_visible()
    assert qr_code.bounding_box()["width"] >= 100

    # The phone's app: the key as the page shows it, the code of the current 30 seconds.
    secret = staff.page.locator("[data-signin-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    if time.time() % 30 > 27:  # not a code about to change while it is typed
        time.sleep(30 - time.time() % 30)
    staff.page.locator("#id_code").fill(f"{totp(key):06d}")
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Confirmer").click()
    codes = staff.page.locator("[data-signin-recovery-codes] li")
    expect(codes).to_have_count(10)
    staff.check("the recovery codes")
    with staff.page.expect_navigation():
        staff.page.get_by_role("link", name="Je les ai conservés").click()
    assert path_of(staff.page.url) == "/admin/"
    staff.check("the dashboard")

    staff.visit(reverse("wagtailadmin_pages:edit", args=[person.pk]))
    expect(staff.page.locator("form[data-edit-form], form#page-edit-form").first).to_be_visible()
    staff.visit(reverse("wagtailadmin_pages:edit", args=[event.pk]))
    staff.visit(reverse("crm_contact:index"))
    expect(staff.page.get_by_text("Élise Tremblay").first).to_be_visible()
