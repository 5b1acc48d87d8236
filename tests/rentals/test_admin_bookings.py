"""The equipment desk's booking screens in the admin, as CRM staff use them: a booking made
through the form, its rates shown before confirming and frozen after, conflicts that name the
other borrower to staff, the rental settings, and another organization that finds none of it."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from crm_blocks.models import Membership, MembershipType
from organizations.money import format_money
from rentals.models import Booking, BookingStatus, RentalSettings
from rentals.services import change_status, request_booking
from tests.factories import contact_of, make_equipment, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TORONTO)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_form(site, borrower, items, start="2027-04-02 10:00", end="2027-04-05 10:00", **extra):
    """The POST data of the booking form: its fields and its item rows."""
    data = {
        "site": site.pk,
        "borrower": borrower.pk,
        "pickup_at": start,
        "return_at": end,
        "discount": "",
        "deposit": "",
        "production_title": "Les grands froids",
        "notes": "",
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
    }
    for index, (page, quantity) in enumerate(items):
        data[f"items-{index}-item"] = page.pk
        data[f"items-{index}-quantity"] = quantity
    data[f"items-{len(items)}-item"] = ""
    data[f"items-{len(items)}-quantity"] = ""
    data.update(extra)
    return data


@pytest.fixture
def camera(org_a):
    return make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2, deposit=Decimal("500"))


@pytest.fixture
def member(org_a):
    """Maude, a member until 30 April 2027."""
    contact = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    kind = MembershipType.objects.create(site=org_a, name="Membre individuel", default_fee=40)
    Membership.objects.create(
        contact=contact,
        membership_type=kind,
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2027, 4, 30),
        fee=40,
    )
    return contact


def test_staff_make_a_booking_through_the_form_in_the_organizations_time(
    org_a, crm_a, member, camera
):
    """Staff choose the borrower, the item and its quantity, and the dates as the desk's clock
    reads them (Montréal); the booking waits for confirmation with the units picked."""
    client = client_for(crm_a)
    form = client.get(reverse("rentals_booking:add"))
    assert form.status_code == 200
    assert "America/Toronto" in form.content.decode(), "the form says which clock it reads"
    response = client.post(
        reverse("rentals_booking:add"),
        booking_form(org_a, member, [(camera, 2)], save="1"),
    )
    booking = Booking.objects.get(borrower=member)
    assert response.status_code == 302
    assert response["Location"] == reverse("rentals_booking:edit", args=[booking.pk])
    assert booking.status == BookingStatus.REQUESTED
    assert booking.pickup_at == at("2027-04-02") and booking.return_at == at("2027-04-05")
    assert booking.production_title == "Les grands froids"
    assert booking.lines.count() == 2
    assert booking.deposit == Decimal("1000"), "the items' deposits when staff typed none"
    screen = client.get(response["Location"]).content.decode()
    assert "Maude Gagnon" in screen and "2 avril 2027 10:00" in screen


def test_the_rates_are_previewed_before_anything_is_kept(org_a, crm_a, member, camera):
    """« Preview the rates » shows what the borrower would pay — the member rate while the
    membership lasts, the non-member rate for a pick-up after it ends — and keeps nothing."""
    client = client_for(crm_a)
    during = client.post(
        reverse("rentals_booking:add"),
        booking_form(org_a, member, [(camera, 1)], preview="1"),
    ).content.decode()
    after = client.post(
        reverse("rentals_booking:add"),
        booking_form(
            org_a, member, [(camera, 1)], "2027-05-07 10:00", "2027-05-10 10:00", preview="1"
        ),
    ).content.decode()
    assert format_money(180, "CAD") in during  # 3 days × 60 $ (members)
    assert format_money(300, "CAD") not in during
    assert format_money(300, "CAD") in after  # 3 days × 100 $ (non-members)
    assert format_money(500, "CAD") in during, "the deposit is shown"
    assert not Booking.objects.exists(), "a preview keeps nothing"


def test_confirming_freezes_the_rates(org_a, crm_a, member, camera):
    """Once confirmed, the booking keeps its rates: a new rate on the item's page (or new
    dates) no longer changes what the borrower pays."""
    booking = request_booking(org_a, member, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    client = client_for(crm_a)
    response = client.post(
        reverse("rentals_booking:decide", args=[booking.pk]),
        {"action": "confirm", "note": "Bon tournage !"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.rates_frozen
    assert booking.total == Decimal("180") and booking.decision_note == "Bon tournage !"
    history = client.get(reverse("rentals_booking:history", args=[booking.pk]))
    assert "Réservation confirmée" in history.content.decode()
    camera.member_daily_rate = Decimal("80")
    camera.save_revision().publish()
    screen = client.get(reverse("rentals_booking:edit", args=[booking.pk])).content.decode()
    assert format_money(180, "CAD") in screen and format_money(240, "CAD") not in screen
    client.post(
        reverse("rentals_booking:edit", args=[booking.pk]),
        {
            "pickup_at": "2027-04-02 10:00",
            "return_at": "2027-04-06 10:00",
            "production_title": "",
            "notes": "",
            "save": "1",
        },
    )
    booking.refresh_from_db()
    assert booking.return_at == at("2027-04-06"), "the dates moved"
    assert booking.total == Decimal("180"), "the frozen rates did not"


def test_a_requested_booking_shows_live_rates_and_can_change_its_items(
    org_a, crm_a, member, camera
):
    """Before confirmation the screen prices the booking as confirming would, and staff can
    add an item; the total follows."""
    lights = make_equipment(
        org_a.catalogue, "Projecteur Aputure 600d", units=1, category="lighting"
    )
    booking = request_booking(org_a, member, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    client = client_for(crm_a)
    data = {
        "pickup_at": "2027-04-02 10:00",
        "return_at": "2027-04-05 10:00",
        "discount": "20",
        "deposit": "",
        "production_title": "",
        "notes": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "items-0-item": camera.pk,
        "items-0-quantity": "1",
        "items-1-item": lights.pk,
        "items-1-quantity": "1",
        "items-2-item": "",
        "items-2-quantity": "",
        "save": "1",
    }
    response = client.post(reverse("rentals_booking:edit", args=[booking.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    booking.refresh_from_db()
    assert booking.lines.count() == 2
    assert booking.subtotal == Decimal("360") and booking.total == Decimal("340")
    assert Booking.objects.count() == 1, "the added item joined this booking"


def test_a_conflict_names_the_other_borrower_to_staff_and_writes_nothing(
    org_a, crm_a, member, camera
):
    """When the camera is taken, staff read which booking holds it and for whom; the form
    stays filled and no booking is made."""
    holder = contact_of(make_person(org_a.people_index, "Xavier Tremblay"))
    request_booking(org_a, holder, [(camera, 2)], at("2027-04-01"), at("2027-04-04"))
    response = client_for(crm_a).post(
        reverse("rentals_booking:add"),
        booking_form(org_a, member, [(camera, 1)], save="1"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Caméra Sony FX6" in page and "Xavier Tremblay" in page
    assert not Booking.objects.filter(borrower=member).exists()


def test_the_listing_finds_bookings_by_borrower_and_status(org_a, crm_a, member, camera):
    """Staff find a booking by its borrower's name typed without accents or capitals, and by
    its status; each row names its items and the pick-up on the organization's clock."""
    other = contact_of(make_person(org_a.people_index, "Zoé Lamarre"))
    mine = request_booking(org_a, member, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    request_booking(org_a, other, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    change_status(mine, BookingStatus.CONFIRMED)
    client = client_for(crm_a)
    found = client.get(reverse("rentals_booking:index"), {"q": "gagnon"}).content.decode()
    assert "Maude Gagnon" in found and "Zoé Lamarre" not in found
    assert "Caméra Sony FX6" in found and "2 avril 2027 10:00" in found
    confirmed = client.get(reverse("rentals_booking:index"), {"status": "confirmed"})
    assert "Maude Gagnon" in confirmed.content.decode()
    assert "Zoé Lamarre" not in confirmed.content.decode()


def test_another_organization_finds_none_of_it(org_a, org_b, crm_b, member, camera):
    """Staff of another organization get "not found" for this organization's booking, its
    screens and units, as for an id that does not exist, and see none of it in their lists
    and choosers."""
    booking = request_booking(org_a, member, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    unit = booking.lines.get().unit
    client = client_for(crm_b)
    for name in ("edit", "checkout", "checkin", "slip", "history", "delete"):
        assert client.get(reverse(f"rentals_booking:{name}", args=[booking.pk])).status_code == 404
    for name in ("decide", "units"):
        assert client.post(reverse(f"rentals_booking:{name}", args=[booking.pk])).status_code == 404
    assert client.get(reverse("rentals_unit:edit", args=[unit.pk])).status_code == 404
    assert (
        client.get(reverse("rentals_borrower_chooser:chosen", args=[member.pk])).status_code == 404
    )
    listing = client.get(reverse("rentals_booking:index")).content.decode()
    units = client.get(reverse("rentals_unit:index")).content.decode()
    chooser = client.get(reverse("rentals_borrower_chooser:choose")).content.decode()
    form = client.get(reverse("rentals_booking:add")).content.decode()
    for page in (listing, units, chooser, form):
        assert "Maude Gagnon" not in page and unit.inventory_number not in page
        assert "Caméra Sony FX6" not in page
    # Nor can they book this organization's camera for their own borrower.
    theirs = contact_of(make_person(org_b.people_index, "Agnès Varda"))
    response = client.post(
        reverse("rentals_booking:add"), booking_form(org_b, theirs, [(camera, 1)], save="1")
    )
    assert response.status_code == 200 and not Booking.objects.filter(borrower=theirs).exists()


def test_the_chooser_finds_the_organizations_borrowers(org_a, crm_a, member):
    """The borrower chooser lists people and organization records, searched without accents."""
    client = client_for(crm_a)
    found = client.get(reverse("rentals_borrower_chooser:choose_results"), {"q": "GAGNON"})
    assert "Maude Gagnon" in found.content.decode()
    chosen = client.get(reverse("rentals_borrower_chooser:chosen", args=[member.pk]))
    assert chosen.status_code == 200 and "Maude Gagnon" in chosen.content.decode()


def test_rental_settings_are_the_staffs_own_organizations(org_a, org_b, crm_a):
    """CRM staff find « Rental settings » in the settings menu and change their organization's
    buffer; another organization's settings answer "not found"."""
    client = client_for(crm_a)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    url = reverse("wagtailsettings:edit", args=["rentals", "rentalsettings", org_a.pk])
    assert (
        url in home or reverse("wagtailsettings:edit", args=["rentals", "rentalsettings"]) in home
    )
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"buffer_hours": "6", "pickup_time": "09:00", "return_time": "17:00"}
    )
    assert response.status_code == 302
    assert RentalSettings.for_site(org_a).buffer_hours == 6
    other = reverse("wagtailsettings:edit", args=["rentals", "rentalsettings", org_b.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {"buffer_hours": "1"}).status_code == 404
    assert RentalSettings.for_site(org_b).buffer_hours == 12


def test_staff_keep_the_inventory_records_of_their_organization(
    org_a, crm_a, crm_b, member, camera
):
    """A unit added by staff belongs to its item's organization; trainings, qualifications
    (people only), closures and membership rates are listed to their own staff only, and a
    unit that bookings name cannot be deleted (retire it instead)."""
    from rentals.models import Closure, EquipmentUnit, MembershipRate, Qualification, Training

    client = client_for(crm_a)
    form = client.get(reverse("rentals_unit:add")).content.decode()
    assert "Caméra Sony FX6" in form
    response = client.post(
        reverse("rentals_unit:add"),
        {
            "equipment": camera.twin.pk,
            "inventory_number": "CAM-99",
            "serial_number": "SN-XYZ-99",
            "purchase_date": "",
            "purchase_price": "",
            "condition": "good",
            "status": "available",
            "location": "Étagère B",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = EquipmentUnit.objects.get(inventory_number="CAM-99")
    assert unit.site_id == org_a.pk
    training = Training.objects.create(site=org_a, name="Formation caméra cinéma")
    qualification = Qualification.objects.create(
        contact=member, training=training, obtained_on=dt.date(2026, 1, 5)
    )
    closure = Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 6, 24), end_date=dt.date(2027, 6, 24), reason="Fête"
    )
    rate = MembershipRate.objects.create(
        membership_type=MembershipType.objects.get(site=org_a), column="commercial"
    )
    form = client.get(reverse("rentals_qualification:add")).content.decode()
    assert "Maude Gagnon" in form and "Formation caméra cinéma" in form
    booked = request_booking(org_a, member, [(camera, 1)], at("2027-04-02"), at("2027-04-05"))
    held = booked.lines.get().unit
    refused = client.post(reverse("rentals_unit:delete", args=[held.pk]), follow=True)
    assert refused.status_code == 200 and EquipmentUnit.objects.filter(pk=held.pk).exists()

    other = client_for(crm_b)
    for viewset, pk in (
        ("rentals_unit", unit.pk),
        ("rentals_training", training.pk),
        ("rentals_qualification", qualification.pk),
        ("rentals_closure", closure.pk),
        ("rentals_membershiprate", rate.pk),
    ):
        assert other.get(reverse(f"{viewset}:edit", args=[pk])).status_code == 404
        assert other.post(reverse(f"{viewset}:delete", args=[pk])).status_code == 404
        listing = other.get(reverse(f"{viewset}:index")).content.decode()
        for name in ("CAM-99", "Formation caméra cinéma", "Maude Gagnon", "Fête", "Membre"):
            assert name not in listing
    for viewset in ("rentals_unit", "rentals_qualification", "rentals_membershiprate"):
        form = other.get(reverse(f"{viewset}:add")).content.decode()
        assert "Caméra Sony FX6" not in form and "Maude Gagnon" not in form
        assert "Membre individuel" not in form and "Formation caméra" not in form


def test_the_listing_costs_the_same_queries_for_few_or_many_bookings(org_a, crm_a, member):
    """Borrowers, items, dates and totals of a page of bookings are read in bulk: six bookings
    of several items cost the listing no more queries than two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    items = [
        make_equipment(org_a.catalogue, f"Objectif {n}", units=3, category="lens") for n in range(3)
    ]
    client = client_for(crm_a)

    def book(week):
        start = at("2027-04-05") + dt.timedelta(weeks=week)
        borrower = contact_of(make_person(org_a.people_index, f"Personne {week}"))
        request_booking(
            org_a, borrower, [(page, 1) for page in items], start, start + dt.timedelta(days=2)
        )

    def queries():
        client.get(reverse("rentals_booking:index"))  # warm the session and settings
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("rentals_booking:index"))
        assert page.status_code == 200
        return len(captured)

    for week in range(2):
        book(week)
    few = queries()
    for week in range(2, 6):
        book(week)
    assert queries() == few
