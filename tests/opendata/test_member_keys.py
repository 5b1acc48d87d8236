"""« My API keys » in the member space: a member makes a key for their programs, copies it from
the one page that shows it, sees which keys they have and when they were used, and revokes a
lost one; a member whose membership ended sees their keys stop working and cannot make more;
nobody reaches another member's keys."""

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from wagtail.models import ModelLogEntry

from crm_blocks.members import organization_today
from crm_blocks.models import Membership
from opendata.access import KeyRefused, resolve_key
from opendata.models import ApiKey
from opendata.models.keys import digest
from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}
B = {"HTTP_HOST": "reseau.test"}
KEYS = "/espace-membre/cles-api/"


def shown_key(response) -> str:
    match = re.search(
        r'id="api-key" type="text" readonly value="([^"]+)"', response.content.decode()
    )
    assert match, "the new key is shown in a read-only field"
    return match.group(1)


def end_membership(contact, site) -> None:
    """The membership ended yesterday, where the organization is."""
    yesterday = organization_today(site) - dt.timedelta(days=1)
    Membership.objects.filter(contact=contact).update(
        start_date=yesterday - dt.timedelta(days=300), end_date=yesterday
    )


def test_a_member_makes_a_key_sees_it_once_and_it_works_at_once(client, org_a):
    """The key is on the page that follows the form, with the three ways to send it; only its
    digest is kept; the API takes it right away; the lists show its prefix and name only."""
    user, contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)

    space = client.get("/espace-membre/", **A)
    page = space.content.decode()
    assert "Mes clés d’API" in page or "Mes clés d'API" in page
    assert "Vous n’avez pas encore de clé d’API." in page
    assert 'name="csrfmiddlewaretoken"' in page

    created = client.post(KEYS, {"name": "Tableur du bureau"}, **A)
    assert created.status_code == 200
    assert "no-cache" in created["Cache-Control"] and "private" in created["Cache-Control"]
    secret = shown_key(created)
    text = created.content.decode()
    assert f"Authorization: Apikey {secret}" in text
    assert f"?apikey={secret}" in text
    assert f"Authorization: {secret}</code>" in text

    key = ApiKey.objects.get()
    assert (key.account, key.name) == (user.member_account, "Tableur du bureau")
    assert key.key_digest == digest(secret) and secret.startswith(key.prefix)
    stored = [getattr(key, field.attname) for field in ApiKey._meta.concrete_fields]
    assert secret not in [str(value) for value in stored], "the key itself is never stored"
    assert resolve_key(org_a, secret) == key

    for listing in (client.get("/espace-membre/", **A), client.get(KEYS, **A)):
        page = listing.content.decode()
        assert listing.status_code == 200 and "no-cache" in listing["Cache-Control"]
        assert key.prefix in page and "Tableur du bureau" in page
        assert secret not in page, "shown once only"
        assert "Active" in page


def test_a_member_revokes_their_key_and_it_stops_working(client, org_a):
    user, contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    secret = shown_key(client.post(KEYS, {"name": "Site Web"}, **A))
    key = ApiKey.objects.get()

    revoked = client.post(f"{KEYS}{key.pk}/revoquer/", **A)
    assert revoked.status_code == 302 and revoked["Location"] == KEYS
    key.refresh_from_db()
    assert key.revoked_at is not None
    history = ModelLogEntry.objects.for_instance(key).order_by("pk")
    assert [(entry.action, entry.user) for entry in history] == [
        ("wagtail.create", user),
        ("opendata.api_key.revoke", user),
    ], "the staff see in the key's history that the member revoked it"
    with pytest.raises(KeyRefused) as refusal:
        resolve_key(org_a, secret)
    assert refusal.value.reason == "revoked"
    page = client.get(KEYS, **A).content.decode()
    assert f"La clé {key} ne fonctionne plus." in page
    assert "Révoquée" in page and "Révoquer la clé" not in page

    # Revoking is a POST: a link followed by a crawler revokes nothing.
    other_secret = shown_key(client.post(KEYS, {"name": "Autre"}, **A))
    other = ApiKey.objects.get(revoked_at__isnull=True)
    assert client.get(f"{KEYS}{other.pk}/revoquer/", **A).status_code == 405
    assert resolve_key(org_a, other_secret) == other


def test_a_name_too_long_is_refused_with_nothing_made(client, org_a):
    user, _contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    response = client.post(KEYS, {"name": "x" * 101}, **A)
    assert response.status_code == 400
    assert "Nom de la clé" in response.content.decode()
    assert 'id="api-key"' not in response.content.decode()
    assert not ApiKey.objects.exists()


