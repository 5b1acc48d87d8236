"""``{item}availability.json`` as another site or a calendar reads it: exactly the documented
shape, counts only (never who booked), days of the organization's time zone, a default window,
errors as JSON in the visitor's language, nothing for drafts or restricted items, and an
answer that changes as soon as a booking does."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.models import PageViewRestriction

from organizations.registry import OrganizationRole
from rentals.availability import DEFAULT_DAYS, availability_json_view
from rentals.models import Closure, KitComponent, RentalSettings
from rentals.services import request_booking
from tests.factories import contact_of, make_equipment, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00", zone=TORONTO) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


@pytest.fixture
def borrower(org_a):
    return contact_of(make_person(org_a.people_index, "Maude Gagnon"))


def get_json(client, site, page, query="", status=200, **headers):
    response = client.get(f"{page.url}availability.json{query}", HTTP_HOST=site.hostname, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def test_the_answer_has_exactly_the_documented_shape(client, org_a, borrower):
    """A calendar widget reads start, end, the units of the item, those free for the whole
    window, and each day's free units: nothing more, so that nothing else can leak."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 0})
    camera = make_equipment(org_a.catalogue, "Caméra Canon C70", units=2)
    book(org_a, borrower, camera, at("2027-04-06"), at("2027-04-07"))

    response, data = get_json(client, org_a, camera, "?start=2027-04-05&end=2027-04-08")

    assert data == {
        "start": "2027-04-05",
        "end": "2027-04-08",
        "units_total": 2,
        "units_free": 1,
        "days": [
            {"date": "2027-04-05", "units_free": 2},
            {"date": "2027-04-06", "units_free": 1},
            {"date": "2027-04-07", "units_free": 1},
            {"date": "2027-04-08", "units_free": 2},
        ],
    }
    text = response.content.decode()
    assert "Maude" not in text and "SN" not in text and "C70-" not in text
    assert "max-age=" in response["Cache-Control"]


def book(site, borrower, page, start, end):
    return request_booking(site, borrower, [(page, 1)], start, end)


def test_days_are_the_organization_s_across_the_clock_change(client, org_a, borrower):
    """Montreal moves its clocks on 14 March 2027: a camera held until midnight of the 15th
    (local time) is free on the 15th; a closure makes its day taken."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    book(org_a, borrower, camera, at("2027-03-13"), at("2027-03-14", "12:00"))
    Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 3, 17), end_date=dt.date(2027, 3, 17), reason="Fermé"
    )

    _response, data = get_json(client, org_a, camera, "?start=2027-03-12&end=2027-03-17")

    free = {day["date"]: day["units_free"] for day in data["days"]}
    assert free == {
        "2027-03-12": 1,
        "2027-03-13": 0,
        "2027-03-14": 0,
        "2027-03-15": 1,
        "2027-03-16": 1,
        "2027-03-17": 0,
    }
    assert data["units_free"] == 0


def test_a_kit_counts_whole_kits(client, org_a, borrower):
    """A kit of one camera and two lenses: two cameras and three lenses make one whole kit."""
    camera = make_equipment(org_a.catalogue, "Caméra Canon C70", units=2)
    lens = make_equipment(org_a.catalogue, "Objectif 50 mm", category="lens", units=3)
    kit = make_equipment(org_a.catalogue, "Trousse", category="kit", units=0)
    KitComponent.objects.create(kit=kit, item=camera, quantity=1)
    KitComponent.objects.create(kit=kit, item=lens, quantity=2)

    _response, data = get_json(client, org_a, kit, "?start=2027-04-05&end=2027-04-05")

    assert (data["units_total"], data["units_free"]) == (1, 1)


def test_without_parameters_the_next_thirty_days(client, org_a):
    """The privacy canary and a plain link get the coming days from today, in the
    organization's time zone."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    today = timezone.now().astimezone(TORONTO).date()

    _response, data = get_json(client, org_a, camera)

    assert data["start"] == today.isoformat()
    assert data["end"] == (today + dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    assert len(data["days"]) == DEFAULT_DAYS
    _response, data = get_json(client, org_a, camera, "?start=2027-05-01")
    assert (data["start"], data["end"]) == ("2027-05-01", "2027-05-30")


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (
            "?start=2027-02-30&end=2027-03-02",
            "invalid_date",
            "«\u00a02027-02-30\u00a0» n’est pas une date\u00a0: écrivez-la AAAA-MM-JJ",
        ),
        ("?start=demain", "invalid_date", "«\u00a0demain\u00a0» n’est pas une date"),
        ("?start=9999-12-31", "invalid_date", "«\u00a09999-12-31\u00a0» n’est pas une date"),
        ("?start=2027-03-10&end=2027-03-01", "window_order", "La date de fin précède"),
        ("?start=2027-01-01&end=2028-12-31", "window_too_long", "366\u00a0jours"),
    ],
)
def test_bad_input_is_a_400_with_a_json_error_in_french(client, org_a, query, code, message):
    """A developer calling it wrongly gets a 400 with a code to act on and a sentence in the
    request's language, never a server error."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")

    response, data = get_json(client, org_a, camera, query, status=400)

    assert set(data) == {"error"} and set(data["error"]) == {"code", "message"}
    assert data["error"]["code"] == code
    assert data["error"]["message"].startswith(message) or message in data["error"]["message"]
    assert "no-store" in response["Cache-Control"]


def test_the_message_is_in_the_language_of_the_request(org_a):
    """The site's English pages get the same error in English."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    request = RequestFactory().get("/availability.json", {"start": "tomorrow"})
    request._wagtail_site = org_a
    with translation.override("en"):
        response = availability_json_view(request, camera)
    assert response.status_code == 400
    message = json.loads(response.content)["error"]["message"]
    assert message == "“tomorrow” is not a date: write it as YYYY-MM-DD, for example 2027-03-12."


