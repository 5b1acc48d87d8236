"""Equipment and bookings in and out of spreadsheets: the desk brings its inventory in from
the French spreadsheet it kept (one row per unit, French headers and cells), imports it again
without duplicating anything, loses nothing to a bad row, gets its kits built from the units
that name them, moves its old bookings in under the no-double-booking rule, and hands the
accountant a period's bookings with their totals."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from crm_blocks.models import Contact
from rentals.models import (
    Booking,
    BookingLine,
    BookingStatus,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    Qualification,
    RentalSettings,
    Training,
)
from rentals.resources import bookings_in_period
from rentals.services import request_booking
from spreadsheets.exports import export_bytes
from spreadsheets.files import read_table
from spreadsheets.pipeline import spreadsheet_import
from tests.factories import (
    contact_of,
    make_equipment,
    make_organization_page,
    make_person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rentals"
EQUIPMENT_FILE = FIXTURES / "equipement.csv"
OLD_BOOKINGS_FILE = FIXTURES / "reservations-ancien-tableur.csv"
TORONTO = ZoneInfo("America/Toronto")


def run_import(site, kind, data, *, filename="file.csv", user=None, publish=False, dry_run=False):
    with translation.override("fr"):
        return spreadsheet_import(
            site=site,
            kind=kind,
            data=data,
            filename=filename,
            user=user,
            publish=publish,
            dry_run=dry_run,
        )


def import_equipment(site, user, data=None, **kwargs):
    data = EQUIPMENT_FILE.read_bytes() if data is None else data
    return run_import(site, "equipment", data, filename="equipement.csv", user=user, **kwargs)


def fixture_rows() -> tuple[list[str], list[list[str]]]:
    lines = list(csv.reader(io.StringIO(EQUIPMENT_FILE.read_text("utf-8")), delimiter=";"))
    return lines[0], lines[1:]


def csv_bytes(headers, rows, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def items(site):
    return EquipmentPage.objects.descendant_of(site.catalogue)


def units(site):
    return EquipmentUnit.objects.filter(site=site)


def components(kit) -> dict[str, int]:
    return {c.item.title: c.quantity for c in KitComponent.objects.filter(kit=kit)}


# --- Equipment ------------------------------------------------------------------------------


def test_the_french_inventory_file_makes_items_units_trainings_and_kits(org_a, crm_a):
    """The desk's own spreadsheet — French headers, `;`, « 6 499,00 », « 15/03/2022 »,
    « Caméra », « Usé » — becomes 15 items and 2 kits holding its 40 units, rates written once
    per item apply to all its units, the trainings it names exist, and each kit takes the units
    that name it."""
    report = import_equipment(org_a, crm_a, publish=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unknown_columns) == (42, 0, [])
    assert items(org_a).count() == 17 and units(org_a).count() == 40

    fx6 = items(org_a).get(title="Caméra Sony FX6")
    assert (fx6.category, fx6.brand, fx6.product_model, fx6.live) == (
        "camera",
        "Sony",
        "ILME-FX6V",
        True,
    )
    assert (fx6.daily_rate, fx6.member_weekly_rate, fx6.deposit) == (
        Decimal("150.00"),
        Decimal("360.00"),
        Decimal("1000.00"),
    )
    assert fx6.required_training.name == "Formation caméra cinéma"
    third = units(org_a).get(inventory_number="CAM-FX6-03")
    assert third.equipment.translation_key == fx6.translation_key
    assert (third.serial_number, third.purchase_date, third.purchase_price, third.condition) == (
        "5004410",
        dt.date(2024, 9, 2),
        Decimal("6899.00"),
        "new",
    )
    assert units(org_a).get(inventory_number="OBJ-2470-01").condition == "worn"
    assert items(org_a).get(title__startswith="Salle de montage").category == "editing"
    assert set(Training.objects.filter(site=org_a).values_list("name", flat=True)) == {
        "Formation caméra cinéma",
        "Formation DaVinci Resolve",
    }

    documentary = items(org_a).get(title="Kit documentaire")
    assert (documentary.category, documentary.daily_rate) == ("kit", Decimal("225.00"))
    assert components(documentary) == {
        "Caméra Sony FX6": 1,
        "Trépied Sachtler Flowtech 75": 1,
        "Enregistreur Zoom F6": 1,
        "Micro canon Sennheiser MKH 416": 1,
        "Batterie V-Mount 150 Wh": 2,
    }
    assert (
        components(items(org_a).get(title="Kit prise de son"))[
            "Micro-cravate Sennheiser EW 112P G4"
        ]
        == 2
    )


def test_importing_the_same_file_again_changes_nothing_and_a_change_updates(org_a, crm_a):
    """Imported twice, the file leaves every row unchanged (no second unit, no new revision);
    a new price and condition for one unit, and a new daily rate for an item (shown on each of
    its three units' rows), update just those, found by the inventory number."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    fx6 = items(org_a).get(title="Caméra Sony FX6")
    revisions = fx6.revisions.count()
    again = import_equipment(org_a, crm_a, publish=True)
    assert again.ok, again.errors
    assert (again.new, again.updated, again.unchanged) == (0, 0, 42)
    assert units(org_a).count() == 40 and items(org_a).count() == 17
    assert fx6.revisions.count() == revisions

    headers, rows = fixture_rows()
    rows[2][headers.index("état")] = "Usé"
    rows[2][headers.index("prix d'achat")] = "5 100,00"
    rows[0][headers.index("tarif jour")] = "165,00"
    report = import_equipment(org_a, crm_a, data=csv_bytes(headers, rows), publish=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 3, 39)
    unit = units(org_a).get(inventory_number="CAM-FX6-03")
    assert (unit.condition, unit.purchase_price) == ("worn", Decimal("5100.00"))
    fx6.refresh_from_db()
    assert fx6.daily_rate == Decimal("165.00") and fx6.live
    assert units(org_a).count() == 40


def test_a_bad_row_writes_nothing_and_each_error_is_on_its_row_in_french(org_a, crm_a):
    """One file, five mistakes: nothing is created (no item, unit, training or kit), and staff
    read each mistake in French, on its row and column."""
    headers, rows = fixture_rows()
    column = headers.index
    rows[1][column("date d'achat")] = "31/02/2022"
    rows[4][column("catégorie")] = "Drone"
    rows[6][column("tarif jour")] = "-5"
    rows[8][column("tarif jour")] = "99,00"  # the item's first row said 25,00
    rows[12][column("numéro d'inventaire")] = "TRP-75-01"  # given twice
    report = import_equipment(org_a, crm_a, data=csv_bytes(headers, rows), publish=True)
    assert not report.ok
    errors = {(error.row, error.field): error.message for error in report.errors}
    assert "n’est pas une vraie date" in errors[(3, "purchase_date")]
    assert "«\u00a0Drone\u00a0» n’est pas l’une de ces valeurs" in errors[(6, "category")]
    assert "supérieure ou égale à 0" in errors[(8, "daily_rate")]
    assert "ligne 9" in errors[(10, "daily_rate")]
    assert "ligne 11" in errors[(14, "inventory_number")]
    assert not items(org_a).exists() and not units(org_a).exists()
    assert not Training.objects.filter(site=org_a).exists()


def test_kits_follow_the_units_that_name_them(org_a, crm_a):
    """A second tripod named in « Kit documentaire » makes the kit take two; a unit no longer
    naming « Kit prise de son » takes the item out of it; units the file does not list keep
    what they had."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    headers, rows = fixture_rows()
    kit = headers.index("kit")
    by_number = {row[0]: row for row in rows}
    by_number["TRP-75-03"][kit] = "Kit documentaire"
    by_number["PER-01"][kit] = ""
    listed = [row for row in rows if row[0].startswith(("TRP", "PER"))]
    report = import_equipment(org_a, crm_a, data=csv_bytes(headers, listed), publish=True)
    assert report.ok, report.errors
    documentary = components(items(org_a).get(title="Kit documentaire"))
    sound = components(items(org_a).get(title="Kit prise de son"))
    assert documentary["Trépied Sachtler Flowtech 75"] == 2
    assert documentary["Caméra Sony FX6"] == 1, "items not in the file keep their place"
    assert "Perche Rode Boompole Pro" not in sound
    assert sound["Micro-cravate Sennheiser EW 112P G4"] == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_equipment_imports_back_unchanged(org_a, crm_a, fmt):
    """What the desk exports (French headers, kits as rows of their own) is what it imports:
    every row unchanged, in CSV and in XLSX."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    data = export_bytes(kind="equipment", fmt=fmt, site=org_a, language="fr")
    table = read_table(data, f"equipement.{fmt}")
    assert table.headers[:3] == ["numéro d’inventaire", "nom", "catégorie"]
    assert len(table.dataset) == 42
    report = run_import(org_a, "equipment", data, filename=f"equipement.{fmt}", user=crm_a)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 42)


