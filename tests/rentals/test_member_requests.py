"""Members request equipment from the website (``{item}reserve/``), follow their bookings in
their member space, and are e-mailed when staff answer.

What a member or the equipment desk would lose if these failed: a request lost or booked
twice; a refusal that names who holds the camera; a 500 for a typo in a date; a stranger, or
another organization's member, booking the Centre's gear; a forged form posting for a member;
a script flooding the desk; a member left without news of their request, or told in the wrong
time zone; a member reading someone else's bookings.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from organizations.models import OrganizationContactPoint, OrganizationSettings
from rentals.models import Booking, BookingStatus, EquipmentUnit, RentalSettings
from rentals.services import change_status, request_booking
from tests.factories import make_equipment, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}
B = {"HTTP_HOST": "reseau.test"}
JSON = {"HTTP_ACCEPT": "application/json"}


def quiet_days(zone: str, after: int = 40, length: int = 2) -> tuple[dt.date, dt.date]:
    """A weekday ``after`` days from now, and ``length`` days later, with no clock change in
    between (a 25-hour day would be charged as two): prices stay those of whole days."""
    start = dt.date.today() + dt.timedelta(days=after)
    while True:
        end = start + dt.timedelta(days=length)
        offsets = {
            dt.datetime.combine(day, dt.time(10), ZoneInfo(zone)).utcoffset()
            for day in (start, end)
        }
        if len(offsets) == 1 and start.weekday() < 4:
            return start, end
        start += dt.timedelta(days=1)


START, END = quiet_days("America/Toronto")


@pytest.fixture(autouse=True)
def empty_cache():
    """Requests are counted per member in the cache: each test starts from none."""
    cache.clear()


@pytest.fixture
def camera(org_a):
    return make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)


@pytest.fixture
def desk(org_a):
    RentalSettings.objects.update_or_create(
        site=org_a, defaults={"notification_email": "pret@boreal.test"}
    )
    return "pret@boreal.test"


@pytest.fixture
def maude(org_a):
    return make_member(org_a, "Maude Gagnon", "maude@exemple.org")


@pytest.fixture
def paul(org_a):
    return make_member(org_a, "Paul Roy", "paul@exemple.org")


def reserve_url(page) -> str:
    return page.relative_url(page.get_site()) + page.reverse_subpage("reserve")


def booking_path(site, booking_id) -> str:
    return site.catalogue.relative_url(site) + f"reservations/{booking_id}/"


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def request(client, page, start=START, end=END, quantity=None, **extra):
    data = {"start": str(start), "end": str(end)}
    if quantity is not None:
        data["quantity"] = quantity
    return client.post(reserve_url(page), data, **A, **extra)


def french_day(day: dt.date) -> str:
    with translation.override("fr"):
        return date_format(day, "j F Y")


def test_a_member_requests_free_dates_and_lands_on_their_booking(
    org_a, camera, maude, desk, django_capture_on_commit_callbacks
):
    """The request books the camera at the member's rates and shows the booking; the desk is
    e-mailed in French."""
    user, contact = maude
    client = logged_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = request(client, camera)
    assert response.status_code == 303
    booking = Booking.objects.get()
    assert response["Location"] == booking_path(org_a, booking.pk)
    assert booking.borrower == contact and booking.requested_by == user
    assert booking.requested_online and booking.status == BookingStatus.REQUESTED
    assert booking.total == Decimal("120.00"), "2 days at the member's 60 a day"

    page = client.get(response["Location"], **A)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Réservation {booking.number}" in html and "Caméra Sony FX6" in html
    # The units' serial numbers are « SN<page><unit> » (tests.factories): none is shown. (A bare
    # "SN" would also match a random CSRF token.)
    serials = list(EquipmentUnit.objects.values_list("serial_number", flat=True))
    assert "120,00" in html
    assert serials and not any(serial in html for serial in serials if serial), serials
    assert "no-cache" in page["Cache-Control"] or "private" in page["Cache-Control"]

    (told,) = mail.outbox
    assert told.to == [desk]
    assert f"Demande de réservation {booking.number} de Maude Gagnon" == told.subject
    assert "Caméra Sony FX6" in told.body and "http://boreal.test/admin/" in told.body


def test_the_desk_is_reached_at_the_organizations_public_e_mail_without_its_own(
    org_a, camera, maude, django_capture_on_commit_callbacks
):
    settings_ = OrganizationSettings.for_site(org_a)
    OrganizationContactPoint.objects.create(settings=settings_, label="Téléphone", phone="1")
    OrganizationContactPoint.objects.create(
        settings=settings_, label="Accueil", email="accueil@boreal.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert request(logged_in(maude[0]), camera).status_code == 303
    assert [message.to for message in mail.outbox] == [["accueil@boreal.test"]]


def test_taken_dates_answer_409_with_the_dates_never_the_other_borrower(org_a, camera, maude, paul):
    """Paul asks for days Maude holds: he is told which days are taken, not by whom, in the
    form page or as JSON."""
    assert request(logged_in(maude[0]), camera).status_code == 303
    client = logged_in(paul[0])
    later = START + dt.timedelta(days=1)
    response = request(client, camera, start=later, end=later + dt.timedelta(days=2))
    html = response.content.decode()
    assert response.status_code == 409
    assert french_day(later) in html and "Caméra Sony FX6" in html
    assert "Maude" not in html and "Gagnon" not in html
    assert 'role="alert"' in html and 'name="start"' in html, "the form, to choose again"

    answer = request(client, camera, start=later, end=later + dt.timedelta(days=2), **JSON)
    body = json.loads(answer.content)
    assert answer.status_code == 409 and body["error"] == "conflict"
    assert later.isoformat() in body["days"] and french_day(later) in body["message"]
    assert "Maude" not in answer.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("demain", str(END), "demain"),
        (str(END), str(START), None),
        (str(START), "", "obligatoire"),
        (str(START), f"{END}T25:00", "25:00"),
    ],
)
def test_dates_that_cannot_be_read_answer_400_and_book_nothing(
    org_a, camera, maude, start, end, expected
):
    client = logged_in(maude[0])
    response = client.post(reserve_url(camera), {"start": start, "end": end}, **A)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    if expected:  # the words of the form's own messages (a date's order is the rules')
        assert expected in response.content.decode()
    answer = client.post(reserve_url(camera), {"start": start, "end": end}, **A, **JSON)
    assert answer.status_code == 400 and json.loads(answer.content)["error"] == "invalid"
    assert json.loads(answer.content)["message"]
    assert not Booking.objects.exists()


def test_a_quantity_that_is_not_a_number_answers_400(org_a, camera, maude):
    response = request(logged_in(maude[0]), camera, quantity="deux", **JSON)
    assert response.status_code == 400
    assert "quantity" in json.loads(response.content)["fields"]
    assert not Booking.objects.exists()


def test_only_this_organizations_members_may_request(org_a, org_b, camera, crm_a):
    """Visitors, staff without a member account and the Réseau's members get a 403 (and the
    form page tells visitors how members log in); nothing is booked."""
    stranger = make_member(org_b, "Agnès Varda", "agnes@exemple.org")[0]
    for client in (Client(), logged_in(crm_a), logged_in(stranger)):
        assert request(client, camera).status_code == 403
        page = client.get(reserve_url(camera), **A)
        html = page.content.decode()
        assert page.status_code == 200
        assert reverse("member_login") in html and 'name="start"' not in html
        assert "private" in page["Cache-Control"], "never kept for the next visitor"
    assert not Booking.objects.exists()


def test_the_request_needs_its_csrf_token(org_a, camera, maude):
    """A page elsewhere cannot make a member's browser send a request."""
    client = logged_in(maude[0], enforce_csrf_checks=True)
    assert request(client, camera).status_code == 403
    assert not Booking.objects.exists()
    form = client.get(reserve_url(camera), **A)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    response = client.post(
        reserve_url(camera),
        {"start": str(START), "end": str(END), "csrfmiddlewaretoken": token.group(1)},
        **A,
    )
    assert response.status_code == 303


