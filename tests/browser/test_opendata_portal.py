"""The data portal in a real browser: a visitor filters the cinemas, sees them on the map,
downloads the filtered CSV and copies the embed code; a member logs in, sees the members-only
column and makes an API key that opens it to a program; on a phone, the table scrolls inside
its box, not the page."""

import csv
import io
from urllib.parse import urlparse
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from opendata.fields import Field, FieldType
from tests.factories import make_dataset, make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CANARY = "CANARI-ART-ESSAI-b71d"
TOWNS = ["Montréal", "Québec", "Sherbrooke", "Gatineau", "Rimouski"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


#: The records the map accounts for: single markers plus the size of each group.
COUNT_ON_MAP = """() => {
    const canvas = document.getElementById('dataset-map-canvas');
    const singles = canvas.querySelectorAll('.leaflet-marker-icon[data-record]').length;
    const grouped = [...canvas.querySelectorAll('[data-cluster]')]
        .reduce((sum, icon) => sum + Number(icon.dataset.cluster), 0);
    return singles + grouped;
}"""


def cinemas_of(org):
    """30 cinemas in five towns (six each), with a members-only classification."""
    rows = [
        {
            "nom": f"Cinéma {n:02d}",
            "ville": TOWNS[n % 5],
            "ecrans": n % 9 + 1,
            "position": (45.0 + (n % 5) + n / 200, -73.0 + (n % 5) - n / 200),
            "site_web": f"https://cinema-{n:02d}.example.org/programme/",
            "adresse": f"{100 + n} rue Principale, {TOWNS[n % 5]}",
            "classement": CANARY if n % 5 == 1 else "Recherche",
        }
        for n in range(30)
    ]
    return make_dataset(
        org.data,
        "Salles de cinéma",
        fields=[
            Field("nom", "Nom", FieldType.TEXT),
            Field("ville", "Ville", FieldType.TEXT, facet=True),
            Field("ecrans", "Écrans", FieldType.INTEGER),
            Field("position", "Position", FieldType.GEO_POINT),
            Field("site_web", "Site Web", FieldType.URL),
            Field("adresse", "Adresse", FieldType.TEXT),
            Field("classement", "Classement Art et Essai", FieldType.TEXT, members_only=True),
        ],
        rows=rows,
    )


def path_of(url):
    return urlparse(url).path


def no_tiles(page):
    """Tiles come from the Internet: the test answers them empty (the markers are ours)."""
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


@pytest.mark.browser
def test_a_visitor_filters_maps_downloads_and_embeds_the_cinemas(
    new_page, org, tmp_path, screenshot
):
    """A visitor picks Québec in the town filter: the table lists the six cinemas of Québec,
    without the members-only column. The map view shows the same six (grouped or not), the
    filtered CSV download holds those six rows, and « copy the code » puts an iframe of the
    filtered table on the clipboard. Lost otherwise: the portal's main path for the public."""
    cinemas = cinemas_of(org)
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    no_tiles(page)
    # The whole map first: the cinemas of each town are close together, so they are grouped;
    # a group opens into its cinemas when activated.
    page.goto(f"{path_of(cinemas.url)}?view=map")
    page.wait_for_selector("#dataset-map-canvas [data-cluster]")
    assert page.evaluate(COUNT_ON_MAP) == 30
    groups_before = page.evaluate(
        "() => document.querySelectorAll('#dataset-map-canvas .leaflet-marker-icon').length"
    )
    page.locator("#dataset-map-canvas [data-cluster]").first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('#dataset-map-canvas .leaflet-marker-icon').length > n",
        arg=groups_before,
    )
    assert page.evaluate(COUNT_ON_MAP) == 30  # regrouped, none lost

    page.goto(path_of(cinemas.url))
    expect(page.locator("h1")).to_have_text("Salles de cinéma")
    page.select_option("#dataset-fville", "Québec")
    with page.expect_navigation():
        page.locator("form.dataset__filters button[type=submit]").click()
    rows = page.locator("table.data-table tbody tr")
    expect(rows).to_have_count(6)
    towns = page.locator("table.data-table tbody tr td:nth-child(3)").all_inner_texts()
    assert set(towns) == {"Québec"}
    expect(page.locator("table.data-table thead")).not_to_contain_text("Classement")
    assert CANARY not in page.content()
    expect(page.locator(".dataset__active-list")).to_contain_text("Québec")
    screenshot(page, "opendata-table-filtered")

    # The map: our clusters and markers account for the six cinemas.
    page.locator(".dataset__views a[href*='view=map']").click()
    page.wait_for_selector("#dataset-map-canvas .leaflet-marker-icon")
    assert page.evaluate(COUNT_ON_MAP) == 6
    expect(page.locator("#dataset-map-list li")).to_have_count(6)
    screenshot(page, "opendata-map")
    first = page.locator("#dataset-map-canvas .leaflet-marker-icon").first
    first.focus()
    expect(first).to_be_focused()

    # The filtered CSV.
    with page.expect_download() as download:
        page.locator("a[data-export='csv-filtered']").click()
    saved = tmp_path / "cinemas.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(records) == 6 and {r["ville"] for r in records} == {"Québec"}
    assert "classement" not in records[0] and CANARY not in text

    # The embed code, copied.
    page.locator(".dataset__views a[href*='view=table']").click()
    copy = page.locator("button[data-copy]")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".dataset__embed-status")).not_to_be_empty()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("<iframe ") and "embed/table/?f.ville=Qu%C3%A9bec" in copied
    src = copied.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    page.goto(src)
    expect(page.locator("table.data-table tbody tr")).to_have_count(6)