def test_a_unit_with_bookings_keeps_its_item(org_a, crm_a):
    """A unit that was lent as a « Caméra Sony FX6 » cannot become another item's unit by a
    file (its bookings would then name the wrong item); one never booked can."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2)
    booked, free = camera.twin.units.order_by("inventory_number")
    borrower = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    request_booking(
        org_a,
        borrower,
        [(camera, 1)],
        dt.date(2027, 4, 2),
        dt.date(2027, 4, 5),
        units={camera.pk: [booked.pk]},
    )
    headers = ["inventory_number", "name", "category"]
    report = run_import(
        org_a,
        "equipment",
        csv_bytes(headers, [[booked.inventory_number, "Caméra Sony FX6 (B)", "camera"]], ","),
        user=crm_a,
    )
    assert not report.ok and report.errors[0].field == "name"
    assert "réservations" in report.errors[0].message
    report = run_import(
        org_a,
        "equipment",
        csv_bytes(headers, [[free.inventory_number, "Caméra Sony FX6 (B)", "camera"]], ","),
        user=crm_a,
    )
    assert report.ok, report.errors
    free.refresh_from_db()
    assert free.equipment.page().title == "Caméra Sony FX6 (B)"


def test_the_command_imports_equipment_into_one_organization(org_a, org_b, tmp_path):
    """``import_records equipment FILE --organization HOST --publish`` fills that
    organization's catalogue only, published."""
    call_command(
        "import_records",
        "equipment",
        str(EQUIPMENT_FILE),
        "--organization",
        org_a.hostname,
        "--publish",
        stdout=io.StringIO(),
    )
    assert units(org_a).count() == 40 and items(org_a).live().count() == 17
    assert not units(org_b).exists() and not items(org_b).exists()


