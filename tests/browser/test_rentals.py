"""A member books a camera from the website and the desk hands it over and takes it back:
lost otherwise, the weekend shoot (the member cannot see what is free nor ask for it), or the
damage found on return (the next borrower gets a broken camera)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from rentals.models import Booking, BookingStatus, UnitStatus
from tests.factories import make_equipment, make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def next_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    return friday, friday + dt.timedelta(days=3)


@pytest.mark.browser
def test_a_member_books_a_camera_for_next_weekend_and_the_desk_lends_it(
    new_page, login, live_server, org, crm_user
):
    camera = make_equipment(org.catalogue, "Caméra Sony FX6", units=1)
    make_equipment(org.catalogue, "Projecteur Aputure 600d", units=1, category="lighting")
    unit = camera.twin.units.get()
    user, contact = make_member(org, "Maude Gagnon")
    friday, monday = next_weekend(dt.date.today())

    # The member logs in on the organization's site.
    member = new_page()
    member.goto("/espace-membre/connexion/")
    member.get_by_label("Courriel").fill(user.username)
    member.get_by_label("Mot de passe").fill("motdepasse-test")
    member.get_by_role("button", name="Se connecter").click()
    expect(member.get_by_role("heading", level=1)).to_contain_text("espace")

    # She looks for what is free next weekend in the catalogue, and opens the camera.
    member.goto(org.catalogue.relative_url(org))
    member.get_by_label("Du").fill(friday.isoformat())
    member.get_by_label("Au").fill(monday.isoformat())
    member.get_by_role("button", name=re.compile("Trouver|Afficher")).first.click()
    member.get_by_role("link", name="Caméra Sony FX6").first.click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Caméra Sony FX6")

    # She requests it for those dates.
    member.get_by_role("link", name=re.compile("Demander")).first.click()
    member.get_by_label("Date de retrait").fill(friday.isoformat())
    member.get_by_label("Date de retour").fill(monday.isoformat())
    member.get_by_role("button", name="Envoyer ma demande").click()
    expect(member.locator("main")).to_contain_text("Demandée")
    booking = Booking.objects.get(borrower=contact)
    assert booking.status == BookingStatus.REQUESTED

    # The desk confirms it, hands the camera over, and takes it back damaged.
    staff = new_page()
    login(staff, crm_user, next_url=reverse("rentals_booking:edit", args=[booking.pk]))
    staff.get_by_role("button", name="Confirmer").click()
    expect(staff.locator("main")).to_contain_text("Confirmée")

    staff.goto(reverse("rentals_booking:checkout", args=[booking.pk]))
    staff.get_by_label("Numéros d’inventaire").fill(unit.inventory_number)
    staff.get_by_role("button", name="Remettre le matériel").click()
    expect(staff.locator("main")).to_contain_text("Sortie")

    staff.goto(reverse("rentals_booking:checkin", args=[booking.pk]))
    staff.get_by_label("Numéros d’inventaire").fill(unit.inventory_number)
    row = staff.locator("tr.rentals-desk-row")
    row.locator("select").select_option("damaged")
    row.locator("textarea").fill("Écran LCD fêlé au retour.")
    staff.get_by_role("button", name="Réceptionner le matériel").click()
    expect(staff.locator("main")).to_contain_text("Rendue")

    booking.refresh_from_db()
    unit.refresh_from_db()
    assert booking.status == BookingStatus.RETURNED
    assert unit.status == UnitStatus.REPAIR
    assert booking.lines.get().condition_in_note == "Écran LCD fêlé au retour."
