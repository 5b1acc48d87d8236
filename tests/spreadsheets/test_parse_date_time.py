"""``parse_date_time``: one cell holding a session's date and time, as ticketing software writes
it (« 04/01/2027 19h30 », « 2027-01-04T19:30 », a date-time cell), read into its two parts."""

import datetime as dt

import pytest

from spreadsheets.files import CellValueError, parse_date_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04/01/2027 19h30", (dt.date(2027, 1, 4), dt.time(19, 30))),
        ("04/01/2027 à 19:30", (dt.date(2027, 1, 4), dt.time(19, 30))),
        ("2027-01-04T19:30", (dt.date(2027, 1, 4), dt.time(19, 30))),
        ("2027-01-04 19:30:00", (dt.date(2027, 1, 4), dt.time(19, 30))),
        ("04/01/2027", (dt.date(2027, 1, 4), None)),
        (dt.datetime(2027, 1, 4, 19, 30), (dt.date(2027, 1, 4), dt.time(19, 30))),
        (dt.date(2027, 1, 4), (dt.date(2027, 1, 4), None)),
        ("", (None, None)),
    ],
)
def test_a_date_and_a_time_in_one_cell(value, expected):
    """Each way of writing a session's start gives its day and its time."""
    assert parse_date_time(value) == expected


def test_a_wrong_date_or_time_is_a_cell_error():
    """Nonsense is refused with the cell's own message, never guessed."""
    with pytest.raises(CellValueError):
        parse_date_time("31/02/2027 19:30")
    with pytest.raises(CellValueError):
        parse_date_time("04/01/2027 25h00")
