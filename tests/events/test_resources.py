"""Events in and out of spreadsheets: staff bring a season's programme in from a CSV, XLSX or
ODS file (English or French headers, French dates), a bad row writes nothing, what they export
comes back identical, a venue they name becomes a place record, the published events' dates
are in the agenda at once, and funders get one row per date."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from crm_blocks.models import Contact, OrganizationPage
from events.models import EventOccurrence, EventPage, EventPublication
from spreadsheets.exports import export_bytes
from spreadsheets.files import read_table, write_file
from spreadsheets.pipeline import spreadsheet_import
from spreadsheets.registry import get_kind
from tests.factories import make_event, make_organization_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

HEADERS = [
    "external_id",
    "title",
    "kind",
    "start",
    "end",
    "time_zone",
    "recurrence",
    "exceptions",
    "dates",
    "venue",
    "address",
    "city",
    "postal_code",
    "status",
    "attendance",
    "online_url",
    "price",
    "member_price",
    "currency",
    "ticket_url",
    "audience",
    "accessibility",
    "language",
    "summary",
]
ROWS = [
    {
        "external_id": "ATL-1",
        "title": "Atelier de montage",
        "kind": "workshop",
        "start": "2027-03-09 19:00",
        "end": "21:30",
        "recurrence": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601",
        "exceptions": "2027-04-13",
        "venue": "Cinéma du Parc",
        "address": "3575, avenue du Parc",
        "city": "Montréal",
        "postal_code": "H2X 3P9",
        "price": "12,50",
        "member_price": "8",
        "currency": "CAD",
        "audience": "adults",
        "accessibility": "wheelchair_accessible; Hearing loop",
        "language": "fr",
        "summary": "Chaque mardi, on monte ensemble.",
    },
    {
        "external_id": "CONF-2",
        "title": "Causerie en ligne",
        "kind": "Talk or debate",
        "start": "2027-05-04 12:00",
        "end": "2027-05-04 13:00",
        "attendance": "online",
        "online_url": "https://example.org/causerie",
        "price": "0",
    },
    {
        "external_id": "FEST-3",
        "title": "Festival du court",
        "kind": "festival",
        "start": "2027-06-10",
        "end": "2027-06-13",
        "dates": "",
        "status": "cancelled",
        "ticket_url": "https://example.org/billets",
    },
]


def csv_bytes(rows, headers=HEADERS, sep=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
    return out.getvalue().encode("utf-8")


def file_bytes(rows, fmt):
    """A real file of ``fmt`` written by the files layer (what LibreOffice or Excel would
    hand staff back, read by the same readers)."""
    if fmt == "csv":
        return csv_bytes(rows)
    output = io.BytesIO()
    write_file(
        output, [[row.get(h, "") for h in HEADERS] for row in rows], fmt=fmt, headers=HEADERS
    )
    return output.getvalue()


def events_import(site, data, *, filename="events.csv", user=None, publish=False, dry_run=False):
    return spreadsheet_import(
        site=site,
        kind="events",
        data=data,
        filename=filename,
        user=user,
        publish=publish,
        dry_run=dry_run,
    )


def site_events(site):
    return EventPage.objects.descendant_of(site.agenda).order_by("external_id")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_good_file_creates_the_events_with_every_column(org_a, editor_a, fmt):
    """Every column lands in its field: a weekly workshop with an excluded date and its
    end time alone, an online talk, a cancelled all-day festival."""
    report = events_import(
        org_a, file_bytes(ROWS, fmt), filename=f"events.{fmt}", user=editor_a, publish=True
    )
    assert report.ok, report.errors
    assert (report.new, report.updated) == (3, 0)
    workshop, talk, festival = site_events(org_a)
    assert (workshop.external_id, workshop.kind, workshop.live) == ("ATL-1", "workshop", True)
    assert (workshop.start_date, workshop.start_time) == (dt.date(2027, 3, 9), dt.time(19))
    assert (workshop.end_date, workshop.end_time) == (None, dt.time(21, 30))
    assert workshop.recurrence == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601"
    assert workshop.exceptions == "2027-04-13"
    assert (workshop.price, workshop.member_price, workshop.currency) == (
        Decimal("12.50"),
        Decimal("8"),
        "CAD",
    )
    assert (workshop.wheelchair_accessible, workshop.hearing_loop) == (True, True)
    assert not workshop.sign_language
    assert (workshop.audience, workshop.language) == ("adults", "fr")
    assert (workshop.street_address, workshop.locality) == ("3575, avenue du Parc", "Montréal")
    assert (talk.kind, talk.attendance, talk.online_url) == (
        "talk",
        "online",
        "https://example.org/causerie",
    )
    assert (festival.start_time, festival.end_date, festival.status) == (
        None,
        dt.date(2027, 6, 13),
        "cancelled",
    )


def test_a_venue_not_found_becomes_a_published_place_record(org_a, editor_a):
    """« Cinéma du Parc » has no record yet: the import makes one (kind other, the row's
    address), published, with its CRM twin; a second file finds it again by its name, whatever
    its case and accents."""
    report = events_import(org_a, csv_bytes(ROWS[:1]), user=editor_a, publish=True)
    assert report.ok, report.errors
    venue = OrganizationPage.objects.descendant_of(org_a.root_page).get(title="Cinéma du Parc")
    assert (venue.kind, venue.live, venue.locality, venue.postal_code) == (
        "other",
        True,
        "Montréal",
        "H2X 3P9",
    )
    assert Contact.objects.filter(translation_key=venue.translation_key, site=org_a).exists()
    assert site_events(org_a).get().venue_id == venue.pk

    again = dict(ROWS[0], external_id="ATL-9", venue="CINEMA DU PARC")
    assert events_import(org_a, csv_bytes([again]), user=editor_a).ok
    assert OrganizationPage.objects.filter(title__iexact="cinéma du parc").count() == 1
    assert site_events(org_a).get(external_id="ATL-9").venue_id == venue.pk


def test_an_existing_venue_is_used(org_a, editor_a):
    """A venue staff already have is linked, not copied."""
    venue = make_organization_page(org_a.organizations_index, title="Salle Bourgie")
    row = dict(ROWS[1], venue="salle bourgie", attendance="mixed")
    assert events_import(org_a, csv_bytes([row]), user=editor_a).ok
    assert site_events(org_a).get().venue_id == venue.pk
    assert OrganizationPage.objects.filter(title="Salle Bourgie").count() == 1


def test_a_bad_file_writes_nothing_and_says_why_in_french(org_a, editor_a):
    """One bad row among good ones: no event, no place record, and each error on its row and
    column, in French."""
    bad = [
        ROWS[0],
        dict(ROWS[1], external_id="X-2", start="31/02/2027 19:00"),
        dict(ROWS[1], external_id="X-3", recurrence="FREQ=SOMETIMES"),
        dict(ROWS[1], external_id="X-4", end="2027-05-03 10:00"),
        dict(ROWS[1], external_id="X-5", attendance="online", online_url=""),
        dict(ROWS[1], external_id="X-6", exceptions="2027-13-40", accessibility="rampe"),
        dict(ROWS[1], external_id="X-7", status="peut-être", price="douze"),
    ]
    with translation.override("fr"):
        report = events_import(org_a, csv_bytes(bad), user=editor_a, publish=True)
    assert not report.ok
    assert report.invalid == 6
    errors = {(e.row, e.field): e.message for e in report.errors}
    assert set(errors) >= {
        (3, "start"),
        (4, "recurrence"),
        (5, "end"),
        (6, "online_url"),
        (7, "exceptions"),
        (7, "accessibility"),
        (8, "status"),
        (8, "price"),
    }, errors
    assert "FREQ=DAILY" in errors[(4, "recurrence")] and "règle" in errors[(4, "recurrence")]
    assert "finir avant" in errors[(5, "end")] or "avant" in errors[(5, "end")]
    assert "n’est pas une date" in errors[(7, "exceptions")] or "date" in errors[(7, "exceptions")]
    assert not site_events(org_a).exists()
    assert not OrganizationPage.objects.filter(title="Cinéma du Parc").exists()
    assert not EventOccurrence.objects.exists()


def test_a_french_file_with_french_dates_and_labels(org_a, editor_a):
    """What a French spreadsheet holds: French headers, `;` separators, day-first dates with
    « 19 h 00 », labels in French, a decimal comma."""
    text = (
        "Identifiant;Titre;Type;Début;Fin;Récurrence;Dates exclues;Lieu;Ville;Statut;"
        "Prix;Public;Accessibilité\n"
        "P-1;Projection mensuelle;Projection;09/03/2027 19 h 00;09/03/2027 21h;"
        '"FREQ=MONTHLY;BYDAY=2TU;COUNT=4";13/04/2027;Cinéma Beaubien;Montréal;Complet;'
        '7,50;Familles;"Boucle magnétique; Langue des signes"\n'
    )
    with translation.override("fr"):
        report = events_import(org_a, text.encode("cp1252"), user=editor_a, publish=True)
    assert report.ok, report.errors
    event = site_events(org_a).get()
    assert (event.start_date, event.start_time) == (dt.date(2027, 3, 9), dt.time(19))
    assert (event.end_date, event.end_time) == (dt.date(2027, 3, 9), dt.time(21))
    assert (event.kind, event.status, event.audience) == ("screening", "full", "families")
    assert event.recurrence == "FREQ=MONTHLY;BYDAY=2TU;COUNT=4"
    assert event.exceptions == "2027-04-13"
    assert event.price == Decimal("7.50")
    assert (event.hearing_loop, event.sign_language, event.wheelchair_accessible) == (
        True,
        True,
        False,
    )


def test_published_import_creates_the_dates_across_the_clock_change(org_a, editor_a):
    """The agenda lists an imported event's dates at once: the weekly workshop at 19:00 local
    before and after Montreal changes clocks (2027-03-14), without the excluded date."""
    report = events_import(org_a, csv_bytes(ROWS[:2]), user=editor_a, publish=True)
    assert report.ok, report.errors
    workshop = site_events(org_a).get(external_id="ATL-1")
    occurrences = EventOccurrence.objects.filter(event=workshop)
    days = [o.local_date for o in occurrences]
    assert days[:3] == [dt.date(2027, 3, 9), dt.date(2027, 3, 16), dt.date(2027, 3, 23)]
    assert dt.date(2027, 4, 13) not in days
    assert days[-1] == dt.date(2027, 6, 1)
    utc_hours = {o.local_date: o.start.astimezone(dt.UTC).hour for o in occurrences[:2]}
    assert utc_hours == {dt.date(2027, 3, 9): 0, dt.date(2027, 3, 16): 23}, "19:00 local"
    assert EventPublication.objects.filter(page=workshop).exists()
    assert all(o.site_id == org_a.pk for o in occurrences)


def test_a_draft_import_has_no_dates_and_an_update_of_a_live_event_moves_them(org_a, editor_a):
    """Drafts are not in the agenda; re-importing a published event with a new date moves its
    dates (and tells calendars: the sequence grows)."""
    assert events_import(org_a, csv_bytes(ROWS[1:2]), user=editor_a).ok
    assert not EventOccurrence.objects.exists()
    event = make_event(org_a.agenda, "Déjà en ligne", external_id="LIVE-1")
    sequence = EventPublication.objects.get(page=event).sequence
    row = {"external_id": "LIVE-1", "title": "Déjà en ligne", "start": "2027-09-01 18:00"}
    report = events_import(org_a, csv_bytes([row]), user=editor_a)
    assert (report.ok, report.updated) == (True, 1), report.errors
    occurrence = EventOccurrence.objects.get(event=event)
    assert occurrence.local_date == dt.date(2027, 9, 1)
    assert EventPublication.objects.get(page=event).sequence == sequence + 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_round_trip_is_identical(org_a, editor_a, fmt):
    """Export, import the file unchanged, export again: the same file, and every row
    unchanged (nothing rewritten)."""
    assert events_import(org_a, csv_bytes(ROWS), user=editor_a, publish=True).ok
    with translation.override("fr"):
        first = export_bytes(kind="events", fmt=fmt, site=org_a, language="fr")
        report = events_import(org_a, first, filename=f"events.{fmt}", user=editor_a)
        assert report.ok, report.errors
        assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
        second = export_bytes(kind="events", fmt=fmt, site=org_a, language="fr")
    table = read_table(first, f"events.{fmt}")
    assert table.headers[:4] == ["identifiant externe", "titre", "type", "début"] or len(
        table.headers
    ) == len(HEADERS)
    assert len(table.dataset) == 3
    if fmt == "csv":
        assert first == second
    else:
        again = read_table(second, f"events.{fmt}")
        assert list(table.dataset) == list(again.dataset)


def test_canonical_export_gives_the_columns_back(org_a, editor_a):
    """The canonical export (commands, operators) has the issue's columns, and its cells are
    what the file said, written the canonical way."""
    assert events_import(org_a, csv_bytes(ROWS[:1]), user=editor_a, publish=True).ok
    table = read_table(export_bytes(kind="events", fmt="csv", site=org_a), "events.csv")
    assert table.headers == HEADERS
    row = dict(zip(HEADERS, table.dataset[0], strict=True))
    assert row["start"] == "2027-03-09 19:00" and row["end"] == "21:30"
    assert row["venue"] == "Cinéma du Parc" and row["exceptions"] == "2027-04-13"
    assert row["recurrence"] == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601"


def test_the_occurrences_export_has_one_row_per_date(org_a, editor_a):
    """Funders count dates: one row each, local times, the cancelled festival marked, the
    venue and its city."""
    assert events_import(org_a, csv_bytes(ROWS), user=editor_a, publish=True).ok
    with translation.override("en"):
        table = read_table(
            export_bytes(kind="event_occurrences", fmt="csv", site=org_a), "dates.csv"
        )
    assert table.headers == [
        "title",
        "external_id",
        "date",
        "start",
        "end",
        "status",
        "venue",
        "city",
        "kind",
        "audience",
        "price",
    ]
    rows = [dict(zip(table.headers, row, strict=True)) for row in table.dataset]
    workshop = [r for r in rows if r["external_id"] == "ATL-1"]
    assert len(workshop) == EventOccurrence.objects.filter(event__external_id="ATL-1").count()
    assert len(workshop) == 12  # 13 Tuesdays from 9 March to 1 June, one excluded
    assert workshop[0]["date"] == "2027-03-09" and workshop[0]["start"] == "19:00"
    assert workshop[1]["start"] == "19:00", "local time after the clock change"
    assert workshop[0]["end"] == "21:30" and workshop[0]["venue"] == "Cinéma du Parc"
    assert workshop[0]["city"] == "Montréal" and workshop[0]["kind"] == "Workshop or training"
    festival = [r for r in rows if r["external_id"] == "FEST-3"]
    assert [(r["status"], r["start"]) for r in festival] == [("Cancelled", "")]
    assert len(rows) == 14


def test_the_occurrences_kind_cannot_be_imported(org_a, editor_a):
    """The dates are a report: no import takes them, on screen or by command."""
    kind = get_kind("event_occurrences")
    assert not kind.user_can_import(editor_a, org_a)
    assert kind.user_can_export(editor_a, org_a)
    with pytest.raises(ValueError, match="exported, not imported"):
        spreadsheet_import(
            site=org_a, kind="event_occurrences", data=b"title\nx\n", filename="x.csv"
        )
    with pytest.raises(CommandError):
        call_command("import_records", "event_occurrences", "x.csv", "--organization", "x")


def test_the_command_imports_into_one_organization_only(org_a, org_b, tmp_path):
    """`import_records events FILE --organization HOST --publish`: the rows reach that
    organization; a key of another organization's event is not theirs to update."""
    make_event(org_b.agenda, "Leur atelier", external_id="ATL-1")
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes(ROWS))
    out = io.StringIO()
    call_command(
        "import_records",
        "events",
        str(path),
        "--organization",
        "boreal.test",
        "--publish",
        stdout=out,
    )
    assert "3" in out.getvalue()
    assert site_events(org_a).count() == 3 and all(e.live for e in site_events(org_a))
    assert site_events(org_b).get().title == "Leur atelier"


def test_a_key_given_twice_and_a_crm_only_user(org_a, crm_a, editor_a):
    """A file that names one event twice is refused on the second row; CRM staff without the
    editors' role may not import events."""
    report = events_import(org_a, csv_bytes([ROWS[1], ROWS[1]]), user=editor_a)
    assert not report.ok and {e.row for e in report.errors} == {3}
    assert not get_kind("events").user_can_import(crm_a, org_a)
    assert get_kind("events").user_can_import(editor_a, org_a)
