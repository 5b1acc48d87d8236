"""What the published privacy page says of how long personal information is kept.

Each plugin (and the retention rules of issue 14) registers a function with the
``register_retention_periods`` hook::

    @hooks.register("register_retention_periods")
    def retention_periods(site):
        return [(_("Membership fees"), _("Six years after the end of the fiscal year"))]

It is called with the organization's ``Site`` and returns ``(label, period text)`` pairs, shown
in the visitor's language, in the order of registration.
"""

from __future__ import annotations

from wagtail import hooks

HOOK = "register_retention_periods"


def retention_periods(site) -> list[tuple[str, str]]:
    periods: list[tuple[str, str]] = []
    for declare in hooks.get_hooks(HOOK):
        for label, text in declare(site) or ():
            periods.append((str(label), str(text)))
    return periods
