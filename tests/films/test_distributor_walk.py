"""A distributor's login walks every admin URL (``tests/organizations/admin_walk.py``) and learns
nothing it should not: not another organization's records (the walk's other organization),
not its own network's CRM records, not another distributor's films, contacts or login — all
named with the walk's canary — and changes none of them.

The other organization's ids fill every id parameter, as in the organizations' walk; the
network's canary records are created after its counters moved, so rows of tables the other
organization left empty (distributors' accesses and contacts, film credits and versions…) get
its ``RECORD_ID`` too. Another distributor's film is asked for by its own id on every page URL.
"""

import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from films.distributors import distributor_access_grant, distributor_user_add
from films.models import DistributorContact
from organizations.models import OrganizationKind
from tests.factories import make_film, make_organization, make_organization_page, make_person
from tests.organizations.admin_walk import (
    CANARY,
    MODEL_PARAMS,
    RECORD_ID,
    SEARCHED,
    admin_patterns,
    expand,
    leaks,
    names_an_id,
    plant_other_organization,
    query_string,
    request_and_roll_back,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    with django_db_blocker.unblock():
        network = make_organization("Réseau des salles", "reseau.test", language="fr-ca")
        own = make_organization_page(
            network.organizations_index, "Films du Fleuve", kind=OrganizationKind.DISTRIBUTOR
        )
        access = distributor_access_grant(site=network, distributor=own)
        user = distributor_user_add(access=access, email="ana@fleuve.example", invite=False)
        own_film = make_film(access.folder, "Les Arbres de l'hiver", publish=False)
        plant_other_organization({})
        # The network's own canaries, after the counters moved.
        rival = make_organization_page(
            network.organizations_index,
            f"{SEARCHED} {CANARY} Distribution",
            kind=OrganizationKind.DISTRIBUTOR,
        )
        rival_access = distributor_access_grant(site=network, distributor=rival)
        distributor_user_add(access=rival_access, email=f"{CANARY}@rival.example", invite=False)
        rival_film = make_film(rival_access.folder, f"{SEARCHED} {CANARY} film")
        rival_film.title = f"{SEARCHED} {CANARY} brouillon"
        rival_film.save_revision()
        network_film = make_film(network.films, f"{SEARCHED} {CANARY} du réseau", publish=False)
        make_person(network.people_index, f"{SEARCHED} {CANARY} personne")
        for distributor in (own, rival):
            DistributorContact.objects.create(
                site=network,
                distributor=distributor,
                name=f"{SEARCHED} {CANARY} contact",
                email=f"{CANARY}@contact.example",
                validated_at=timezone.now(),
                consent_at=timezone.now(),
                consent_text=CANARY,
            )
    return {
        "user": user,
        "own_film": own_film,
        "foreign_pages": [rival_film, network_film, rival_access.folder, network.films],
    }


#: ``/app_label/model_name/`` of every page model, as admin URLs name them.
PAGE_MODEL_SEGMENTS = frozenset(
    f"/{model._meta.app_label}/{model._meta.model_name}/"
    for model in apps.get_models()
    if issubclass(model, Page)
)


def names_a_page_model_if_any(route: str, url: str) -> bool:
    """Whether a page URL is worth asking with the other distributor's page ids: those that
    name a model (« add a child of this type ») only for page models — Wagtail answers "not
    found" for any other model before it reads the page id, whichever it is."""
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
    if not names & MODEL_PARAMS:
        return True
    return any(segment in url for segment in PAGE_MODEL_SEGMENTS)


def walk(house, method: str) -> tuple[list[str], int]:
    """Every admin URL asked with ``method`` (GET with and without the search words; POST) as
    the distributor's login, with the other organization's ids and with another distributor's
    films: ``(findings, requests made)``."""
    client = Client()
    client.force_login(house["user"])
    assert client.get(f"/admin/pages/{house['own_film'].pk}/edit/").status_code == 200
    findings, walked = [], 0
    foreign_ids = [str(page.pk) for page in house["foreign_pages"]]
    for route, pattern in admin_patterns():
        for url in expand(route, pattern):
            if names_an_id(url):
                requests = [url]
                if "page" in route and names_a_page_model_if_any(route, url):
                    requests += [url.replace(str(RECORD_ID), pk) for pk in foreign_ids]
            elif method == "get":
                requests = [url, f"{url}?{query_string()}"]
            else:
                requests = [f"{url}?{query_string()}"]
            for full_url in requests:
                outcome = request_and_roll_back(client, method, full_url, method == "post")
                walked += 1
                if "error" in outcome:
                    findings.append(f"{method.upper()} {full_url}: crashed: {outcome['error']}")
                    continue
                response = outcome["response"]
                if response.status_code >= 500:
                    findings.append(f"{method.upper()} {full_url}: {response.status_code}")
                for leak in leaks(response):
                    findings.append(f"{method.upper()} {full_url}: shows «…{leak}…»")
                if outcome.get("changed"):
                    findings.append(f"{method.upper()} {full_url}: wrote to {outcome['changed']}")
    return findings, walked


def test_a_distributors_login_learns_nothing_through_any_admin_url(house):
    """Every admin URL read (GET, with the search words too), with the other organization's ids
    and with another distributor's film: no canary, no server error, no write. (POST: the
    next module, so that both halves of the walk run side by side.)"""
    findings, walked = walk(house, "get")
    assert walked > 500, "the walk reached too few URLs to prove anything"
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)


def test_the_walk_would_see_a_leak(house):
    """The canaries are where the walk looks: the network's own editor, who may see the
    network's CRM and every folder, finds them (so their absence above means something)."""
    from films.models import FilmPage
    from organizations.registry import OrganizationRole
    from tests.factories import make_user

    network = FilmPage.objects.get(pk=house["own_film"].pk).get_site()
    editor = make_user(network, OrganizationRole.EDITORS, username="editor-walk")
    client = Client()
    client.force_login(editor)
    rival_film = house["foreign_pages"][0]
    response = client.get(f"/admin/pages/{rival_film.pk}/edit/")
    assert response.status_code == 200 and leaks(response)
    assert leaks(client.get(f"/admin/pages/search/?q={SEARCHED}"))
