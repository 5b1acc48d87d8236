"""A fake OpenAgenda v2 API of ours, for tests: a real HTTP server on 127.0.0.1 (random port)
in a thread, following the routes and shapes of OpenAgenda's documentation as recorded in
``fixtures/openagenda/`` (README.md and the JSON request/response shapes):

- ``POST /v2/requestAccessToken`` ``{grant_type, code}`` → ``{access_token, expires_in}``;
- reads with a ``key`` header (public key) or an ``access-token``; writes with an
  ``access-token`` (and a ``nonce``), else 401;
- ``GET /v2/agendas/{uid}/events`` (``size``, ``after[]``, ``detailed``) →
  ``{total, events, after}``; ``POST …/events``; ``POST|PATCH|DELETE …/events/{uid}``;
  ``PUT|DELETE …/events/ext/{key}/{value}`` (update or create by external identifier);
- ``GET …/locations/ext/{key}/{value}``, ``POST …/locations``.

Failures are injected with ``fail_next(status, count, headers)`` and ``expire_tokens()``; every
request is kept in ``requests`` (method, path, headers, body), so that tests assert what
OpenAgenda received.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_KEY = "sk-test-f7a3c91e55d0"
PUBLIC_KEY = "pk-test-0b4e2d"
AGENDA_UID = "48290417"


class FakeOpenAgenda:
    def __init__(
        self,
        *,
        agenda_uid: str = AGENDA_UID,
        secret_key: str = SECRET_KEY,
        public_key: str = PUBLIC_KEY,
    ):
        self.agenda_uid = agenda_uid
        self.secret_key = secret_key
        self.public_key = public_key
        self.events: dict[str, dict] = {}
        self.locations: dict[str, dict] = {}
        self.tokens: set[str] = set()
        self.requests: list[dict] = []
        self.failures: list[tuple[int, dict, bytes | None]] = []
        self.tokens_issued = 0
        self._ids = itertools.count(70000001)
        self._clock = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- Test controls -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v2"

    def start(self) -> FakeOpenAgenda:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(
        self, status: int, count: int = 1, headers: dict | None = None, body: bytes | None = None
    ) -> None:
        """The next ``count`` API requests (the token request excepted) answer ``status``."""
        self.failures.extend([(status, headers or {}, body)] * count)

    def expire_tokens(self) -> None:
        """Every access token given so far stops working (OpenAgenda answers 401)."""
        self.tokens.clear()

    def add_event(self, **fields) -> dict:
        """An event contributed on OpenAgenda by someone else (to be pulled)."""
        uid = str(next(self._ids))
        event = {"uid": int(uid), "updatedAt": self._now(), "extIds": [], **fields}
        self.events[uid] = event
        return event

    def touch(self, uid, **fields) -> None:
        self.events[str(uid)].update(fields, updatedAt=self._now())

    def received(self, method: str, fragment: str = "") -> list[dict]:
        return [r for r in self.requests if r["method"] == method and fragment in r["path"]]

    def _now(self) -> str:
        return f"2027-01-01T00:00:{next(self._clock):02d}.000Z"

    # --- The API ------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, payload=None, headers=None, raw: bytes | None = None):
                body = raw if raw is not None else json.dumps(payload or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                split = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(split.query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    return self._answer(400, {"message": "invalid JSON"})
                with fake._lock:
                    fake.requests.append(
                        {
                            "method": self.command,
                            "path": split.path,
                            "query": query,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    status, payload, headers, raw_answer = fake.route(
                        self.command, split.path, query, self.headers, body
                    )
                self._answer(status, payload, headers, raw_answer)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        return Handler

    def route(self, method, path, query, headers, body):
        parts = [part for part in path.split("/") if part]
        if parts[:1] != ["v2"]:
            return 404, {"message": "not found"}, {}, None
        parts = parts[1:]
        if parts == ["requestAccessToken"] and method == "POST":
            if not body or body.get("code") != self.secret_key:
                return 401, {"message": "invalid secret key"}, {}, None
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self.tokens.add(token)
            return 200, {"access_token": token, "expires_in": 3600}, {}, None
        if self.failures:
            status, extra, raw = self.failures.pop(0)
            return status, {"message": "injected failure"}, extra, raw
        token = headers.get("access-token")
        token_ok = token in self.tokens
        if token and not token_ok:
            return 401, {"message": "invalid or expired access token"}, {}, None
        read_ok = token_ok or headers.get("key") == self.public_key
        if len(parts) < 3 or parts[0] != "agendas" or parts[1] != self.agenda_uid:
            return 404, {"message": "agenda not found"}, {}, None
        resource, rest = parts[2], parts[3:]
        if method == "GET":
            if not read_ok:
                return 401, {"message": "a key or an access token is required"}, {}, None
        elif not token_ok:
            return 401, {"message": "an access token is required"}, {}, None
        if resource == "events" and rest and rest[0] != "ext" and method in ("POST", "PATCH"):
            return self._update(rest, body, partial=method == "PATCH")
        if resource == "events":
            return self._events(method, rest, query, body)
        if resource == "locations":
            return self._locations(method, rest, body)
        return 404, {"message": "not found"}, {}, None

    @staticmethod
    def _data(body):
        """The event: the body itself, or under ``data`` as the documentation also says."""
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            return body["data"]
        return body or {}

    def _find_ext(self, store: dict, key: str, value: str):
        for uid, item in store.items():
            if any(e.get("key") == key and e.get("value") == value for e in item.get("extIds", [])):
                return uid
        return None

    def _validate(self, event):
        missing = [f for f in ("title", "description", "timings") if not event.get(f)]
        if event.get("attendanceMode", 1) != 2 and not event.get("locationUid"):
            missing.append("locationUid")
        if event.get("locationUid") and str(event["locationUid"]) not in self.locations:
            missing.append("locationUid (unknown)")
        return missing

    def _events(self, method, rest, query, body):
        if method == "GET" and not rest:
            size = int((query.get("size") or ["20"])[0])
            after = int((query.get("after[]") or ["0"])[-1])
            ordered = sorted(self.events.values(), key=lambda e: int(e["uid"]))
            remaining = [e for e in ordered if int(e["uid"]) > after]
            page = remaining[:size]
            next_after = [page[-1]["uid"]] if len(remaining) > size else None
            return 200, {"total": len(ordered), "events": page, "after": next_after}, {}, None
        if method == "POST" and not rest:
            return self._create(self._data(body))
        if rest[:1] == ["ext"] and len(rest) == 3:
            key, value = urllib.parse.unquote(rest[1]), urllib.parse.unquote(rest[2])
            uid = self._find_ext(self.events, key, value)
            if method == "PUT":
                data = self._data(body)
                extids = data.get("extIds") or []
                if not any(e.get("key") == key and e.get("value") == value for e in extids):
                    data = {**data, "extIds": [*extids, {"key": key, "value": value}]}
                if uid is None:
                    return self._create(data)
                return self._update([uid], data, partial=False)
            if method == "DELETE":
                if uid is None:
                    return 404, {"message": "event not found"}, {}, None
                return 200, {"event": self.events.pop(uid)}, {}, None
        if len(rest) == 1 and method == "DELETE":
            event = self.events.pop(rest[0], None)
            if event is None:
                return 404, {"message": "event not found"}, {}, None
            return 200, {"event": event}, {}, None
        return 404, {"message": "not found"}, {}, None

    def _create(self, data):
        missing = self._validate(data)
        if missing:
            return 400, {"message": f"missing or invalid: {', '.join(missing)}"}, {}, None
        uid = str(next(self._ids))
        self.events[uid] = {**data, "uid": int(uid), "updatedAt": self._now()}
        return 200, {"event": self.events[uid]}, {}, None

    def _update(self, rest, data, *, partial):
        uid = rest[0]
        if uid not in self.events:
            return 404, {"message": "event not found"}, {}, None
        data = self._data(data)
        merged = {**self.events[uid], **data} if partial else {**data}
        missing = self._validate(merged)
        if missing:
            return 400, {"message": f"missing or invalid: {', '.join(missing)}"}, {}, None
        merged.update(uid=int(uid), updatedAt=self._now())
        self.events[uid] = merged
        return 200, {"event": merged}, {}, None

    def _locations(self, method, rest, body):
        if method == "GET" and rest[:1] == ["ext"] and len(rest) == 3:
            key, value = urllib.parse.unquote(rest[1]), urllib.parse.unquote(rest[2])
            uid = self._find_ext(self.locations, key, value)
            if uid is None:
                return 404, {"message": "location not found"}, {}, None
            return 200, {"location": self.locations[uid]}, {}, None
        if method == "POST" and not rest:
            data = body or {}
            missing = [f for f in ("name", "address", "countryCode") if not data.get(f)]
            if missing:
                return 400, {"message": f"missing: {', '.join(missing)}"}, {}, None
            uid = str(next(self._ids))
            self.locations[uid] = {**data, "uid": int(uid)}
            return 200, {"location": self.locations[uid]}, {}, None
        return 404, {"message": "not found"}, {}, None


def configure(site, fake: FakeOpenAgenda, **fields):
    """The organization's OpenAgenda settings, pointed at ``fake``'s agenda with its keys."""
    from events.models import OpenAgendaSettings

    settings = OpenAgendaSettings.for_site(site)
    values = {
        "agenda_uid": fake.agenda_uid,
        "public_key": fake.public_key,
        "secret_key": fake.secret_key,
        "push": True,
        "pull": False,
        **fields,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings
