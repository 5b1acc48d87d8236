"""Check a page's JSON-LD graph against schema.org and Google's rich result requirements.

:func:`validate_graph` is a pure function of the document (no database, no network), fast enough
to run on every save. It returns :class:`Issue` objects whose ``message`` is a plain-language
sentence for the editor, translated lazily (English source strings, French catalogue in
``locale/``):

- errors: the page's description for search engines is wrong (an unknown type or property, a
  link to a node that is not there, a value that is not a URL or a date) or misses what Google
  requires for the rich result;
- warnings: Google recommends something the page does not say yet.

Mistakes in the code (a property schema.org does not have) are worded for the editor too, and say
that the fix belongs to the site's administrator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import vocabulary
from .google import GOOGLE_REQUIREMENTS, NESTED, Requirement
from .graph import SCHEMA_CONTEXT

Level = Literal["error", "warning"]
ERROR: Level = "error"
WARNING: Level = "warning"

#: Properties whose text values must be absolute http(s) URLs.
URL_PROPERTIES = frozenset(
    {
        "url",
        "sameAs",
        "contentUrl",
        "embedUrl",
        "thumbnailUrl",
        "license",
        "acquireLicensePage",
        "hasMap",
        "item",
        "logo",
        "image",
        "availability",
        "eventStatus",
        "eventAttendanceMode",
        "mainEntityOfPage",
        "additionalType",
        "downloadUrl",
    }
)
#: Properties whose values must be ISO 8601 dates or date-times.
DATE_PROPERTIES = frozenset(
    {
        "startDate",
        "endDate",
        "doorTime",
        "previousStartDate",
        "datePublished",
        "dateModified",
        "dateCreated",
        "uploadDate",
        "expires",
        "validFrom",
        "validThrough",
        "priceValidUntil",
        "birthDate",
        "deathDate",
        "foundingDate",
        "dissolutionDate",
    }
)
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass(frozen=True)
class Issue:
    """One problem in a graph, located by node and property."""

    level: Level
    node_id: str | None
    node_type: str | None
    property: str | None
    code: str
    #: A lazily translated sentence for the editor.
    message: Any = field(compare=False)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        where = " ".join(filter(None, [self.node_type, self.node_id]))
        prop = f".{self.property}" if self.property else ""
        return f"{self.level}: [{where}]{prop} {self.message} ({self.code})"


def _interpolate(message, params: dict) -> str:
    return str(message) % params


#: ``message % params``, translated when it is displayed rather than when it is built.
interpolate_lazy = lazy(_interpolate, str)


# --- Sentences --------------------------------------------------------------------------------

ADMIN_FIX = _("This needs a fix in the website's code: please tell your site administrator.")

#: Sentences for the vocabulary and format checks; %(…)s names what the issue is about.
CHECK_MESSAGES = {
    "context": _(
        "The page's description for search engines does not say it uses schema.org, so they may "
        "ignore it. %(admin)s"
    ),
    "graph": _(
        "The page's description for search engines is not organized the way they expect. %(admin)s"
    ),
    "missing-type": _(
        "Part of the page's description for search engines does not say what it describes "
        "(a person, an event…). %(admin)s"
    ),
    "unknown-type": _(
        "The page describes something as a “%(type)s”, a kind of thing search engines do not "
        "know. %(admin)s"
    ),
    "unknown-property": _(
        "The page gives search engines a detail called “%(property)s”, which they do not know. "
        "%(admin)s"
    ),
    "property-not-on-type": _(
        "The page gives search engines a “%(property)s” for a “%(type)s”, which does not have "
        "one. %(admin)s"
    ),
    "dangling-reference": _(
        "The page's “%(property)s” points to something that is not described on the page. %(admin)s"
    ),
    "invalid-url": _(
        "“%(value)s” is not a complete web address (it should start with https://). Check the "
        "links you entered."
    ),
    "invalid-date": _(
        "“%(value)s” is not a date search engines understand. Check the dates you entered."
    ),
}

#: Sentences for Google's requirements, by the keys used in ``google.py``.
MESSAGES = {
    # Event
    "event.name": _("Give the event a name."),
    "event.startDate": _("Add a start date to the event."),
    "event.location": _("Say where the event takes place: a venue, or a link if it is online."),
    "event.location.address": _("Add the address of the event's venue."),
    "event.location.name": _("Add the name of the event's venue."),
    "event.location.url": _("Add the link where people can follow the online event."),
    "event.description": _("Add a short description of the event."),
    "event.endDate": _("Add an end date or time to the event."),
    "event.eventStatus": _("Say whether the event is scheduled, postponed or cancelled."),
    "event.eventAttendanceMode": _("Say whether the event happens in person, online or both."),
    "event.image": _("Add an image so that Google can show the event with a picture."),
    "event.offers": _("Add ticket information (price, where to book) to the event."),
    "event.offers.price": _("Add the ticket price (0 if the event is free)."),
    "event.offers.priceCurrency": _("Add the currency of the ticket price."),
    "event.offers.availability": _("Say whether tickets are still available."),
    "event.offers.url": _("Add the link where people can book or buy tickets."),
    "event.offers.validFrom": _("Add the date when tickets go on sale."),
    "event.organizer": _("Say who organizes the event."),
    "event.performer": _("Say who performs or takes part in the event."),
    "event.previousStartDate": _("Give the date first announced for this rescheduled event."),
    # Organization
    "organization.name": _("Give the organization a name."),
    "organization.url": _("Add the organization's website address."),
    "organization.logo": _("Add a logo so that Google can show it next to the organization."),
    "organization.description": _("Add a short description of the organization."),
    "organization.address": _("Add the organization's address."),
    # Profile pages (people and organizations)
    "profile.mainEntity": _(
        "This profile page does not say who it is about, so Google cannot show it as a profile. "
        "%(admin)s"
    ),
    "profile.mainEntity.type": _(
        "This profile page must be about a person or an organization. %(admin)s"
    ),
    "profile.name": _("Give this profile a name."),
    "profile.image": _("Add a photo so that Google can show this profile with a picture."),
    "profile.description": _("Add a one-sentence summary to this profile."),
    "profile.sameAs": _(
        "Add links to this profile elsewhere (website, social networks, IMDb) so that Google "
        "knows who it is about."
    ),
    "profile.dateCreated": _("The profile page does not say when it was created. %(admin)s"),
    "profile.dateModified": _(
        "The profile page does not say when it was last changed. Publish it again to fix this."
    ),
    # FAQ
    "faq.mainEntity": _("Add at least one question and its answer to the FAQ."),
    "faq.question": _("The FAQ must contain questions. %(admin)s"),
    "faq.question.name": _("Write the question for each entry of the FAQ."),
    "faq.question.acceptedAnswer": _("Write the answer for each question of the FAQ."),
    "faq.answer.text": _("Write the answer for each question of the FAQ."),
    # Breadcrumbs
    "breadcrumb.itemListElement": _("The page's breadcrumb trail is empty. %(admin)s"),
    "breadcrumb.listItem": _("The page's breadcrumb trail has no links. %(admin)s"),
    "breadcrumb.position": _("A link in the breadcrumb trail has no position. %(admin)s"),
    "breadcrumb.name": _("Give a title to every page in the breadcrumb trail above this one."),
    "breadcrumb.item": _("A link in the breadcrumb trail has no address. %(admin)s"),
    # Datasets
    "dataset.name": _("Give the dataset a name."),
    "dataset.description": _(
        "Add a description of the dataset (at least 50 characters) so that Google can list it."
    ),
    "dataset.creator": _("Say who created the dataset."),
    "dataset.license": _("Say under which licence the dataset may be reused."),
    "dataset.keywords": _("Add a few keywords describing the dataset."),
    "dataset.url": _("Add the address of the dataset's page."),
    "dataset.temporalCoverage": _("Say which period the dataset covers."),
    "dataset.spatialCoverage": _("Say which place or region the dataset covers."),
    "dataset.distribution": _("Add a file or link where the dataset can be downloaded."),
    "dataset.includedInDataCatalog": _("Say which data catalogue the dataset belongs to."),
    "dataset.distribution.contentUrl": _("Add the download address of each dataset file."),
    "dataset.distribution.encodingFormat": _("Say the format of each dataset file (CSV, …)."),
    # Products
    "product.name": _("Give the product a name."),
    "product.offers": _("Add a price (an offer) to the product."),
    "product.image": _("Add a picture of the product."),
    "product.description": _("Add a short description of the product."),
    "offer.price": _("Add the product's price."),
    "offer.priceCurrency": _("Add the currency of the product's price."),
    "offer.availability": _("Say whether the product is available."),
    # Movies
    "movie.name": _("Give the film a title."),
    "movie.image": _("Add a poster or a still so that Google can show the film with a picture."),
    "movie.dateCreated": _("Add the year or date the film was made."),
    "movie.director": _("Say who directed the film."),
    # Videos
    "video.name": _("Give the video a title."),
    "video.thumbnailUrl": _("Add a thumbnail image to the video."),
    "video.uploadDate": _("Add the date the video was published."),
    "video.description": _("Add a short description of the video."),
    "video.contentUrl": _("Add the address of the video file or of its player."),
    "video.duration": _("Add the length of the video."),
    # Images
    "image.contentUrl": _("An image has no file address. %(admin)s"),
    "image.credit": _(
        "Add a credit, a copyright notice or a licence to this image so that Google Images can "
        "say who made it."
    ),
    "image.creditText": _(
        "Add the credit line to show with this image (for example the photographer's name)."
    ),
    "image.creator": _("Say who made this image (photographer, illustrator)."),
    "image.copyrightNotice": _("Add the copyright notice of this image."),
    "image.license": _("Add the address of the licence under which this image may be used."),
    "image.acquireLicensePage": _(
        "Add the address of the page where people can ask to use this image."
    ),
}


def message_for(key: str, **params) -> Any:
    """The editor's sentence for a requirement or check key."""
    message = MESSAGES.get(key) or CHECK_MESSAGES[key]
    return interpolate_lazy(message, {"admin": ADMIN_FIX, **params})


