"""Reading a file is bounded in time and memory before any limit is checked on what was read.

What a user would lose: one small hostile file (a kilobyte of ODS claiming twenty million
columns, a zip bomb, a CSV line of millions of cells) must not take the server down for
everyone else; staff get a clear refusal instead, naming the limit, and the reader stops at the
first row past it. Memory is measured with ``tracemalloc`` (its peak while reading, the file's
own bytes made beforehand); nothing here is timed. A normal file's formatting — thousands of
empty cells per row and a million empty rows, as LibreOffice saves them — costs nothing.
"""

import tracemalloc
from functools import cache

import pytest
from django.utils import translation
from openpyxl import Workbook

from spreadsheets.files import SpreadsheetError, read_table
from tests.spreadsheets import hostile

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source; the site's default language is French."""
    with translation.override("en"):
        yield


def read_measured(data: bytes, filename: str, **limits):
    """``read_table``'s result or error, and the peak of memory allocated while reading."""
    limits.setdefault("max_bytes", 20 * MIB)
    tracemalloc.start()
    try:
        try:
            outcome = read_table(data, filename, **limits)
        except SpreadsheetError as error:
            outcome = error
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak


@cache
def xlsx_of_500_000_people() -> bytes:
    return hostile.xlsx_people(500_000)


# --- ODS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("empty_first", [False, True], ids=["value repeated", "empty cells"])
def test_a_kilobyte_of_ods_claiming_twenty_million_columns_is_refused_at_once(empty_first):
    data = hostile.ods_claiming_columns(20_000_000, empty_first=empty_first)

    error, peak = read_measured(data, "membres.ods", max_columns=1000)

    assert len(data) < 1024
    assert error.code == "too_many_columns"
    assert str(error) == (
        "Row 2 of the file has more than 1000 columns. Delete the columns you do not import, "
        "then try again."
    )
    assert peak < 1 * MIB  # twenty million cells would take 160 MiB of pointers alone


def test_libreoffice_formatting_of_empty_cells_and_a_million_empty_rows_costs_nothing():
    data = hostile.ods_with_libreoffice_formatting(people=3)

    table, peak = read_measured(data, "membres.ods", max_columns=1000, max_rows=10)

    assert table.headers == ["email", "last_name"]
    assert list(table.dataset) == [
        ("p1@example.org", "Nom1"),
        ("p2@example.org", "Nom2"),
        ("p3@example.org", "Nom3"),
    ]
    assert peak < 1 * MIB


def test_a_row_repeated_ten_million_times_stops_at_the_row_limit():
    error, peak = read_measured(
        hostile.ods_repeating_a_row(10_000_000), "membres.ods", max_rows=1000
    )

    assert error.code == "too_many_rows"
    assert str(error) == "The file has more than 1000 rows. Split it into smaller files."
    assert peak < 2 * MIB


def test_a_cell_of_a_billion_spaces_is_refused_before_the_spaces_are_made():
    error, peak = read_measured(hostile.ods_with_a_billion_spaces(), "membres.ods")

    assert error.code == "cell_too_long"
    assert str(error) == (
        "A cell of row 2 holds more than 131072 characters. Shorten it and try again."
    )
    assert peak < 1 * MIB


@pytest.mark.parametrize("fmt", ["ods", "xlsx"])
def test_xml_declaring_entities_is_refused_as_damaged(fmt):
    """The "billion laughs": ten nested entities that would expand to gigabytes of text."""
    data = hostile.ods_with_entities() if fmt == "ods" else hostile.xlsx_with_entities()

    error, peak = read_measured(data, f"membres.{fmt}")

    assert error.code == "corrupt"
    assert peak < 1 * MIB


# --- XLSX ---------------------------------------------------------------------------------------


def test_an_xlsx_of_500_000_rows_is_refused_at_the_row_limit_without_reading_them_all():
    data = xlsx_of_500_000_people()

    error, peak = read_measured(data, "membres.xlsx", max_rows=1000)

    assert len(data) < 4 * MIB
    assert error.code == "too_many_rows"
    # The rows kept up to the limit and one chunk of XML: reading them all would keep 500,000.
    assert peak < 2 * MIB


def test_an_xlsx_value_past_the_column_limit_is_refused_and_one_within_it_kept():
    refused, _peak = read_measured(
        hostile.xlsx_with_a_value_in_column("ALM"), "membres.xlsx", max_columns=1000
    )
    kept, _peak = read_measured(
        hostile.xlsx_with_a_value_in_column("ALL"), "membres.xlsx", max_columns=1000
    )

    assert refused.code == "too_many_columns"
    assert kept.headers == ["email", "last_name", "Column ALL"]  # column 1,000
    assert list(kept.dataset) == [("p@example.org", "Roy", "x")]


