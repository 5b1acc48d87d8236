"""No admin URL hands one organization anything of another's (see ``admin_walk.py`` for how
the walk reaches every view without listing them).

For each role of organization A (and a visitor who is not signed in), every admin URL pattern
is requested with organization B's ids — GET, GET with ``?export=`` where the view exports, and
POST — and must show no name of B's, change nothing, and not crash. A superuser walks the same
URLs first: those that answer "not found" to them address nothing and are skipped, and the
canary must show to them, or the walk would prove nothing.
"""

import pytest
from django.test import Client

from organizations.registry import roles
from tests.factories import make_organization, make_user

from .admin_walk import (
    CANARY,
    RECORD_ID,
    admin_patterns,
    answer_shape,
    expand,
    leaks,
    names_an_id,
    plant_other_organization,
    query_string,
    request_and_roll_back,
    with_missing_ids,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    with django_db_blocker.unblock():
        org_a = make_organization("Centre Images Boréales", "boreal.test", language="fr-ca")
        staff = {role.code: make_user(org_a, role.code) for role in roles()}
        superuser = make_user(username="root", is_superuser=True, is_staff=True)
        other = plant_other_organization(staff)
    return {"org_a": org_a, "staff": staff, "superuser": superuser, "other": other}


def export_values(pattern) -> list[str]:
    view_class = getattr(pattern.callback, "view_class", None)
    values = list(getattr(view_class, "export_formats", None) or ())
    for kind in getattr(view_class, "spreadsheet_kinds", None) or ():
        values += [f"{kind}.csv", f"{kind}.xlsx"]
    return values


@pytest.fixture(scope="module")
def addressed(house, django_db_blocker):
    """The URLs to walk: every admin pattern filled in, kept where the superuser's GET did not
    answer "not found", with the superuser's response for each."""
    client = Client()
    walk = []
    with django_db_blocker.unblock():
        client.force_login(house["superuser"])
        for route, pattern in admin_patterns():
            exports = export_values(pattern)
            for url in expand(route, pattern):
                addresses = [url] if names_an_id(url) else [url, f"{url}?{query_string()}"]
                outcomes = [
                    request_and_roll_back(client, "get", address, False) for address in addresses
                ]
                found = [o for o in outcomes if getattr(o.get("response"), "status_code", 0) != 404]
                if found:
                    walk.append((route, url, exports, found[0]))
    return walk


def test_the_walk_reaches_the_other_organizations_records(addressed):
    """The superuser sees the canary on the other organization's pages, images, documents,
    records and reports: were the ids or names wrong, the walk below would prove nothing."""
    seen = {
        route
        for route, _url, _exports, outcome in addressed
        if outcome.get("response") and leaks(outcome["response"])
    }
    expected = {
        "admin/pages/<int:page_id>/edit/",
        "admin/images/<int:image_id>/",
        "admin/documents/edit/<int:document_id>/",
        "admin/crm_contact/edit/<int:pk>/",
        "admin/reports/site-history/",
        "admin/pages/<int:page_id>/history/",
        "admin/api/main/^pages/<int:pk>/",
        "admin/api/main/^images/<int:pk>/",
        "admin/rentals_booking/edit/<int:pk>/",
        "admin/rentals_booking/slip/<int:pk>/",
        "admin/rentals_unit/edit/<int:pk>/",
        "admin/privacy_incident/edit/<int:pk>/",
        "admin/privacy_accesslog/",
    }
    assert expected <= seen, sorted(expected - seen)


ROLES = [role.code for role in roles()] + ["anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_url_shows_or_changes_anything_of_another_organization(role, house, addressed):
    """Staff of one organization, whatever their role, learn nothing of another organization
    through any admin URL — not a name, not a tag, not an e-mail — and change nothing of it."""
    client = Client()
    if role != "anonymous":
        client.force_login(house["staff"][role])
    findings = []
    for _route, url, exports, _superuser in addressed:
        if names_an_id(url):
            requests = [("get", url), ("post", url)]
            missing = request_and_roll_back(client, "get", with_missing_ids(url), False)
        else:
            requests = [("get", url), ("get", f"{url}?{query_string()}")]
            requests += [("get", f"{url}?{query_string({'export': fmt})}") for fmt in exports]
            requests += [("post", f"{url}?{query_string()}")]
            missing = None
        for method, full_url in requests:
            outcome = request_and_roll_back(client, method, full_url, method == "post")
            if "error" in outcome:
                findings.append(f"{method.upper()} {full_url}: crashed: {outcome['error']}")
                continue
            response = outcome["response"]
            if response.status_code >= 500:
                findings.append(f"{method.upper()} {full_url}: {response.status_code}")
            for leak in leaks(response):
                findings.append(f"{method.upper()} {full_url}: shows «…{leak}…»")
            if outcome.get("changed"):
                findings.append(f"{method.upper()} {full_url}: wrote to {outcome['changed']}")
            if (
                method == "get"
                and missing is not None
                and "response" in missing
                and answer_shape(response) != answer_shape(missing["response"])
            ):
                findings.append(
                    f"GET {full_url}: answers {answer_shape(response)}, but "
                    f"{answer_shape(missing['response'])} for an id that does not exist"
                )
    assert not findings, f"{len(findings)} findings for {role}:\n" + "\n".join(findings)


def test_the_walk_notices_a_change(house, django_db_blocker):
    """A request that deletes something of the other organization is reported (the superuser
    may delete their page; the walk rolls it back)."""
    client = Client()
    client.force_login(house["superuser"])
    outcome = request_and_roll_back(client, "post", f"/admin/pages/{RECORD_ID}/delete/", True)
    assert outcome["response"].status_code == 302
    assert "wagtailcore_page" in outcome["changed"]
    from wagtail.models import Page

    assert Page.objects.filter(pk=RECORD_ID).exists()


def test_canary_is_not_a_word_of_organization_a(house):
    """The canary names only the other organization (a guard on the walk's own premise)."""
    assert CANARY not in house["org_a"].site_name.lower()
