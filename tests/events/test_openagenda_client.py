"""The OpenAgenda client against our fake of the documented API: the access token is asked
once and asked again when it expires, a 429 waits as told, a server error is tried a bounded
number of times, and every failure reaches people as one clear message without any key."""

import pytest
from django.utils import translation

from events.openagenda.client import OpenAgendaClient, OpenAgendaError, clear_token_cache
from tests.events.openagenda_fake import FakeOpenAgenda


@pytest.fixture
def fake():
    clear_token_cache()
    server = FakeOpenAgenda().start()
    yield server
    server.stop()
    clear_token_cache()


def client_of(fake, sleeps, **kwargs):
    values = {
        "agenda_uid": fake.agenda_uid,
        "public_key": fake.public_key,
        "secret_key": fake.secret_key,
        "base_url": fake.url,
        "sleep": sleeps.append,
        "timeout": 5,
    }
    values.update(kwargs)
    return OpenAgendaClient(**values)


def place(name="Cinéma du Parc"):
    return {"name": name, "address": "3575 av. du Parc, Montréal", "countryCode": "CA"}


def test_the_token_is_asked_once_then_again_when_it_has_expired(fake):
    """Two writes share one token; once OpenAgenda forgets it (expired), the next write gets a
    401, asks a new token once and goes through: the editor sees no error."""
    sleeps = []
    client = client_of(fake, sleeps)
    first = client.create_location(place())
    client.create_location(place("Salle Bourgie"))
    assert fake.tokens_issued == 1
    token_requests = fake.received("POST", "/requestAccessToken")
    assert token_requests[0]["body"] == {
        "grant_type": "authorization_code",
        "code": fake.secret_key,
    }
    writes = fake.received("POST", "/locations")
    assert {w["headers"]["access-token"] for w in writes} == {"token-1"}
    assert all(w["headers"]["nonce"].isdigit() for w in writes)
    fake.expire_tokens()
    found = client.location_by_ext("liens-mutuels", "nothing")  # a read with the public key
    assert found is None
    third = client.create_location(place("Cinéma Moderne"))
    assert fake.tokens_issued == 2
    assert third["uid"] != first["uid"] and len(fake.locations) == 3
    assert [r["headers"].get("access-token") for r in fake.received("POST", "/locations")][-2:] == [
        "token-1",
        "token-2",
    ]


def test_a_429_waits_as_retry_after_says_then_succeeds(fake):
    """OpenAgenda's rate limit answers 429 with Retry-After: the client waits that long (the
    test's sleep records it) and the call then succeeds."""
    sleeps = []
    client = client_of(fake, sleeps)
    fake.fail_next(429, count=2, headers={"Retry-After": "7"})
    location = client.create_location(place())
    assert sleeps == [7.0, 7.0]
    assert location["uid"] and len(fake.locations) == 1


def test_server_errors_are_tried_a_bounded_number_of_times_then_said_clearly(fake):
    """A 503 that does not go away: four tries (three retries), then one message, in French for
    a French organization, naming the status; nothing was created on OpenAgenda."""
    sleeps = []
    client = client_of(fake, sleeps)
    fake.fail_next(503, count=10)
    with translation.override("fr"), pytest.raises(OpenAgendaError) as caught:
        client.create_location(place())
    message = str(caught.value)
    assert "503" in message and "4" in message
    assert "erreur" in message.lower()
    assert caught.value.status == 503
    assert len(sleeps) == 3 and len(fake.received("POST", "/locations")) == 4
    assert fake.locations == {}


def test_an_answer_that_is_not_json_is_an_error_not_a_crash(fake):
    """A proxy's HTML page instead of JSON becomes a readable error."""
    client = client_of(fake, [])
    fake.fail_next(200, body=b"<html>maintenance</html>")
    with pytest.raises(OpenAgendaError, match="JSON"):
        client.location_by_ext("liens-mutuels", "x")


def test_a_wrong_secret_key_is_refused_without_showing_it(fake):
    """OpenAgenda refuses an unknown secret key: the message says to check the keys and never
    repeats the key typed."""
    wrong = "sk-wrong-1234567890"
    client = client_of(fake, [], secret_key=wrong)
    with translation.override("en"), pytest.raises(OpenAgendaError) as caught:
        client.create_location(place())
    assert caught.value.status == 401
    assert wrong not in str(caught.value) and "keys" in str(caught.value)
    assert wrong not in repr(client)


def test_an_unreachable_server_is_tried_again_then_reported(fake):
    """Nothing listens at the address: bounded retries, then "could not be reached"."""
    sleeps = []
    fake.stop()
    client = client_of(fake, sleeps, max_retries=2)
    with translation.override("en"), pytest.raises(OpenAgendaError, match="could not be reached"):
        client.location_by_ext("liens-mutuels", "x")
    assert len(sleeps) == 2


def test_reading_an_agenda_follows_the_after_cursor(fake):
    """250 events read 100 at a time: three pages, each asking ``after[]`` from the answer
    before, every event once."""
    for number in range(250):
        fake.add_event(title={"fr": f"Séance {number}"})
    client = client_of(fake, [])
    events = list(client.iter_events(page_size=100))
    assert len({event["uid"] for event in events}) == 250
    pages = fake.received("GET", "/events")
    assert len(pages) == 3
    assert "after[]" not in pages[0]["query"] and pages[1]["query"]["after[]"]
    assert pages[0]["headers"]["key"] == fake.public_key and pages[0]["query"]["detailed"] == ["1"]
