"""Hostile spreadsheets given to ``import_records`` and to the admin's upload get a clear refusal.

What a user would see or lose: staff (or an operator) who upload a small file built to exhaust
the server — a kilobyte of ODS claiming twenty million columns, an XLSX of 500,000 rows, a zip
bomb, a CSV line of a million cells — read why it is refused, in their language, on the upload
page (never a server error); nothing is imported and no import job is left behind. How little
the reading costs is measured in ``tests/spreadsheets/test_bounded_reading.py``.
"""

import html
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from crm_blocks.models import Contact, PersonPage
from spreadsheets.models import ImportJob
from tests.spreadsheets import hostile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TOO_MANY_COLUMNS = (
    "Row %(row)s of the file has more than %(limit)s columns. Delete the columns you do not "
    "import, then try again."
)
TOO_MANY_ROWS = "The file has more than %(limit)s rows. Split it into smaller files."
TOO_LARGE_UNPACKED = "The file is too large once unpacked (%(size)s). Split it into smaller files."
DAMAGED = (
    "This %(format)s file could not be opened; it may be damaged. Open it in your spreadsheet "
    "software, save it again and retry."
)


@cache
def xlsx_of_500_000_people() -> bytes:
    return hostile.xlsx_people(500_000)


#: name → (file name, its bytes, the message staff read, its parameters: callables are called
#: in the language of the message)
HOSTILE = {
    "ods-claiming-20-million-columns": (
        "membres.ods",
        hostile.ods_claiming_columns,
        TOO_MANY_COLUMNS,
        {"row": 2, "limit": 1000},
    ),
    "xlsx-of-500000-rows": ("membres.xlsx", xlsx_of_500_000_people, TOO_MANY_ROWS, {"limit": 1000}),
    "zip-bomb-claiming-gigabytes": (
        "membres.ods",
        hostile.ods_claiming_gigabytes,
        TOO_LARGE_UNPACKED,
        {"size": lambda: filesizeformat(3_000_000_000)},  # in the language shown
    ),
    "zip-bomb-claiming-a-kilobyte": (
        "membres.ods",
        hostile.ods_bomb_claiming_little,
        DAMAGED,
        {"format": "ODS"},
    ),
    "csv-line-of-a-million-cells": (
        "membres.csv",
        lambda: hostile.csv_one_line_of_columns(1_000_000),
        TOO_MANY_COLUMNS,
        {"row": 2, "limit": 1000},
    ),
}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SPREADSHEET_IMPORT_MAX_ROWS = 1000
    settings.SPREADSHEET_IMPORT_MAX_COLUMNS = 1000


def shown(message: str, params: dict) -> str:
    """``message`` as staff read it, in the active language."""
    return gettext(message) % {
        key: value() if callable(value) else value for key, value in params.items()
    }


def nothing_imported() -> bool:
    return not (
        Contact.objects.exists() or PersonPage.objects.exists() or ImportJob.objects.exists()
    )


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_command_refuses_with_the_reason_and_imports_nothing(org_a, tmp_path, name):
    filename, build, message, params = HOSTILE[name]
    path = tmp_path / filename
    path.write_bytes(build())

    with translation.override("en"):
        with pytest.raises(CommandError) as caught:
            call_command("import_records", "people", str(path), "--organization", org_a.hostname)
        expected = shown(message, params)

    assert str(caught.value) == expected
    assert nothing_imported()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_upload_page_says_why_in_french_and_imports_nothing(client, crm_a, name):
    filename, build, message, params = HOSTILE[name]
    client.force_login(crm_a)

    response = client.post(
        reverse("crm_contact:import"),
        {"kind": "people", "file": SimpleUploadedFile(filename, build())},
    )

    assert response.status_code == 200
    with translation.override("fr"):
        expected = shown(message, params)
        assert gettext(message) != message  # the French catalogue has it
    assert expected in html.unescape(response.content.decode())
    assert nothing_imported()
