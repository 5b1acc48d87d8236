"""The admin dashboard shows staff what they have to act on in their own organization: memberships
ending this month, their imports in progress, the team's drafts in review, published pages whose
structured data has errors. Each plugin brings its own panel; none shows another organization's
records, a panel without anything to show is not there, and the dashboard costs the same number
of queries whatever the number of rows."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.users.models import UserProfile

from crm_blocks.dashboard import month_bounds
from crm_blocks.models import Membership, MembershipType, PersonPage
from organizations.models import OrganizationGroup
from organizations.registry import OrganizationRole
from spreadsheets.models import ImportJob, ImportJobStatus
from structured_data.checks import check_and_record
from structured_data.models import PageCheck
from structured_data.nodes import Person, Ref
from tests.factories import contact_of, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

OUR_APPS = {"crm_blocks", "spreadsheets", "organizations", "structured_data"}
PANELS = {
    "memberships": 'id="crm-expiring-memberships-section"',
    "imports": 'id="spreadsheets-pending-imports-section"',
    "drafts": 'id="organization-drafts-in-review-section"',
    "errors": 'id="structured-data-errors-section"',
}


def broken_person_nodes(self, context):
    """A person node pointing to a node that is not in the graph: a real validation error."""
    context.main_entity_id = f"{context.page_url}#person"
    yield Person(id=context.main_entity_id, name=self.title, works_for=Ref(id="https://x/#org"))


def plant(site, letter: str, staff, submitter, number: int = 1) -> dict:
    """For one organization, ``number`` of each thing its staff must act on, named with the
    canary ``Canari-<letter>``, and things they need not act on."""
    today = timezone.localdate()
    first, last = month_bounds(today)
    membership_type, _created = MembershipType.objects.get_or_create(
        site=site, name=f"Annuelle {letter}"
    )
    names = {}
    for n in range(number):
        member = make_person(site.people_index, f"Canari-{letter} Adhérente {n}")
        Membership.objects.create(
            contact=contact_of(member),
            membership_type=membership_type,
            start_date=first - datetime.timedelta(days=300),
            end_date=last if n % 2 else today,
        )
        ImportJob.objects.create(
            site=site,
            user=staff,
            kind="people",
            filename=f"canari-{letter.lower()}-import-{n}.csv",
            status=ImportJobStatus.CHECKED,
        )
        draft = make_person(site.people_index, f"Canari-{letter} Brouillon {n}", publish=False)
        revision = draft.save_revision(user=submitter)
        draft.get_workflow().start(draft, submitter)
        assert revision.pk
        broken = make_person(site.people_index, f"Canari-{letter} Erreur {n}")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(PersonPage, "structured_data_entities", broken_person_nodes)
            assert check_and_record(broken.pk).errors == 1
        names[n] = {"member": member, "draft": draft, "broken": broken}
    # Nothing to act on: a membership ending next month, a finished import, a clean page.
    later = make_person(site.people_index, f"Plus-tard-{letter}")
    Membership.objects.create(
        contact=contact_of(later),
        membership_type=membership_type,
        start_date=first,
        end_date=last + datetime.timedelta(days=20),
    )
    ImportJob.objects.create(
        site=site,
        user=staff,
        kind="people",
        filename=f"termine-{letter}.csv",
        status=ImportJobStatus.DONE,
    )
    assert check_and_record(later.pk).errors == 0
    return names


def staff_of(site, username):
    """Someone who both edits the organization's pages and works in its CRM."""
    user = make_user(site, OrganizationRole.CRM_STAFF, username=username)
    user.groups.add(OrganizationGroup.objects.get(site=site, role=OrganizationRole.EDITORS).group)
    return user


@pytest.fixture(scope="module")
def house(house, django_db_blocker):
    with django_db_blocker.unblock():
        planted = {}
        for letter, site in (("A", house["org_a"]), ("B", house["org_b"])):
            staff = staff_of(site, f"staff-{letter}")
            submitter = make_user(site, OrganizationRole.EDITORS, username=f"auteur-{letter}")
            planted[letter] = {
                "staff": staff,
                "submitter": submitter,
                "records": plant(site, letter, staff, submitter),
            }
        return {**house, "planted": planted}


