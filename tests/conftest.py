import pytest

from organizations.registry import OrganizationRole
from tests.factories import make_organization, make_user


@pytest.fixture
def org_a(db):
    return make_organization("Centre Images Boréales", "boreal.test", language="fr-ca")


@pytest.fixture
def org_b(db):
    return make_organization(
        "Réseau des cinémas indépendants",
        "reseau.test",
        language="fr-fr",
        time_zone="Europe/Paris",
    )


@pytest.fixture
def crm_a(org_a):
    return make_user(org_a, OrganizationRole.CRM_STAFF)


@pytest.fixture
def editor_a(org_a):
    return make_user(org_a, OrganizationRole.EDITORS)


@pytest.fixture
def crm_b(org_b):
    return make_user(org_b, OrganizationRole.CRM_STAFF)
