"""The little of Solr's query syntax that CKAN clients send to ``package_search``.

``q`` and ``fq`` are Solr queries in CKAN; harvesters and scripts send a handful of forms,
which this module reads into a small tree and matches against the catalogue's entries:

- words and ``"quoted phrases"`` (searched in the title, description, keywords, name…);
- ``field:value``, ``field:"a phrase"``, ``field:prefix*``, ``field:*`` (any value),
  ``field:(a OR b)``;
- ranges ``field:[A TO B]`` (inclusive) and ``field:{A TO B}`` (exclusive), ``*`` for an open
  end, dates as ``2026-01-31T00:00:00Z``, ``NOW`` or ``NOW-7DAYS`` (ckanext-harvest asks
  ``metadata_modified:[LAST TO *]``);
- ``AND`` (also implied between terms), ``OR``, ``NOT``/``-`` and ``+``, parentheses;
- ``*:*``: everything.

Anything else is a :class:`SearchQueryError` (CKAN's "Search Query Error"), never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spreadsheets.text import fold


class SearchQueryError(ValueError):
    """A query CKAN's search would refuse; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Term:
    """``field`` (``None``: the text) holding ``value``: a word, a phrase, a prefix (``word*``),
    anything (``*``) or a range (``low``, ``high``, each ``None`` when open)."""

    field: str | None
    kind: str  # word | phrase | prefix | any | range | all
    value: str = ""
    low: object = None
    high: object = None
    inclusive: bool = True


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class Negated:
    item: object


_WORD = re.compile(r"\w+")
_RANGE = re.compile(r"^\s*(\S+)\s+TO\s+(\S+)\s*$")
_DATE_MATH = re.compile(r"^NOW(?:([+-])(\d+)(DAYS?|HOURS?|MINUTES?))?(?:/DAY)?$")


def parse(text: str, fields: frozenset[str], dates: frozenset[str] = frozenset()) -> object:
    """The tree of ``text`` (``None`` when it asks for everything). ``fields`` are the names a
    term may name; ``dates`` those whose ranges compare dates."""
    if not (text or "").strip():
        return None
    parser = _Parser(text, fields, dates)
    tree = parser.expression()
    if parser.position < len(parser.text):
        raise parser.error(_("unexpected « %(text)s »") % {"text": parser.text[parser.position]})
    return tree


class _Parser:
    def __init__(self, text: str, fields: frozenset[str], dates: frozenset[str]):
        self.text = text
        self.position = 0
        self.fields = fields
        self.dates = dates

    def error(self, reason: str) -> SearchQueryError:
        return SearchQueryError(
            _("Search Query is invalid: %(reason)s (at character %(position)s of « %(query)s »).")
            % {"reason": reason, "position": self.position + 1, "query": self.text}
        )

    def skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def peek_word(self) -> str:
        self.skip_spaces()
        match = re.compile(r"(AND|OR|NOT|&&|\|\|)(?=[\s(]|$)").match(self.text, self.position)
        return match.group(1) if match else ""

    def expression(self, field: str | None = None):
        """Clauses joined by ``OR`` (tighter) and ``AND`` or nothing (all required)."""
        required = []
        alternatives = [self.clause(field)]
        while True:
            self.skip_spaces()
            if self.position >= len(self.text) or self.text[self.position] == ")":
                break
            word = self.peek_word()
            if word in ("OR", "||"):
                self.position += len(word)
                alternatives.append(self.clause(field))
                continue
            if word in ("AND", "&&"):
                self.position += len(word)
            required.append(_combine(AnyOf, alternatives))
            alternatives = [self.clause(field)]
        required.append(_combine(AnyOf, alternatives))
        items = [item for item in required if item is not None]
        return _combine(AllOf, items)

    def clause(self, field: str | None):
        self.skip_spaces()
        if self.position >= len(self.text):
            raise self.error(_("a term is missing"))
        if self.peek_word() == "NOT":
            self.position += 3
            return Negated(self.clause(field))
        char = self.text[self.position]
        if char == "-":
            self.position += 1
            return Negated(self.clause(field))
        if char == "+":
            self.position += 1
            return self.clause(field)
        if char == "(":
            self.position += 1
            inner = self.expression(field)
            self.expect(")")
            return inner
        return self.term(field)

    def expect(self, char: str) -> None:
        self.skip_spaces()
        if self.position >= len(self.text) or self.text[self.position] != char:
            raise self.error(_("« %(char)s » expected") % {"char": char})
        self.position += 1

    def term(self, field: str | None):
        match = re.compile(r"([\w.*]+):(?!\s)").match(self.text, self.position)
        if match:
            name = match.group(1)
            self.position = match.end()
            if self.position >= len(self.text):
                raise self.error(_("a term is missing"))
            if name == "*":
                if self.text[self.position] != "*":
                    raise self.error(_("« *: » must be followed by « * »"))
                self.position += 1
                return None  # *:* — everything
            if name not in self.fields:
                raise self.error(
                    _("unknown field « %(name)s »; known fields: %(fields)s")
                    % {"name": name, "fields": ", ".join(sorted(self.fields))}
                )
            if field is not None:
                raise self.error(_("a field inside a field"))
            char = self.text[self.position]
            if char == "(":
                self.position += 1
                inner = self.expression(name)
                self.expect(")")
                return inner
            if char in "[{":
                return self.range(name)
            return self.value(name)
        return self.value(field)

    def value(self, field: str | None) -> Term | None:
        if self.text[self.position] == '"':
            end = self.text.find('"', self.position + 1)
            if end < 0:
                raise self.error(_("a quotation mark is not closed"))
            phrase = self.text[self.position + 1 : end]
            self.position = end + 1
            return Term(field, "phrase", phrase)
        match = re.compile(r'[^\s()"]+').match(self.text, self.position)
        if not match:
            raise self.error(_("a term is missing"))
        word = match.group(0)
        self.position = match.end()
        if word == "*":
            return Term(field, "any") if field else None
        if word.endswith("*") and len(word) > 1:
            return Term(field, "prefix", word[:-1])
        return Term(field, "word", word)

    def range(self, field: str) -> Term:
        opening = self.text[self.position]
        closing = "]" if opening == "[" else "}"
        end = self.text.find(closing, self.position)
        if end < 0:
            raise self.error(_("« %(char)s » expected") % {"char": closing})
        match = _RANGE.match(self.text[self.position + 1 : end])
        if not match:
            raise self.error(_("a range is written [start TO end]"))
        low, high = (self.bound(field, text) for text in match.groups())
        self.position = end + 1
        return Term(field, "range", low=low, high=high, inclusive=opening == "[")

    def bound(self, field: str, text: str):
        text = text.strip('"')
        if text == "*":
            return None
        if field not in self.dates:
            return fold(text)
        moment = parse_moment(text)
        if moment is None:
            raise self.error(_("« %(text)s » is not a date") % {"text": text})
        return moment