def test_drafts_and_restricted_items_are_not_found(client, org_a, crm_a):
    """An item not yet published, or shown only to logged-in people, has no public
    availability: not found, not even a login form telling that it exists."""
    draft = make_equipment(org_a.catalogue, "Caméra secrète", publish=False)
    restricted = make_equipment(org_a.catalogue, "Caméra des membres")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    draft_url = f"{org_a.catalogue.url}{draft.slug}/availability.json"

    assert client.get(draft_url, HTTP_HOST=org_a.hostname).status_code == 404
    restricted_url = f"{restricted.url}availability.json"
    assert client.get(restricted_url, HTTP_HOST=org_a.hostname).status_code == 404
    client.force_login(make_user(org_a, OrganizationRole.MEMBERS, username="membre"))
    assert client.get(restricted_url, HTTP_HOST=org_a.hostname).status_code == 404
    # The restricted page itself still asks to log in (Wagtail's rule), as before.
    client.logout()
    assert client.get(restricted.url, HTTP_HOST=org_a.hostname).status_code == 302


def test_a_booking_is_seen_at_once_even_by_cached_visitors(
    client, org_a, borrower, django_capture_on_commit_callbacks
):
    """The parameterless answer is kept for anonymous visitors like a page; a booking made
    afterwards is in the next answer."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    today = timezone.now().astimezone(TORONTO).date()
    start = today + dt.timedelta(days=3)

    first, before = get_json(client, org_a, camera)
    assert "public" in first["Cache-Control"]
    _again, cached = get_json(client, org_a, camera)
    assert cached == before
    with django_capture_on_commit_callbacks(execute=True):
        book(
            org_a,
            borrower,
            camera,
            dt.datetime.combine(start, dt.time(10), tzinfo=TORONTO),
            dt.datetime.combine(start + dt.timedelta(days=1), dt.time(10), tzinfo=TORONTO),
        )
    _after, after = get_json(client, org_a, camera)

    day = {d["date"]: d["units_free"] for d in after["days"]}
    assert day[start.isoformat()] == 0
    assert {d["date"]: d["units_free"] for d in before["days"]}[start.isoformat()] == 1
