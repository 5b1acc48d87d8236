"""The one place the settings read the environment.

Every setting that an operator may change is read through :func:`env`, so that the list of knobs
is the list of calls to it, and a required variable that is missing stops the process with a
message naming it instead of a half-configured server.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env(name: str, default=_MISSING, *, cast=str):
    """Return the environment variable ``name`` converted with ``cast``.

    ``cast`` may be ``str``, ``int``, ``bool`` or ``list`` (comma-separated). Without a default,
    a missing or empty variable raises ``ImproperlyConfigured``.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    raw = raw.strip()
    if cast is bool:
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}.")
    if cast is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    try:
        return cast(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from exc