def words(text: str) -> str:
    """``text``'s words, folded (no case, no accents), separated by one space: how entries'
    texts and the queried words are compared."""
    return " ".join(_WORD.findall(fold(str(text))))


def parse_moment(text: str) -> dt.datetime | None:
    """A date of a Solr range (ISO, ``Z`` or not, or ``NOW`` with date math) in UTC."""
    math = _DATE_MATH.match(text.upper())
    if math:
        moment = dt.datetime.now(dt.UTC)
        if math.group(1):
            unit = math.group(3).rstrip("S").lower() + "s"
            try:
                delta = dt.timedelta(**{unit: int(math.group(2))})
                moment = moment + delta if math.group(1) == "+" else moment - delta
            except OverflowError:  # beyond the calendar: no date
                return None
        return moment
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _combine(kind, items):
    items = [item for item in items if item is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else kind(tuple(items))


def matches(node, values_of) -> bool:
    """Whether an entry matches ``node``. ``values_of(field)`` gives the entry's values for a
    field: a list of folded strings (or datetimes for date fields) compared whole, or one
    folded ``str`` for a text field, whose words are searched (``values_of(None)``: all of
    the entry's text)."""
    if node is None:
        return True
    if isinstance(node, AllOf):
        return all(matches(item, values_of) for item in node.items)
    if isinstance(node, AnyOf):
        return any(matches(item, values_of) for item in node.items)
    if isinstance(node, Negated):
        return not matches(node.item, values_of)
    values = values_of(node.field)
    if isinstance(values, str):  # the words of a text, as ``words`` gives them
        if node.kind == "any":
            return bool(values)
        if node.kind == "range":
            return _within(values, node)
        wanted = words(node.value)
        if node.kind == "prefix":
            return any(word.startswith(wanted) for word in values.split()) if wanted else True
        if node.kind == "phrase":
            return f" {wanted} " in f" {values} "
        present = set(values.split())
        return all(word in present for word in wanted.split())
    if node.kind == "any":
        return bool(values)
    if node.kind == "range":
        return any(_within(value, node) for value in values if value is not None)
    wanted = fold(node.value)
    if node.kind == "prefix":
        return any(isinstance(v, str) and v.startswith(wanted) for v in values)
    if values and isinstance(values[0], dt.datetime):
        moment = parse_moment(node.value)
        return moment is not None and moment in values
    return wanted in values


def _within(value, term: Term) -> bool:
    if term.low is not None and (value < term.low or (not term.inclusive and value == term.low)):
        return False
    return not (
        term.high is not None and (value > term.high or (not term.inclusive and value == term.high))
    )
