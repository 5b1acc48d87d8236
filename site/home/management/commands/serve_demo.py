"""Serve the demo: the background task worker and the development server, stopped together.

They start only once the demo is in the database (migrated, and ``load_demo`` run for this
port): the worker would otherwise race the loading for the database, and the search index of
what it had not seen yet would be left behind. They run with the demo settings
(``config.settings.demo``: DEBUG off, so that visitors see the site's own error pages).

Both run as child processes of this command, so that it alone decides when they stop: Ctrl+C,
SIGTERM or SIGHUP stop the server and then let the worker finish its current task. The server is
a child process rather than ``call_command("runserver")`` because runserver leaves with
``os._exit`` when its port is taken, which would skip the worker's clean-up.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Site

MANAGE_PY = Path(__file__).resolve().parents[3] / "manage.py"
HOST = "127.0.0.1"  # localhost resolves here too; nothing is exposed to the network
STOP_TIMEOUT = 10  # seconds a child gets to stop before it is killed
DEV_SETTINGS = "config.settings.dev"
DEMO_SETTINGS = "config.settings.demo"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Serve the demo on http://127.0.0.1:PORT/ and http://localhost:PORT/ with the "
        "background task worker (manage.py db_worker); Ctrl+C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="Port to listen on (env PORT or 8000).",
        )
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Keep the development settings (DEBUG on: Django's debug pages instead of the "
            "site's own error pages).",
        )

    def handle(self, *args, **options):
        port = options["port"]
        self._check_port_free(port)
        self._check_demo_loaded(port)
        env = os.environ.copy()
        env.setdefault("WAGTAILADMIN_BASE_URL", f"http://{HOST}:{port}")
        if not options["debug"] and env.get("DJANGO_SETTINGS_MODULE", DEV_SETTINGS) == DEV_SETTINGS:
            env["DJANGO_SETTINGS_MODULE"] = DEMO_SETTINGS
        python = [sys.executable, str(MANAGE_PY)]

        # SIGINT too: a shell starts background jobs with it ignored, and `kill -INT` should work.
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {signum: signal.signal(signum, _interrupt) for signum in handled}
        worker = server = None
        try:
            # No autoreload: its extra process would only complicate stopping.
            # Quiet worker: a line per task would scroll the addresses and logins away.
            worker = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
                [*python, "db_worker", "--no-reload", "--verbosity", "0"], env=env
            )
            server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
                [*python, "runserver", f"{HOST}:{port}", "--noreload"], env=env
            )
            self._print_addresses(port, worker.pid)
            worker_reported = False
            while True:
                if server.poll() is not None:
                    raise CommandError(f"The server stopped (exit code {server.returncode}).")
                if worker.poll() is not None and not worker_reported:
                    worker_reported = True
                    self.stderr.write(
                        f"The task worker stopped (exit code {worker.returncode}); the site "
                        "still works, background tasks wait until the next start."
                    )
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the demo…")
        finally:
            # The server first, so that no request queues a task the worker will not run.
            for process in (server, worker):
                self._stop(process)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Demo stopped.")

    def _check_port_free(self, port: int) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError as error:
                raise CommandError(
                    f"Port {port} is already in use ({error.strerror}); choose another with "
                    "--port or stop what listens there."
                ) from error

    def _check_demo_loaded(self, port: int) -> None:
        """Refuse to start the worker and the server before the demo is in the database: the
        worker would run against a half-built database (and lose the tasks that fail there)."""
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database is not up to date: run `python site/manage.py migrate`, then "
                f"`python site/manage.py load_demo --port {port}` (`make demo` does both)."
            )
        if not Site.objects.filter(port=port).exists():
            raise CommandError(
                f"No organization uses port {port} yet: run "
                f"`python site/manage.py load_demo --port {port}` first (`make demo` does it)."
            )

    def _print_addresses(self, port: int, worker_pid: int) -> None:
        sites = list(Site.objects.filter(port=port).order_by("-is_default_site", "pk"))
        self.stdout.write(self.style.SUCCESS(f"Demo served on port {port}:"))
        for site in sites:
            self.stdout.write(f"  {site.site_name}: {site.root_url}/")
        self.stdout.write(f"  Administration: http://{HOST}:{port}/admin/")
        self.stdout.write(f"  Task worker: process {worker_pid}")
        self.stdout.write("Press Ctrl+C to stop the server and the worker.")

    def _stop(self, process) -> None:
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
