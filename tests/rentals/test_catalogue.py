"""The equipment catalogue and an item's page as a visitor reads them: items by category, those
free for the dates asked, rates in the organization's currency, a month of free and taken days
(across Montreal's clock change), the request button for members only; what anonymous visitors
get from the cache is forgotten when what is free changes; the cost does not grow with the
number of items and bookings."""

import datetime as dt
from decimal import Decimal
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from rentals.catalogue import PAGE_SIZE
from rentals.models import (
    Closure,
    EquipmentPage,
    EquipmentPhoto,
    EquipmentUnit,
    KitComponent,
    RentalSettings,
    Training,
    UnitStatus,
)
from rentals.services import request_booking
from tests.factories import (
    contact_of,
    make_equipment,
    make_image,
    make_member,
    make_person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TORONTO)


@pytest.fixture
def rendered_every_time(settings):
    """What the pages show when rendered: the page cache would answer a second visit."""
    settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture
def borrower(org_a):
    return contact_of(make_person(org_a.people_index, "Maude Gagnon"))


def path_of(page) -> str:
    return urlsplit(page.url).path


def visit(client, site, page, query=""):
    response = client.get(f"{page.url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def listed(soup):
    return [link.get_text(strip=True) for link in soup.select(".card__title a")]


def book(site, borrower, page, start, end, quantity=1):
    return request_booking(site, borrower, [(page, quantity)], start, end)


def day_words(soup, day: int) -> str:
    """What the month view says of a day (its number is the first span of its cell)."""
    for cell in soup.select(".month-view__grid td"):
        number = cell.select_one(".month-view__day")
        if number and number.get_text() == str(day):
            return cell.select_one(".month-view__state").get_text(strip=True)
    raise AssertionError(f"no day {day} in the month view")


# --- The catalogue ---------------------------------------------------------------------------


@pytest.mark.usefixtures("rendered_every_time")
def test_the_catalogue_lists_public_items_by_category_with_their_rates(client, org_a):
    """A visitor sees each category as a heading with its items below, their daily rates in
    dollars written the French way; drafts and items kept for logged-in people are not
    listed."""
    make_equipment(org_a.catalogue, "Projecteur LED", category="lighting", daily_rate=40)
    make_equipment(org_a.catalogue, "Caméra Sony FX6", brand="Sony", product_model="FX6")
    make_equipment(org_a.catalogue, "Objectif 50 mm", category="lens", member_daily_rate=None)
    make_equipment(org_a.catalogue, "Caméra brouillon", publish=False)
    hidden = make_equipment(org_a.catalogue, "Caméra réservée")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)

    soup = visit(client, org_a, org_a.catalogue)

    headings = [h.get_text(strip=True) for h in soup.select(".catalogue__group h2")]
    assert headings == ["Caméra", "Objectif", "Éclairage"]
    assert listed(soup) == ["Caméra Sony FX6", "Objectif 50 mm", "Projecteur LED"]
    camera = soup.select(".card")[0]
    assert camera.select_one(".card__meta").get_text(strip=True) == "Sony FX6"
    rates = [dd.get_text(strip=True) for dd in camera.select(".equipment-card__rates dd")]
    assert rates == ["100,00\u00a0$ par jour", "60,00\u00a0$ par jour"]
    lens = soup.select(".card")[1]
    assert len(lens.select(".equipment-card__rates dd")) == 1, "no members' rate of its own"
    assert "3 articles" in soup.select_one(".index__count").get_text()


@pytest.mark.usefixtures("rendered_every_time")
def test_the_category_filter_offers_only_categories_that_list_something(client, org_a):
    """Looking for lenses: the select offers the categories that list something, labelled,
    keeps the choice, and a category that does not exist simply lists everything."""
    make_equipment(org_a.catalogue, "Caméra Sony FX6")
    make_equipment(org_a.catalogue, "Objectif 50 mm", category="lens")

    soup = visit(client, org_a, org_a.catalogue, "?category=lens")

    assert listed(soup) == ["Objectif 50 mm"]
    select = soup.select_one("select#catalogue-category")
    assert soup.select_one('label[for="catalogue-category"]').get_text(strip=True) == "Catégorie"
    options = [option["value"] for option in select.select("option")]
    assert options == ["", "camera", "lens"]
    assert select.select_one("option[selected]")["value"] == "lens"
    # A category that does not exist is ignored, not an error.
    assert len(listed(visit(client, org_a, org_a.catalogue, "?category=tanks"))) == 2


