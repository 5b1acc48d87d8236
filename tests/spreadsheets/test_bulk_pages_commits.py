"""Bulk page writes that commit (``test_bulk_pages`` holds the others, in a shared house that
lives in a transaction): outside a transaction the bulk path refuses to write, and on
PostgreSQL two imports under one parent wait for each other."""

import threading
import time

import pytest
from django.db import connection, transaction
from wagtail.models import Page

from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from tests.spreadsheets.test_bulk_pages import fresh, new_person, people_batch, tree_rows


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bulk_writes_outside_a_transaction_are_refused(org_a):
    before = tree_rows()
    with pytest.raises(RuntimeError, match="atomic"):
        pages_bulk_create(parent=fresh(org_a.people_index), pages=[new_person("Paul Roy")])
    with pytest.raises(RuntimeError, match="atomic"):
        pages_bulk_update(pages=[])
    assert tree_rows() == before


# --- PostgreSQL: two imports under the same parent at the same time -----------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def concurrent_imports_under_one_parent_wait_for_each_other(org_a):
    index_pk = org_a.people_index.pk
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    second_done = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                pages_bulk_create(parent=Page.objects.get(pk=index_pk), pages=people_batch(3))
                first_holds_lock.set()
                release_first.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            first_holds_lock.wait(10)
            with transaction.atomic():
                pages_bulk_create(
                    parent=Page.objects.get(pk=index_pk),
                    pages=[new_person(f"Autre{n} Import", n) for n in range(3)],
                )
            second_done.set()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_lock.wait(10)
    time.sleep(0.5)
    assert not second_done.is_set()  # waiting for the first import's lock on the parent
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert Page.find_problems() == ([], [], [], [], [])
    assert Page.objects.get(pk=index_pk).numchild == 6


# Row locks are PostgreSQL's (SQLite locks the whole database on the first write, which the
# crash and rollback tests above cover): collected only where it means something, never skipped.
if connection.vendor == "postgresql":
    test_concurrent_imports_under_one_parent_wait_for_each_other = (
        concurrent_imports_under_one_parent_wait_for_each_other
    )
