"""Screenings from box-office exports (``films.boxoffice``): the columns cinemas' software
writes, films found by visa, title and year, uncertain matches held for staff, unknown films as
drafts, re-imports that update, and files with bad rows that write nothing."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from films.boxoffice import (
    DRAFT,
    BoxOfficeError,
    boxoffice_import,
    column_mapping,
    recognise_headers,
)
from films.models import BoxOfficeLayout, FilmPage, Screening
from organizations.models import OrganizationSettings
from tests.factories import join_network, make_cinema, make_film, make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "boxoffice"
HEADERS = "Date séance;Heure;Titre;Visa;Version;Salle;Entrées;Recette TTC"


def csv_file(*lines, headers=HEADERS, encoding="cp1252") -> bytes:
    return "\r\n".join([headers, *lines]).encode(encoding)


def import_csv(site, data, **kwargs):
    with translation.override("fr"):
        return boxoffice_import(site=site, data=data, filename="seances.csv", **kwargs)


def test_french_and_english_headers_are_recognised():
    """Staff need not say which column is which for the usual exports, French or English."""
    french = recognise_headers(
        ["Date séance", "HEURE", "Titre", "N° visa", "VF/VO", "Écran", "Spectateurs", "CA TTC"]
    )
    assert french == {
        "date": "Date séance",
        "time": "HEURE",
        "title": "Titre",
        "visa": "N° visa",
        "version": "VF/VO",
        "room": "Écran",
        "admissions": "Spectateurs",
        "receipts": "CA TTC",
    }
    english = recognise_headers(["Start", "Film", "Screen", "Admissions", "Gross receipts", "X"])
    assert english == {
        "date": "Start",
        "title": "Film",
        "room": "Screen",
        "admissions": "Admissions",
        "receipts": "Gross receipts",
    }


def test_a_french_cp1252_export_creates_screenings_in_the_organizations_time(org_a):
    """Lines of a French export become screenings at the organization's local time, with the
    film found by its visa number, the version of the film, its end from the film's duration,
    admissions and receipts."""
    film = make_film(
        org_a.films,
        "Les Arbres de l'hiver",
        visa_number="158432",
        versions=("VF", "VF-AD"),
        duration=102,
    )
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;14h00;ARBRES DE L’HIVER (LES);158432;VF-AD;Salle 1;18;140,40",
            "04/01/2027;20:30;Les arbres de l'hiver;;vf;Salle 2;7;54,60",
        ),
    )
    assert report.ok and report.ready, report.errors
    assert (report.new, report.updated) == (2, 0)
    first, second = Screening.objects.filter(site=org_a).order_by("starts_at")
    zone = datetime.timezone(datetime.timedelta(hours=-5))  # Toronto in January
    assert first.starts_at == datetime.datetime(2027, 1, 4, 14, 0, tzinfo=zone)
    assert first.local_date == datetime.date(2027, 1, 4)
    assert first.ends_at == first.starts_at + datetime.timedelta(minutes=102)
    assert first.film == film and first.version.label == "VF-AD"
    assert (first.admissions, first.gross_receipts) == (18, Decimal("140.40"))
    assert first.currency == OrganizationSettings.for_site(org_a).currency
    assert second.version.label == "VF" and second.room == "Salle 2"
    assert first.cinema is None and first.cinema_key == 0


def test_an_xlsx_export_with_one_date_time_column(org_a):
    """Le Rex's software writes one « Début » date-time cell and the year after the title:
    both are understood, and columns nobody asked for are listed as ignored."""
    film = make_film(org_a.films, "Lumières du Nord", year=2025)
    make_film(org_a.films, "Lumières du Nord", year=1998)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Début", "Film", "Écran", "VF/VO", "Spectateurs", "CA TTC", "Opérateur"])
    sheet.append(
        [
            datetime.datetime(2027, 1, 5, 19, 0),
            "Lumières du Nord (2025)",
            "Écran 2",
            "VOSTFR",
            41,
            348.5,
            "Automate",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("fr"):
        report = boxoffice_import(site=org_a, data=buffer.getvalue(), filename="rex.xlsx")
    assert report.ready, (report.errors, report.held)
    screening = Screening.objects.get(site=org_a)
    assert screening.film == film
    assert screening.gross_receipts == Decimal("348.5")
    assert screening.version is None and screening.version_label == "VOSTFR"
    assert report.ignored_columns == ["Opérateur"]
    assert report.version_notes  # staff are told the version was kept as written


def test_the_fixture_exports_import_as_the_demo_uses_them(org_a):
    """The two exports of ``fixtures/boxoffice`` import whole (unknown films as drafts)."""
    cinema = make_cinema(org_a, "Cinéma Lumière")
    with translation.override("fr"):
        lumiere = boxoffice_import(
            site=org_a,
            data=(FIXTURES / "cinema-lumiere-seances.csv").read_bytes(),
            filename="cinema-lumiere-seances.csv",
            cinema=cinema,
        )
        rex = boxoffice_import(
            site=org_a,
            data=(FIXTURES / "le-rex-sessions.xlsx").read_bytes(),
            filename="le-rex-sessions.xlsx",
        )
    assert lumiere.ready and rex.ready, (lumiere.errors, rex.errors, rex.held)
    assert lumiere.new == 42 and 40 <= rex.new <= 80
    assert Screening.objects.filter(cinema=cinema).count() == 42
    assert set(FilmPage.objects.filter(live=False).values_list("title", flat=True)) >= {
        "Les Arbres de l'hiver",
        "Mémoires d'une rivière",
    }


def test_unknown_film_becomes_a_draft_found_again_next_time(org_a):
    """A film nobody described becomes a draft record (not public) with its visa; the next
    export finds that draft instead of making another."""
    data = csv_file("04/01/2027;18:00;Le Gardien du phare;157655;VF;1;30;234,00")
    report = import_csv(org_a, data)
    assert report.drafts == ["Le Gardien du phare"]
    draft = FilmPage.objects.get(title="Le Gardien du phare")
    assert not draft.live and draft.visa_number == "157655"
    assert draft.get_parent().pk == org_a.films.pk
    import_csv(org_a, csv_file("05/01/2027;18:00;Le Gardien du phare;;VF;1;12;93,60"))
    assert FilmPage.objects.filter(title="Le Gardien du phare").count() == 1
    assert Screening.objects.filter(film=draft).count() == 2


def test_matching_ignores_accents_and_case_and_uses_the_year(org_a):
    """« ETE INDIEN A RIMOUSKI » is « Été indien à Rimouski »; a year tells two films apart."""
    film = make_film(org_a.films, "Été indien à Rimouski", year=2026)
    make_film(org_a.films, "Été indien à Rimouski", year=1975)
    held = import_csv(org_a, csv_file("04/01/2027;18:00;ETE INDIEN A RIMOUSKI;;VF;1;3;0"))
    assert [h.title for h in held.held] == ["ETE INDIEN A RIMOUSKI"]  # two candidates
    assert not Screening.objects.exists()
    report = import_csv(org_a, csv_file("04/01/2027;18:00;ETE INDIEN A RIMOUSKI (2026);;VF;1;3;0"))
    assert report.ready
    assert Screening.objects.get().film == film


def test_uncertain_matches_are_held_until_staff_decide(org_a):
    """A close title or another year is never used alone: nothing is written, the candidates
    are listed; staff's decision (a film, or a draft) then imports the file."""
    film = make_film(org_a.films, "La Traversée des Monts", year=2026)
    data = csv_file(
        "04/01/2027;18:00;La Traversee des Mont;;VF;1;3;0",
        "04/01/2027;21:00;La Traversée des Monts (1987);;VF;1;3;0",
    )
    report = import_csv(org_a, data)
    assert not report.ready and len(report.held) == 2
    assert {h.reason for h in report.held} == {
        "Un titre proche, pas le même.",
        "Même titre, autre année.",
    }
    assert all(h.candidates[0][0] == film.pk for h in report.held)
    assert not Screening.objects.exists() and FilmPage.objects.filter(live=False).count() == 0
    close, other_year = sorted(report.held, key=lambda h: h.title)
    report = import_csv(org_a, data, decisions={close.key: str(film.pk), other_year.key: DRAFT})
    assert report.ready
    assert Screening.objects.filter(film=film).count() == 1
    assert FilmPage.objects.get(live=False).year == 1987


