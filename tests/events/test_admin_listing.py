"""« Agenda » in the admin: an editor sees their organization's events — never another's —
with their dates, kind, status and venue, filters them, and finds the spreadsheet buttons; the
export downloads what the listing shows."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from organizations.registry import OrganizationRole
from spreadsheets.files import read_table
from tests.factories import make_event, make_organization_page, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def events(org_a, org_b):
    venue = make_organization_page(org_a.organizations_index, title="Cinéma Beaubien")
    return {
        "workshop": make_event(
            org_a.agenda,
            "Atelier de montage",
            kind="workshop",
            start_time=dt.time(19),
            recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
            venue=venue,
            external_id="ATL-1",
        ),
        "cancelled": make_event(
            org_a.agenda,
            "Projection annulée",
            kind="screening",
            status="cancelled",
            start_date=dt.date(2027, 4, 2),
        ),
        "draft": make_event(org_a.agenda, "Brouillon secret", publish=False),
        "theirs": make_event(org_b.agenda, "Ciné-club parisien", kind="screening"),
    }


def page(client, **params):
    response = client.get(reverse("events:index"), params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_editor_sees_only_their_organizations_events(client, editor_a, events):
    client.force_login(editor_a)
    text = page(client)
    for title in ("Atelier de montage", "Projection annulée", "Brouillon secret"):
        assert title in text
    assert "Ciné-club parisien" not in text
    assert "Cinéma Beaubien" in text, "the venue column"
    assert "Agenda" in text
    assert 'data-crm-export-menu="events"' in text
    assert 'data-crm-export-menu="event_occurrences"' in text
    assert "data-crm-import" in text


def test_the_other_organization_sees_only_theirs(client, org_b, events):
    client.force_login(make_user(org_b, OrganizationRole.EDITORS))
    text = page(client)
    assert "Ciné-club parisien" in text
    assert "Atelier de montage" not in text and "Brouillon secret" not in text
    assert "Ciné-club parisien" in page(client, q="ciné")
    assert "Atelier de montage" not in page(client, q="atelier"), "searching stays in theirs"


def test_filters_narrow_the_listing(client, editor_a, events):
    client.force_login(editor_a)
    screenings = page(client, kind="screening")
    assert "Projection annulée" in screenings and "Atelier de montage" not in screenings
    cancelled = page(client, status="cancelled")
    assert "Projection annulée" in cancelled and "Atelier de montage" not in cancelled


def test_the_export_is_the_listing_as_filtered(client, editor_a, events):
    """The events export holds what the listing shows (the other organization's event never);
    the dates export has one row per date of the shown events."""
    client.force_login(editor_a)
    response = client.get(reverse("events:index"), {"export": "events.csv", "kind": "workshop"})
    assert response.status_code == 200
    table = read_table(b"".join(response.streaming_content), "events.csv")
    titles = [row[1] for row in table.dataset]
    assert titles == ["Atelier de montage"]
    response = client.get(reverse("events:index"), {"export": "event_occurrences.csv"})
    table = read_table(b"".join(response.streaming_content), "dates.csv")
    titles = [row[0] for row in table.dataset]
    assert titles.count("Atelier de montage") == 4
    assert "Ciné-club parisien" not in titles and "Brouillon secret" not in titles


def test_crm_staff_without_the_editors_role_cannot_export_events(client, crm_a, events):
    client.force_login(crm_a)
    response = client.get(reverse("events:index"), {"export": "events.csv"})
    assert response.status_code in (302, 403, 404)