# --- Bookings -------------------------------------------------------------------------------


@pytest.fixture
def desk(org_a, crm_a):
    """The centre's inventory, a member trained on cinema cameras, another member, and a
    production company."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    maude = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    Contact.objects.filter(pk=maude.pk).update(email="maude.gagnon@example.org")
    julien = contact_of(make_person(org_a.people_index, "Julien Roy"))
    Contact.objects.filter(pk=julien.pk).update(email="julien.roy@example.org")
    company = contact_of(make_organization_page(org_a.organizations_index, "Productions du Nord"))
    Qualification.objects.create(
        contact=maude,
        training=Training.objects.get(site=org_a, name="Formation caméra cinéma"),
        obtained_on=dt.date(2025, 1, 10),
    )
    return {"maude": maude, "julien": julien, "company": company}


def test_the_old_bookings_spreadsheet_moves_in_through_the_desk_rules(org_a, crm_a, desk):
    """The old spreadsheet's five bookings arrive with their borrowers (by e-mail or by
    name), units, local dates and statuses; the amount billed is kept; the cancelled one
    holds nothing; a dry run first writes nothing; importing it again adds nothing."""
    dry = run_import(
        org_a,
        "bookings",
        OLD_BOOKINGS_FILE.read_bytes(),
        filename="ancien.csv",
        user=crm_a,
        dry_run=True,
    )
    assert dry.ok and dry.new == 5, dry.errors
    assert not Booking.objects.filter(site=org_a).exists()
    report = run_import(
        org_a, "bookings", OLD_BOOKINGS_FILE.read_bytes(), filename="ancien.csv", user=crm_a
    )
    assert report.ok, report.errors
    assert report.new == 5
    bookings = list(Booking.objects.filter(site=org_a).order_by("pickup_at"))
    first, commercial, cancelled, future, requested = bookings
    assert first.borrower == desk["maude"] and first.status == BookingStatus.RETURNED
    assert first.pickup_at == dt.datetime(2026, 10, 6, 10, tzinfo=TORONTO)
    assert {line.unit.inventory_number for line in first.lines.all()} == {
        "CAM-C70-01",
        "TRP-75-03",
    }
    assert first.returned_at is not None and first.rates_frozen_at is not None
    assert commercial.borrower == desk["company"] and commercial.commercial
    assert (commercial.rate_column, commercial.total) == ("commercial", Decimal("1250.00"))
    assert commercial.subtotal - commercial.discount == commercial.total
    assert cancelled.status == BookingStatus.CANCELLED
    assert not cancelled.lines.filter(active=True).exists()
    assert future.pickup_at == dt.datetime(2027, 2, 1, 14, tzinfo=TORONTO)
    assert (future.status, future.rate_column) == (BookingStatus.CONFIRMED, "standard")
    assert future.total == future.subtotal > 0
    assert requested.borrower == desk["julien"] and requested.status == BookingStatus.REQUESTED

    again = run_import(
        org_a, "bookings", OLD_BOOKINGS_FILE.read_bytes(), filename="ancien.csv", user=crm_a
    )
    assert again.ok, again.errors
    assert (again.new, again.unchanged) == (0, 5)
    assert Booking.objects.filter(site=org_a).count() == 5


def test_rows_that_overlap_each_other_or_a_booking_are_refused_and_nothing_is_written(
    org_a, crm_a, desk
):
    """Two rows lending the same tripod on overlapping days, and a row over an existing
    booking: the file is refused, each row says which dates collide (and, for staff, which
    booking holds the unit), and no booking is added."""
    existing = request_booking(
        org_a,
        desk["julien"],
        [(items(org_a).get(title="Enregistreur Zoom F6"), 1)],
        dt.date(2027, 5, 3),
        dt.date(2027, 5, 6),
        units={
            items(org_a).get(title="Enregistreur Zoom F6").pk: [
                units(org_a).get(inventory_number="ENR-F6-03").pk
            ]
        },
    )
    headers = ["borrower_email", "items", "pickup", "return", "status"]
    rows = [
        ["julien.roy@example.org", "TRP-75-04", "2027-05-01", "2027-05-04", "confirmed"],
        ["maude.gagnon@example.org", "TRP-75-04; PER-02", "03/05/2027", "07/05/2027", ""],
        ["maude.gagnon@example.org", "ENR-F6-03", "2027-05-05 09:00", "2027-05-08", "confirmed"],
        ["maude.gagnon@example.org", "ENR-F6-03", "2027-05-05", "2027-05-08", "annulée"],
    ]
    report = run_import(org_a, "bookings", csv_bytes(headers, rows, ","), user=crm_a)
    assert not report.ok
    errors = {(error.row, error.field): error.message for error in report.errors}
    assert set(errors) == {(3, "items"), (4, "items")}
    assert "ligne 2" in errors[(3, "items")] and "TRP-75-04" in errors[(3, "items")]
    assert "Enregistreur Zoom F6" in errors[(4, "items")] and "mai 2027" in errors[(4, "items")]
    assert existing.number in errors[(4, "items")], "staff learn which booking holds it"
    assert list(Booking.objects.filter(site=org_a)) == [existing]
    assert BookingLine.objects.filter(booking__site=org_a).count() == 1


def test_a_booking_row_needs_the_training_and_a_known_borrower(org_a, crm_a, desk):
    """Julien has no camera training: his row for a C70 is refused as the desk refuses it;
    an unknown e-mail and an unknown inventory number are said on their row."""
    headers = ["borrower_email", "items", "pickup", "return"]
    rows = [
        ["julien.roy@example.org", "CAM-C70-02", "2027-06-01", "2027-06-03"],
        ["personne@example.org", "TRP-75-04", "2027-06-01", "2027-06-03"],
        ["maude.gagnon@example.org", "XYZ-1", "2027-06-01", "2027-06-03"],
    ]
    report = run_import(org_a, "bookings", csv_bytes(headers, rows, ","), user=crm_a)
    errors = {(error.row, error.field): error.message for error in report.errors}
    assert "Formation caméra cinéma" in errors[(2, "items")]
    assert (3, "borrower_email") in errors
    assert "XYZ-1" in errors[(4, "items")]
    assert not Booking.objects.filter(site=org_a).exists()


def test_the_accountant_gets_a_period_with_its_totals_and_it_imports_back(org_a, crm_a, desk):
    """Bookings picked up in January, one row each with its amounts, then a totals row that
    adds them up; a booking picked up in February is in another period; the export imports
    back without a change (its totals row is left aside)."""
    fx6 = items(org_a).get(title="Caméra Sony FX6")
    tripod = items(org_a).get(title="Trépied Sachtler Flowtech 75")
    january = [
        request_booking(org_a, desk["maude"], [(fx6, 1)], dt.date(2027, 1, 5), dt.date(2027, 1, 7)),
        request_booking(
            org_a, desk["company"], [(tripod, 2)], dt.date(2027, 1, 20), dt.date(2027, 1, 27)
        ),
    ]
    request_booking(org_a, desk["julien"], [(tripod, 1)], dt.date(2027, 2, 1), dt.date(2027, 2, 2))
    period = bookings_in_period(
        Booking.objects.filter(site=org_a), dt.date(2027, 1, 1), dt.date(2027, 1, 31), site=org_a
    )
    data = export_bytes(kind="bookings", fmt="xlsx", site=org_a, queryset=period, language="fr")
    table = read_table(data, "comptable.xlsx")
    headers = table.headers
    rows = [dict(zip(headers, row, strict=False)) for row in table.dataset]
    assert len(rows) == 3
    assert [row[headers[0]] for row in rows[:2]] == [b.number for b in january]
    total_row = rows[-1]
    assert total_row[headers[0]] == "Total"
    total_column = headers[13]
    assert total_row[total_column] == sum(b.total for b in january) > 0
    assert total_row[headers[15]] == "CAD"
    assert rows[1][headers[3]] == "; ".join(
        sorted(line.unit.inventory_number for line in january[1].lines.all())
    )

    report = run_import(org_a, "bookings", data, filename="comptable.xlsx", user=crm_a)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert Booking.objects.filter(site=org_a).count() == 3


def test_a_listings_units_export_imports_back_and_kits_keep_their_counts(org_a, crm_a):
    """Exported from a listing filtered on one item (its tripods), the file holds those units
    and the kits they name; imported back, nothing changes — the kits keep counting the units
    the file did not list."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    tripods = units(org_a).filter(inventory_number__startswith="TRP-")
    data = export_bytes(kind="equipment", fmt="csv", site=org_a, queryset=tripods)
    table = read_table(data, "trepieds.csv")
    names = [row[0] for row in table.dataset]
    assert names == ["TRP-75-01", "TRP-75-02", "TRP-75-03", "TRP-75-04", "", ""]
    before = {kit.title: components(kit) for kit in items(org_a).filter(category="kit")}
    report = run_import(org_a, "equipment", data, filename="trepieds.csv", user=crm_a)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 6)
    after = {kit.title: components(kit) for kit in items(org_a).filter(category="kit")}
    assert after == before