def test_accept_close_matches_takes_the_first_candidate(org_a):
    """The command's ``--accept-close-matches`` takes the closest film instead of holding."""
    film = make_film(org_a.films, "La Traversée des Monts", year=2026)
    report = import_csv(
        org_a,
        csv_file("04/01/2027;18:00;La Traversee des Mont;;VF;1;3;0"),
        accept_close_matches=True,
    )
    assert report.ready and Screening.objects.get().film == film


def test_the_networks_published_films_are_candidates_not_its_drafts(org_a, org_b):
    """A member cinema's export finds the published films of the network it chose (sharing
    its events or not), never the network's drafts, nor another organization's films."""
    settings = OrganizationSettings.for_site(org_b)
    settings.kind = "network"
    settings.save()
    join_network(org_a, org_b, share=False)
    network_film = make_film(org_b.films, "Lumières du Nord", visa_number="159874")
    make_film(org_b.films, "Brouillon du réseau", visa_number="111111", publish=False)
    other = make_organization("Autre salle", "autre.test")
    make_film(other.films, "Film d'ailleurs", visa_number="222222")
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;18:00;Lumières;159874;VF;1;3;0",
            "04/01/2027;20:00;Brouillon du réseau;111111;VF;1;3;0",
            "04/01/2027;22:00;Film d'ailleurs;222222;VF;1;3;0",
        ),
    )
    assert report.ready
    evening = datetime.datetime(2027, 1, 4, 23, 0, tzinfo=datetime.UTC)  # 18:00 in Toronto
    assert Screening.objects.get(starts_at=evening).film == network_film
    assert sorted(report.drafts) == ["Brouillon du réseau", "Film d'ailleurs"]


