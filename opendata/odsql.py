"""Opendatasoft's query language (ODSQL), as Explore v2.1 clients send it, read into our own
query tree (``opendata.query``) and a small aggregation spec.

Four clauses, each a parameter of the Explore API:

- ``where``: comparisons (``= != < <= > >=``), ``AND``/``OR``/``NOT`` and parentheses,
  ``field IN (v1, v2…)``, ``field IS [NOT] NULL``, ``field IS TRUE|FALSE``, a bare boolean
  field, ``field LIKE "words"``, full-text ``"words"`` (a trailing ``*`` is accepted),
  ``search(field, "words")`` (``search("words")`` or ``search(*, "words")`` for every field),
  ``startswith(field, "x")``, ``within_distance(geo, geom'POINT(lon lat)', 10km)`` (units mm,
  cm, m, km, ft, yd, mi; GeoJSON points too). Literals: numbers, strings in single or double
  quotes, ``date'2024-01-01'`` (also ``date'2024'``, ``date'2024/01/01'``, with a time),
  ``true``/``false``; field names plain (letters, digits, underscores) or backquoted.
- ``select``: ``*``, fields, ``count(*)``, ``count(field)``, ``sum|avg|min|max(field)``, each
  with an optional ``AS label``.
- ``group_by``: fields, each with an optional ``AS label``.
- ``order_by``: fields (or, when grouping, labels and aggregates) with ``ASC``/``DESC``.

Keywords are case-insensitive. Every name is checked against the fields the reader may read
(``DataTable.fields``): a members-only column is an unknown field for the public, whatever the
clause. Malformed text raises :class:`opendata.query.QueryError` with the character offset of
the fault (``position``) and a message in the active language; nothing else escapes.

Aggregations are not part of the query tree: :func:`aggregate` runs them in Python over the
matching records (``DataTable.iterate``), one pass, memory bounded by the number of groups.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from .fields import Field, FieldType
from .query import And, Compare, In, IsNull, Not, Or, Prefix, QueryError, Search, Within, coerce
from .query.python import sort_records

#: Longest clause read: longer ones are refused before parsing (a query, not a document).
MAX_LENGTH = 10_000

GRAMMAR = r"""
?where: disjunction
?disjunction: conjunction (_OR conjunction)*
?conjunction: negation (_AND negation)*
?negation: _NOT negation -> negate
         | primary
?primary: "(" disjunction ")"
        | field COMPARATOR literal            -> compare
        | field _IN "(" literal ("," literal)* ")" -> in_list
        | field _IS _NULL                     -> is_null
        | field _IS _NOT _NULL                -> is_not_null
        | field _IS boolean                   -> is_boolean
        | field _LIKE STRING                  -> like
        | NAME "(" [argument ("," argument)*] ")" -> call
        | STRING                              -> fulltext
        | field                               -> bare_field

?argument: field | STRING | NUMBER | GEOM | DISTANCE | STAR
?literal: STRING | NUMBER | DATE | boolean
boolean: TRUE | FALSE
field: NAME | QUOTED_NAME

select: select_item ("," select_item)*
select_item: select_expression [_AS label]
?select_expression: STAR | field | NAME "(" (STAR | field) ")" -> aggregate_call
group_by: group_item ("," group_item)*
group_item: field [_AS label]
order_by: order_item ("," order_item)*
order_item: (field | NAME "(" (STAR | field) ")") [DIRECTION]
label: NAME | QUOTED_NAME

