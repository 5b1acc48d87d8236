"""Retention that runs by itself: each plugin registers rules (hook ``register_retention_rules``)
saying what becomes due for destruction or anonymization after a period; each organization sets
the periods (``RetentionPolicy``); the worker's daily round applies them (``privacy.tasks``),
and each run leaves a report (``RetentionRun``).

``retention_preview(site)`` lists what the next run would touch, item by item; a run touches
exactly those items (``retention_apply`` finds them the same way, at the same moment), so staff
read beforehand what will go.

A rule::

    RetentionRule(
        key="events.contributors",
        label=_("Contributors' details, after the proposal was answered"),
        unit=RetentionUnit.MONTHS,
        default=6,
        find=lambda site, cutoff: EventPrivate.objects.filter(site=site, answered_at__lt=cutoff),
        describe=lambda twin: str(twin),
        apply=lambda site, items, now: blank_contributors(items),
    )
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.models import Site

HOOK_NAME = "register_retention_rules"

#: At most this many items of each rule are named in a preview (the count is exact).
PREVIEW_NAMES = 50


class RetentionUnit(enum.StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


UNIT_LABELS = {
    RetentionUnit.DAYS: _("days"),
    RetentionUnit.MONTHS: _("months"),
    RetentionUnit.YEARS: _("years"),
}


@dataclass(frozen=True)
class RetentionRule:
    """What a plugin destroys or anonymizes once it is older than a period.

    - ``find(site, cutoff)``: the items of ``site`` due (older than ``cutoff``);
    - ``describe(item)``: a short label for the preview (no more personal than the admin shows);
    - ``apply(site, items, now)``: destroy or anonymize them, returns how many;
    - ``default``: the period a new organization starts with (``None``: off until set);
    - ``minimum``: the shortest period allowed (a legal obligation to keep, say).
    """

    key: str
    label: Promise | str
    unit: RetentionUnit
    find: Callable[[Site, datetime.datetime], Iterable]
    describe: Callable[[Any], str]
    apply: Callable[[Site, list, datetime.datetime], int]
    default: int | None = None
    minimum: int = 1
    action: Promise | str = _("deleted")

    def period_text(self, amount: int) -> str:
        if self.unit == RetentionUnit.DAYS:
            return ngettext("%(count)d day", "%(count)d days", amount) % {"count": amount}
        if self.unit == RetentionUnit.MONTHS:
            return ngettext("%(count)d month", "%(count)d months", amount) % {"count": amount}
        return ngettext("%(count)d year", "%(count)d years", amount) % {"count": amount}


def rules() -> list[RetentionRule]:
    found: dict[str, RetentionRule] = {}
    for declare in hooks.get_hooks(HOOK_NAME):
        for rule in declare():
            if rule.key in found:
                raise ValueError(f"Two retention rules are named {rule.key!r}.")
            found[rule.key] = rule
    return list(found.values())


def cutoff_for(rule: RetentionRule, amount: int, now: datetime.datetime) -> datetime.datetime:
    if rule.unit == RetentionUnit.DAYS:
        return now - datetime.timedelta(days=amount)
    months = amount if rule.unit == RetentionUnit.MONTHS else amount * 12
    year, month = divmod(now.month - 1 - months, 12)
    year += now.year
    day = min(now.day, 28)
    return now.replace(year=year, month=month + 1, day=day)


def periods_of(site: Site) -> dict[str, int | None]:
    """Each rule's period for ``site``: its policy's, else the rule's default."""
    from .models import RetentionPolicy

    policy = RetentionPolicy.objects.filter(site=site).first()
    chosen = policy.periods if policy else {}
    return {rule.key: chosen.get(rule.key, rule.default) for rule in rules()}


@dataclass
class RulePreview:
    rule: RetentionRule
    period: int | None
    cutoff: datetime.datetime | None
    items: list

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def names(self) -> list[str]:
        return [self.rule.describe(item) for item in self.items[:PREVIEW_NAMES]]

    @property
    def period_text(self) -> str:
        return self.rule.period_text(self.period) if self.period else ""


def retention_preview(site: Site, now: datetime.datetime | None = None) -> list[RulePreview]:
    """What a run now would touch, rule by rule (rules switched off find nothing)."""
    now = now or timezone.now()
    periods = periods_of(site)
    previews = []
    for rule in rules():
        period = periods.get(rule.key)
        if not period:
            previews.append(RulePreview(rule, None, None, []))
            continue
        cutoff = cutoff_for(rule, period, now)
        previews.append(RulePreview(rule, period, cutoff, list(rule.find(site, cutoff))))
    return previews


def retention_apply(site: Site, *, now: datetime.datetime | None = None, trigger: str = "daily"):
    """Apply every rule of ``site`` (one transaction per rule) and record the run's report."""
    from .models import RetentionRun

    now = now or timezone.now()
    results = []
    for preview in retention_preview(site, now):
        if not preview.period:
            continue
        with transaction.atomic():
            done = preview.rule.apply(site, preview.items, now) if preview.items else 0
        results.append(
            {
                "rule": preview.rule.key,
                "label": str(preview.rule.label),
                "period": preview.period_text,
                "found": preview.count,
                "done": done,
            }
        )
    return RetentionRun.objects.create(site=site, ran_at=now, trigger=trigger, results=results)


def retention_daily(now: datetime.datetime | None = None) -> int:
    """Every organization's run; returns how many items were destroyed or anonymized."""
    total = 0
    for site in Site.objects.order_by("pk"):
        run = retention_apply(site, now=now)
        total += sum(line["done"] for line in run.results)
    return total
