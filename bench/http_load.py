#!/usr/bin/env python
"""The site served over HTTP by gunicorn, under load: throughput and latency, as ratios to
``/robots.txt`` (our lightest view) in the same run (``make bench`` runs it).

Run from the repository root::

    .venv/bin/python bench/http_load.py [--duration 10] [--connections 2] [--workers 2]
                                        [--client auto|wrk|python] [--code DIR] [--no-fail]

(Not ``bench/http.py``: a script's folder comes first on ``sys.path``, and a ``http`` module
there would shadow the standard library's for every script of the folder.)

What it does:

1. Builds the data of ``bench/run.py`` (one organization, 50 published people, two in three
   with a photo, a minimal page) in a scratch SQLite file, with ``config.settings.test``.
2. Serves it with gunicorn (``--workers`` sync workers, ``config.wsgi``) as the embedded
   default runs: ``config.settings.dev`` with ``DEBUG`` off, the database file above, the
   file-based caches in a scratch folder. Twice: with the page cache (``public_cache``), then
   without it (``PAGE_CACHE_TIMEOUT=0``), the pages then rendered on every request.
3. For each server, warms the URLs up, then loads each in turn for ``--duration`` seconds with
   ``--connections`` connections: ``/robots.txt``, the home page, a person page and the people
   index. The load comes from ``wrk`` (Debian's package; ``make bench`` installs it when run as
   root) or, without it, from a Python client (threads, one connection per request, as gunicorn's
   sync workers close them anyway), on the same machine.
4. Prints requests per second, p50 and p99 latency, and ``RATIO`` lines against the targets:
   cached pages at least half the throughput of ``/robots.txt`` served by the same server, and
   p99 at most twice p50 for every URL of the cached server. Uncached figures are reported
   (``--code DIR`` serves another checkout, e.g. an earlier commit, to compare them;
   ``--compare-gc`` serves each again without ``gc.freeze()``). A ``FLOOR`` line gives the
   same load's figures for a static file from Python's ``http.server``: on a busy machine its
   own p99 is many times its p50, and no page's tail can be better. Exits 1 when a target is
   missed (``--no-fail`` only reports).
"""

import argparse
import contextlib
import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent


def load_sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"liens_bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pages_bench = load_sibling("run")

BASELINE = "robots"
CACHED_THROUGHPUT_TARGET = 0.5  # a cached page's req/s over robots.txt's
TAIL_TARGET = 2.0  # p99 over p50
LABELS = {
    "robots": "/robots.txt",
    "home": "home page",
    "person": "person page",
    "people_index": "people index (24 cards)",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=2, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=50, help="requests per URL first")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--code",
        type=Path,
        default=REPO_DIR,
        help="checkout whose site/ gunicorn serves (default: this one)",
    )
    parser.add_argument(
        "--only",
        choices=["cached", "uncached"],
        help="serve only with the page cache on, or only with it off",
    )
    parser.add_argument(
        "--compare-gc",
        action="store_true",
        help="also serve each without gc.freeze() (LIENS_GC_FREEZE=0, see config/wsgi.py)",
    )
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, host: str, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(*, code: Path, workers: int, env: dict, host: str):
    """gunicorn serving ``code``'s site on a free port; yields the port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--chdir",
        str(code / "site"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=code, start_new_session=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"bench: gunicorn stopped at start (exit {server.returncode})")
            try:
                get(port, host, "/robots.txt")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("bench: gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@contextlib.contextmanager
def static_server(tmp_dir: Path):
    """Python's own ``http.server`` serving one small file: what any server gets from this
    machine right now (its tail is the floor no page can beat). Yields the port."""
    folder = tmp_dir / "static"
    folder.mkdir(exist_ok=True)
    (folder / "floor.txt").write_text("User-agent: *\nDisallow: /admin/\n")
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, "127.0.0.1", "/floor.txt")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("bench: http.server did not answer within 30 s") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def server_env(tmp_dir: Path, database: str, *, cached: bool, gc_freeze: bool = True) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAGE_CACHE_", "REDIS_", "DATABASE_", "LIENS_"))
    }
    var_dir = tmp_dir / ("var-cached" if cached else "var-uncached")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        ALLOWED_HOSTS="*",
        DATABASE_URL=f"sqlite:///{database}",
        LIENS_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(tmp_dir / "media"),
        LOG_LEVEL="ERROR",
        PAGE_CACHE_TIMEOUT=str(60 * 60 if cached else 0),
        LIENS_GC_FREEZE="1" if gc_freeze else "0",
    )
    return env


# --- load --------------------------------------------------------------------------------------

WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk_load(port, host, path, *, duration, connections) -> dict:
    result = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk"),
            "--latency",
            "-t",
            str(min(connections, 2)),
            "-c",
            str(connections),
            "-d",
            f"{duration:g}s",
            "-H",
            f"Host: {host}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"bench: {path} answered errors under load:\n{out}")
    percentiles = {
        int(pct): float(value) * WRK_UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": percentiles[50],
        "p99": percentiles[99],
        "requests": requests,
        "errors": errors.group(1) if errors else "",
    }


def python_load(port, host, path, *, duration, connections) -> dict:
    """Threads sending requests one after the other until the time is up."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client():
        mine = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                response = get(port, host, path)
            except OSError as exc:
                failures.append(str(exc))
                continue
            mine.append((time.perf_counter() - start) * 1e3)
            if response.status != 200:
                failures.append(f"status {response.status}")
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if any(failure.startswith("status") for failure in failures):
        raise SystemExit(f"bench: {path} answered errors under load: {failures[:3]}")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": cuts[98],
        "requests": len(latencies),
        "errors": f"{len(failures)} failed" if failures else "",
    }