@pytest.mark.usefixtures("rendered_every_time")
def test_free_from_to_lists_only_items_with_a_free_unit_for_the_whole_window(
    client, org_a, borrower
):
    """Looking for gear for a weekend: an item whose only unit is out (or resting after its
    return: the buffer) is not listed; an item with a second unit still is; a kit is listed only
    when each of its items is free; the form keeps the dates."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    taken = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)
    two = make_equipment(org_a.catalogue, "Caméra Canon C70", units=2)
    lens = make_equipment(org_a.catalogue, "Objectif 50 mm", category="lens", units=1)
    kit = make_equipment(org_a.catalogue, "Trousse documentaire", category="kit", units=0)
    KitComponent.objects.create(kit=kit, item=taken, quantity=1)
    KitComponent.objects.create(kit=kit, item=lens, quantity=1)
    in_repair = make_equipment(org_a.catalogue, "Caméra en réparation", units=1)
    repair = EquipmentUnit.objects.get(equipment=in_repair.twin)
    repair.status = UnitStatus.REPAIR
    repair.save()
    book(org_a, borrower, taken, at("2027-04-09"), at("2027-04-12", "08:00"))
    book(org_a, borrower, two, at("2027-04-09"), at("2027-04-12"))

    everything = listed(visit(client, org_a, org_a.catalogue))
    assert len(everything) == 5

    soup = visit(client, org_a, org_a.catalogue, "?from=2027-04-10&to=2027-04-11")
    assert listed(soup) == ["Caméra Canon C70", "Objectif 50 mm"]
    assert soup.select_one("#catalogue-from")["value"] == "2027-04-10"
    assert soup.select_one("#catalogue-to")["value"] == "2027-04-11"
    count = soup.select_one(".index__count").get_text(" ", strip=True)
    assert count == "2 articles libres du 10 avril 2027 au 11 avril 2027"
    assert all(
        card.select_one(".tag--free").get_text() == "Libre à ces dates"
        for card in soup.select(".card")
    )
    # Each item's link opens its month view at the dates asked.
    assert soup.select_one(".card__title a")["href"].endswith("?month=2027-04#availability")

    # Returned on the 12th at 8:00, resting until 20:00: taken that day, free the next.
    assert "Caméra Sony FX6" not in listed(
        visit(client, org_a, org_a.catalogue, "?from=2027-04-12")
    )
    next_day = listed(visit(client, org_a, org_a.catalogue, "?from=2027-04-13&to=2027-04-14"))
    assert next_day == [
        "Caméra Canon C70",
        "Caméra Sony FX6",
        "Objectif 50 mm",
        "Trousse documentaire",
    ]


@pytest.mark.usefixtures("rendered_every_time")
def test_a_closed_day_in_the_window_frees_nothing_and_says_why(client, org_a):
    """Dates that start or end on a day the desk is closed list nothing, and the visitor is
    told which day, rather than finding an empty list without a reason; a closed day inside
    the dates does not stop a loan across it, as the booking rules say."""
    make_equipment(org_a.catalogue, "Caméra Sony FX6")
    Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 4, 5), end_date=dt.date(2027, 4, 5), reason="Férié"
    )

    across = visit(client, org_a, org_a.catalogue, "?from=2027-04-04&to=2027-04-06")
    assert len(listed(across)) == 1 and not across.select(".catalogue__closed")

    soup = visit(client, org_a, org_a.catalogue, "?from=2027-04-05&to=2027-04-06")

    assert listed(soup) == []
    closed = soup.select_one(".catalogue__closed").get_text(" ", strip=True)
    assert "fermé pendant ces dates (5 avril 2027)\u00a0:" in closed
    empty = soup.select_one(".empty-state").get_text(" ", strip=True)
    assert empty == "Voir tous les articles et leur disponibilité", "the reason is said once"


@pytest.mark.usefixtures("rendered_every_time")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2027-13-01", "«\u00a02027-13-01\u00a0» n’est pas une date"),
        ("?from=09/04/2027&to=2027-04-10", "«\u00a009/04/2027\u00a0» n’est pas une date"),
        ("?from=2027-04-10&to=2027-04-01", "La date de fin précède la date de début."),
        ("?from=2027-01-01&to=2028-06-01", "Demandez au plus 366\u00a0jours à la fois."),
    ],
)
def test_wrong_dates_get_a_clear_message_and_every_item(client, org_a, query, message):
    """A visitor who types a date the wrong way round or not as a date is told so in French,
    above the whole catalogue, rather than getting an error page."""
    make_equipment(org_a.catalogue, "Caméra Sony FX6")

    soup = visit(client, org_a, org_a.catalogue, query)

    alert = soup.select_one('.form-errors[role="alert"]').get_text(" ", strip=True)
    assert message in alert
    assert listed(soup) == ["Caméra Sony FX6"]


@pytest.mark.usefixtures("rendered_every_time")
def test_pages_of_the_catalogue_keep_the_filters(client, org_a):
    """A long category is split into pages whose links keep the category chosen."""
    for number in range(PAGE_SIZE + 2):
        make_equipment(org_a.catalogue, f"Objectif {number:02d}", category="lens", units=0)

    first = visit(client, org_a, org_a.catalogue, "?category=lens")
    second = visit(client, org_a, org_a.catalogue, "?category=lens&page=2")

    assert len(listed(first)) == PAGE_SIZE
    assert listed(second) == ["Objectif 24", "Objectif 25"]
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_link == "?category=lens&page=2"


# --- An item's page --------------------------------------------------------------------------


@pytest.mark.usefixtures("rendered_every_time")
def test_an_item_page_shows_rates_conditions_photos_and_what_it_needs(client, org_a):
    """Everything a member needs to decide: the three columns of rates (a column without its
    own rates pays the non-members'), the deposit, what comes with it, the training it needs,
    photos described for screen readers with their credit, specifications and the catalogue's
    conditions."""
    org_a.catalogue.conditions = "<p>Assurance obligatoire.</p>"
    org_a.catalogue.save_revision().publish()
    training = Training.objects.create(site=org_a, name="Formation caméra cinéma")
    camera = make_equipment(
        org_a.catalogue,
        "Caméra Sony FX6",
        weekly_rate=Decimal("400"),
        member_weekly_rate=Decimal("240"),
        deposit=Decimal("500"),
        included="Deux batteries\nChargeur\n\nValise",
        required_training=training,
        specifications=[
            ("specification", {"label": "Capteur", "value": "Plein format"}),
            ("specification", {"label": "Monture", "value": "Sony E"}),
        ],
    )
    EquipmentPhoto.objects.create(
        page=camera,
        image=make_image("FX6"),
        alt_text="La caméra vue de face",
        credit="Photo : Centre",
    )

    soup = visit(client, org_a, camera)

    table = soup.select_one("table.rates-table")
    assert [th.get_text() for th in table.select("thead th")] == [
        "Non-membres",
        "Membres",
        "Productions commerciales",
    ]
    rows = {
        row.select_one("th").get_text(): [td.get_text(strip=True) for td in row.select("td")]
        for row in table.select("tbody tr")
    }
    assert rows == {
        "Par jour": ["100,00\u00a0$", "60,00\u00a0$", "100,00\u00a0$"],
        "Par semaine": ["400,00\u00a0$", "240,00\u00a0$", "400,00\u00a0$"],
    }
    deposit = soup.select_one(".equipment__deposit").get_text()
    assert deposit == "Dépôt de garantie\u00a0: 500,00\u00a0$"
    included = [li.get_text() for li in soup.select("#equipment-included + ul li")]
    assert included == ["Deux batteries", "Chargeur", "Valise"]
    assert "Formation caméra cinéma" in soup.select_one("#equipment-training").parent.get_text()
    image = soup.select_one(".equipment__figure img")
    assert image["alt"] == "La caméra vue de face"
    assert soup.select_one(".equipment__credit").get_text() == "Photo : Centre"
    specifications = [
        (item.select_one("dt").get_text(), item.select_one("dd").get_text())
        for item in soup.select("dl.specifications .specifications__item")
    ]
    assert specifications == [("Capteur", "Plein format"), ("Monture", "Sony E")]
    assert "Assurance obligatoire." in soup.select_one("#equipment-conditions").parent.get_text()
    assert "SN" not in soup.select_one("main").get_text(), "no serial number"


@pytest.mark.usefixtures("rendered_every_time")
def test_the_month_view_counts_days_in_montreal_across_the_clock_change(client, org_a, borrower):
    """Clocks go forward in Montreal on 14 March 2027. A camera returned on the 14th at noon
    and resting 12 hours is free again at midnight: the 15th is free, the 13th and 14th are
    taken, in words (not only colours) and in the month's own table."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)
    book(org_a, borrower, camera, at("2027-03-13"), at("2027-03-14", "12:00"))

    soup = visit(client, org_a, camera, "?month=2027-03")

    assert soup.select_one("#availability-title").get_text() == "Disponibilité en mars 2027"
    assert [day_words(soup, day) for day in (12, 13, 14, 15)] == ["Libre", "Pris", "Pris", "Libre"]
    caption = soup.select_one(".month-view__grid caption").get_text()
    assert caption == "Jours libres et pris en mars 2027"
    cell = soup.select(".month-view__grid td.is-taken")[0]
    assert cell.select_one(".visually-hidden").get_text(strip=True) == "samedi 13 mars 2027\u00a0:"
    assert soup.select_one('a[rel="prev"]')["href"] == "?month=2027-02#availability"
    assert soup.select_one('a[rel="next"]')["href"] == "?month=2027-04#availability"


@pytest.mark.usefixtures("rendered_every_time")
def test_an_item_with_several_units_says_how_many_are_free(client, org_a, borrower):
    """Three cameras of one model: a day one is out says two of three are free; a closed day
    says closed; the month says how many units can be booked."""
    camera = make_equipment(org_a.catalogue, "Caméra Canon C70", units=3)
    book(org_a, borrower, camera, at("2027-05-03"), at("2027-05-04"))
    Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 5, 6), end_date=dt.date(2027, 5, 6), reason="Férié"
    )

    soup = visit(client, org_a, camera, "?month=2027-05")

    assert day_words(soup, 3) == "2 libres sur 3"
    assert day_words(soup, 5) == "Libre"
    assert day_words(soup, 6) == "Fermé"
    assert "3 unités peuvent être réservées." in soup.select_one(".month-view__summary").text