def test_reimport_updates_instead_of_duplicating(org_a):
    """Re-importing the same export changes nothing; a corrected export updates admissions,
    receipts and version in place: the count of screenings stays the same."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432", versions=("VF", "VF-AD"))
    cinema = make_cinema(org_a, "Cinéma Lumière")
    lines = [
        "04/01/2027;14h00;Les Arbres de l'hiver;158432;VF;Salle 1;18;140,40",
        "04/01/2027;20h00;Les Arbres de l'hiver;158432;VF;Salle 1;25;195,00",
    ]
    import_csv(org_a, csv_file(*lines), cinema=cinema)
    again = import_csv(org_a, csv_file(*lines), cinema=cinema)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    lines[1] = "04/01/2027;20h00;Les Arbres de l'hiver;158432;VF-AD;Salle 1;31;241,80"
    corrected = import_csv(org_a, csv_file(*lines), cinema=cinema)
    assert (corrected.new, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert Screening.objects.count() == 2
    evening = Screening.objects.get(
        cinema=cinema, starts_at=datetime.datetime(2027, 1, 5, 1, 0, tzinfo=datetime.UTC)
    )  # 20:00 in Toronto
    assert (evening.admissions, evening.gross_receipts) == (31, Decimal("241.80"))
    assert evening.version.label == "VF-AD"
    # The same sessions for the organization itself are other screenings (another cinema).
    import_csv(org_a, csv_file(*lines))
    assert Screening.objects.count() == 4


def test_bad_rows_write_nothing_and_are_listed_with_their_lines_in_french(org_a):
    """One bad row and the whole file is refused: every error is named with its line, in
    French; no screening and no draft film is written."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;14h00;Les Arbres de l'hiver;158432;VF;1;18;140,40",
            "31/02/2027;14h00;Les Arbres de l'hiver;158432;VF;1;18;140,40",
            "05/01/2027;25h00;Inconnu au bataillon;;VF;1;beaucoup;140,40",
            "04/01/2027;14h00;Les Arbres de l'hiver;158432;VF;1;18;140,40",
        ),
    )
    assert not report.ok
    lines = {error.line for error in report.errors}
    assert lines == {3, 4, 5}
    messages = " ".join(error.message for error in report.errors)
    assert "n’est pas une vraie date" in messages
    assert "« 25h00 » n’est pas une heure" in messages or "25h00" in messages
    assert "Entrées\u00a0: «\u00a0beaucoup\u00a0» n’est pas un nombre" in messages
    assert "La ligne 2 a déjà une séance dans cette salle à cette heure." in messages
    assert not Screening.objects.exists()
    assert not FilmPage.objects.filter(live=False).exists()


