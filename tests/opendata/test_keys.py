"""Members' API keys seen from the APIs and from the staff: how a request's key is read, when
it is refused (a member's partner software stops reading members-only data the day the
membership ends, or the key is revoked), who reads as a member, the rate limits every API
answer carries, the ``create_api_key`` command, and the admin's list of keys where the CRM
staff revoke a leaked one."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from crm_blocks.members import organization_today
from crm_blocks.models import Membership
from opendata.access import KeyRefused, audience_for, key_from_request, resolve_key
from opendata.api import common
from opendata.api.common import resolve
from opendata.apikeys import api_key_create
from opendata.models import ApiKey
from opendata.models.keys import digest
from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

factory = RequestFactory()


def api_request(host="boreal.test", address="203.0.113.7", user=None, **headers):
    """A GET to an API of ``host``, from ``address``; ``apikey`` goes in the query string."""
    query = {"apikey": headers.pop("apikey")} if "apikey" in headers else {}
    request = factory.get(
        "/api/explore/v2.1/catalog/datasets", query, HTTP_HOST=host, REMOTE_ADDR=address, **headers
    )
    if user is not None:
        request.user = user
    return request


def end_membership(contact, site, days_ago=1) -> None:
    """The membership ended ``days_ago`` days ago, by the organization's calendar."""
    end = organization_today(site) - dt.timedelta(days=days_ago)
    Membership.objects.filter(contact=contact).update(
        start_date=end - dt.timedelta(days=300), end_date=end
    )


