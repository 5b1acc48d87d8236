"""The house (tests/conftest.py) shares its set-up, never one test's leftovers: whatever a test
writes, changes in memory or caches is gone for the next, as if each had built the organizations
itself. Lost otherwise: tests that pass or fail depending on which ran before them."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from wagtail.models import Page, Site

from crm_blocks.models import Contact, PersonPage
from organizations.models import OrganizationGroup
from organizations.registry import OrganizationRole
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

#: The two tests below run in this order (file order, one module per xdist worker).
TRACE = "Trace Laissée"


def test_a_test_may_write_change_in_memory_and_cache(org_a, crm_a):
    make_person(org_a.people_index, TRACE)
    org_a.site_name = "Renommé en mémoire"
    crm_a.groups.clear()
    cache.set("trace", TRACE)
    assert org_a.people_index.numchild == 1
    assert PersonPage.objects.filter(title=TRACE).exists()


def test_the_next_test_starts_from_the_house_as_built(org_a, crm_a):
    assert not PersonPage.objects.filter(title=TRACE).exists()
    assert not Contact.objects.exists()
    assert org_a.site_name == "Centre Images Boréales"
    assert org_a.people_index.numchild == 0
    assert Page.objects.get(pk=org_a.people_index.pk).numchild == 0
    assert OrganizationGroup.objects.get(group__user=crm_a).role == OrganizationRole.CRM_STAFF
    assert cache.get("trace") is None
    make_person(org_a.people_index, TRACE)  # the tree is consistent: the same child fits again


def test_each_test_has_its_own_copies_of_the_shared_objects(org_a, crm_a, house):
    assert org_a is not house["org_a"] and org_a.pk == house["org_a"].pk
    assert org_a.people_index is not house["org_a"].people_index
    assert crm_a.pk == house["crm_a"].pk
    assert set(Site.objects.values_list("hostname", flat=True)) >= {"boreal.test", "reseau.test"}


def test_each_test_runs_in_a_savepoint_of_the_house_transaction():
    assert connection.in_atomic_block
    assert len(connection.atomic_blocks) == 2  # the house's, then this test's
    assert all(block._from_testcase for block in connection.atomic_blocks)
    with transaction.atomic(durable=True):  # as in a plain TestCase
        pass
