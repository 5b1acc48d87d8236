"""The schema.org table: derived from the reference release, and what it answers."""

import inspect
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from structured_data import nodes, vocabulary
from structured_data.vocabulary import (
    DEFAULT_SOURCE,
    TABLE_PATH,
    ancestors,
    build_table,
    dump_table,
    property_allowed,
    property_exists,
    type_exists,
)

#: Properties the node classes declare that schema.org does not allow on their type. Each is a
#: bug to fix in nodes.py; remove the entry with the fix. A new entry fails the test below.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def test_the_reference_release_is_committed_with_its_licence():
    """A fresh clone rebuilds and checks the table with nothing beside it."""
    reference = DEFAULT_SOURCE.parent
    assert DEFAULT_SOURCE.is_file(), DEFAULT_SOURCE
    assert reference.is_relative_to(TABLE_PATH.parent)
    readme = (reference / "README.md").read_text(encoding="utf-8")
    assert "release 30.0" in readme and "CC BY-SA 3.0" in readme
    assert "dcat-ap-3.0.0-SHACL.ttl" in readme and "ISA Open Metadata Licence v1.1" in readme
    assert (reference / "dcat-ap-3.0.0-SHACL.ttl").is_file()


def test_committed_table_is_rebuilt_from_the_reference_release():
    expected = dump_table(build_table(DEFAULT_SOURCE))
    assert TABLE_PATH.read_text(encoding="utf-8") == expected, (
        "structured_data/data is out of date: run `python site/manage.py build_schemaorg_table`"
    )


def test_the_build_command_checks_the_committed_table(tmp_path):
    out = StringIO()
    call_command("build_schemaorg_table", "--check", stdout=out)  # the committed release
    assert "up to date" in out.getvalue()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("build_schemaorg_table", str(tmp_path / "missing.jsonld"), "--check")


def test_table_credits_schema_org_and_stays_small():
    table = vocabulary.load_table()
    assert "schema.org release 30.0" in table["attribution"]
    assert "CC BY-SA 3.0" in table["attribution"]
    assert "CC BY-SA 3.0" in vocabulary.__doc__
    assert len(table["types"]) > 900
    assert TABLE_PATH.stat().st_size < 150_000


def test_table_names_are_bare_and_sorted():
    types = vocabulary.load_table()["types"]
    assert list(types) == sorted(types)
    assert types["MovieTheater"]["parents"] == ["CivicStructure", "EntertainmentBusiness"]
    assert "schema:" not in dump_table(vocabulary.load_table())


def test_types_exist_by_their_bare_name():
    assert type_exists("Person")
    assert type_exists("ScreeningEvent")
    assert type_exists("Text"), "data types are types too"
    assert not type_exists("Persn")
    assert not type_exists("schema:Person")


def test_ancestors_are_transitive_and_start_with_the_type_itself():
    lineage = ancestors("MovieTheater")
    assert lineage[0] == "MovieTheater"
    assert {"LocalBusiness", "Organization", "Place", "CivicStructure", "Thing"} <= set(lineage)
    assert ancestors("Unknown") == ()


def test_properties_are_allowed_on_their_type_and_its_descendants():
    assert property_allowed("Event", "startDate")
    assert property_allowed("ScreeningEvent", "startDate"), "inherited from Event"
    assert property_allowed("Person", "name"), "inherited from Thing"
    assert not property_allowed("Person", "startDate")
    assert property_allowed("MovieTheater", "geo"), "a cinema is a Place"
    assert not property_allowed("NGO", "geo"), "an organization is not a Place"
    for keyword in ("@id", "@type", "@context"):
        assert property_allowed("Person", keyword)
    assert property_exists("startDate")
    assert not property_exists("favouriteColour")


def _node_classes():
    for _name, cls in inspect.getmembers(nodes, inspect.isclass):
        if issubclass(cls, nodes.Node) and cls.__module__ == nodes.__name__:
            yield cls


def _declaring_type(cls, field_name: str) -> str:
    """The schema.org type of the node class that declares ``field_name`` (subclasses inherit
    their parent's fields, so a bug is listed once, under the class to fix)."""
    for base in reversed(cls.__mro__):
        if (
            isinstance(base, type)
            and issubclass(base, nodes.Node)
            and base is not nodes.Node
            and field_name in base.model_fields
        ):
            return base.schema_type
    return cls.schema_type


def test_every_node_class_is_a_schema_org_type_with_schema_org_properties():
    violations = set()
    for cls in _node_classes():
        assert type_exists(cls.schema_type), cls
        for name, field in cls.model_fields.items():
            prop = field.alias or name
            if not property_allowed(cls.schema_type, prop):
                violations.add((_declaring_type(cls, name), prop))
    assert violations <= KNOWN_VIOLATIONS, sorted(violations - KNOWN_VIOLATIONS)
