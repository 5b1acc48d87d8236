"""Which film a box-office export means: by visa number, then external id, then folded title
and year, among the films a cinema may show.

Box-office software writes titles as the cashier typed them (« ARBRES DE L'HIVER (LES) »,
« Les arbres de l’hiver (2026) »), sometimes a CNC visa number, rarely an identifier. A sure match
is used; an uncertain one (a title several films share, a title whose year differs, a title that
is only close) is *held*: staff confirm it (or ask for a draft) before anything is written. A film
nobody knows becomes a draft record of the importing organization.

``candidate_films`` is the one place that says which films are candidates.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import NetworkSharing

from .models import FilmPage
from .titles import fold_title

#: Titles at least this close (``difflib.SequenceMatcher.ratio``) are proposed, never used alone.
CLOSE_RATIO = 0.85
#: « Titre (2023) », « Titre [2023] », « Titre - 2023 »: a year written after the title.
_TITLE_YEAR = re.compile(r"^(?P<title>.*?)[\s\-–]*[(\[]?(?P<year>(18|19|20)\d\d)[)\]]?\s*$")

EXACT, UNCERTAIN, UNKNOWN = "exact", "uncertain", "unknown"


def candidate_films(site):
    """The films an export of ``site`` may name: the organization's own films (drafts too: a
    draft made by an earlier import is found again), and the published films of the film
    database of the network it belongs to (its ``events.NetworkSharing`` setting), whether or
    not it shares its events there."""
    condition = Q(path__startswith=site.root_page.path)
    network_root = (
        NetworkSharing.objects.filter(site=site, network__isnull=False)
        .exclude(network=site)
        .values_list("network__root_page__path", flat=True)
        .first()
    )
    if network_root:
        published = FilmPage.objects.live().public().filter(path__startswith=network_root)
        condition |= Q(pk__in=published.values("pk"))
    return FilmPage.objects.filter(condition)


def split_title_year(text: str) -> tuple[str, int | None]:
    """« Les Arbres de l'hiver (2026) » → (« Les Arbres de l'hiver », 2026)."""
    text = " ".join(str(text or "").split())
    match = _TITLE_YEAR.match(text)
    if match and match["title"].strip():
        return match["title"].strip(" -–"), int(match["year"])
    return text, None


def normalise_visa(value) -> str:
    """« 158 432 », « 158432 », « N° 158432 » → « 158432 »."""
    text = str(value or "").strip()
    if text.endswith(".0"):  # a number cell read as a float elsewhere
        text = text[:-2]
    return re.sub(r"\D", "", text).lstrip("0")


@dataclass(frozen=True)
class FilmReference:
    """How one row names its film."""

    title: str = ""
    visa: str = ""
    external_id: str = ""
    year: int | None = None

    @cached_property
    def key(self) -> str:
        """Stable across requests: the preview's choices are posted back under it."""
        return f"{self.visa}|{self.external_id}|{fold_title(self.title)}|{self.year or ''}"


@dataclass(frozen=True)
class Candidate:
    pk: int
    title: str
    year: int | None
    live: bool
    duration: int | None
    #: Its visa number (``normalise_visa``) and external id, to tell a remake or a homonym.
    visa: str = ""
    external_id: str = ""


@dataclass
class FilmMatch:
    reference: FilmReference
    status: str  # EXACT, UNCERTAIN or UNKNOWN
    film: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    #: Why a match is uncertain, for staff.
    reason: str = ""


class FilmMatcher:
    """The candidate films of one organization, loaded in one query, matched in memory."""

    def __init__(self, site):
        self.by_pk: dict[int, Candidate] = {}
        self.by_visa: dict[str, list[Candidate]] = defaultdict(list)
        self.by_external: dict[str, list[Candidate]] = defaultdict(list)
        self.by_title: dict[str, list[Candidate]] = defaultdict(list)
        rows = candidate_films(site).values_list(
            "pk", "title", "match_title", "year", "live", "duration", "visa_number", "external_id"
        )
        for pk, title, folded, year, live, duration, visa, external_id in rows:
            visa, external_id = normalise_visa(visa), (external_id or "").strip()
            candidate = Candidate(pk, title, year, live, duration, visa, external_id)
            self.by_pk[pk] = candidate
            if visa:
                self.by_visa[visa].append(candidate)
            if external_id:
                self.by_external[external_id].append(candidate)
            self.by_title[folded or fold_title(title)].append(candidate)

    def match(self, reference: FilmReference) -> FilmMatch:
        for found in (
            self.by_visa.get(normalise_visa(reference.visa)) if reference.visa else None,
            self.by_external.get(reference.external_id.strip()) if reference.external_id else None,
        ):
            if found and len(found) == 1:
                return FilmMatch(reference, EXACT, film=found[0])
            if found:
                return FilmMatch(
                    reference,
                    UNCERTAIN,
                    candidates=_ordered(found),
                    reason=str(_("Several films carry this number.")),
                )
        if not reference.title:
            return FilmMatch(reference, UNKNOWN)
        folded = fold_title(reference.title)
        same = self.by_title.get(folded, [])
        if reference.year and same:
            same_year = [c for c in same if c.year == reference.year]
            if not same_year:
                # A record without a year (a draft an export made) is that film.
                same_year = [c for c in same if c.year is None]
            if len(same_year) == 1:
                return _by_title(reference, same_year[0])
            if not same_year:
                return FilmMatch(
                    reference,
                    UNCERTAIN,
                    candidates=_ordered(same),
                    reason=str(_("Same title, another year.")),
                )
            same = same_year
        if len(same) == 1:
            return _by_title(reference, same[0])
        if same:
            return FilmMatch(
                reference,
                UNCERTAIN,
                candidates=_ordered(same),
                reason=str(_("Several films have this title.")),
            )
        # get_close_matches filters with cheap upper bounds before the real ratio.
        titles = difflib.get_close_matches(folded, self.by_title, n=5, cutoff=CLOSE_RATIO)
        close = [candidate for title in titles for candidate in self.by_title[title]]
        if close:
            return FilmMatch(
                reference,
                UNCERTAIN,
                candidates=_ordered(close),
                reason=str(_("A close title, not the same.")),
            )
        return FilmMatch(reference, UNKNOWN)


def _by_title(reference: FilmReference, film: Candidate) -> FilmMatch:
    """A film found by its title (and year) alone: exact, unless the export gives a visa number
    or an identifier (one no film carries, or it would have been found by it) and the film
    carries another one: then it is another film of that title (a remake, a homonym), which
    staff confirm or make a draft of."""
    visa = normalise_visa(reference.visa)
    if visa and film.visa and film.visa != visa:
        reason = _("A different visa number.")
    elif (
        reference.external_id.strip()
        and film.external_id
        and film.external_id != reference.external_id.strip()
    ):
        reason = _("A different film identifier.")
    else:
        return FilmMatch(reference, EXACT, film=film)
    return FilmMatch(reference, UNCERTAIN, candidates=[film], reason=str(reason))


def _ordered(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.title.casefold(), c.year or 0, c.pk))