def test_the_import_screen_says_what_to_write_in_every_column(org_a):
    """Staff importing equipment or bookings read, in French, what each column takes (the
    kit's generic screen shows these hints): nothing is left unexplained."""
    from spreadsheets.pipeline import import_columns

    with translation.override("fr"):
        for kind in ("equipment", "bookings"):
            columns = import_columns(kind)
            assert all(column.help for column in columns), kind
            hints = {column.name: column.help for column in columns}
        assert "Caméra" in import_columns("equipment")[2].help
        assert "retournée si la date de retour est passée" in hints["status"]


def test_the_listing_export_keeps_to_the_period_asked(org_a, desk, rf):
    """The bookings listing's export link carries ``?from=…&to=…``: the accountant gets the
    bookings picked up in those days only (local days of the organization)."""
    from rentals.resources import BookingPeriodExportMixin

    tripod = items(org_a).get(title="Trépied Sachtler Flowtech 75")
    first = request_booking(
        org_a, desk["julien"], [(tripod, 1)], dt.date(2027, 1, 31), dt.date(2027, 2, 2)
    )
    request_booking(org_a, desk["maude"], [(tripod, 1)], dt.date(2027, 2, 1), dt.date(2027, 2, 3))

    class Listing:
        def spreadsheet_queryset(self, kind):
            return Booking.objects.filter(site=org_a)

    class Index(BookingPeriodExportMixin, Listing):
        pass

    view = Index()
    view.request = rf.get("/admin/bookings/", {"from": "2027-01-01", "to": "31/01/2027"})
    assert list(view.spreadsheet_queryset("bookings")) == [first]
    view.request = rf.get("/admin/bookings/", {"from": "pas une date"})
    assert view.spreadsheet_queryset("bookings").count() == 2


def test_staff_of_two_organizations_export_each_ones_units(org_a, org_b, crm_a):
    """A listing showing two organizations' units exports each one's with its own items and
    kits, never mixing them."""
    assert import_equipment(org_a, crm_a, publish=True).ok
    make_equipment(org_b.catalogue, "Caméra Sony FX6", units=2)
    both = EquipmentUnit.objects.filter(site__in=[org_a, org_b])
    table = read_table(export_bytes(kind="equipment", fmt="csv", queryset=both), "tout.csv")
    rows = list(table.dataset)
    assert len(rows) == 40 + 2 + 2
    assert sum(1 for row in rows if row[0].startswith("SONFX6-")) == 2
    assert rows[-2][0].startswith("SONFX6-"), "the second organization's rows come after"