# --- Helpers ----------------------------------------------------------------------------------


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_reference(value) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"}


def _is_value_object(value) -> bool:
    return isinstance(value, dict) and "@value" in value


def _present(value) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _type_names(node: dict) -> list[str]:
    names = []
    for raw in _as_list(node.get("@type")):
        if isinstance(raw, str):
            names.append(vocabulary.bare_name(raw) or raw)
    return names


def _is_absolute_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _is_iso_date(value: str) -> bool:
    if _PARTIAL_DATE.match(value):
        return True
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _definitions(value) -> Iterator[dict]:
    """Every object of the document that defines a node (more than a bare ``@id``)."""
    if isinstance(value, dict):
        if "@id" in value and not _is_reference(value) and not _is_value_object(value):
            yield value
        for key, item in value.items():
            if key != "@context":
                yield from _definitions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _definitions(item)


# --- The validator ----------------------------------------------------------------------------


class _Validator:
    def __init__(self, document: Any):
        self.document = document
        self.issues: list[Issue] = []
        self.index: dict[str, dict] = {}
        self.page_url: str | None = None
        self._nested_by_parent: dict[str, list[tuple[str, dict]]] = {}
        for (parent, prop), nested in NESTED.items():
            self._nested_by_parent.setdefault(parent, []).append((prop, nested))

    # Reporting

    def add(self, level: Level, node: dict | None, prop: str | None, code: str, message) -> None:
        node = node or {}
        node_id = node.get("@id") if isinstance(node.get("@id"), str) else None
        types = _type_names(node)
        self.issues.append(Issue(level, node_id, types[0] if types else None, prop, code, message))

    # Entry point

    def run(self) -> list[Issue]:
        document = self.document
        if not isinstance(document, dict):
            self.add(ERROR, None, None, "graph", message_for("graph"))
            return self.issues
        if document.get("@context") not in (SCHEMA_CONTEXT, SCHEMA_CONTEXT + "/"):
            self.add(ERROR, None, "@context", "context", message_for("context"))
        graph = document.get("@graph")
        if not isinstance(graph, list) or set(document) - {"@context", "@graph"}:
            self.add(ERROR, None, "@graph", "graph", message_for("graph"))
        if not isinstance(graph, list):
            return self.issues
        for node in _definitions(graph):
            self.index.setdefault(node["@id"], node)
        # The page this graph describes (``…#webpage``): an organization whose ``@id`` belongs
        # to another page (a cinema where a film is screened, another organization) is a summary
        # of what its own profile describes, and Google's recommendations for it (a logo, a
        # description) are that page's business.
        self.page_url = next(
            (
                node_id[: -len("#webpage")]
                for node_id in self.index
                if isinstance(node_id, str) and node_id.endswith("#webpage")
            ),
            None,
        )
        for node in graph:
            if isinstance(node, dict):
                self.check_object(node, owner=None, prop=None)
            else:
                self.add(ERROR, None, None, "graph", message_for("graph"))
        return list(dict.fromkeys(self.issues))

    # schema.org vocabulary, references and values

    def check_object(self, obj: dict, owner: dict | None, prop: str | None) -> None:
        if _is_reference(obj):
            if obj["@id"] not in self.index:
                self.add(
                    ERROR,
                    owner,
                    prop,
                    "dangling-reference",
                    message_for("dangling-reference", property=prop or "@id"),
                )
            return
        if _is_value_object(obj):
            return
        types = _type_names(obj)
        if not types:
            self.add(ERROR, obj, None, "missing-type", message_for("missing-type"))
        known = [t for t in types if vocabulary.type_exists(t)]
        for name in types:
            if name not in known:
                self.add(
                    ERROR, obj, "@type", "unknown-type", message_for("unknown-type", type=name)
                )
        for key, value in obj.items():
            if key.startswith("@"):
                continue
            if known and not any(vocabulary.property_allowed(t, key) for t in known):
                if vocabulary.property_exists(key):
                    code = "property-not-on-type"
                else:
                    code = "unknown-property"
                self.add(ERROR, obj, key, code, message_for(code, property=key, type=known[0]))
            for item in _as_list(value):
                if isinstance(item, dict):
                    self.check_object(item, owner=obj, prop=key)
                elif isinstance(item, str):
                    self.check_value(obj, key, item)
        if known:
            self.check_google(obj, known)

    def check_value(self, node: dict, prop: str, value: str) -> None:
        if prop in URL_PROPERTIES and not _is_absolute_url(value):
            self.add(ERROR, node, prop, "invalid-url", message_for("invalid-url", value=value))
        elif prop in DATE_PROPERTIES and not _is_iso_date(value):
            self.add(ERROR, node, prop, "invalid-date", message_for("invalid-date", value=value))

    # Google's requirements

    def check_google(self, node: dict, types: list[str]) -> None:
        applied: set[str] = set()
        for type_name in types:
            for ancestor in vocabulary.ancestors(type_name):
                if ancestor in applied:
                    continue
                applied.add(ancestor)
                spec = GOOGLE_REQUIREMENTS.get(ancestor)
                if spec is not None:
                    self.apply(node, spec)
                for prop, nested in self._nested_by_parent.get(ancestor, ()):
                    self.check_nested(node, prop, nested)

    def check_nested(self, node: dict, prop: str, nested: dict) -> None:
        # Unresolved references are reported as dangling already.
        values = [
            v for v in self.values(node, prop) if isinstance(v, dict) and not _is_reference(v)
        ]
        if not values:
            return
        matched = known = False
        for position, value in enumerate(values):
            value_types = [t for t in _type_names(value) if vocabulary.type_exists(t)]
            known = known or bool(value_types)
            for spec in nested["specs"]:
                if any(vocabulary.is_a(t, wanted) for t in value_types for wanted in spec["types"]):
                    matched = True
                    self.apply(value, spec, is_last=position == len(values) - 1)
        # Values of unknown types are reported as such already.
        if known and not matched and "expected" in nested:
            key = nested["expected"]
            self.add(ERROR, node, prop, "google-type", message_for(key))

    def apply(self, node: dict, spec: dict, is_last: bool = False) -> None:
        optional = spec.get("optional", False)
        missing: list[Requirement] = []
        for requirement in spec.get("required", ()):
            if requirement.except_last and is_last:
                continue
            if not self.applies(node, requirement):
                continue
            if self.covered_by(requirement, missing):
                continue
            if not self.satisfied(node, requirement):
                missing.append(requirement)
                self.add(
                    WARNING if optional else ERROR,
                    node,
                    requirement.path,
                    "google-required",
                    message_for(requirement.key),
                )
        if optional and missing:
            return  # an enhancement the editor has not opted into: one warning is enough
        if self.described_elsewhere(node):
            return
        for requirement in spec.get("recommended", ()):
            if self.covered_by(requirement, missing) or not self.applies(node, requirement):
                continue
            if not self.satisfied(node, requirement):
                self.add(
                    WARNING,
                    node,
                    requirement.path,
                    "google-recommended",
                    message_for(requirement.key),
                )

    def described_elsewhere(self, node: dict) -> bool:
        node_id = node.get("@id")
        if not self.page_url or not isinstance(node_id, str):
            return False
        if not node_id.endswith("#organization"):
            return False
        return node_id.split("#", 1)[0] != self.page_url

    @staticmethod
    def applies(node: dict, requirement: Requirement) -> bool:
        if requirement.unless and node.get(requirement.unless):
            return False
        if requirement.when is None:
            return True
        prop, value = requirement.when
        return value in _as_list(node.get(prop))

    @staticmethod
    def covered_by(requirement: Requirement, missing: list[Requirement]) -> bool:
        """Whether a missing requirement already says this (``acceptedAnswer`` before
        ``acceptedAnswer.text``; ``creator|creditText`` before ``creditText``)."""
        for earlier in missing:
            for path in requirement.alternatives:
                if path in earlier.alternatives:
                    return True
                if any(path.startswith(alt + ".") for alt in earlier.alternatives):
                    return True
        return False

    def satisfied(self, node: dict, requirement: Requirement) -> bool:
        return any(self.present(node, path.split(".")) for path in requirement.alternatives)

    def present(self, node: dict, segments: list[str]) -> bool:
        values = [v for v in self.values(node, segments[0]) if _present(v)]
        if len(segments) == 1:
            return bool(values)
        children = [v for v in values if isinstance(v, dict)]
        return bool(children) and all(self.present(child, segments[1:]) for child in children)

    def values(self, node: dict, prop: str) -> list:
        """The values of ``prop``, references replaced by the nodes they point to."""
        resolved = []
        for value in _as_list(node.get(prop)):
            if _is_reference(value):
                value = self.index.get(value["@id"], value)
            resolved.append(value)
        return resolved


def validate_graph(document: dict) -> list[Issue]:
    """Every issue of a JSON-LD document ``{"@context": "https://schema.org", "@graph": […]}``,
    errors and warnings, in document order."""
    return _Validator(document).run()


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.level == ERROR]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.level == WARNING]
