"""A cinema's staff import their box-office export (French, ``;``, Windows-1252) through the
French admin, in a real browser: upload, preview with the uncertain film settled, confirmation,
then the screenings in the listing, filtered by film, and on the film's public page.

The export's sessions are moved to the coming weeks (``films.demo.shifted_export``), so that
the public page, which lists coming screenings only, shows them whenever the test runs.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from films.demo import EXPORTS_FIRST_DAY, shifted_export
from films.models import Screening
from tests.factories import make_cinema, make_film

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXPORT = "fixtures/boxoffice/cinema-lumiere-seances.csv"


def french(message):
    with translation.override("fr"):
        return str(gettext(message))


def test_staff_import_a_french_box_office_export_and_see_the_screenings(
    page, login, org, crm_user, screenshot, tmp_path
):
    """Marie, at Cinéma Lumière, uploads the week's export: the film the cashier typed
    « Le Gardien du phare » is proposed as the database's « Le Gardien du phar » (a close
    title), she confirms it, imports, and finds its screenings in the listing."""
    cinema = make_cinema(org, "Cinéma Lumière")
    for title, visa in (
        ("Les Arbres de l'hiver", "158432"),
        ("La Traversée des Monts", "160017"),
        ("Lumières du Nord", "159874"),
        ("Été indien à Rimouski", "161203"),
    ):
        make_film(org.films, title, visa_number=visa)
    lighthouse = make_film(org.films, "Le Gardien du phar", year=2025)  # a close title

    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    export = tmp_path / Path(EXPORT).name
    export.write_bytes(
        shifted_export(Path(EXPORT).read_bytes(), export.name, monday - EXPORTS_FIRST_DAY)
    )

    login(page, crm_user, next_url=reverse("films_screenings:index"))
    with page.expect_navigation():
        page.get_by_role("link", name=french("Import a box-office export")).first.click()
    page.select_option("#id_cinema", label="Cinéma Lumière")
    page.set_input_files("#id_file", str(export))
    with page.expect_navigation():
        page.get_by_role("button", name=french("Read the file")).click()

    expect(page.get_by_role("heading", name=french("Films to confirm"))).to_be_visible()
    held = page.locator("[data-boxoffice-held]")
    expect(held).to_contain_text("Le Gardien du phare")
    expect(held).to_contain_text("Un titre proche, pas le même.")
    expect(page.locator("[data-boxoffice-summary]")).to_contain_text(
        re.compile(r"Nouvelles séances\s*:\s*42\s*;")
    )
    assert not Screening.objects.exists()  # nothing before confirming
    held.locator("select").select_option(str(lighthouse.pk))
    screenshot(page, "boxoffice-preview")
    with page.expect_navigation():
        page.get_by_role("button", name=french("Confirm the import")).click()

    expect(page.locator("[data-boxoffice-summary]")).to_contain_text(
        re.compile(r"Nouvelles séances\s*:\s*42\s*; mises à jour\s*:\s*0\s*; inchangées\s*:\s*0")
    )
    assert Screening.objects.filter(cinema=cinema).count() == 42
    with page.expect_navigation():
        page.get_by_role("link", name=french("See the screenings")).click()
    page.goto(f"{reverse('films_screenings:index')}?film={lighthouse.pk}")
    rows = page.locator("table.listing tbody tr")
    expected = Screening.objects.filter(film=lighthouse).count()
    assert expected > 0
    expect(rows).to_have_count(expected)
    expect(rows.first).to_contain_text("Le Gardien du phar")
    expect(rows.first).to_contain_text("Cinéma Lumière")
    expect(rows.first).to_contain_text(re.compile(r"\d\d/\d\d/20\d\d \d\d:\d\d"))

    # The public page of the film lists them, at Cinéma Lumière.
    page.goto(lighthouse.url)
    group = page.locator(".film-screenings__cinema").filter(has_text="Cinéma Lumière")
    expect(group).to_have_count(1)
    expect(group.locator("time")).to_have_count(expected)
    screenshot(page, "boxoffice-film-page")