_OR.2: /or\b/i
_AND.2: /and\b/i
_NOT.2: /not\b/i
_IN.2: /in\b/i
_IS.2: /is\b/i
_NULL.2: /null\b/i
_LIKE.2: /like\b/i
_AS.2: /as\b/i
TRUE.2: /true\b/i
FALSE.2: /false\b/i
DIRECTION.2: /(asc|desc)\b/i
COMPARATOR: "!=" | "<=" | ">=" | "=" | "<" | ">"
DATE.3: /date'[^']*'/i
GEOM.3: /geom'[^']*'/i
DISTANCE.2: /-?\d+(\.\d+)?\s*(mm|cm|km|m|mi|yd|ft)\b/i
NUMBER: /-?\d+(\.\d+)?([eE][+-]?\d+)?/
STRING: /"(?:[^"\\]|\\.)*"/ | /'(?:[^'\\]|\\.)*'/
QUOTED_NAME: /`[^`]+`/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STAR: "*"

%ignore /\s+/
"""

CLAUSES = ("where", "select", "group_by", "order_by")
AGGREGATES = ("count", "sum", "avg", "min", "max")
#: Units of ``within_distance``, in meters.
UNITS = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "ft": 0.3048, "yd": 0.9144}
UNITS["mi"] = 1609.344
ORDERABLE = frozenset(
    {
        FieldType.TEXT,
        FieldType.URL,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.BOOLEAN,
    }
)


@cache
def parser() -> Lark:
    """One LALR parser for the four clauses (built once: it is the slow part)."""
    return Lark(GRAMMAR, parser="lalr", start=list(CLAUSES), propagate_positions=True)


# --- errors --------------------------------------------------------------------------------------


def _malformed(clause: str, position: int, detail: str) -> QueryError:
    return QueryError(
        _(
            "ODSQL query is malformed: %(detail)s at position %(position)s. "
            "Clause(s) containing the error(s): %(clause)s."
        )
        % {"detail": detail, "position": position, "clause": clause},
        position=position,
        code="malformed",
    )


def _invalid(clause: str, position: int | None, detail: str, code: str = "invalid") -> QueryError:
    if position is None:
        message = _(
            "ODSQL query is invalid: %(detail)s. Clause(s) containing the error(s): %(clause)s."
        ) % {"detail": detail, "clause": clause}
    else:
        message = _(
            "ODSQL query is invalid: %(detail)s at position %(position)s. "
            "Clause(s) containing the error(s): %(clause)s."
        ) % {"detail": detail, "position": position, "clause": clause}
    return QueryError(message, position=position, code=code)


def _parse(clause: str, text: str) -> Tree:
    if len(text) > MAX_LENGTH:
        raise _malformed(
            clause,
            MAX_LENGTH,
            _("longer than %(count)s characters") % {"count": MAX_LENGTH},
        )
    grammar = parser()
    try:
        return grammar.parse(text, start=clause)
    except UnexpectedEOF:
        raise _malformed(clause, len(text), _("unexpected end of the clause")) from None
    except UnexpectedCharacters as error:
        character = text[error.pos_in_stream : error.pos_in_stream + 1]
        raise _malformed(
            clause, error.pos_in_stream, _("unexpected « %(text)s »") % {"text": character}
        ) from None
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        position = getattr(error, "pos_in_stream", None)
        if token is not None and getattr(token, "type", "") == "$END":
            return_position = len(text)
            raise _malformed(clause, return_position, _("unexpected end of the clause")) from None
        if position is None:
            position = getattr(token, "start_pos", 0) or 0
        shown = str(token) if token is not None else text[position : position + 1]
        raise _malformed(
            clause, position, _("unexpected « %(text)s »") % {"text": shown[:40]}
        ) from None
    except (LarkError, RecursionError):
        raise _malformed(clause, 0, _("unreadable clause")) from None


def _position(node) -> int | None:
    if isinstance(node, Token):
        return node.start_pos
    meta = getattr(node, "meta", None)
    return getattr(meta, "start_pos", None) if meta is not None and not meta.empty else None


# --- literals ------------------------------------------------------------------------------------


def _string(token: Token) -> str:
    body = str(token)[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _name(token: Token) -> str:
    text = str(token)
    return text[1:-1] if text.startswith("`") else text


def _number(token: Token) -> int | float:
    text = str(token)
    return float(text) if any(c in text for c in ".eE") else int(text)


