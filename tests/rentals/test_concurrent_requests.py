"""Twenty members ask for the only camera, for the same days, at the same moment, through a
real server: one gets it, the nineteen others are told which days are taken — none gets the
camera too, none gets a server error.

What members would lose otherwise: two crews showing up for one camera (a double booking), or a
crash page instead of "these dates are taken".

The server is a real one, serving requests in threads, each with its own database connection,
as in production:

- on PostgreSQL, pytest-django's ``live_server``;
- on SQLite, the test database lives in memory and pytest-django's ``live_server`` gives every
  request thread the test's *one* connection (Django's ``connections_override``): twenty
  requests would share one transaction, which proves nothing (and breaks savepoints). So the
  test copies that database into a file (SQLite's backup API), opens it as production does
  (``base.py``: WAL, ``BEGIN IMMEDIATE``, a 20 s busy timeout) and runs Django's
  ``LiveServerThread`` without the override: each request thread opens its own connection to
  the file, and SQLite serialises their writes as it would for gunicorn's workers.
"""

import datetime as dt
import re
import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest
import requests
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import caches
from django.db import connections
from django.test.testcases import LiveServerThread
from django.utils import translation
from django.utils.formats import date_format

from rentals.models import Booking, BookingLine, Qualification, Training
from tests.factories import make_equipment, make_member, make_organization

# serialized_rollback: another test that commits may have emptied the database before this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMBERS = 20
PASSWORD = "motdepasse-test"  # make_member's
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def memory_sqlite() -> bool:
    connection = connections["default"]
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def sqlite_file_server(tmp_path):
    """The in-memory test database copied to a file, opened the production way in this thread
    and in every thread the server starts; yields the server's address."""
    memory = connections["default"]
    memory.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    copy = sqlite3.connect(path)
    memory.connection.backup(copy)
    copy.close()
    original = connections.settings["default"]
    options = {
        **original.get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    connections.settings["default"] = {**original, "NAME": str(path), "OPTIONS": options}
    on_file = connections.create_connection("default")
    connections["default"] = on_file  # this thread; the server's threads make their own
    server = LiveServerThread("localhost", StaticFilesHandler, connections_override=None)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        if server.error:
            raise server.error
        yield f"http://localhost:{server.port}"
    finally:
        server.terminate()
        on_file.close()
        connections["default"] = memory
        connections.settings["default"] = original


@pytest.fixture
def server_url(request, tmp_path):
    """A real, threaded server on this test's committed data (see the module docstring)."""
    for cache in caches.all(initialized_only=True):
        cache.clear()
    if memory_sqlite():
        yield from sqlite_file_server(tmp_path)
    else:
        yield request.getfixturevalue("live_server").url


def quiet_days(zone: str, after: int = 40, length: int = 2) -> tuple[dt.date, dt.date]:
    """A weekday ``after`` days ahead and ``length`` days later, without a clock change."""
    start = dt.date.today() + dt.timedelta(days=after)
    while True:
        end = start + dt.timedelta(days=length)
        offsets = {
            dt.datetime.combine(day, dt.time(10), ZoneInfo(zone)).utcoffset()
            for day in (start, end)
        }
        if len(offsets) == 1 and start.weekday() < 4:
            return start, end
        start += dt.timedelta(days=1)


def logged_in_session(base: str, email: str) -> requests.Session:
    """A member's browser: logged in through the member space's real login form."""
    session = requests.Session()
    login = f"{base}/espace-membre/connexion/"
    token = TOKEN_RE.search(session.get(login, timeout=30).text).group(1)
    answer = session.post(
        login,
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_twenty_members_ask_for_the_one_camera_at_once(server_url):
    """Exactly one booking holds the camera; the nineteen others got a 409 naming the days
    (and the item), never the member who got it; no 500."""
    port = int(server_url.rsplit(":", 1)[1])
    site = make_organization("Centre Images Boréales", "localhost", port=port, language="fr-ca")
    training = Training.objects.create(site=site, name="Caméras cinéma")
    camera = make_equipment(site.catalogue, "Caméra Sony FX6", units=1, required_training=training)
    start, end = quiet_days("America/Toronto")
    members = []
    for number in range(MEMBERS):
        user, contact = make_member(site, f"Membre Numéro{number:02d}", f"m{number}@exemple.org")
        Qualification.objects.create(
            contact=contact, training=training, obtained_on=dt.date.today()
        )
        members.append((user, contact))
    reserve = f"{server_url}{camera.relative_url(site)}reserve/"

    sessions = [logged_in_session(server_url, user.email) for user, _contact in members]
    tokens = [TOKEN_RE.search(s.get(reserve, timeout=30).text).group(1) for s in sessions]
    barrier = threading.Barrier(MEMBERS)
    answers: list = [None] * MEMBERS

    def ask(index: int) -> None:
        headers = {"Accept": "application/json"} if index % 2 else {}
        barrier.wait(timeout=60)
        try:
            answers[index] = sessions[index].post(
                reserve,
                {
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "quantity": "1",
                    "csrfmiddlewaretoken": tokens[index],
                },
                headers=headers,
                allow_redirects=False,
                timeout=120,
            )
        except requests.RequestException as error:  # reported below, with the others
            answers[index] = error

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    statuses = [getattr(answer, "status_code", repr(answer)) for answer in answers]
    assert sorted(statuses, key=str) == [303] + [409] * (MEMBERS - 1), statuses
    winner = statuses.index(303)
    booking = Booking.objects.get()
    assert booking.borrower == members[winner][1]
    assert answers[winner].headers["Location"].endswith(f"reservations/{booking.pk}/")
    assert BookingLine.objects.filter(active=True).count() == 1

    with translation.override("fr"):
        first_day = date_format(start, "j F Y")
    winner_name = f"Numéro{winner:02d}"
    for index, answer in enumerate(answers):
        if index == winner:
            continue
        if index % 2:
            body = answer.json()
            assert body["error"] == "conflict" and start.isoformat() in body["days"]
            text = body["message"]
        else:
            text = answer.text
        assert "Caméra Sony FX6" in text and first_day in text, text[:500]
        assert winner_name not in text