@pytest.fixture
def planted(house_copy):
    return house_copy["planted"]


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("mine", "theirs"), [("A", "B"), ("B", "A")])
def test_staff_see_what_their_organization_must_act_on_and_nothing_of_another(
    client, planted, mine, theirs
):
    records = planted[mine]["records"][0]
    html = dashboard(client, planted[mine]["staff"])
    for marker in PANELS.values():
        assert marker in html
    assert f"Canari-{mine} Adhérente 0" in html
    assert reverse("crm_contact:inspect", args=[contact_of(records["member"]).pk]) in html
    job = ImportJob.objects.get(filename=f"canari-{mine.lower()}-import-0.csv")
    assert reverse("crm_contact:import_job", args=[job.pk]) in html
    assert f"Canari-{mine} Brouillon 0" in html
    assert f"Canari-{mine} Erreur 0" in html
    assert reverse("wagtailadmin_pages:edit", args=[records["broken"].pk]) in html
    assert f"Canari-{theirs}" not in html and f"canari-{theirs.lower()}" not in html
    # Nothing to act on stays out.
    for calm in (f"Plus-tard-{mine}", f"termine-{mine}"):
        assert calm not in html


def test_panels_stay_hidden_without_the_permission_or_without_anything_to_show(
    client, org_a, editor_a, planted
):
    html = dashboard(client, editor_a)  # edits pages, has no CRM permission, started no import
    assert PANELS["memberships"] not in html and "Canari-A Adhérente" not in html
    assert PANELS["imports"] not in html
    assert PANELS["drafts"] in html and PANELS["errors"] in html
    outsider = make_user(username="hors-organisation")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    html = dashboard(client, outsider)
    assert not [name for name, marker in PANELS.items() if marker in html]
    assert "Canari" not in html


def test_the_author_of_a_draft_finds_it_in_wagtails_panel_not_twice(client, planted):
    html = dashboard(client, planted["A"]["submitter"])
    assert html.count("Canari-A Brouillon 0") == 1, "Wagtail's own panel lists it already"
    assert PANELS["drafts"] not in html


def test_a_republished_page_is_no_longer_counted_until_checked_again(client, planted):
    """A check describes one revision: once the page is published again, the old errors no
    longer count (the worker checks the new revision)."""
    broken = planted["A"]["records"][0]["broken"]
    broken.save_revision().publish()
    assert not PageCheck.objects.current().filter(page=broken).exists()
    assert "Canari-A Erreur 0" not in dashboard(client, planted["A"]["staff"])


def panel_queries(user) -> int:
    """Queries of the panels our plugins add, rendered for a fresh copy of ``user`` (nothing
    memoised yet)."""
    reverse("wagtailadmin_home")  # the admin's URLs, hence its viewsets, are registered
    request = RequestFactory().get("/admin/")
    request.user = type(user).objects.get(pk=user.pk)
    panels = []
    for construct in hooks.get_hooks("construct_homepage_panels"):
        construct(request, panels)
    ours = [panel for panel in panels if type(panel).__module__.split(".")[0] in OUR_APPS]
    assert len(ours) == 4, ours
    with CaptureQueriesContext(connection) as queries:
        for panel in ours:
            panel.render_html({"request": request})
    return len(queries)


def test_the_panels_cost_a_fixed_number_of_queries_whatever_the_number_of_rows(
    client, org_a, planted
):
    """No graph is rebuilt, no query per row: four times as many rows, the same queries."""
    staff = planted["A"]["staff"]
    few = panel_queries(staff)
    # The drafts in review now read the organization's moderation workflow too (2 queries).
    assert few <= 18, f"the panels cost {few} queries"
    plant(org_a, "A", staff, planted["A"]["submitter"], number=12)
    assert panel_queries(staff) == few
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"
    profile.save()
    html = dashboard(client, staff)
    assert "13 memberships end this month" in html and "And 3 more memberships." in html
    assert "13 published pages have errors" in html and "And 3 more pages." in html
    assert "13 drafts of your organization submitted for review" in html
    assert html.count("canari-a-import-") == 10
