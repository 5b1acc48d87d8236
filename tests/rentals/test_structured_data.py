"""What search engines read on an item's page: one valid graph (read back by extruct from the
rendered page) describing a Product the organization leases out, its rates per day, weekend
and week in the organization's currency, its brand, model and photos; nothing of its units or
bookings; the catalogue stays a collection page."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import extruct
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rentals.models import EquipmentPhoto, EquipmentUnit, UnitStatus
from rentals.services import request_booking
from rentals.structured_data import LEASE_OUT
from structured_data.graph import build_graph
from structured_data.validation import validate_graph
from tests.factories import contact_of, make_equipment, make_image, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def the_graph(client, site, page):
    response = client.get(page.url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, page.url
    html = response.content.decode()
    assert html.count('type="application/ld+json"') == 1
    (graph,) = extruct.extract(html, base_url=page.full_url, syntaxes=["json-ld"], uniform=False)[
        "json-ld"
    ]
    return graph


def assert_valid(graph):
    errors = [issue for issue in validate_graph(graph) if issue.level == "error"]
    assert not errors, [f"{e.node_type}.{e.property}: {e.message}" for e in errors]


def node(graph, node_id):
    (found,) = [n for n in graph["@graph"] if n.get("@id") == node_id]
    return found


def built(page, site):
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    with translation.override("fr"):
        return build_graph(page, request)


def test_an_item_is_a_product_leased_out_at_its_rates(client, org_a):
    """A camera: its brand, model, category and photos with their credit; one offer per column
    of rates it has (non-members, members), each a lease-out by the organization priced per day,
    weekend and week in Canadian dollars; the page's main entity."""
    camera = make_equipment(
        org_a.catalogue,
        "Caméra Sony FX6",
        brand="Sony",
        product_model="ILME-FX6",
        summary="Caméra plein format 4K.",
        weekend_rate=Decimal("150"),
        weekly_rate=Decimal("400"),
        member_weekly_rate=Decimal("240"),
    )
    EquipmentPhoto.objects.create(
        page=camera, image=make_image("Face"), alt_text="Vue de face", credit="Photo : Centre"
    )
    EquipmentPhoto.objects.create(page=camera, image=make_image("Dos"), sort_order=1)

    graph = the_graph(client, org_a, camera)

    assert graph == built(camera, org_a), "extruct reads back exactly what we built"
    assert_valid(graph)
    product = node(graph, f"{camera.full_url}#product")
    assert product["@type"] == "Product"
    assert (product["name"], product["description"]) == (
        "Caméra Sony FX6",
        "Caméra plein format 4K.",
    )
    assert product["brand"] == {"@type": "Brand", "name": "Sony"}
    assert (product["model"], product["category"]) == ("ILME-FX6", "Caméra")
    photos = [node(graph, ref["@id"]) for ref in product["image"]]
    assert photos[0]["@id"] == f"{camera.full_url}#primaryimage"
    assert (photos[0]["caption"], photos[0]["creditText"]) == ("Vue de face", "Photo : Centre")
    assert photos[1]["caption"] == "Dos" and "creditText" not in photos[1]
    assert [offer["@id"] for offer in product["offers"]] == [
        f"{camera.full_url}#offer",
        f"{camera.full_url}#offer-members",
    ]
    standard, members = product["offers"]
    for offer in (standard, members):
        assert offer["businessFunction"] == LEASE_OUT == "http://purl.org/goodrelations/v1#LeaseOut"
        assert offer["offeredBy"] == {"@id": "http://boreal.test/#organization"}
        assert offer["priceCurrency"] == "CAD"
        assert offer["availability"] == "https://schema.org/InStock"
    assert standard["priceSpecification"] == [
        {
            "@type": "UnitPriceSpecification",
            "price": "100.00",
            "priceCurrency": "CAD",
            "unitCode": "DAY",
        },
        {
            "@type": "UnitPriceSpecification",
            "price": "150.00",
            "priceCurrency": "CAD",
            "unitText": "fin de semaine",
        },
        {
            "@type": "UnitPriceSpecification",
            "price": "400.00",
            "priceCurrency": "CAD",
            "unitCode": "WEE",
        },
    ]
    assert [(s["price"], s.get("unitCode")) for s in members["priceSpecification"]] == [
        ("60.00", "DAY"),
        ("240.00", "WEE"),
    ]
    (webpage,) = [n for n in graph["@graph"] if n["@type"] == "WebPage"]
    assert webpage["mainEntity"] == {"@id": product["@id"]}
    assert webpage["primaryImageOfPage"] == {"@id": f"{camera.full_url}#primaryimage"}