def test_a_member_cannot_flood_the_desk(org_a, camera, maude, settings):
    settings.RENTALS_REQUESTS_PER_HOUR = 2
    client = logged_in(maude[0])
    lens = make_equipment(org_a.catalogue, "Objectif Canon 50 mm", units=3)
    assert request(client, lens).status_code == 303
    assert request(client, lens).status_code == 303
    refused = request(client, lens)
    assert refused.status_code == 429
    assert "Veuillez réessayer plus tard" in refused.content.decode()
    assert Booking.objects.count() == 2


def test_the_member_sees_their_rates_and_the_price_before_sending(org_a, camera, maude):
    client = logged_in(maude[0])
    html = client.get(reserve_url(camera), **A).content.decode()
    assert "tarifs des membres" in html and "60,00" in html and "100,00" not in html
    estimate = client.get(reserve_url(camera), {"start": START, "end": END}, **A)
    html = estimate.content.decode()
    assert "120,00" in html and "Libre pour ces dates" in html
    assert "private" in estimate["Cache-Control"]
    assert not Booking.objects.exists(), "seeing the price books nothing"


def test_a_member_whose_membership_ended_is_told_why_the_form_is_gone(org_a, camera, maude):
    """Non-members see no request form: a former member is told to renew, not shown
    members' rates."""
    user, contact = maude
    contact.memberships.update(end_date=dt.date.today() - dt.timedelta(days=1))
    html = logged_in(user).get(reserve_url(camera), **A).content.decode()
    assert "renouvelez-la" in html and "60,00" not in html