@pytest.mark.usefixtures("rendered_every_time")
def test_a_month_that_is_not_one_is_explained_and_this_month_shown(client, org_a):
    """A mistyped month in a shared link gets a sentence in French and this month's days."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")

    soup = visit(client, org_a, camera, "?month=2027-13")

    alert = soup.select_one('.month-view .form-errors[role="alert"]').get_text(" ", strip=True)
    assert "«\u00a02027-13\u00a0» n’est pas un mois" in alert
    assert soup.select(".month-view__grid tbody td")


@pytest.mark.usefixtures("rendered_every_time")
def test_only_members_get_the_request_button(client, org_a, crm_a):
    """Anonymous visitors read that members may request the item and where to log in; a
    member of this organization gets the button to the request form; someone logged in who is
    not a member is told requests are for members; an item not requested online says to call."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    phone_only = make_equipment(org_a.catalogue, "Salle de montage", online_requests=False)
    member, _contact = make_member(org_a, "Membre A")

    anonymous = visit(client, org_a, camera).select_one("#equipment-request").parent
    assert not anonymous.select(".button")
    login = anonymous.select_one("a")
    assert login["href"] == f"/espace-membre/connexion/?next={quote(path_of(camera), safe='')}"
    assert "Les membres peuvent le demander en ligne." in anonymous.get_text()

    client.force_login(member)
    response = client.get(camera.url, HTTP_HOST=org_a.hostname)
    section = BeautifulSoup(response.content, "html.parser").select_one("#equipment-request")
    button = section.parent.select_one("a.button")
    assert button["href"] == f"{path_of(camera)}reserve/"
    assert "private" in response["Cache-Control"]
    by_phone = visit(client, org_a, phone_only).select_one("#equipment-request").parent
    assert not by_phone.select(".button")
    assert "équipement pour le réserver" in by_phone.get_text()

    client.force_login(crm_a)
    staff = visit(client, org_a, camera).select_one("#equipment-request").parent
    assert not staff.select(".button")
    assert "réservées aux membres" in staff.get_text()


