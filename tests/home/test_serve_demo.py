"""`make demo` on a fresh clone, the README way: `migrate`, `load_demo`, then `serve_demo` with its
task worker, in a throwaway folder (``LIENS_VAR_DIR``) on a free port.

What a newcomer met before: the worker raced the loading ("database is locked") and one image
never reached the search index; the demo showed Django's debug pages instead of the site's own
"not found" and "server error" pages. Here the worker drains its queue, every page and image
is found by the search backend, the error pages are the site's, and Ctrl+C stops everything.
"""

import datetime
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

REPO = Path(__file__).resolve().parents[2]
MANAGE = REPO / "site" / "manage.py"
#: Loading the demo and draining the worker's queue on a busy 2-core machine.
START_TIMEOUT = 240
DRAIN_TIMEOUT = 300
#: Variables of the surrounding run that would point the demo elsewhere (CI's PostgreSQL…).
FOREIGN_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "LIENS_VAR_DIR",
    "PORT",
    "DEBUG",
}


def demo_environment(var_dir: Path) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    environment.update(LIENS_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(environment, *args, timeout=START_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(MANAGE), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fetch(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read().decode(errors="replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)


@dataclass
class Demo:
    port: int
    process: subprocess.Popen
    var_dir: Path
    environment: dict
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def unfinished_tasks(self) -> int:
        with sqlite3.connect(f"file:{self.var_dir / 'db.sqlite3'}?mode=ro", uri=True) as db:
            (count,) = db.execute(
                # Tasks due now (django-tasks-db writes "no date" as year 9999): the events'
                # daily task waits for tomorrow by design.
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY', 'RUNNING') "
                "AND (run_after <= ? OR run_after >= '9999-01-01')",
                (datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),),
            ).fetchone()
        return count


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo-var")
    environment = demo_environment(var_dir)
    port = free_port()
    for command in (["migrate", "--no-input"], ["load_demo", "--port", str(port)]):
        result = manage(environment, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    log = var_dir / "serve_demo.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(MANAGE), "serve_demo", "--port", str(port)],
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so that teardown can stop every child
        )
    running = Demo(port, process, var_dir, environment, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, running.output()
            try:
                if fetch(running.url + "/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, running.output()
            time.sleep(0.5)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_worker_puts_every_page_and_image_of_the_demo_in_the_search_index(demo):
    """Search finds every page and every image once the worker has drained its queue, and no
    task failed on the way (a failed task is an entry missing from the index for good)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while demo.unfinished_tasks():
        assert demo.process.poll() is None, demo.output()
        assert time.monotonic() < deadline, "the worker did not drain its queue"
        time.sleep(1)
    script = """
import json
import re
from django_tasks_db.models import DBTaskResult
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

backend = get_search_backend()
missing = []
objects = [*Page.objects.filter(depth__gt=1).specific(), *get_image_model().objects.all()]
for obj in objects:
    words = " ".join(re.findall(r"\\w+", obj.title))  # the words of its title
    found = backend.search(words, type(obj).objects.filter(pk=obj.pk))
    if not list(found):
        missing.append(f"{type(obj).__name__} {obj.pk} {obj.title}")
failed = [str(r.exception_class_path) for r in DBTaskResult.objects.failed()]
print(json.dumps({"checked": len(objects), "missing": missing, "failed": failed}))
"""
    result = manage(demo.environment, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["checked"] > 60, report
    assert report["missing"] == [], report
    assert report["failed"] == [], report
    assert "database is locked" not in demo.output()


def test_a_missing_address_gets_the_sites_own_not_found_page(demo):
    """DEBUG is off: the visitor gets the organization's 404 page, styled (static files still
    served), not Django's debug page."""
    status, html, _headers = fetch(demo.url + "/rien-ici/")
    assert status == 404
    assert "template-404" in html and "Centre Images Boréales" in html
    assert "Using the URLconf" not in html and "DEBUG = True" not in html
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    status, css, headers = fetch(demo.url + stylesheet)
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css


def test_the_demo_serves_its_pictures_with_debug_off(demo):
    """Uploaded images (the logos and portraits the demo drew) still show."""
    _status, html, _headers = fetch(demo.url + "/")
    image = re.search(r'<img[^>]+src="(/media/[^"]+)"', html).group(1)
    status, _body, headers = fetch(demo.url + image)
    assert status == 200 and headers["Content-Type"].startswith("image/")


def test_a_failure_on_the_demo_shows_the_sites_server_error_page(demo):
    status, html, _headers = fetch(demo.url + "/_demo/server-error/")
    assert status == 500
    with translation.override("fr"):
        assert html == render_to_string("500.html")
    assert "DemoServerError" not in html and "Traceback" not in html


def test_ctrl_c_stops_the_server_and_its_worker(demo):
    worker = int(re.search(r"Task worker: process (\d+)", demo.output()).group(1))
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(timeout=60) == 0, demo.output()
    assert "Demo stopped." in demo.output()
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", demo.port))  # the server let the port go


def test_serve_demo_refuses_to_start_before_the_demo_is_loaded(tmp_path):
    """Without the demo in the database, no worker and no server start: the command says what
    to run first."""
    result = manage(demo_environment(tmp_path), "serve_demo", "--port", str(free_port()))
    assert result.returncode != 0
    assert "migrate" in result.stderr and "load_demo" in result.stderr
    assert "Task worker" not in result.stdout


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(tmp_path):
    """The worker's index updates read, then write, in one transaction while the server writes
    (renditions, imports). In WAL mode SQLite cannot upgrade a stale read to a write: such a
    transaction failed at once with "database is locked", whatever the busy timeout, unless it
    takes the write lock when it begins."""
    script = """
import threading

import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
started, written, errors = threading.Event(), threading.Event(), []

def other_writer():
    started.wait()
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE counter SET n = n + 1")
        written.set()
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

thread = threading.Thread(target=other_writer)
thread.start()
try:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            started.set()
            written.wait(3)  # the other writer commits here, unless it waits for this one
            cursor.execute("UPDATE counter SET n = n + 10")
except Exception as error:
    errors.append(repr(error))
thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(errors or cursor.fetchone()[0])
"""
    environment = demo_environment(tmp_path)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script],
        cwd=REPO / "site",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "11", result.stdout