def test_a_time_lost_to_the_clock_change_is_a_row_error(org_a):
    """On the night clocks go forward (Toronto, 14 March 2027), 02:30 does not exist: the row
    is refused with a message saying so, not a crash; 01:30 on the night they go back (7
    November) exists twice and is refused too."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    report = import_csv(
        org_a,
        csv_file(
            "14/03/2027;02h30;Les Arbres de l'hiver;158432;VF;1;1;1",
            "07/11/2027;01h30;Les Arbres de l'hiver;158432;VF;1;1;1",
        ),
    )
    assert [error.line for error in report.errors] == [2, 3]
    assert "n’existe pas" in report.errors[0].message
    assert "deux fois" in report.errors[1].message
    assert not Screening.objects.exists()


def test_mapping_asked_then_remembered_for_the_cinema(org_a):
    """A file whose columns are not recognised is refused with its headers listed, quoted as
    staff's language quotes (« » in French, “ ” in English); once staff
    say which is which, the cinema's layout is remembered and its next export needs nothing."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    cinema = make_cinema(org_a, "Le Rex")
    headers = "Jour de projection;Créneau;Oeuvre;Nb;Caisse"
    data = csv_file("04/01/2027;19:00;Les Arbres de l'hiver;12;C1", headers=headers)
    with pytest.raises(BoxOfficeError) as error:
        import_csv(org_a, data, cinema=cinema)
    assert (
        "«\u00a0Jour de projection\u00a0», «\u00a0Créneau\u00a0», «\u00a0Oeuvre\u00a0», "
        "«\u00a0Nb\u00a0», «\u00a0Caisse\u00a0»"
    ) in str(error.value)
    with translation.override("en"), pytest.raises(BoxOfficeError) as english:
        boxoffice_import(site=org_a, data=data, filename="seances.csv", cinema=cinema)
    assert "Its columns are: “Jour de projection”, “Créneau”, “Oeuvre”" in str(english.value)
    chosen = {
        "date": "Jour de projection",
        "time": "Créneau",
        "title": "Oeuvre",
        "admissions": "Nb",
    }
    report = import_csv(org_a, data, cinema=cinema, columns=chosen)
    assert report.ready and Screening.objects.get().admissions == 12
    assert BoxOfficeLayout.objects.get(site=org_a, cinema=cinema).mapping == chosen
    assert column_mapping(headers.split(";"), site=org_a, cinema=cinema) == chosen
    again = import_csv(
        org_a,
        csv_file("05/01/2027;19:00;Les Arbres de l'hiver;9;C1", headers=headers),
        cinema=cinema,
    )
    assert again.ready and again.new == 1
    # Another cinema of the organization has its own layout (none yet).
    with pytest.raises(BoxOfficeError):
        import_csv(org_a, data, cinema=make_cinema(org_a, "Cinéma Lumière"))


