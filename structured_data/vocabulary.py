"""The schema.org vocabulary as a small table: each type's parents and the properties it declares.

The table ``data/schemaorg-30.0.json`` is derived from schema.org release 30.0
(``schemaorg-current-https.jsonld``), © schema.org, licensed under Creative Commons
Attribution-ShareAlike 3.0 (CC BY-SA 3.0, https://creativecommons.org/licenses/by-sa/3.0/).
It is regenerated, never edited by hand: ``python site/manage.py build_schemaorg_table``.

Why a derived table rather than the 1.5 MB JSON-LD: the validator only needs "does this type
exist", "what are its ancestors" and "may this type carry this property", and the table answers
those in microseconds from ~100 kB, committed beside the code so that the check never reads the
reference file (``data/reference/``, see the README there) at run time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

SCHEMAORG_RELEASE = "30.0"

DATA_DIR = Path(__file__).resolve().parent / "data"
#: The release file the table is derived from, committed with its licence and attribution in
#: ``data/reference/`` so that a fresh clone can rebuild and check the table on its own.
DEFAULT_SOURCE = DATA_DIR / "reference" / "schemaorg-current-https.jsonld"
TABLE_PATH = DATA_DIR / f"schemaorg-{SCHEMAORG_RELEASE}.json"

ATTRIBUTION = (
    f"Types and properties derived from schema.org release {SCHEMAORG_RELEASE} "
    "(https://schema.org, schemaorg-current-https.jsonld), licensed under Creative Commons "
    "Attribution-ShareAlike 3.0 (CC BY-SA 3.0, https://creativecommons.org/licenses/by-sa/3.0/). "
    "This derived table is shared under the same licence."
)

#: JSON-LD keywords every node may carry.
KEYWORDS = frozenset({"@id", "@type", "@context"})

_PREFIXES = ("schema:", "https://schema.org/", "http://schema.org/")


def bare_name(term: str) -> str | None:
    """``schema:Person``, ``https://schema.org/Person`` → ``Person``; other vocabularies → None."""
    for prefix in _PREFIXES:
        if term.startswith(prefix):
            return term[len(prefix) :]
    return None


def _ids(value) -> Iterable[str]:
    """The ``@id`` of a JSON-LD reference or list of references."""
    if value is None:
        return
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "@id" in item:
            yield item["@id"]
        elif isinstance(item, str):
            yield item


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- Building the table -----------------------------------------------------------------------


def build_table(source: Path | str = DEFAULT_SOURCE) -> dict:
    """The table for the schema.org JSON-LD release file at ``source``.

    Types are the ``rdfs:Class`` terms (data types and enumerations included); ``parents`` are
    their direct ``rdfs:subClassOf`` within schema.org; ``properties`` are the properties whose
    ``schema:domainIncludes`` names the type (not those inherited from its ancestors).
    """
    document = json.loads(Path(source).read_text(encoding="utf-8"))
    types: dict[str, dict[str, set[str]]] = {}
    properties: list[dict] = []
    for term in document["@graph"]:
        name = bare_name(term.get("@id", ""))
        if not name:
            continue
        kinds = _as_list(term.get("@type"))
        if "rdfs:Class" in kinds:
            parents = {bare_name(i) for i in _ids(term.get("rdfs:subClassOf"))}
            types[name] = {"parents": parents - {None}, "properties": set()}
        elif "rdf:Property" in kinds:
            properties.append(term)
    for term in properties:
        name = bare_name(term["@id"])
        for domain in _ids(term.get("schema:domainIncludes")):
            domain_name = bare_name(domain)
            if domain_name in types:
                types[domain_name]["properties"].add(name)
    return {
        "attribution": ATTRIBUTION,
        "release": SCHEMAORG_RELEASE,
        "types": {
            name: {
                "parents": sorted(entry["parents"]),
                "properties": sorted(entry["properties"]),
            }
            for name, entry in sorted(types.items())
        },
    }


def dump_table(table: dict) -> str:
    """Deterministic, diff-friendly JSON: one line per type, no other whitespace."""

    def compact(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    lines = [
        "{" + f'"attribution":{compact(table["attribution"])},',
        f'"release":{compact(table["release"])},',
        '"types":{',
    ]
    entries = sorted(table["types"].items())
    for index, (name, entry) in enumerate(entries):
        comma = "," if index < len(entries) - 1 else ""
        lines.append(f"{compact(name)}:{compact(entry)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def write_table(source: Path | str = DEFAULT_SOURCE, target: Path | str = TABLE_PATH) -> Path:
    """Rebuild the committed table from the reference file; returns the path written."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_table(build_table(source)), encoding="utf-8")
    load_table.cache_clear()
    _all_properties.cache_clear()
    ancestors.cache_clear()
    allowed_properties.cache_clear()
    return target


# --- Reading it -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_table() -> dict:
    """The committed table, read once per process."""
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))


def _types() -> dict[str, dict]:
    return load_table()["types"]


@lru_cache(maxsize=1)
def _all_properties() -> frozenset[str]:
    return frozenset(p for entry in _types().values() for p in entry["properties"])


def type_exists(name: str) -> bool:
    return name in _types()


def property_exists(name: str) -> bool:
    """Whether any schema.org type declares ``name`` (keywords such as ``@id`` always do)."""
    return name in KEYWORDS or name in _all_properties()


@lru_cache(maxsize=2048)
def ancestors(name: str) -> tuple[str, ...]:
    """``name`` then every type it descends from, nearest first; empty for an unknown type."""
    types = _types()
    if name not in types:
        return ()
    seen = [name]
    queue = [name]
    while queue:
        for parent in types[queue.pop(0)]["parents"]:
            if parent not in seen:
                seen.append(parent)
                queue.append(parent)
    return tuple(seen)


@lru_cache(maxsize=2048)
def allowed_properties(type_name: str) -> frozenset[str]:
    """Every property a node of ``type_name`` may carry: its own and its ancestors'."""
    types = _types()
    return frozenset(p for t in ancestors(type_name) for p in types[t]["properties"])


def property_allowed(type_name: str, prop: str) -> bool:
    """Whether schema.org lets a ``type_name`` node carry ``prop`` (directly or by inheritance)."""
    if prop in KEYWORDS:
        return True
    return prop in allowed_properties(type_name)


def is_a(type_name: str, ancestor: str) -> bool:
    """Whether ``type_name`` is ``ancestor`` or one of its descendants."""
    return ancestor in ancestors(type_name)