# --- What the cache keeps ---------------------------------------------------------------------


def test_what_anonymous_visitors_see_is_forgotten_when_what_is_free_changes(
    client, org_a, borrower, django_capture_on_commit_callbacks
):
    """The pages are cached for anonymous visitors; a booking, a unit sent to repair and a
    closure each make the next visitor see the new answer, not the cached one."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)
    page_url = f"{camera.url}?month=2027-06"
    window = f"{org_a.catalogue.url}?from=2027-06-10&to=2027-06-10"

    def seen():
        page = client.get(page_url, HTTP_HOST=org_a.hostname)
        assert "public" in page["Cache-Control"], "kept for anonymous visitors"
        catalogue = client.get(window, HTTP_HOST=org_a.hostname)
        soup = BeautifulSoup(page.content, "html.parser")
        listing = BeautifulSoup(catalogue.content, "html.parser")
        return day_words(soup, 10), day_words(soup, 20), listed(listing)

    assert seen() == ("Libre", "Libre", ["Caméra Sony FX6"])
    assert seen() == ("Libre", "Libre", ["Caméra Sony FX6"]), "served again, from the cache"

    with django_capture_on_commit_callbacks(execute=True):
        book(org_a, borrower, camera, at("2027-06-09"), at("2027-06-11"))
    assert seen() == ("Pris", "Libre", [])

    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(
            site=org_a,
            start_date=dt.date(2027, 6, 20),
            end_date=dt.date(2027, 6, 20),
            reason="Inventaire",
        )
    assert seen() == ("Pris", "Fermé", [])

    unit = EquipmentUnit.objects.get(equipment=camera.twin)
    unit.location = "Étagère B"  # not something availability reads: the cache stays warm
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unit.save()
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        unit.status = UnitStatus.REPAIR
        unit.save()
    soup = BeautifulSoup(client.get(page_url, HTTP_HOST=org_a.hostname).content, "html.parser")
    assert "Aucune unité de cet article ne peut être réservée" in soup.select_one(
        ".month-view"
    ).get_text(" ", strip=True)


# --- What it costs ---------------------------------------------------------------------------


def queries_of(client, site, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.usefixtures("rendered_every_time")
def test_queries_do_not_grow_with_items_and_bookings(client, org_a, borrower):
    """The catalogue (with and without dates) and an item's page cost the same number of
    queries for 3 items as for 30, each booked several times, kits and photos included."""
    photo = make_image("Caméra")

    def add_items(count, first):
        pages = []
        for number in range(first, first + count):
            page = make_equipment(
                org_a.catalogue, f"Caméra {number:02d}", units=2, required_training=None
            )
            EquipmentPhoto.objects.create(page=page, image=photo, alt_text="Caméra")
            for week in range(3):
                start = at("2027-04-05") + dt.timedelta(weeks=week)
                book(org_a, borrower, page, start, start + dt.timedelta(days=2))
            pages.append(page)
        kit = make_equipment(org_a.catalogue, f"Trousse {first}", category="kit", units=0)
        KitComponent.objects.create(kit=kit, item=pages[0], quantity=1)
        return pages

    pages = add_items(3, 0)
    urls = [
        org_a.catalogue.url,
        f"{org_a.catalogue.url}?from=2027-04-06&to=2027-04-20",
        f"{pages[0].url}?month=2027-04",
    ]

    def measured():
        for url in urls:  # what a first visit does once: renditions, the cached JSON-LD graph
            client.get(url, HTTP_HOST=org_a.hostname)
        return [queries_of(client, org_a, url) for url in urls]

    small = measured()
    add_items(27, 3)
    assert measured() == small


def test_an_editor_previews_a_new_kit_before_saving_it(org_a, editor_a):
    """The editor's preview of a kit not saved yet shows its contents and its rates; there is
    nothing to count yet, and it says so rather than failing."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6")
    kit = EquipmentPage(
        title="Trousse documentaire", slug="trousse", category="kit", daily_rate=150
    )
    kit.kit_components = [KitComponent(item=camera, quantity=1)]
    kit.set_url_path(org_a.catalogue)
    kit.path = org_a.catalogue.path + "9999"
    kit.depth = org_a.catalogue.depth + 1

    response = kit.make_preview_request(extra_request_attrs={"user": editor_a})

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("h1").get_text() == "Trousse documentaire"
    kit_items = soup.select_one("#equipment-kit").parent.get_text(" ", strip=True)
    assert "1 × Caméra Sony FX6" in kit_items
    assert "Aucune unité de cet article" in soup.select_one(".month-view").get_text()


def test_deleting_a_booking_or_a_closure_frees_the_days_for_the_next_visitor(
    client, org_a, borrower, django_capture_on_commit_callbacks
):
    """Staff delete a booking or a closure in the admin: the day is free again for the next
    anonymous visitor, not still taken in the cached page."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)
    booking = book(org_a, borrower, camera, at("2027-06-09"), at("2027-06-11"))
    closure = Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 6, 20), end_date=dt.date(2027, 6, 20), reason="Fermé"
    )

    def days():
        response = client.get(f"{camera.url}?month=2027-06", HTTP_HOST=org_a.hostname)
        soup = BeautifulSoup(response.content, "html.parser")
        return day_words(soup, 10), day_words(soup, 20)

    assert days() == ("Pris", "Fermé")
    with django_capture_on_commit_callbacks(execute=True):
        booking.delete()
    assert days() == ("Libre", "Fermé")
    with django_capture_on_commit_callbacks(execute=True):
        closure.delete()
    assert days() == ("Libre", "Libre")
