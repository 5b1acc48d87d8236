"""A small client of the OpenAgenda v2 API (https://developers.openagenda.com/), written from
its documentation (``fixtures/openagenda/README.md`` lists the pages it follows).

- Reads carry the account's public key in a ``key`` header (the documentation advises the
  header over the query string, which leaves the key in logs); without a public key, reads
  use the access token.
- Writes carry an access token (``access-token`` header, with a ``nonce``), obtained by
  posting the secret key to ``/requestAccessToken``; it is kept until ``expires_in`` runs out
  and asked again once when OpenAgenda answers 401 (expired or revoked).
- 429 waits as ``Retry-After`` says (bounded), 5xx and network errors are tried again a
  bounded number of times; then, like every other failure, they raise ``OpenAgendaError``
  with a message for people, in the active language, that never contains a key.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_API_URL = "https://api.openagenda.com/v2"
#: How long one request may take before it is given up (seconds).
TIMEOUT = 20
#: How many times a request is tried again after a 429, a 5xx or a network error.
MAX_RETRIES = 3
#: The longest we wait for one ``Retry-After`` (seconds): past it the run stops and says so.
MAX_RETRY_AFTER = 120
#: Events per page when reading an agenda (the documentation caps it at 300).
PAGE_SIZE = 100

_tokens: dict[str, tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def clear_token_cache() -> None:
    """Forget every access token (tests; a key changed in the settings)."""
    with _tokens_lock:
        _tokens.clear()


class OpenAgendaError(Exception):
    """Any failure of a call to OpenAgenda, said for the people who run the sync.

    ``message`` is lazy (translated when shown); ``status`` is the HTTP status if any."""

    def __init__(self, message, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return str(self.message)


class OpenAgendaClient:
    def __init__(
        self,
        *,
        agenda_uid: str,
        public_key: str = "",
        secret_key: str = "",
        base_url: str | None = None,
        timeout: float = TIMEOUT,
        max_retries: int = MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.agenda_uid = str(agenda_uid).strip()
        self.public_key = public_key.strip()
        self._secret_key = secret_key.strip()
        self.base_url = (
            base_url or getattr(settings, "OPENAGENDA_API_URL", "") or DEFAULT_API_URL
        ).rstrip("/")
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise OpenAgendaError(_("The address of OpenAgenda's API must start with https://."))
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock
        #: Every call made, ``(method, path)``: what a dry run did, for its report and tests.
        self.calls: list[tuple[str, str]] = []

    def __repr__(self):  # never the keys
        return f"<OpenAgendaClient agenda={self.agenda_uid}>"

    # --- Access token ------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        return hashlib.sha256(f"{self.base_url}|{self._secret_key}".encode()).hexdigest()

    def access_token(self, *, renew: bool = False) -> str:
        """The access token of the secret key, asked of OpenAgenda when none is kept or the
        kept one has expired (a minute early, so that it cannot expire in flight)."""
        if not self._secret_key:
            raise OpenAgendaError(
                _("OpenAgenda needs the account's secret key for this: add it in the settings.")
            )
        with _tokens_lock:
            kept = _tokens.get(self._token_key)
            if kept and not renew and kept[1] > self.clock():
                return kept[0]
        answer = self._send(
            "POST",
            "/requestAccessToken",
            body={"grant_type": "authorization_code", "code": self._secret_key},
            headers={},
        )
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise OpenAgendaError(_("OpenAgenda gave no access token for the secret key."))
        try:
            lifetime = float(answer.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        with _tokens_lock:
            _tokens[self._token_key] = (token, self.clock() + max(lifetime - 60, 0))
        return token

    def _write_headers(self, *, renew: bool = False) -> dict[str, str]:
        return {
            "access-token": self.access_token(renew=renew),
            "nonce": str(secrets.randbelow(10**12)),
        }

    def _read_headers(self) -> dict[str, str]:
        if self.public_key:
            return {"key": self.public_key}
        return self._write_headers()

    # --- Requests ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: Any = None,
        write: bool = False,
        missing_ok: bool = False,
    ) -> Any:
        """One call; JSON in and out. ``write`` calls carry the access token and are tried
        once more with a new token on a 401. ``missing_ok``: a 404 answers ``None``."""
        headers = self._write_headers() if write or method != "GET" else self._read_headers()
        try:
            return self._send(method, path, params=params, body=body, headers=headers)
        except OpenAgendaError as error:
            if error.status == 404 and missing_ok:
                return None
            if error.status == 401 and "access-token" in headers:
                headers.update(self._write_headers(renew=True))
                try:
                    return self._send(method, path, params=params, body=body, headers=headers)
                except OpenAgendaError as again:
                    if again.status == 404 and missing_ok:
                        return None
                    raise
            raise

    def _send(self, method, path, *, params=None, body=None, headers) -> Any:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None
        headers = {"accept": "application/json", **headers}
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        self.calls.append((method, path))
        attempt = 0
        while True:
            # The URL is OPENAGENDA_API_URL (checked to be http or https) and our own path.
            request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                return self._json(raw)
            except urllib.error.HTTPError as error:
                status = error.code
                raw = error.read()
                retry_after = error.headers.get("Retry-After") if error.headers else None
                error.close()
                if status == 429 and attempt < self.max_retries:
                    wait = self._retry_after(retry_after)
                    if wait > MAX_RETRY_AFTER:
                        raise OpenAgendaError(
                            _("OpenAgenda asks to wait %(seconds)s seconds: try again later.")
                            % {"seconds": int(wait)},
                            status=status,
                        ) from None
                    self.sleep(wait)
                    attempt += 1
                    continue
                if status >= 500 and attempt < self.max_retries:
                    self.sleep(min(2**attempt, 30))
                    attempt += 1
                    continue
                raise self._http_error(status, raw, attempts=attempt + 1) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt < self.max_retries:
                    self.sleep(min(2**attempt, 30))
                    attempt += 1
                    continue
                reason = getattr(error, "reason", error)
                raise OpenAgendaError(
                    _("OpenAgenda could not be reached (%(reason)s): try again later.")
                    % {"reason": self._scrub(str(reason))}
                ) from None

    @staticmethod
    def _retry_after(value: str | None) -> float:
        """``Retry-After`` in seconds: a number, or an HTTP date (RFC 9110, section 10.2.3)."""
        if not value:
            return 1.0
        try:
            return max(float(value), 0.0)
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 1.0
        return max(moment.timestamp() - time.time(), 0.0)

    @staticmethod
    def _json(raw: bytes) -> Any:
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise OpenAgendaError(_("OpenAgenda's answer could not be read (not JSON).")) from None

    def _scrub(self, text: str) -> str:
        """``text`` without the keys, should an answer or an error repeat them."""
        for secret in (self._secret_key, self.public_key):
            if secret:
                text = text.replace(secret, "•••")
        return text[:300]

    def _http_error(self, status: int, raw: bytes, *, attempts: int) -> OpenAgendaError:
        detail = ""
        try:
            answer = json.loads(raw) if raw else {}
            if isinstance(answer, dict):
                detail = str(answer.get("message") or answer.get("error") or "")
        except (ValueError, UnicodeDecodeError):
            pass
        detail = self._scrub(detail)
        if status >= 500:
            message = _(
                "OpenAgenda answered with a server error (%(status)s) %(count)s times in a "
                "row: try again later."
            ) % {"status": status, "count": attempts}
        elif status == 429:
            message = _("OpenAgenda refused too many requests in a row: try again later.")
        elif status in (401, 403):
            message = _(
                "OpenAgenda refused the keys of this organization (%(status)s): check them "
                "in the OpenAgenda settings."
            ) % {"status": status}
        elif status == 404:
            message = _(
                "OpenAgenda does not know this agenda or event (404): check the agenda's "
                "identifier."
            )
        else:
            message = _("OpenAgenda refused the request (%(status)s): %(detail)s") % {
                "status": status,
                "detail": detail or "-",
            }
        return OpenAgendaError(message, status=status)

    # --- The API's routes ------------------------------------------------------------------

    def _agenda(self, path: str = "") -> str:
        return f"/agendas/{urllib.parse.quote(self.agenda_uid, safe='')}{path}"

    def iter_events(self, *, page_size: int = PAGE_SIZE) -> Iterator[dict]:
        """Every event of the agenda, page after page (``after[]`` given back by each answer),
        with all their public fields (``detailed=1``)."""
        after: list = []
        seen = 0
        while True:
            params = [("detailed", "1"), ("size", str(page_size))]
            params += [("after[]", str(value)) for value in after]
            answer = self.request("GET", self._agenda("/events"), params=params)
            if not isinstance(answer, dict) or not isinstance(answer.get("events"), list):
                raise OpenAgendaError(_("OpenAgenda's list of events could not be read."))
            events = answer["events"]
            yield from events
            seen += len(events)
            after = answer.get("after") or []
            if not events or not after or seen >= int(answer.get("total") or 0):
                return

    def upsert_event(self, key: str, value: str, data: dict) -> dict:
        """Create or update the event whose external identifier ``key`` is ``value``
        (``PUT /agendas/{uid}/events/ext/{key}/{value}``); returns the event."""
        path = self._agenda(
            f"/events/ext/{urllib.parse.quote(key, safe='')}/{urllib.parse.quote(value, safe='')}"
        )
        return self._event(self.request("PUT", path, body=data, write=True))

    def delete_event(self, event_uid: str) -> bool:
        """Remove an event from the agenda; ``False`` when it was already gone."""
        path = self._agenda(f"/events/{urllib.parse.quote(str(event_uid), safe='')}")
        return self.request("DELETE", path, write=True, missing_ok=True) is not None

    def location_by_ext(self, key: str, value: str) -> dict | None:
        path = self._agenda(
            f"/locations/ext/{urllib.parse.quote(key, safe='')}/"
            f"{urllib.parse.quote(value, safe='')}"
        )
        answer = self.request("GET", path, missing_ok=True)
        if answer is None:
            return None
        return answer.get("location", answer) if isinstance(answer, dict) else None

    def create_location(self, data: dict) -> dict:
        answer = self.request("POST", self._agenda("/locations"), body=data, write=True)
        location = answer.get("location") if isinstance(answer, dict) else None
        if not isinstance(location, dict) or not location.get("uid"):
            raise OpenAgendaError(_("OpenAgenda did not say which place it created."))
        return location

    @staticmethod
    def _event(answer) -> dict:
        event = answer.get("event") if isinstance(answer, dict) else None
        if not isinstance(event, dict) or not event.get("uid"):
            raise OpenAgendaError(_("OpenAgenda did not say which event it saved."))
        return event