def test_nothing_of_units_or_bookings_reaches_the_graph(client, org_a):
    """Serial and inventory numbers, purchase prices and dates, where units are, who borrowed
    them and what they paid: none of it is described to search engines. An item whose units
    are all in repair is out of stock, nothing more."""
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2)
    EquipmentUnit.objects.filter(equipment=camera.twin).update(
        purchase_price=Decimal("7321.45"),
        purchase_date=dt.date(2019, 8, 17),
        location="Armoire secrète 42",
        notes="Rayure sur l’écran",
    )
    borrower = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    start = dt.datetime(2027, 4, 6, 10, tzinfo=TORONTO)
    booking = request_booking(
        org_a, borrower, [(camera, 1)], start, start + dt.timedelta(days=2), notes="Tournage X"
    )
    text = json.dumps(the_graph(client, org_a, camera), ensure_ascii=False)
    for unit in EquipmentUnit.objects.filter(equipment=camera.twin):
        assert unit.inventory_number not in text and unit.serial_number not in text
    for private in ("7321", "2019-08-17", "Armoire", "Rayure", "Maude", "Tournage", "200.00"):
        assert private not in text, private
    assert str(booking.total) not in text

    EquipmentUnit.objects.filter(equipment=camera.twin).update(status=UnitStatus.REPAIR)
    cache.clear()
    graph = the_graph(client, org_a, camera)
    offers = node(graph, f"{camera.full_url}#product")["offers"]
    assert {offer["availability"] for offer in offers} == {"https://schema.org/OutOfStock"}


def test_an_item_without_rates_is_described_without_offers_and_the_editor_is_told(client, org_a):
    """Rates on request: no price is invented; the structured-data check asks the editor for
    one (an offer), in French."""
    room = make_equipment(
        org_a.catalogue,
        "Salle de montage",
        category="editing",
        daily_rate=None,
        member_daily_rate=None,
    )
    graph = the_graph(client, org_a, room)
    product = node(graph, f"{room.full_url}#product")
    assert "offers" not in product and "brand" not in product
    with translation.override("fr"):
        messages = [str(i.message) for i in validate_graph(graph) if i.level == "error"]
    assert messages == ["Ajoutez un prix (une offre) au produit."]


def test_the_catalogue_stays_a_collection_page(client, org_a):
    """The catalogue is described as a collection of pages, not as a product itself."""
    make_equipment(org_a.catalogue, "Caméra Sony FX6")
    graph = the_graph(client, org_a, org_a.catalogue)
    assert_valid(graph)
    types = [n["@type"] for n in graph["@graph"]]
    assert "CollectionPage" in types and "Product" not in types


def test_the_graph_costs_the_same_queries_for_one_photo_or_five(client, org_a):
    """An item with five photos and five units costs no more queries to describe."""

    def queries(page):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            built(page, org_a)
        return len(captured.captured_queries)

    one = make_equipment(org_a.catalogue, "Caméra 1")
    five = make_equipment(org_a.catalogue, "Caméra 5", units=5)
    image = make_image("Photo")
    EquipmentPhoto.objects.create(page=one, image=image)
    for _ in range(5):
        EquipmentPhoto.objects.create(page=five, image=image)
    built(one, org_a)  # renditions made once
    assert queries(one) == queries(five)