def test_the_member_sees_only_their_own_bookings(org_a, org_b, camera, maude, paul):
    """Maude's space lists her booking, not Paul's; Paul's booking page answers « not found »
    to her, as a booking that does not exist."""
    request(logged_in(maude[0]), camera)
    lens = make_equipment(org_a.catalogue, "Objectif Canon 50 mm", units=1)
    request(logged_in(paul[0]), lens)
    mine = Booking.objects.get(borrower=maude[1])
    his = Booking.objects.get(borrower=paul[1])
    client = logged_in(maude[0])
    html = client.get(reverse("member_space"), **A).content.decode()
    assert "Mes réservations" in html
    assert mine.number in html and "Caméra Sony FX6" in html
    assert his.number not in html and "Objectif" not in html
    assert client.get(booking_path(org_a, his.pk), **A).status_code == 404
    assert client.get(booking_path(org_a, 999999), **A).status_code == 404
    assert client.get(booking_path(org_a, mine.pk), **A).status_code == 200
    assert Client().get(booking_path(org_a, mine.pk), **A).status_code == 302, "log in first"


def test_a_member_withdraws_a_request_not_answered_yet(
    org_a, camera, maude, desk, django_capture_on_commit_callbacks
):
    """The desk is told; the member is not e-mailed about their own cancellation; a confirmed
    booking cannot be cancelled from the website."""
    client = logged_in(maude[0])
    url = request(client, camera)["Location"]
    booking = Booking.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "cancel"}, **A)
    assert response.status_code == 303
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert [message.to for message in mail.outbox] == [[desk]]
    assert "retirée" in mail.outbox[0].subject

    second = request_booking(org_a, maude[1], [(camera, 1)], START, END)
    change_status(second, BookingStatus.CONFIRMED)
    page = client.post(booking_path(org_a, second.pk), {"action": "cancel"}, **A)
    assert page.status_code == 400
    second.refresh_from_db()
    assert second.status == BookingStatus.CONFIRMED


def test_the_borrower_is_emailed_when_staff_confirm_refuse_or_cancel(
    org_a, camera, maude, crm_a, django_capture_on_commit_callbacks
):
    """In French, with the dates in the organization's time zone, the total, the desk's
    message on a refusal, and the link to the booking in the member space."""
    user, contact = maude
    first = request_booking(org_a, contact, [(camera, 1)], START, END, user=user, online=True)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(first, BookingStatus.CONFIRMED, user=crm_a, note="Prévoir une pièce.")
    (confirmed,) = mail.outbox
    assert confirmed.to == ["maude@exemple.org"]
    assert confirmed.subject == f"Votre réservation {first.number} est confirmée"
    assert f"{START.day} " in confirmed.body and "10:00" in confirmed.body
    assert "120,00" in confirmed.body and "Prévoir une pièce." in confirmed.body
    assert f"http://boreal.test{booking_path(org_a, first.pk)}" in confirmed.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(first, BookingStatus.CANCELLED, user=crm_a)
    assert mail.outbox[0].subject == f"Votre réservation {first.number} est annulée"

    later = request_booking(
        org_a, contact, [(camera, 1)], START + dt.timedelta(days=7), END + dt.timedelta(days=7)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(later, BookingStatus.REFUSED, user=crm_a, note="Caméra en réparation.")
    (refused,) = mail.outbox
    assert "n’a pas pu être acceptée" in refused.subject
    assert "Caméra en réparation." in refused.body


def test_e_mails_tell_the_time_of_the_organizations_zone(org_b, django_capture_on_commit_callbacks):
    """The Réseau is in Paris: a 10:00 pick-up reads 10:00, not Toronto's 04:00."""
    item = make_equipment(org_b.catalogue, "Projecteur LED", units=1)
    user, contact = make_member(org_b, "Agnès Varda", "agnes@exemple.org")
    start, end = quiet_days("Europe/Paris")
    booking = request_booking(org_b, contact, [(item, 1)], start, end)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(booking, BookingStatus.CONFIRMED)
    body = mail.outbox[0].body
    assert f"{start.day} " in body and "10:00" in body and "04:00" not in body
    assert "€" in body


def test_a_member_whose_membership_ended_cannot_request_online(org_a, camera, maude):
    """The login stays, the membership does not: the request is refused with the reason, and
    the item's page no longer offers the button."""
    user, contact = maude
    contact.memberships.update(end_date=dt.date.today() - dt.timedelta(days=1))
    client = logged_in(user)
    answer = request(client, camera)
    assert answer.status_code == 403
    assert "adhésion n’est pas en cours" in answer.content.decode()
    assert not Booking.objects.exists()
    page = client.get(camera.relative_url(org_a), **A).content.decode()
    assert reserve_url(camera) not in page


def test_a_far_off_end_date_is_refused_with_its_reason(org_a, camera, maude):
    """A typo in the year does not hold the camera for centuries, nor answer an error page."""
    user, _contact = maude
    answer = request(logged_in(user), camera, end=dt.date(9999, 12, 31))
    assert answer.status_code == 400
    assert "2100" in answer.content.decode()
    assert not Booking.objects.exists()
