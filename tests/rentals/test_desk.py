"""The equipment desk's check-out and check-in screens: units handed over by typing (or
scanning) their inventory numbers, conditions on departure and return, damage that sends a unit
to repair, late returns flagged, the printed loan slip — and another organization that reaches
none of it."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from organizations.services import organization_private_collection
from rentals.desk import scanned_numbers
from rentals.models import (
    BookingLinePhoto,
    BookingStatus,
    Condition,
    RentalSettings,
    UnitStatus,
)
from rentals.services import availability, change_status, request_booking
from tests.factories import contact_of, make_equipment, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TORONTO)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def photo(name="rayure.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def close_quietly(response) -> None:
    """Close a streamed file response as the test client would: closing it ends its request,
    which would otherwise close the test's own database connection on PostgreSQL."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def desk_data(booking, numbers, **conditions):
    """The desk form: the numbers typed, and each line's condition (OK unless told)."""
    data = {"numbers": numbers}
    for line in booking.lines.all():
        data[f"condition_{line.pk}"] = Condition.OK
        data[f"note_{line.pk}"] = ""
    data.update(conditions)
    return data


@pytest.fixture
def booking(org_a):
    """Maude's confirmed booking of a camera and a light, 2 to 5 April 2027."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 0})
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1, deposit=Decimal("500"))
    light = make_equipment(org_a.catalogue, "Projecteur Aputure 600d", units=1, category="lighting")
    borrower = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    booking = request_booking(
        org_a, borrower, [(camera, 1), (light, 1)], at("2027-04-02"), at("2027-04-05")
    )
    change_status(booking, BookingStatus.CONFIRMED)
    booking.camera, booking.light = camera, light
    return booking


def units_of(booking):
    lines = {line.equipment_id: line for line in booking.lines.select_related("unit")}
    return lines[booking.camera.twin.pk], lines[booking.light.twin.pk]


def test_scanned_numbers_come_one_per_line_or_separated_by_spaces():
    """A barcode scanner types a number and Enter; people type spaces or commas."""
    assert scanned_numbers("CAM-1\r\nLUM-2  cam-1\n\nMIC-3, MIC-4;") == [
        "CAM-1",
        "LUM-2",
        "MIC-3",
        "MIC-4",
    ]


def test_check_out_by_typing_the_inventory_numbers(org_a, crm_a, booking):
    """Staff type both numbers (in lower case, as a keyboard might), note a scratch on the
    light; the booking is checked out and each unit says how it left."""
    camera_line, light_line = units_of(booking)
    numbers = f"{camera_line.unit.inventory_number.lower()}\n{light_line.unit.inventory_number}"
    response = client_for(crm_a).post(
        reverse("rentals_booking:checkout", args=[booking.pk]),
        desk_data(
            booking,
            numbers,
            **{
                f"condition_{light_line.pk}": Condition.NOTE,
                f"note_{light_line.pk}": "Rayure sur le volet",
            },
        ),
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_OUT and booking.checked_out_at
    camera_line, light_line = units_of(booking)
    assert camera_line.condition_out == Condition.OK and camera_line.checked_out_at
    assert light_line.condition_out == Condition.NOTE
    assert light_line.condition_out_note == "Rayure sur le volet"


def test_unknown_numbers_and_other_units_are_named_and_nothing_is_written(org_a, crm_a, booking):
    """A typo, a unit of another booking, or a unit left unscanned: staff read which, and no
    unit leaves."""
    camera_line, light_line = units_of(booking)
    stranger = make_equipment(org_a.catalogue, "Trépied Sachtler", units=1, category="grip")
    stranger_unit = stranger.twin.units.get()
    client = client_for(crm_a)
    url = reverse("rentals_booking:checkout", args=[booking.pk])
    typo = client.post(
        url,
        desk_data(booking, f"{camera_line.unit.inventory_number} XYZ-999 {stranger_unit}"),
    ).content.decode()
    assert "XYZ-999" in typo and stranger_unit.inventory_number in typo
    assert "Trépied Sachtler" in typo
    partial = client.post(url, desk_data(booking, camera_line.unit.inventory_number))
    assert light_line.unit.inventory_number in partial.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not booking.lines.filter(checked_out_at__isnull=False).exists()


def test_damage_on_return_sends_the_unit_to_repair_with_its_photo(org_a, crm_a, booking):
    """The camera comes back damaged: described, photographed (the photo kept in the
    organization's private collection), sent to repair, and no longer free for anyone."""
    camera_line, light_line = units_of(booking)
    client = client_for(crm_a)
    client.post(
        reverse("rentals_booking:checkout", args=[booking.pk]),
        desk_data(
            booking, f"{camera_line.unit.inventory_number} {light_line.unit.inventory_number}"
        ),
    )
    # A damaged unit needs a description: refused, nothing written.
    refused = client.post(
        reverse("rentals_booking:checkin", args=[booking.pk]),
        desk_data(
            booking,
            camera_line.unit.inventory_number,
            **{f"condition_{camera_line.pk}": Condition.DAMAGED},
        ),
    )
    assert refused.status_code == 200
    assert units_of(booking)[0].returned_at is None
    response = client.post(
        reverse("rentals_booking:checkin", args=[booking.pk]),
        desk_data(
            booking,
            camera_line.unit.inventory_number,
            **{
                f"condition_{camera_line.pk}": Condition.DAMAGED,
                f"note_{camera_line.pk}": "Écran LCD fissuré",
                f"photos_{camera_line.pk}": photo(),
            },
        ),
    )
    assert response.status_code == 302
    camera_line, light_line = units_of(booking)
    assert camera_line.condition_in == Condition.DAMAGED
    assert camera_line.condition_in_note == "Écran LCD fissuré"
    assert camera_line.unit.status == UnitStatus.REPAIR
    assert availability(booking.camera, dt.date(2027, 4, 10), dt.date(2027, 4, 10)).units_free == 0
    stored = BookingLinePhoto.objects.get(line=camera_line)
    assert stored.document.collection == organization_private_collection(org_a)
    assert stored.document.file.name.endswith(".jpg")
    served = client.get(stored.document.url)
    assert served.status_code == 200, "staff open the photo"
    close_quietly(served)
    assert Client().get(stored.document.url).status_code == 302, "visitors are sent to log in"
    stored.document.full_clean()  # still a valid document, which staff may rename
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_OUT, "the light is still out"
    screen = client.get(reverse("rentals_booking:edit", args=[booking.pk])).content.decode()
    assert "Écran LCD fissuré" in screen and stored.document.url in screen
    client.post(
        reverse("rentals_booking:checkin", args=[booking.pk]),
        desk_data(booking, light_line.unit.inventory_number),
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RETURNED
    assert units_of(booking)[1].unit.status == UnitStatus.AVAILABLE


def test_a_photo_that_is_not_a_photo_is_refused(org_a, crm_a, booking):
    """A file named like a photo but holding something else is refused by name, and the
    units stay at the desk: nothing is kept."""
    camera_line, light_line = units_of(booking)
    fake = SimpleUploadedFile("rayure.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client_for(crm_a).post(
        reverse("rentals_booking:checkout", args=[booking.pk]),
        desk_data(
            booking,
            f"{camera_line.unit.inventory_number} {light_line.unit.inventory_number}",
            **{
                f"condition_{camera_line.pk}": Condition.NOTE,
                f"note_{camera_line.pk}": "Rayure",
                f"photos_{camera_line.pk}": fake,
            },
        ),
    )
    assert response.status_code == 200 and "rayure.jpg" in response.content.decode()
    assert not BookingLinePhoto.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_late_returns_are_flagged_in_the_listing(org_a, crm_a):
    """A booking still out after its return time carries a « late » badge, and the listing's
    filter keeps only those."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2)
    late_one = contact_of(make_person(org_a.people_index, "Léo Retard"))
    on_time = contact_of(make_person(org_a.people_index, "Ana Àlheure"))
    now = timezone.now()
    late = request_booking(
        org_a, late_one, [(camera, 1)], now - dt.timedelta(days=5), now - dt.timedelta(days=2)
    )
    change_status(late, BookingStatus.CONFIRMED)
    change_status(late, BookingStatus.CHECKED_OUT)
    request_booking(
        org_a, on_time, [(camera, 1)], now - dt.timedelta(days=5), now + dt.timedelta(days=2)
    )
    client = client_for(crm_a)
    listing = client.get(reverse("rentals_booking:index"), {"late": "late"}).content.decode()
    assert "Léo Retard" in listing and "Ana Àlheure" not in listing
    assert "rentals-late" in listing
    screen = client.get(reverse("rentals_booking:edit", args=[late.pk])).content.decode()
    assert "rentals-late" in screen


def test_the_loan_slip_shows_serials_dates_rates_and_signature_lines(org_a, crm_a, booking):
    """The printed slip the borrower signs lists each unit with its inventory and serial
    numbers, the dates on the desk's clock, and lines for both signatures."""
    camera_line, light_line = units_of(booking)
    slip = client_for(crm_a).get(reverse("rentals_booking:slip", args=[booking.pk]))
    text = slip.content.decode()
    assert slip.status_code == 200
    assert camera_line.unit.serial_number in text and light_line.unit.serial_number in text
    assert camera_line.unit.inventory_number in text
    assert "Maude Gagnon" in text and booking.number in text
    assert "2 avril 2027 10:00" in text and "5 avril 2027 10:00" in text
    assert "signature-line" in text and "@media print" in text
    assert "Centre Images Boréales" in text


def test_another_organization_reaches_no_desk_screen(org_a, crm_b, booking):
    """Staff of another organization get "not found" on this booking's desk screens and slip,
    and checking out through them changes nothing."""
    camera_line, light_line = units_of(booking)
    client = client_for(crm_b)
    for name in ("checkout", "checkin", "slip"):
        url = reverse(f"rentals_booking:{name}", args=[booking.pk])
        assert client.get(url).status_code == 404
        response = client.post(
            url,
            desk_data(
                booking,
                f"{camera_line.unit.inventory_number} {light_line.unit.inventory_number}",
            ),
        )
        assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