@pytest.fixture
def still_clock(monkeypatch):
    """The rate limits' clock held in the middle of a window: a test never straddles two."""
    # Today's window (``date.today()`` reads ``time.time`` too: a clock in another year would
    # move memberships' dates), 30 seconds in.
    now = float(int(common.time.time()) // 60 * 60 + 30)
    monkeypatch.setattr(common.time, "time", lambda: now)
    return int(now)


# --- Reading the key -------------------------------------------------------------------------


def test_a_key_is_read_the_three_documented_ways_and_ckans_older_header():
    """``Authorization: Apikey KEY`` (Opendatasoft), ``?apikey=KEY`` (where no header can be
    set), CKAN's bare ``Authorization: KEY`` and ``X-CKAN-API-Key`` (sent by ``ckanapi``)."""
    secret = "lm_abcDEF123-_xyz"
    assert key_from_request(api_request(HTTP_AUTHORIZATION=f"Apikey {secret}")) == secret
    assert key_from_request(api_request(HTTP_AUTHORIZATION=f"apikey   {secret} ")) == secret
    assert key_from_request(api_request(apikey=secret)) == secret
    assert key_from_request(api_request(HTTP_AUTHORIZATION=secret)) == secret
    assert key_from_request(api_request(HTTP_X_CKAN_API_KEY=secret)) == secret
    assert key_from_request(api_request()) == ""
    # A proxy's password is not a key; the key then comes from the address.
    assert key_from_request(api_request(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")) == ""
    assert (
        key_from_request(api_request(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz", apikey=secret))
        == secret
    )
    # An empty « Apikey » is no key at all, not a key named « Apikey ».
    assert key_from_request(api_request(HTTP_AUTHORIZATION="Apikey ")) == ""


# --- Refusing a key --------------------------------------------------------------------------


def test_a_members_key_resolves_and_records_its_use(org_a):
    user, _contact = make_member(org_a, "Maude Gagnon")
    key, secret = api_key_create(account=user.member_account, name="Tableur")
    assert key.last_used_at is None
    assert resolve_key(org_a, secret) == key
    key.refresh_from_db()
    assert key.last_used_at is not None and timezone.now() - key.last_used_at < dt.timedelta(
        minutes=1
    )


def refusal(site, secret) -> str:
    with pytest.raises(KeyRefused) as refused:
        resolve_key(site, secret)
    return refused.value.reason


def test_unknown_revoked_and_other_organizations_keys_are_refused(org_a, org_b):
    user, _contact = make_member(org_a, "Maude Gagnon")
    user_b, _contact_b = make_member(org_b, "Léa Réseau")
    key, secret = api_key_create(account=user.member_account)
    _key_b, secret_b = api_key_create(account=user_b.member_account)

    assert refusal(org_a, "lm_" + "x" * 40) == "unknown"
    assert refusal(org_a, secret_b) == "other_organization"
    assert refusal(org_b, secret) == "other_organization"
    key.revoke()
    assert refusal(org_a, secret) == "revoked"


def test_a_key_stops_working_the_day_after_the_membership_ends(org_b):
    """A membership ending today still counts today, by the organization's own calendar
    (Paris for the network); the day after its end date, the key is refused as expired."""
    user, contact = make_member(org_b, "Léa Réseau")
    _key, secret = api_key_create(account=user.member_account)
    end_membership(contact, org_b, days_ago=0)
    assert resolve_key(org_b, secret).account == user.member_account
    end_membership(contact, org_b, days_ago=1)
    assert refusal(org_b, secret) == "expired"


def test_a_deactivated_login_stops_its_keys(org_a):
    """Staff who deactivate a member's login cut their programs off too."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = api_key_create(account=user.member_account)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert refusal(org_a, secret) == "expired"


# --- Who reads as a member -------------------------------------------------------------------


def test_who_reads_the_members_only_data(org_a, org_b, crm_a, editor_a, crm_b):
    """The organization's staff and its current members; not a member whose membership
    ended, another organization's member or staff, nor a visitor."""
    from django.contrib.auth.models import AnonymousUser

    current, _ = make_member(org_a, "Maude Gagnon")
    expired, expired_contact = make_member(org_a, "Paul Ancien")
    end_membership(expired_contact, org_a)
    other, _ = make_member(org_b, "Léa Réseau")

    def audience(user):
        return audience_for(api_request(user=user), org_a)

    staff = audience(crm_a)
    assert (staff.members, staff.staff) == (True, True)
    assert audience(editor_a).members
    member = audience(current)
    assert (member.members, member.staff, member.key) == (True, False, None)
    assert not audience(expired).members
    assert not audience(other).members
    assert not audience(crm_b).members
    assert not audience(AnonymousUser()).members
    assert audience(AnonymousUser()).site_id == org_a.pk


def test_with_a_key_the_api_reads_as_its_member_and_a_refused_key_is_an_error(org_a):
    """A key makes an anonymous request a member's; a refused one raises, never a silent
    fall back to the public data; pages (``api=False``) ignore keys."""
    from django.contrib.auth.models import AnonymousUser

    user, contact = make_member(org_a, "Maude Gagnon")
    key, secret = api_key_create(account=user.member_account)
    request = api_request(user=AnonymousUser(), HTTP_AUTHORIZATION=f"Apikey {secret}")
    audience = audience_for(request, org_a, api=True)
    assert (audience.members, audience.key) == (True, key)
    assert not audience_for(request, org_a).members, "pages ignore keys"

    end_membership(contact, org_a)
    with pytest.raises(KeyRefused):
        audience_for(request, org_a, api=True)
    answer = resolve(request)
    assert answer.refused == "expired" and not answer.audience.members


# --- Rate limits -----------------------------------------------------------------------------


def test_the_headers_count_down_and_the_121st_request_of_an_address_is_refused(org_a, still_clock):
    """120 requests a minute per address by default: each answer says how many are left and
    when the window ends; the 121st is over the limit and says when to come back."""
    first = resolve(api_request()).rate
    assert first.headers() == {
        "X-RateLimit-Limit": "120",
        "X-RateLimit-Remaining": "119",
        "X-RateLimit-Reset": str(still_clock - still_clock % 60 + 60),
    }
    second = resolve(api_request()).rate
    assert second.headers()["X-RateLimit-Remaining"] == "118"
    for _request in range(117):
        rate = resolve(api_request()).rate
    assert (rate.remaining, rate.exceeded) == (1, False)
    last = resolve(api_request()).rate
    assert (last.headers()["X-RateLimit-Remaining"], last.exceeded) == ("0", False)
    over = resolve(api_request()).rate
    assert over.exceeded
    assert over.headers()["X-RateLimit-Remaining"] == "0"
    assert over.headers()["Retry-After"] == "30"

    other = resolve(api_request(address="198.51.100.20")).rate
    assert (other.remaining, other.exceeded) == (119, False), "another address is not affected"


@override_settings(OPENDATA_RATE_LIMIT_PER_ADDRESS=2, OPENDATA_RATE_LIMIT_PER_KEY=3)
def test_a_key_has_its_own_budget(org_a, still_clock):
    """A member's program is counted by its key, wherever it runs: the address's budget spent,
    the key still reads; the key's spent, another address with the same key is refused."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = api_key_create(account=user.member_account)
    for _request in range(3):
        resolve(api_request())
    assert resolve(api_request()).rate.exceeded

    with_key = [resolve(api_request(HTTP_AUTHORIZATION=f"Apikey {secret}")) for _ in range(3)]
    assert [answer.rate.remaining for answer in with_key] == [2, 1, 0]
    assert with_key[0].rate.headers()["X-RateLimit-Limit"] == "3"
    elsewhere = resolve(api_request(address="198.51.100.20", apikey=secret))
    assert elsewhere.audience.members and elsewhere.rate.exceeded
    assert not resolve(api_request(address="198.51.100.20")).rate.exceeded


@override_settings(OPENDATA_RATE_LIMIT_PER_ADDRESS=1)
def test_a_new_window_starts_a_new_count(org_a, monkeypatch):
    now = [1_800_000_010.0]
    monkeypatch.setattr(common.time, "time", lambda: now[0])
    resolve(api_request())
    assert resolve(api_request()).rate.exceeded
    now[0] += 60
    assert not resolve(api_request()).rate.exceeded


@override_settings(
    MEMBER_SPACE_CLIENT_HEADER="HTTP_X_FORWARDED_FOR", OPENDATA_RATE_LIMIT_PER_ADDRESS=1
)
def test_behind_a_proxy_each_reader_is_counted_by_their_own_address(org_a, still_clock):
    """The proxy's header names the reader (even with odd characters in it); the proxy's own
    address is not one budget shared by everyone."""
    resolve(api_request(HTTP_X_FORWARDED_FOR="192.0.2.1 , 10.0.0.1"))
    assert resolve(api_request(HTTP_X_FORWARDED_FOR="192.0.2.1")).rate.exceeded
    assert not resolve(api_request(HTTP_X_FORWARDED_FOR="192.0.2.99")).rate.exceeded
    assert not resolve(api_request(HTTP_X_FORWARDED_FOR="bad value\twith spaces")).rate.exceeded


# --- The command -----------------------------------------------------------------------------


def create_api_key(**options) -> str:
    out = io.StringIO()
    call_command("create_api_key", stdout=out, **options)
    return out.getvalue()


def test_the_command_prints_only_the_key_which_works_at_once(org_a):
    """A script captures the key from the standard output: nothing else is printed. The member
    is found by their login's e-mail or their record's, whatever its case."""
    user, contact = make_member(org_a, "Maude Gagnon", email="Maude.Gagnon@example.org")
    output = create_api_key(
        organization="BOREAL.test", email="maude.gagnon@EXAMPLE.org", name="Serveur du réseau"
    )
    secret = output.strip()
    assert output == secret + "\n" and re.fullmatch(r"lm_[\w-]{40}", secret)
    key = ApiKey.objects.get()
    assert (key.account, key.name, key.key_digest) == (
        user.member_account,
        "Serveur du réseau",
        digest(secret),
    )
    assert resolve_key(org_a, secret) == key

    # Their record's e-mail changed since the login was made: it finds them too.
    contact.email = "maude@cinema.example"
    contact.save(update_fields=["email"])
    assert resolve_key(
        org_a, create_api_key(organization="boreal.test", email="MAUDE@cinema.example").strip()
    )
    assert ApiKey.objects.filter(account=user.member_account).count() == 2


def test_the_command_refuses_with_a_message_and_writes_nothing(org_a, org_b):
    user, contact = make_member(org_a, "Paul Ancien")
    end_membership(contact, org_a)
    make_member(org_b, "Léa Réseau", email="lea@reseau.example")
    make_member(org_a, "Jean Double", email="double@example.org")
    other, _ = make_member(org_a, "Jeanne Double", email="jeanne@example.org")
    other.email = "double@example.org"
    other.save(update_fields=["email"])

    cases = [
        ({"organization": "inconnu.test", "email": "paul-ancien@example.org"}, "nom d’hôte"),
        ({"organization": "boreal.test", "email": "personne@example.org"}, "Aucun membre"),
        # Another organization's member is no member here.
        ({"organization": "boreal.test", "email": "lea@reseau.example"}, "Aucun membre"),
        ({"organization": "boreal.test", "email": "paul-ancien@example.org"}, "adhésion"),
        ({"organization": "boreal.test", "email": "double@example.org"}, "Plusieurs membres"),
        ({"organization": "boreal.test", "email": "jeanne@example.org", "name": "x" * 101}, "100"),
    ]
    for options, expected in cases:
        out = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("create_api_key", stdout=out, **options)
        assert expected in str(refused.value), (options, str(refused.value))
        assert out.getvalue() == ""
    assert not ApiKey.objects.exists()


# --- The admin -------------------------------------------------------------------------------


def test_the_crm_staff_list_their_members_keys_and_revoke_one(client, org_a, crm_a):
    """The list names the member, the key's prefix and name, its dates and state — never the
    key; there is no « add »; revoking stops the key and keeps its row."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    expired, expired_contact = make_member(org_a, "Paul Ancien")
    key, secret = api_key_create(account=user.member_account, name="Tableur du bureau")
    old_key, _old_secret = api_key_create(account=expired.member_account, name="Vieux script")
    end_membership(expired_contact, org_a)
    client.force_login(crm_a)

    index = client.get(reverse("opendata_apikey:index"))
    page = index.content.decode()
    assert index.status_code == 200
    assert "Maude Gagnon" in page and "Paul Ancien" in page
    assert key.prefix in page and "Tableur du bureau" in page and secret not in page
    assert "Active" in page and "Inactive (adhésion terminée)" in page
    assert reverse("opendata_apikey:add") not in page
    assert client.get(reverse("opendata_apikey:add")).status_code in (302, 403)
    # Not even a superuser: a key is shown once, to whoever makes it.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org"))
    assert (
        reverse("opendata_apikey:add")
        not in client.get(reverse("opendata_apikey:index")).content.decode()
    )
    assert client.get(reverse("opendata_apikey:add")).status_code in (302, 403)
    assert ApiKey.objects.count() == 2
    client.force_login(crm_a)

    edit = client.get(reverse("opendata_apikey:edit", args=[key.pk])).content.decode()
    assert 'name="name"' in edit and secret not in edit and 'name="account"' not in edit

    confirm = client.get(reverse("opendata_apikey:delete", args=[key.pk]))
    assert confirm.status_code == 200 and "Oui, révoquer" in confirm.content.decode()
    response = client.post(reverse("opendata_apikey:delete", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    with pytest.raises(KeyRefused):
        resolve_key(org_a, secret)
    page = client.get(reverse("opendata_apikey:index")).content.decode()
    assert "Révoquée" in page
    assert old_key.prefix in page
    history = client.get(reverse("opendata_apikey:history", args=[key.pk])).content.decode()
    assert "Clé d’API révoquée" in history, "who revoked it stays in the key's history"


def test_another_organizations_staff_and_the_members_reach_no_key(client, org_a, crm_b):
    """The network's staff cannot list, open or revoke the centre's keys (the answer is the
    one for a missing id); a member, who does not work in the admin, gets nothing either."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    key, secret = api_key_create(account=user.member_account, name="Tableur du bureau")
    client.force_login(crm_b)
    index = client.get(reverse("opendata_apikey:index"))
    assert index.status_code == 200
    assert "Maude Gagnon" not in index.content.decode()
    assert key.prefix not in index.content.decode()
    missing = 10**9
    for name in ("edit", "delete", "history"):
        nothing = client.get(reverse(f"opendata_apikey:{name}", args=[missing]))
        response = client.get(reverse(f"opendata_apikey:{name}", args=[key.pk]))
        assert (response.status_code, response.content) == (404, nothing.content), name
    client.post(reverse("opendata_apikey:delete", args=[key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is None and resolve_key(org_a, secret) == key

    client.force_login(user)
    response = client.get(reverse("opendata_apikey:index"))
    assert response.status_code in (302, 403)


def test_the_admin_list_costs_the_same_whatever_the_number_of_keys(client, org_a, crm_a):
    """Each row's member name and state come with the page, not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, _ = make_member(org_a, "Maude Gagnon")
    api_key_create(account=first.member_account, name="Tableur")
    client.force_login(crm_a)
    client.get(reverse("opendata_apikey:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("opendata_apikey:index"))
    for number in range(4):
        user, _ = make_member(org_a, f"Membre {number}")
        api_key_create(account=user.member_account, name=f"Script {number}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("opendata_apikey:index")).content.decode()
    assert "Membre 3" in page and "Script 3" in page
    assert len(many) == len(few)
