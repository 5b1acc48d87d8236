"""The equipment catalogue as open data: the published items with their public rates — never
a unit's private details — in one query whatever their number."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from opendata.access import Audience
from opendata.sources import live_source
from opendata.tables import table_for
from rentals.datasets import equipment_records
from rentals.models import EquipmentUnit
from tests.factories import make_dataset, make_equipment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def test_the_catalogue_lists_published_items_with_their_public_rates(org_a, org_b):
    """Each published item is a record (name, category, brand, model, the daily rates its page
    shows); a draft or restricted item and another organization's never appear, and no unit's
    inventory or serial number is in any record."""
    make_equipment(
        org_a.catalogue,
        "Caméra Sony FX6",
        brand="Sony",
        product_model="FX6",
        daily_rate=Decimal("100"),
        member_daily_rate=Decimal("60"),
        weekly_rate=Decimal("400"),
        units=2,
    )
    make_equipment(
        org_a.catalogue,
        "Projecteur LED",
        category="lighting",
        daily_rate=Decimal("30"),
        member_daily_rate=None,
    )
    make_equipment(org_a.catalogue, "Caméra brouillon", publish=False)
    hidden = make_equipment(org_a.catalogue, "Caméra réservée")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    make_equipment(org_b.catalogue, "Caméra de l'autre centre")
    EquipmentUnit.objects.filter(site=org_a).update(serial_number="SN-CANARY-4242")

    dataset = make_dataset(org_a.data, "Catalogue d'équipement", live_source="rentals.equipment")
    rows = {r["name"]: r for r in table_for(dataset, Audience(org_a.pk)).iterate()}

    assert set(rows) == {"Caméra Sony FX6", "Projecteur LED"}
    camera = rows["Caméra Sony FX6"]
    assert (camera["brand"], camera["model"]) == ("Sony", "FX6")
    assert camera["category"] == "Caméra"
    assert (camera["daily_rate"], camera["member_daily_rate"]) == (100.0, 60.0)
    assert camera["weekly_rate"] == 400.0
    assert camera["page_url"].endswith("/camera-sony-fx6/")
    # Without a members' rate, members pay the non-members' rate, as the item's page says.
    assert rows["Projecteur LED"]["member_daily_rate"] == 30.0
    units = list(
        EquipmentUnit.objects.filter(site=org_a).values_list("inventory_number", flat=True)
    )
    text = repr(list(rows.values()))
    assert "SN-CANARY-4242" not in text
    assert not [number for number in units if number in text]
    assert all(f.members_only is False for f in live_source("rentals.equipment").fields)


def test_the_catalogue_costs_the_same_queries_whatever_its_items(org_a):
    make_equipment(org_a.catalogue, "Objet 1")
    list(equipment_records(org_a))
    with CaptureQueriesContext(connection) as one:
        assert len(list(equipment_records(org_a))) == 1
    for n in range(2, 7):
        make_equipment(org_a.catalogue, f"Objet {n}", units=2)
    with CaptureQueriesContext(connection) as many:
        assert len(list(equipment_records(org_a))) == 6
    assert len(many) == len(one)