# --- the run -----------------------------------------------------------------------------------


def check_urls(port, host, urls, *, cached: bool):
    """Each URL answers 200, pages say whether proxies may keep them; warm-up follows."""
    for name, path in urls.items():
        response = get(port, host, path)
        if response.status != 200:
            raise SystemExit(f"bench: GET {path} answered {response.status}, expected 200")
        control = response.getheader("Cache-Control") or ""
        if name != BASELINE and cached != control.startswith("public"):
            raise SystemExit(f"bench: GET {path} has Cache-Control {control!r}")


def measure(args, port, host, urls) -> dict:
    load = wrk_load if args.client == "wrk" else python_load
    for path in urls.values():
        for _ in range(args.warmup):
            get(port, host, path)
    return {
        name: load(port, host, path, duration=args.duration, connections=args.connections)
        for name, path in urls.items()
    }


def report(results: dict) -> bool:
    ok = True
    print()
    print(
        f"{'server':<22} {'URL':<24} {'req/s':>8} {'x robots':>8} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'p99/p50':>7}"
    )
    for variant, figures in results.items():
        base = figures[BASELINE]["rps"]
        for name, figure in figures.items():
            tail = figure["p99"] / figure["p50"]
            columns = [
                f"{variant:<22}",
                f"{LABELS[name]:<24}",
                f"{figure['rps']:8.0f}",
                f"{figure['rps'] / base:7.2f}x",
                f"{figure['p50']:7.2f}",
                f"{figure['p99']:7.2f}",
                f"{tail:6.2f}x",
            ]
            if figure["errors"]:
                columns.append(f" ({figure['errors']})")
            print(" ".join(columns))
    print()
    cached = results.get("cached")
    if cached:
        base = cached[BASELINE]["rps"]
        for name, figure in cached.items():
            if name == BASELINE:
                continue
            ratio = figure["rps"] / base
            verdict = "OK" if ratio >= CACHED_THROUGHPUT_TARGET else "MISSED"
            ok &= ratio >= CACHED_THROUGHPUT_TARGET
            print(
                f"RATIO cached {name}/robots throughput = {ratio:.2f}x "
                f"(target >= {CACHED_THROUGHPUT_TARGET:g}x) {verdict}"
            )
        for name, figure in cached.items():
            tail = figure["p99"] / figure["p50"]
            verdict = "OK" if tail <= TAIL_TARGET else "MISSED"
            ok &= tail <= TAIL_TARGET
            print(
                f"RATIO cached {name} p99/p50 = {tail:.2f}x (target <= {TAIL_TARGET:g}x) {verdict}"
            )
    uncached = results.get("uncached")
    if uncached:
        base = uncached[BASELINE]["rps"]
        print(
            "UNCACHED "
            + " ".join(
                f"{name}={figure['rps']:.0f}req/s({figure['rps'] / base:.2f}x robots)"
                for name, figure in uncached.items()
                if name != BASELINE
            )
        )
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    import gunicorn as gunicorn_package

    with pages_bench.scratch_django("liens-bench-http-") as tmp_dir:
        from django.db import connection

        data = pages_bench.build_data()
        database = connection.settings_dict["NAME"]
        connection.close()
        host = data["host"]
        urls = {
            "robots": "/robots.txt",
            "home": "/",
            "person": data["urls"]["person_page"],
            "people_index": data["urls"]["people_index"],
        }
        print(
            f"Python {sys.version.split()[0]}, gunicorn {gunicorn_package.__version__} "
            f"({args.workers} sync workers, code from {args.code}), load from "
            + ("wrk" if args.client == "wrk" else "a Python client (install wrk for a lighter one)")
            + f" with {args.connections} connections, {args.duration:g} s per URL, "
            f"{os.cpu_count()} CPUs; {pages_bench.load_average()}"
        )
        variants = [args.only] if args.only else ["cached", "uncached"]
        if args.compare_gc:
            variants += [f"{variant}, no gc.freeze" for variant in variants]
        results = {}
        for variant in variants:
            cached = variant.startswith("cached")
            env = server_env(tmp_dir, database, cached=cached, gc_freeze="no gc" not in variant)
            with gunicorn(code=args.code, workers=args.workers, env=env, host=host) as port:
                check_urls(port, host, urls, cached=cached)
                results[variant] = measure(args, port, host, urls)
        with static_server(tmp_dir) as port:
            load = wrk_load if args.client == "wrk" else python_load
            floor = load(
                port,
                "127.0.0.1",
                "/floor.txt",
                duration=args.duration,
                connections=args.connections,
            )
        ok = report(results)
        print(
            f"FLOOR a static file from Python's http.server on this machine, same load: "
            f"{floor['rps']:.0f} req/s, p50 {floor['p50']:.2f} ms, p99 {floor['p99']:.2f} ms, "
            f"p99/p50 {floor['p99'] / floor['p50']:.2f}x (the tail no server beats here now)"
        )
        print(f"\nTotal {time.perf_counter() - started:.1f}s; {pages_bench.load_average()}")
    return pages_bench.exit_status(ok, no_fail=args.no_fail)


if __name__ == "__main__":
    sys.exit(main())
