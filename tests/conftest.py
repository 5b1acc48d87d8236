"""The organizations and staff most tests start from, and the *house* that builds them once.

An organization takes a fifth of a second to build (site, home page, indexes, settings,
collection, three groups and their permissions), and most tests need one or two. A module whose
tests start from them opts into the house::

    pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

``org_a``, ``org_b``, ``crm_a``, ``editor_a`` and ``crm_b`` are then built once for the module,
in a transaction rolled back after its last test: Django's ``TestCase.setUpTestData``, for a
module. Every test still runs in its own savepoint, rolled back after it; gets its own deep
copy of the objects, so that what one test changes in memory (a page's ``numchild``, a cached
attribute) never reaches the next; and starts with empty caches, so that nothing cached by id
(structured-data graphs, Wagtail's site root paths) outlives the rows a rollback removed.

A module can add shared records of its own by overriding ``house`` with a module-scoped fixture
that extends it (``tests/crm_blocks/test_tenancy.py``), or build a different house on
``house_transaction`` (``tests/home/test_demo.py``); every test of the module then starts with
them.

Tests that commit (``transaction=True``, ``live_server``) cannot run inside that transaction,
so a module that opts in may hold none: the house refuses to open. Outside the house, the same
fixtures build fresh objects for each test.

A test that commits empties the database when it ends. pytest-django runs such tests after all
the others for that reason; under pytest-xdist (``make test``) a worker takes whole files in
turn, so an ordinary test may come next: the database is then put back as the migrations left
it (``pytest_runtest_teardown`` below).

CI runs the suite twice, on SQLite then on PostgreSQL; the second run passes
``--database-tests-only``: a test that cannot reach the database (pytest-django blocks it
without ``django_db`` or a database fixture) gives the same answer whatever DATABASE_URL says,
so it runs once. A test that hands the environment, DATABASE_URL included, to a process of its
own (``tests/test_settings.py``) is marked ``every_database`` and runs in both.
"""

import copy

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from organizations.registry import OrganizationRole
from tests.factories import make_organization, make_user

#: What the house holds, in the order it builds them (staff after their organization).
HOUSE_BUILDERS = {
    "org_a": lambda house: make_organization(
        "Centre Images Boréales", "boreal.test", language="fr-ca"
    ),
    "org_b": lambda house: make_organization(
        "Réseau des cinémas indépendants",
        "reseau.test",
        language="fr-fr",
        time_zone="Europe/Paris",
    ),
    "crm_a": lambda house: make_user(house["org_a"], OrganizationRole.CRM_STAFF),
    "editor_a": lambda house: make_user(house["org_a"], OrganizationRole.EDITORS),
    "crm_b": lambda house: make_user(house["org_b"], OrganizationRole.CRM_STAFF),
}


def uses_database(item: pytest.Item) -> bool:
    """Whether ``item`` may reach the test database (pytest-django blocks it otherwise)."""
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server", "django_db_reset_sequences"}
        & set(item.fixturenames)
    )


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Leave out the tests that cannot reach the database (CI's second run, on "
        "PostgreSQL: they already ran on SQLite, and DATABASE_URL changes nothing for them), "
        "except those marked every_database.",
    )


def pytest_collection_modifyitems(config, items):
    """With ``--database-tests-only``, deselect the tests that cannot reach the database."""
    if not config.getoption("--database-tests-only"):
        return
    kept, left_out = [], []
    for item in items:
        if uses_database(item) or item.get_closest_marker("every_database"):
            kept.append(item)
        else:
            left_out.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def commits(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase (it commits)."""
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        or marker.kwargs.get("reset_sequences")
    )
    return transactional or bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames)
    )


@pytest.fixture(scope="module")
def house_transaction(request, django_db_setup, django_db_blocker):
    """The transaction a module's house is built in, rolled back after the module's last test.

    It is marked as Django's ``TestCase`` marks its own, so that ``atomic(durable=True)`` still
    opens inside a test."""
    committing = [
        item.name
        for item in request.session.items
        if item.getparent(pytest.Module) is request.node
        and "house" in item.fixturenames
        and commits(item)
    ]
    if committing:
        pytest.fail(
            f"{request.node.name} shares a house, which lives in a transaction, yet these tests "
            f"commit: {', '.join(committing)}. Move them to a module without the house.",
            pytrace=False,
        )
    with django_db_blocker.unblock():
        atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
        atomic._from_testcase = True
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    """The organizations and staff, built once for the module (see the module docstring)."""
    built = {}
    with django_db_blocker.unblock():
        for name, build in HOUSE_BUILDERS.items():
            built[name] = build(built)
    return built


@pytest.fixture(autouse=True)
def _empty_caches_in_the_house(request):
    """In a module with a house, each test starts with empty caches (see the module docstring):
    between tests, only its rows come back after the rollback."""
    if "house" in request.fixturenames:
        for cache in caches.all(initialized_only=True):
            cache.clear()


@pytest.fixture
def house_copy(house, db):
    """This test's own deep copy of the house, as ``setUpTestData`` gives each test."""
    return copy.deepcopy(house)


def from_house(request, name, build):
    """``name`` from this test's copy of the house if its module has one, else ``build()``."""
    if "house" in request.fixturenames:
        return request.getfixturevalue("house_copy")[name]
    return build()


@pytest.fixture
def org_a(request, db):
    return from_house(request, "org_a", lambda: HOUSE_BUILDERS["org_a"]({}))


@pytest.fixture
def org_b(request, db):
    return from_house(request, "org_b", lambda: HOUSE_BUILDERS["org_b"]({}))


@pytest.fixture
def crm_a(request, org_a):
    return from_house(request, "crm_a", lambda: make_user(org_a, OrganizationRole.CRM_STAFF))


@pytest.fixture
def editor_a(request, org_a):
    return from_house(request, "editor_a", lambda: make_user(org_a, OrganizationRole.EDITORS))


@pytest.fixture
def crm_b(request, org_b):
    return from_house(request, "crm_b", lambda: make_user(org_b, OrganizationRole.CRM_STAFF))


# --- After a test that committed --------------------------------------------------------------

DB_BLOCKER = pytest.StashKey()


@pytest.fixture(scope="session", autouse=True)
def _db_blocker_for_hooks(request, django_db_blocker):
    request.config.stash[DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that committed, and before one that does not, put the database back as the
    migrations left it (root page, locales, roles...): the serialized copy that
    ``serialized_rollback`` reloads before each test that commits."""
    result = yield
    if nextitem is not None and commits(item) and not commits(nextitem):
        with item.config.stash[DB_BLOCKER].unblock():
            for alias in connections:
                connection = connections[alias]
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents is None:
                    continue
                call_command(
                    "flush",
                    database=alias,
                    interactive=False,
                    verbosity=0,
                    reset_sequences=False,  # as TransactionTestCase: ids never come back
                    inhibit_post_migrate=True,
                )
                connection.creation.deserialize_db_from_string(contents)
    return result