def test_an_expired_member_sees_their_keys_inactive_and_cannot_make_one(client, org_a):
    """The day after the membership's end, the key answers "expired", the member space says
    why, and no new key is made — even by a form posted from an old page."""
    user, contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    secret = shown_key(client.post(KEYS, {"name": "Tableur"}, **A))
    end_membership(contact, org_a)

    with pytest.raises(KeyRefused) as refusal:
        resolve_key(org_a, secret)
    assert refusal.value.reason == "expired"
    page = client.get("/espace-membre/", **A).content.decode()
    assert "Votre adhésion n’est pas en cours" in page
    assert "Inactive (adhésion terminée)" in page
    assert "Créer une nouvelle clé" not in page

    refused = client.post(KEYS, {"name": "Encore"}, **A)
    assert refused.status_code == 403
    assert "renouvelez-la" in refused.content.decode()
    assert 'id="api-key"' not in refused.content.decode()
    assert ApiKey.objects.count() == 1


def test_a_member_never_sees_nor_revokes_another_members_key(client, org_a):
    """Another member's key, of the same organization, answers "not found" and stays usable."""
    maude, _ = make_member(org_a, "Maude Gagnon")
    paul, _ = make_member(org_a, "Paul Cinéaste")
    client.force_login(paul)
    paul_secret = shown_key(client.post(KEYS, {"name": "Clé de Paul"}, **A))
    paul_key = ApiKey.objects.get()

    client.force_login(maude)
    page = client.get(KEYS, **A).content.decode()
    assert "Clé de Paul" not in page and paul_key.prefix not in page
    assert client.post(f"{KEYS}{paul_key.pk}/revoquer/", **A).status_code == 404
    paul_key.refresh_from_db()
    assert paul_key.revoked_at is None
    assert resolve_key(org_a, paul_secret) == paul_key


def test_the_keys_pages_are_for_members_of_the_visited_organization(client, org_a, org_b, crm_a):
    """Visitors, staff and another organization's members are sent to the login page; a
    key made in one organization reads nothing of another."""
    for method in (client.get, client.post):
        answer = method(KEYS, **A)
        assert answer.status_code == 302 and "/espace-membre/connexion/" in answer["Location"]
    client.force_login(crm_a)
    answer = client.post(KEYS, {"name": "Staff"}, **A)
    assert answer.status_code == 302 and "/espace-membre/connexion/" in answer["Location"]

    member_b, _ = make_member(org_b, "Léa Réseau")
    client.force_login(member_b)
    answer = client.post(KEYS, {"name": "Intruse"}, **A)
    assert answer.status_code == 302 and "/espace-membre/connexion/" in answer["Location"]
    assert not ApiKey.objects.exists()

    secret_b = shown_key(client.post(KEYS, {"name": "Clé du réseau"}, **B))
    with pytest.raises(KeyRefused) as refusal:
        resolve_key(org_a, secret_b)
    assert refusal.value.reason == "other_organization"
    assert resolve_key(org_b, secret_b).account == member_b.member_account
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Apikey {secret_b}")
    assert request.headers["Authorization"].endswith(secret_b)


def test_the_section_costs_the_same_whatever_the_number_of_keys(client, org_a):
    """A member with many keys (one per script) does not slow their home page down."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opendata.apikeys import api_key_create

    user, _contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    api_key_create(account=user.member_account, name="Première")
    client.get("/espace-membre/", **A)  # caches warmed
    with CaptureQueriesContext(connection) as one:
        assert client.get("/espace-membre/", **A).status_code == 200
    for number in range(4):
        api_key_create(account=user.member_account, name=f"Script {number}")
    with CaptureQueriesContext(connection) as five:
        page = client.get("/espace-membre/", **A).content.decode()
    assert "Script 3" in page and "Première" in page
    assert len(five) == len(one)


def test_a_form_posted_from_another_site_makes_and_revokes_nothing(org_a):
    """Without the member space's CSRF token, a page elsewhere cannot make a key in the
    member's name (and read it) nor revoke one."""
    from django.test import Client

    from opendata.apikeys import api_key_create

    user, _contact = make_member(org_a, "Maude Gagnon")
    key, secret = api_key_create(account=user.member_account, name="Tableur")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post(KEYS, {"name": "Piège"}, **A).status_code == 403
    assert browser.post(f"{KEYS}{key.pk}/revoquer/", **A).status_code == 403
    assert list(ApiKey.objects.all()) == [key]
    assert resolve_key(org_a, secret) == key