def test_a_version_is_found_by_what_its_code_says(org_a):
    """« VOSTF » is the film's « VOSTFR » (same language and subtitles); a code the film does
    not have is kept as written, and said so, not refused."""
    make_film(org_a.films, "Lumières du Nord", visa_number="159874", versions=("VOSTFR", "VF"))
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;18:00;;159874;VOSTF;1;3;0",
            "04/01/2027;20:00;;159874;VF-AD;1;3;0",
            "04/01/2027;22:00;;159874;3D HFR;1;3;0",
        ),
    )
    assert report.ready
    labels = [
        (s.version.label if s.version else None, s.version_label)
        for s in Screening.objects.order_by("starts_at")
    ]
    assert labels == [("VOSTFR", "VOSTF"), (None, "VF-AD"), (None, "3D HFR")]
    assert dict(report.version_notes) == {
        "VF-AD": "le film n’a pas cette version\u00a0: gardée telle quelle",
        "3D HFR": "code de version inconnu\u00a0: gardé tel quel, ce n’est pas une erreur",
    }


def test_an_export_of_the_screenings_imports_back_unchanged(org_a):
    """What staff export (``export_records screenings``) is laid out like a box-office export:
    imported back, every screening is found again and nothing changes."""
    from spreadsheets.exports import export_file

    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432", versions=("VF", "VF-AD"))
    import_csv(
        org_a,
        csv_file(
            "04/01/2027;14h00;Les Arbres de l'hiver;158432;VF-AD;Salle 1;18;140,40",
            "05/01/2027;20h00;Les Arbres de l'hiver;158432;VF;Salle 2;25;195,00",
        ),
    )
    output = io.BytesIO()
    export_file(kind="screenings", fmt="csv", site=org_a, output=output)
    with translation.override("fr"):
        again = boxoffice_import(site=org_a, data=output.getvalue(), filename="export.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2), again.errors


def test_a_corrected_export_can_move_a_screening_to_a_new_draft_film(org_a):
    """The cashier meant the 1987 film, not the database's 2026 one: re-imported with the year,
    the session (same room and time) is updated to a new draft film, not duplicated."""
    film = make_film(org_a.films, "La Traversée des Monts", year=2026)
    import_csv(org_a, csv_file("04/01/2027;18:00;La Traversée des Monts;;VF;1;3;0"))
    assert Screening.objects.get().film == film
    corrected = csv_file("04/01/2027;18:00;La Traversée des Monts (1987);;VF;1;3;0")
    held = import_csv(org_a, corrected).held
    report = import_csv(org_a, corrected, decisions={held[0].key: DRAFT})
    assert (report.new, report.updated) == (0, 1)
    screening = Screening.objects.get()
    assert screening.film.year == 1987 and not screening.film.live
    assert screening.ends_at is None  # the draft has no duration yet


def test_an_import_forgets_the_cached_public_pages_a_dry_run_does_not(
    org_a, django_capture_on_commit_callbacks
):
    """Visitors see the new programme at once: once written, the organization's cached pages
    are forgotten; a preview (dry run) keeps them."""
    from public_cache.generations import site_generation

    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    data = csv_file("04/01/2027;14h00;Les Arbres de l'hiver;158432;VF;Salle 1;18;140,40")
    before = site_generation(org_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        import_csv(org_a, data, dry_run=True)
    assert site_generation(org_a.pk) == before
    with django_capture_on_commit_callbacks(execute=True):
        import_csv(org_a, data)
    assert site_generation(org_a.pk) != before


def test_queries_do_not_grow_with_the_rows_of_the_export(org_a):
    """An export of 50 sessions costs the same queries as one of 6, first import and re-import
    alike: existing screenings and candidate films are loaded once, rows written in batches (of
    fewer than 1,000 rows: SQLite's limit of 999 parameters per statement cuts them at 58)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        make_film(org_a.films, f"Film {n}", visa_number=f"17000{n}", versions=("VF", "VOSTFR"))

    def export(sessions, day):
        return csv_file(
            *(
                f"{day:02d}/01/2027;{10 + n % 12}h00;Film {n % 3};17000{n % 3};"
                f"{('VF', 'VOSTFR')[n % 2]};Salle {n // 12};{n};{n},50"
                for n in range(sessions)
            )
        )

    counts = []
    for sessions, day in ((6, 4), (50, 5)):
        data = export(sessions, day)
        with CaptureQueriesContext(connection) as first:
            assert import_csv(org_a, data).new == sessions
        with CaptureQueriesContext(connection) as again:
            assert import_csv(org_a, data).unchanged == sessions
        counts.append((len(first), len(again)))
    assert counts[0] == counts[1], counts


def test_numbers_too_large_or_negative_are_row_errors_and_nothing_is_written(org_a):
    """A cashier's slip (admissions beyond what the database holds, 10²³, receipts of ten
    billion, a negative figure) is refused on its line, in French, instead of a crash or an
    amount that could never be read back; nothing of the file is written."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    film = "Les Arbres de l'hiver;158432;VF"
    report = import_csv(
        org_a,
        csv_file(
            f"04/01/2027;14h00;{film};1;2147483647;9999999999,99",
            f"04/01/2027;15h00;{film};1;2147483648;1",
            f"04/01/2027;16h00;{film};1;100000000000000000000000;1",
            f"04/01/2027;17h00;{film};1;1;10000000000",
            f"04/01/2027;18h00;{film};1;1;9999999999,999",
            f"04/01/2027;19h00;{film};1;-3;1",
            f"04/01/2027;20h00;{film};1;3;-1,50",
        ),
    )
    by_line = {error.line: error.message for error in report.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8]
    assert "Entrées\u00a0: «\u00a02147483648\u00a0» est trop" in by_line[3]
    assert "2\u00a0147\u00a0483\u00a0647" in by_line[3]
    assert "100000000000000000000000" in by_line[4]
    assert "Recette brute\u00a0: «\u00a010000000000\u00a0» est un montant trop" in by_line[5]
    assert "9999999999,999" in by_line[6]  # ten billion once rounded to the cent
    assert "n’est pas un nombre d’entrées" in by_line[7]
    assert "ne peut pas être négative" in by_line[8]
    assert not Screening.objects.exists()


def test_the_largest_figures_are_written_and_read_back(org_a):
    """The largest admissions and receipts a session may hold are imported and read back as
    written (receipts to the cent); a re-import finds them unchanged."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432")
    data = csv_file(
        "04/01/2027;14h00;Les Arbres de l'hiver;158432;VF;1;2147483647;9999999999,99",
        "04/01/2027;16h00;Les Arbres de l'hiver;158432;VF;1;1;12,345",
    )
    assert import_csv(org_a, data).ready
    big, small = Screening.objects.order_by("starts_at")
    assert (big.admissions, big.gross_receipts) == (2147483647, Decimal("9999999999.99"))
    assert small.gross_receipts == Decimal("12.35")
    assert import_csv(org_a, data).unchanged == 2


def test_a_films_year_out_of_range_is_a_row_error_not_a_crash(org_a):
    """« Titre (1850) » or a Year column of -5 or 99999 names a year no film can have: the
    rows are refused on their lines, in French; no draft film and no screening is written."""
    headers = "Date séance;Heure;Titre;Année;Salle;Entrées"
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;14h00;Le Film muet (1850);;1;3",
            "04/01/2027;15h00;Le Film futur;-5;1;3",
            "04/01/2027;16h00;Le Film lointain;99999;1;3",
            "04/01/2027;17h00;Le Film d'hier;1995;1;3",
            headers=headers,
        ),
    )
    by_line = {error.line: error.message for error in report.errors}
    assert sorted(by_line) == [2, 3, 4]
    assert by_line[2] == "1850 n’est pas une année de film (de 1888 à 2100)."
    assert "-5 n’est pas une année de film" in by_line[3]
    assert "99999 n’est pas une année de film" in by_line[4]
    assert not Screening.objects.exists() and not FilmPage.objects.filter(live=False).exists()


def test_a_draft_film_that_cannot_be_made_is_an_error_on_its_lines(org_a):
    """A film the rows name that cannot become a page (« *** »: no web address can be made of
    it) is refused on its lines, with the reason, in French, and nothing is written, instead of
    an error page."""
    report = import_csv(
        org_a,
        csv_file(
            "04/01/2027;14h00;Les Arbres de l'hiver;;VF;1;3;0",
            "04/01/2027;16h00;***;;VF;1;3;0",
            "04/01/2027;18h00;***;;VF;2;3;0",
        ),
    )
    assert [error.line for error in report.errors] == [3, 4]
    message = report.errors[0].message
    assert message.startswith("«\u00a0***\u00a0» ne peut pas devenir une nouvelle fiche de film")
    assert not Screening.objects.exists() and not FilmPage.objects.filter(live=False).exists()


def test_session_dates_outside_2000_to_2100_are_row_errors(org_a):
    """« 31/12/9999 23:30 » (its end would overflow the calendar) and « 01/01/0001 » are typos,
    refused on their lines in French; a session of 2100 is still imported."""
    make_film(org_a.films, "Les Arbres de l'hiver", visa_number="158432", duration=102)
    headers = "Début;Titre;Visa;Salle;Entrées"
    report = import_csv(
        org_a,
        csv_file(
            "31/12/9999 23:30;Les Arbres de l'hiver;158432;1;3",
            "01/01/0001 20:00;Les Arbres de l'hiver;158432;1;3",
            "31/12/1999 20:00;Les Arbres de l'hiver;158432;1;3",
            headers=headers,
        ),
    )
    by_line = {error.line: error.message for error in report.errors}
    assert sorted(by_line) == [2, 3, 4]
    assert "31/12/9999 n’est pas une date de séance (années 2000 à 2100)" in by_line[2]
    assert "01/01/0001 n’est pas une date de séance" in by_line[3]
    assert not Screening.objects.exists()
    late = import_csv(
        org_a, csv_file("31/12/2100 23:30;Les Arbres de l'hiver;158432;1;3", headers=headers)
    )
    assert late.ready and Screening.objects.get().ends_at.year == 2101


def test_a_title_whose_film_carries_another_visa_or_identifier_is_held(org_a):
    """The export gives a visa number no film carries, and its title is that of a film with
    another visa (a remake, a homonym): the screenings are not given to that film but held for
    staff, with the reason in French; made a draft, the new film keeps the export's visa. The
    same with a film identifier. A film without a visa is still found by its title alone."""
    original = make_film(org_a.films, "Le Dernier Métro", year=1980, visa_number="52 000")
    make_film(org_a.films, "Le Fil", year=2024, external_id="DIST-17")
    no_visa = make_film(org_a.films, "Lumières du Nord")
    headers = "Date séance;Heure;Titre;Visa;Identifiant;Salle;Entrées"
    data = csv_file(
        "04/01/2027;14h00;Le Dernier Métro;161 234;;1;3",
        "04/01/2027;16h00;Le Fil;;DIST-99;1;3",
        "04/01/2027;18h00;Lumières du Nord;159874;;1;3",
        headers=headers,
    )
    report = import_csv(org_a, data)
    assert not report.ready and not Screening.objects.exists()
    held = {h.title: h for h in report.held}
    assert sorted(held) == ["Le Dernier Métro", "Le Fil"]
    assert held["Le Dernier Métro"].reason == "Un numéro de visa différent."
    assert held["Le Dernier Métro"].candidates[0][0] == original.pk
    assert held["Le Fil"].reason == "Un identifiant de film différent."
    decisions = {h.key: DRAFT for h in report.held}
    assert import_csv(org_a, data, decisions=decisions).ready
    remake = FilmPage.objects.get(title="Le Dernier Métro", live=False)
    assert remake.visa_number == "161 234"
    assert not Screening.objects.filter(film=original).exists()
    assert Screening.objects.filter(film=remake).count() == 1
    assert Screening.objects.filter(film=no_visa).count() == 1
    # The next export finds the new film by its visa, the original by its own.
    again = import_csv(
        org_a,
        csv_file(
            "05/01/2027;14h00;Le Dernier Métro;161234;;1;3",
            "05/01/2027;16h00;Le Dernier Métro;52000;;1;3",
            headers=headers,
        ),
    )
    assert again.ready and again.new == 2
    assert Screening.objects.filter(film=original).count() == 1