def _date(token: Token, clause: str) -> str:
    """A ``date'…'`` literal as ISO text: a date (``YYYY-MM-DD``) or an aware date-time."""
    raw = str(token)[5:-1].strip()
    text = raw.replace("/", "-")
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{1,2}", text):
        year, month = text.split("-")
        text = f"{year}-{int(month):02d}-01"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(
            clause,
            token.start_pos,
            _("« %(value)s » is not a date") % {"value": raw},
            code="invalid_value",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _literal(node, clause: str):
    if isinstance(node, Tree) and node.data == "boolean":
        return node.children[0].type == "TRUE"
    if node.type == "STRING":
        return _string(node)
    if node.type == "NUMBER":
        return _number(node)
    if node.type == "DATE":
        return _date(node, clause)
    raise _invalid(clause, node.start_pos, _("« %(text)s » is not a value") % {"text": node})


def _point(token: Token, clause: str) -> tuple[float, float]:
    """(lon, lat) of a ``geom'…'`` literal: WKT ``POINT(lon lat)`` or a GeoJSON point."""
    text = str(token)[5:-1].strip()
    match = re.fullmatch(r"(?i)POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)", text)
    lon = lat = None
    if match:
        lon, lat = float(match.group(1)), float(match.group(2))
    else:
        try:
            shape = json.loads(text)
            if str(shape.get("type", "")).lower() == "point":
                lon, lat = (float(v) for v in shape["coordinates"][:2])
        except (ValueError, TypeError, KeyError, AttributeError):
            pass
    if lon is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _invalid(
            clause,
            token.start_pos,
            _("« %(value)s » is not a point (write %(example)s)")
            % {"value": text[:60], "example": "geom'POINT(longitude latitude)'"},
            code="invalid_value",
        )
    return lon, lat


def _meters(token: Token) -> float:
    match = re.fullmatch(r"(?i)(-?\d+(?:\.\d+)?)\s*([a-z]+)", str(token))
    return float(match.group(1)) * UNITS[match.group(2).lower()]


# --- where ---------------------------------------------------------------------------------------


class _WhereReader:
    def __init__(self, fields, clause: str = "where"):
        self.fields = tuple(fields)
        self.clause = clause

    def field(self, node) -> Field:
        token = node.children[0]
        name = _name(token)
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise _invalid(
            self.clause,
            token.start_pos,
            _("unknown field « %(name)s »") % {"name": name},
            code="unknown_field",
        )

    def value(self, target: Field, node):
        position = _position(node)
        literal = _literal(node, self.clause)
        if (
            target.type == FieldType.INTEGER
            and isinstance(literal, float)
            and math.isfinite(literal)
            and not literal.is_integer()
        ):
            return literal  # ecrans > 4.5 keeps its meaning
        if target.is_geo:
            raise _invalid(
                self.clause,
                position,
                _("« %(name)s » is a geographic point: use within_distance()")
                % {"name": target.name},
                code="invalid_value",
            )
        try:
            return coerce(target, literal, position)
        except QueryError as error:
            raise _invalid(self.clause, position, error.message.rstrip("."), error.code) from None

    def read(self, node):
        kind = node.data if isinstance(node, Tree) else node.type
        handler = getattr(self, f"read_{kind}", None)
        if handler is None:  # a bare literal where a condition is expected
            raise _invalid(
                self.clause,
                _position(node),
                _("« %(text)s » is not a condition") % {"text": str(node)[:40]},
            )
        return handler(node)

    def read_disjunction(self, node):
        return Or(tuple(self.read(child) for child in node.children))

    def read_conjunction(self, node):
        return And(tuple(self.read(child) for child in node.children))

    def read_negate(self, node):
        return Not(self.read(node.children[0]))

    def read_compare(self, node):
        target_node, operator, literal = node.children
        target = self.field(target_node)
        return Compare(target.name, str(operator), self.value(target, literal))

    def read_in_list(self, node):
        target = self.field(node.children[0])
        return In(target.name, tuple(self.value(target, child) for child in node.children[1:]))

    def read_is_null(self, node):
        return IsNull(self.field(node.children[0]).name)

    def read_is_not_null(self, node):
        return IsNull(self.field(node.children[0]).name, negated=True)

    def read_is_boolean(self, node):
        target = self.field(node.children[0])
        return Compare(target.name, "=", self.value(target, node.children[1]))

    def read_bare_field(self, node):
        target = self.field(node.children[0])
        if target.type != FieldType.BOOLEAN:
            raise _invalid(
                self.clause,
                _position(node),
                _("« %(name)s » is not a yes-or-no field: compare it to a value")
                % {"name": target.name},
            )
        return Compare(target.name, "=", True)

    def read_like(self, node):
        target = self.field(node.children[0])
        return Search(_string(node.children[1]).replace("*", " "), target.name)

    def read_fulltext(self, node):
        return Search(_string(node.children[0]).replace("*", " "))

    def read_STRING(self, node):
        return Search(_string(node).replace("*", " "))

    def read_call(self, node):
        name_token, *arguments = node.children
        arguments = [a for a in arguments if a is not None]
        function = str(name_token).lower()
        position = name_token.start_pos
        if function == "search":
            return self.call_search(arguments, position)
        if function == "startswith":
            target, text = self.arguments(function, arguments, ("field", "STRING"), position)
            return Prefix(target.name, _string(text))
        if function == "within_distance":
            target, point, distance = self.arguments(
                function, arguments, ("field", "GEOM", "DISTANCE"), position
            )
            if not target.is_geo:
                raise _invalid(
                    self.clause,
                    _position(arguments[0]),
                    _("« %(name)s » is not a geographic point") % {"name": target.name},
                )
            lon, lat = _point(point, self.clause)
            meters = _meters(distance)
            if meters < 0:
                raise _invalid(self.clause, distance.start_pos, _("a distance cannot be negative"))
            return Within(target.name, lon, lat, meters)
        raise _invalid(
            self.clause,
            position,
            _("unknown function « %(name)s() »") % {"name": name_token},
            code="unknown_function",
        )

    def call_search(self, arguments, position):
        if len(arguments) == 1 and getattr(arguments[0], "type", "") == "STRING":
            return Search(_string(arguments[0]).replace("*", " "))
        if len(arguments) == 2 and getattr(arguments[1], "type", "") == "STRING":
            first = arguments[0]
            if getattr(first, "type", "") == "STAR":
                return Search(_string(arguments[1]).replace("*", " "))
            if isinstance(first, Tree) and first.data == "field":
                target = self.field(first)
                return Search(_string(arguments[1]).replace("*", " "), target.name)
        raise _invalid(
            self.clause,
            position,
            _("search() expects a field and a text in quotes: %(example)s")
            % {"example": 'search(name, "words")'},
        )

    def arguments(self, function, arguments, kinds, position):
        read = []
        if len(arguments) == len(kinds):
            for argument, kind in zip(arguments, kinds, strict=True):
                if kind == "field" and isinstance(argument, Tree) and argument.data == "field":
                    read.append(self.field(argument))
                elif isinstance(argument, Token) and argument.type == kind:
                    read.append(argument)
                else:
                    break
            else:
                return read
        usage = {
            "startswith": 'startswith(name, "text")',
            "within_distance": "within_distance(location, geom'POINT(2.35 48.85)', 10km)",
        }[function]
        raise _invalid(
            self.clause,
            position,
            _("%(function)s() is written %(usage)s") % {"function": function, "usage": usage},
        )


def parse_where(text: str | None, fields, clause: str = "where"):
    """The query tree of an ODSQL ``where`` clause over ``fields`` (``None`` when empty)."""
    if text is None or not text.strip():
        return None
    tree = _parse("where", text)
    try:
        return _WhereReader(fields, clause).read(tree)
    except RecursionError:
        raise _malformed(clause, 0, _("too deeply nested")) from None


# --- select, group_by, order_by ------------------------------------------------------------------


@dataclass(frozen=True)
class SelectItem:
    """One expression of a ``select``: ``kind`` is ``all`` (``*``), ``field`` or an aggregate
    (``count``, ``sum``, ``avg``, ``min``, ``max``); ``field`` is ``None`` for ``*`` and
    ``count(*)``; ``label`` is the key of the value in the results."""

    kind: str
    field: str | None
    label: str

    @property
    def aggregated(self) -> bool:
        return self.kind in AGGREGATES


@dataclass(frozen=True)
class GroupItem:
    field: str
    label: str


@dataclass(frozen=True)
class Selection:
    """What a records request returns: plain records (projected), or groups and aggregates."""

    items: tuple[SelectItem, ...] = ()
    group_by: tuple[GroupItem, ...] = ()
    #: ``(key, descending)``: field names, or labels of groups and aggregates when aggregated.
    order_by: tuple[tuple[str, bool], ...] = field(default=())

    @property
    def aggregated(self) -> bool:
        return bool(self.group_by) or any(item.aggregated for item in self.items)


def _expression_text(function: str, argument: str | None) -> str:
    return f"{function}({argument or '*'})"


def _check_label(clause: str, label_node, taken: set) -> str:
    label = _name(label_node.children[0])
    if label in taken:
        raise _invalid(
            clause,
            label_node.children[0].start_pos,
            _("« %(label)s » names two expressions") % {"label": label},
        )
    taken.add(label)
    return label


def parse_select(text: str | None, fields) -> tuple[SelectItem, ...]:
    """The expressions of a ``select`` clause (``()`` for all fields)."""
    if text is None or not text.strip():
        return ()
    tree = _parse("select", text)
    reader = _WhereReader(fields, "select")
    items, labels = [], set()
    for item in tree.children:
        expression, label_node = item.children
        if isinstance(expression, Token) and expression.type == "STAR":
            if label_node is not None:
                raise _invalid("select", _position(label_node), _("* cannot be labelled"))
            items.append(SelectItem("all", None, "*"))
            continue
        if isinstance(expression, Tree) and expression.data == "field":
            target = reader.field(expression)
            label = _check_label("select", label_node, labels) if label_node else target.name
            items.append(SelectItem("field", target.name, label))
            continue
        # An aggregate: NAME "(" (STAR | field) ")"
        function_token, argument = expression.children
        function = str(function_token).lower()
        if function not in AGGREGATES:
            raise _invalid(
                "select",
                function_token.start_pos,
                _("unknown function « %(name)s() »") % {"name": function_token},
                code="unknown_function",
            )
        target = None
        if isinstance(argument, Token) and argument.type == "STAR":
            if function != "count":
                raise _invalid(
                    "select",
                    argument.start_pos,
                    _("%(function)s() needs a field, not *") % {"function": function},
                )
        else:
            target = reader.field(argument)
            _check_aggregable(function, target, _position(argument))
        label = (
            _check_label("select", label_node, labels)
            if label_node
            else _expression_text(function, target.name if target else None)
        )
        items.append(SelectItem(function, target.name if target else None, label))
    return tuple(items)


def _check_aggregable(function: str, target: Field, position) -> None:
    if function in ("sum", "avg") and not target.is_numeric:
        raise _invalid(
            "select",
            position,
            _("%(function)s() needs a number field, « %(name)s » is not one")
            % {"function": function, "name": target.name},
        )
    if function in ("min", "max") and target.type not in ORDERABLE:
        raise _invalid(
            "select",
            position,
            _("%(function)s() cannot compare the values of « %(name)s »")
            % {"function": function, "name": target.name},
        )


def parse_group_by(text: str | None, fields) -> tuple[GroupItem, ...]:
    if text is None or not text.strip():
        return ()
    tree = _parse("group_by", text)
    reader = _WhereReader(fields, "group_by")
    items, labels = [], set()
    for item in tree.children:
        field_node, label_node = item.children
        target = reader.field(field_node)
        label = _check_label("group_by", label_node, labels) if label_node else target.name
        items.append(GroupItem(target.name, label))
    return tuple(items)


def parse_order_by(
    text: str | None, fields, *, labels: dict[str, int] | None = None
) -> tuple[tuple[str, bool], ...]:
    """``(key, descending)`` pairs. Without ``labels``, keys are fields that can be sorted;
    with ``labels`` (an aggregated request: the result keys), keys are those labels, an
    aggregate written as in the ``select`` (``count(*)``) standing for its label."""
    if text is None or not text.strip():
        return ()
    tree = _parse("order_by", text)
    reader = _WhereReader(fields, "order_by")
    order = []
    for item in tree.children:
        expression, direction = item.children[0], item.children[-1]
        if len(item.children) == 3:  # NAME "(" (STAR|field) ")" [DIRECTION]
            function_token, argument, direction = item.children
            argument_name = (
                None
                if isinstance(argument, Token) and argument.type == "STAR"
                else _name(argument.children[0])
            )
            key = _expression_text(str(function_token).lower(), argument_name)
            position = function_token.start_pos
            if labels is None or key not in labels:
                raise _invalid(
                    "order_by",
                    position,
                    _("« %(expression)s » is not among the selected aggregates")
                    % {"expression": key},
                )
        else:
            name_token = expression.children[0]
            name = _name(name_token)
            if labels is not None:
                if name not in labels:
                    raise _invalid(
                        "order_by",
                        name_token.start_pos,
                        _("« %(name)s » is neither a group nor a selected aggregate")
                        % {"name": name},
                        code="unknown_field",
                    )
                key = name
            else:
                target = reader.field(expression)
                if target.type not in ORDERABLE:
                    raise _invalid(
                        "order_by",
                        name_token.start_pos,
                        _("the records cannot be sorted by « %(name)s »") % {"name": name},
                    )
                key = target.name
        descending = direction is not None and str(direction).lower() == "desc"
        order.append((key, descending))
    return tuple(order)


def parse_selection(fields, *, select=None, group_by=None, order_by=None) -> Selection:
    """The ``select``, ``group_by`` and ``order_by`` clauses read together and checked
    against each other (a field selected beside aggregates must be a group)."""
    items = parse_select(select, fields)
    groups = parse_group_by(group_by, fields)
    aggregated = bool(groups) or any(item.aggregated for item in items)
    if not aggregated:
        return Selection(items, (), parse_order_by(order_by, fields))
    grouped = {group.field for group in groups}
    for item in items:
        if item.kind == "all" or (item.kind == "field" and item.field not in grouped):
            raise _invalid(
                "select",
                None,
                _("« %(name)s » is selected beside aggregates: add it to group_by")
                % {"name": item.field or "*"},
            )
    keys = {group.label: n for n, group in enumerate(groups)}
    for item in items:
        keys.setdefault(item.label, len(keys))
        if item.aggregated:
            keys.setdefault(_expression_text(item.kind, item.field), len(keys))
    order = parse_order_by(order_by, fields, labels=keys)
    # An aggregate written as an expression stands for its label.
    by_expression = {
        _expression_text(item.kind, item.field): item.label for item in items if item.aggregated
    }
    order = tuple((by_expression.get(key, key), descending) for key, descending in order)
    return Selection(items, groups, order)


# --- running a selection -------------------------------------------------------------------------


def project(record: dict, items: tuple[SelectItem, ...], names: list[str]) -> dict:
    """A record with the selected fields, under their labels (all fields without a select)."""
    if not items:
        return {name: record.get(name) for name in names}
    projected = {}
    for item in items:
        if item.kind == "all":
            for name in names:
                projected[name] = record.get(name)
        else:
            projected[item.label] = record.get(item.field)
    return projected


class _Accumulator:
    __slots__ = ("count", "maximum", "minimum", "total")

    def __init__(self):
        self.count = 0
        self.total = 0
        self.minimum = None
        self.maximum = None

    def add(self, value):
        self.count += 1
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.total += value
        if self.minimum is None or _before(value, self.minimum):
            self.minimum = value
        if self.maximum is None or _before(self.maximum, value):
            self.maximum = value

    def result(self, kind: str):
        if kind == "count":
            return self.count
        if kind == "sum":
            return self.total if self.count else None
        if kind == "avg":
            return self.total / self.count if self.count else None
        return self.minimum if kind == "min" else self.maximum


def _before(a, b) -> bool:
    try:
        return a < b
    except TypeError:
        return str(a) < str(b)


def aggregate(records, selection: Selection) -> list[dict]:
    """The groups of ``records`` (an iterable, read once) with their aggregates, in the
    order ``selection.order_by`` says (by group values when it says nothing). Empty cells
    make a group of their own."""
    groups: dict[tuple, list[_Accumulator]] = {}
    aggregates = [item for item in selection.items if item.aggregated]
    for record in records:
        key = tuple(_hashable(record.get(group.field)) for group in selection.group_by)
        accumulators = groups.get(key)
        if accumulators is None:
            accumulators = groups[key] = [_Accumulator() for _item in aggregates]
        for item, accumulator in zip(aggregates, accumulators, strict=True):
            if item.field is None:
                accumulator.count += 1
                continue
            value = record.get(item.field)
            if value is not None:
                accumulator.add(value)
    if not selection.group_by and not groups:
        groups[()] = [_Accumulator() for _item in aggregates]
    rows = []
    for key, accumulators in groups.items():
        row = {}
        values = {
            group.label: _unhashable(value)
            for group, value in zip(selection.group_by, key, strict=True)
        }
        results = {
            item.label: _rounded(accumulator.result(item.kind))
            for item, accumulator in zip(aggregates, accumulators, strict=True)
        }
        if selection.items:
            group_labels = {g.field: g.label for g in selection.group_by}
            for item in selection.items:
                if item.aggregated:
                    row[item.label] = results[item.label]
                else:
                    row[item.label] = values[group_labels[item.field]]
            for label, value in values.items():
                row.setdefault(label, value)
        else:
            row.update(values)
        rows.append(row)
    order = selection.order_by or tuple((group.label, False) for group in selection.group_by)
    return sort_records(rows, order)


def _hashable(value):
    if isinstance(value, dict):
        return ("__point__", value.get("lon"), value.get("lat"))
    return value


def _unhashable(value):
    if isinstance(value, tuple) and value and value[0] == "__point__":
        return {"lon": value[1], "lat": value[2]}
    return value


def _rounded(value):
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 10)
    return value