def test_formatted_empty_cells_in_the_last_column_of_the_sheet_cost_nothing():
    table, peak = read_measured(
        hostile.xlsx_with_formatted_empty_cells(), "membres.xlsx", max_columns=1000
    )

    assert table.headers == ["email", "last_name"]
    assert list(table.dataset) == [("p@example.org", "Roy")]
    assert peak < 1 * MIB


def test_shared_strings_count_as_cells():
    """A workbook's shared strings are read before its sheet: more of them than cells allowed
    is refused too."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email"])
    for n in range(200):
        sheet.append([f"p{n}@example.org"])
    data = hostile.workbook_bytes(workbook)

    error, _peak = read_measured(data, "membres.xlsx", max_cells=100)

    assert error.code == "too_many_cells"
    assert str(error) == (
        "The file holds more than 100 cells. Delete the columns you do not import, or split it "
        "into smaller files."
    )


# --- Zip bombs ----------------------------------------------------------------------------------


def test_an_archive_claiming_to_unpack_to_gigabytes_is_refused_before_unpacking():
    data = hostile.ods_claiming_gigabytes()

    error, peak = read_measured(data, "membres.ods")

    assert len(data) < 1024
    assert error.code == "too_large"
    assert str(error) == (
        "The file is too large once unpacked (2.8\xa0GB). Split it into smaller files."
    )
    assert peak < 1 * MIB


def test_a_zip_bomb_claiming_a_kilobyte_is_never_unpacked_past_what_it_claims():
    """50 MB of XML packed into 50 KB, claiming to be 1 KB: ``zipfile`` stops at the claimed
    size, the checksum fails, and the file is refused as damaged."""
    data = hostile.ods_bomb_claiming_little(50_000_000)

    error, peak = read_measured(data, "membres.ods")

    assert len(data) < 100_000
    assert error.code == "corrupt"
    assert peak < 1 * MIB


# --- CSV ----------------------------------------------------------------------------------------


def test_a_csv_line_of_three_million_cells_is_refused_before_it_is_split():
    data = hostile.csv_one_line_of_columns(3_000_000)

    error, peak = read_measured(data, "membres.csv", max_columns=1000)

    assert error.code == "too_many_columns"
    assert str(error).startswith("Row 2 of the file has more than 1000 columns.")
    # The text once decoded, and a copy or two of its one line: three million cells would
    # take 150 MiB more.
    assert peak < 4 * len(data)


def test_a_csv_cell_of_a_million_characters_is_refused():
    error, _peak = read_measured(hostile.csv_one_giant_cell(1_000_000), "membres.csv")

    assert error.code == "cell_too_long"
    assert str(error) == (
        "A cell of row 2 holds more than 131072 characters. Shorten it and try again."
    )


def test_quoted_separators_do_not_count_as_columns():
    """A biography full of commas, over several lines, is one cell: only real columns count,
    counted as the CSV reader counts them."""
    bio = '"' + ", ".join(["Montréal"] * 3000) + '\n""Cinéma direct"", ' + "a," * 3000 + '"'
    wide = ",".join(f"c{n}" for n in range(997))
    data = f"email,bio,{wide}\r\np@example.org,{bio},{wide}\r\n".encode()

    table, _peak = read_measured(data, "membres.csv", max_columns=1000)
    too_wide, _peak = read_measured(
        data.replace(b"c0,", b"c0,x,y,"), "membres.csv", max_columns=1000
    )

    assert len(table.headers) == 999
    assert (
        table.dataset[0][1].startswith("Montréal, Montréal")
        and '"Cinéma direct"' in table.dataset[0][1]
    )
    assert too_wide.code == "too_many_columns"


@pytest.mark.parametrize("empty", [b",", b',""'], ids=["bare", "quoted"])
def test_the_limits_are_counted_up_to_each_rows_last_value(empty):
    """A CSV written with thousands of empty cells ending every row (Excel's formatted columns,
    or a program quoting every cell) is not wider than its values."""
    data = b"email,last_name" + empty * 5000 + b"\r\np@example.org,Roy" + empty * 5000 + b"\r\n"

    table, _peak = read_measured(data, "membres.csv", max_columns=1000, max_cells=4)

    assert table.headers == ["email", "last_name"]
    assert list(table.dataset) == [("p@example.org", "Roy")]


def test_a_value_after_thousands_of_empty_cells_is_past_the_column_limit():
    data = b"email,last_name\r\np@example.org,Roy" + b',""' * 2000 + b',"x"\r\n'

    error, _peak = read_measured(data, "membres.csv", max_columns=1000)

    assert error.code == "too_many_columns"