@pytest.mark.browser
def test_a_member_logs_in_and_sees_the_members_only_column(new_page, org, live_server):
    """A member follows the page's log-in link, signs in to the member space and comes back
    to the dataset, which now shows the « Classement Art et Essai » column and its values."""
    cinemas = cinemas_of(org)
    member, _contact = make_member(org, "Maude Gagnon")
    page = new_page()
    page.goto(path_of(cinemas.url))
    expect(page.locator("table.data-table thead")).not_to_contain_text("Classement")
    page.goto(f"/espace-membre/connexion/?next={path_of(cinemas.url)}")
    page.fill("#id_username", member.get_username())
    page.fill("#id_password", "motdepasse-test")
    with page.expect_navigation():
        page.locator("form.member-form button[type=submit]").click()
    assert path_of(page.url) == path_of(cinemas.url)
    expect(page.locator("table.data-table thead")).to_contain_text("Classement Art et Essai")
    expect(page.locator("table.data-table tbody")).to_contain_text(CANARY)

    # Then makes an API key in the member space: shown once, it opens the members-only column
    # to a program that has no session (the Explore API, read here without the browser).
    page.goto("/espace-membre/cles-api/")
    page.fill("#api_key_name", "Tableur du ciné-club")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer une nouvelle clé").click()
    secret = page.locator("#api-key").input_value()
    assert secret.startswith("lm_")
    api = (
        f"{live_server.url}/api/explore/v2.1/catalog/datasets/{cinemas.identifier}/records"
        "?limit=100"
    )
    keyed = Request(api, headers={"Authorization": f"Apikey {secret}"})  # noqa: S310
    with urlopen(keyed) as answer:  # noqa: S310 - the live test server's http address
        assert CANARY in answer.read().decode()
    with urlopen(api) as answer:  # noqa: S310 - the same, without the key
        assert CANARY not in answer.read().decode()


@pytest.mark.browser
def test_the_table_scrolls_in_its_box_on_a_phone(new_page, org, screenshot):
    """On a 390 px wide phone the page itself never scrolls sideways: the wide table scrolls
    inside its own box, which the keyboard can reach."""
    cinemas = cinemas_of(org)
    page = new_page(**PHONE)
    page.goto(path_of(cinemas.url))
    sizes = page.evaluate(
        """() => {
            const box = document.querySelector('.data-table__scroll');
            return {page: document.scrollingElement.scrollWidth, inner: innerWidth,
                    box: box.clientWidth, table: box.scrollWidth,
                    focusable: box.tabIndex === 0};
        }"""
    )
    assert sizes["page"] <= sizes["inner"], sizes
    assert sizes["table"] > sizes["box"] and sizes["focusable"], sizes
    screenshot(page, "opendata-table-phone")
    page.goto(f"{path_of(cinemas.url)}?view=chart&x=ville&y=ecrans&agg=sum")
    screenshot(page, "opendata-chart-phone")
