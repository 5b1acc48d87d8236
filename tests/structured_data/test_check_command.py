"""``check_structured_data`` validates what each public page tells search engines."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from crm_blocks.models import PersonPage
from structured_data.nodes import Person, Ref
from tests.factories import make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house, django_db_blocker):
    """The organizations, the first with a person, an organization and a draft."""
    with django_db_blocker.unblock():
        return {**house, "records": build_records(house["org_a"])}


@pytest.fixture
def records(house_copy):
    return house_copy["records"]


def build_records(org_a):
    return {
        "person": make_person(
            org_a.people_index, "Élise Tremblay", summary="Monteuse.", photo=make_image()
        ),
        "organization": make_organization_page(
            org_a.organizations_index, "Productions du Nord", summary="Producteur."
        ),
        "draft": make_person(org_a.people_index, "Élodie Brouillon", publish=False),
    }


def check(*args):
    out = StringIO()
    call_command("check_structured_data", *args, stdout=out)
    return out.getvalue()


def check_failing(*args):
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_structured_data", *args, stdout=out)
    return out.getvalue(), str(failure.value)


def test_every_public_page_is_listed_and_passes(org_a, records):
    output = check()
    for path in (
        "/",
        "/personnes/",
        "/personnes/elise-tremblay/",
        "/organismes/",
        "/organismes/productions-du-nord/",
    ):
        assert f"http://boreal.test{path}  " in output, path
    assert "elodie-brouillon" not in output, "drafts are private"
    assert "0 with errors" in output
    assert "error  [" not in output


def test_warnings_are_listed_with_the_editors_sentence(org_a, records):
    with translation.override("fr"):
        output = check()
    # A French operator reads the editors' sentence in French.
    assert "Ajoutez un crédit, une mention de droit d’auteur ou une licence à cette image" in (
        output
    )
    assert "warning  [ImageObject http://boreal.test/personnes/elise-tremblay/#primaryimage]" in (
        output
    )


def test_one_site_can_be_checked_alone(org_a, org_b, records):
    output = check("--site", "boreal.test")
    assert "http://boreal.test/" in output
    assert "reseau.test" not in output


def test_an_unknown_site_is_refused_with_the_known_ones(org_a):
    with pytest.raises(CommandError, match="unknown.test.*boreal.test"):
        check("--site", "unknown.test")


def test_a_broken_graph_makes_the_command_fail(org_a, records, monkeypatch):
    def entities_with_dangling_link(self, context):
        context.main_entity_id = f"{context.page_url}#person"
        yield Person(
            id=context.main_entity_id, name=self.title, works_for=Ref(id="https://nowhere/#org")
        )

    monkeypatch.setattr(PersonPage, "structured_data_entities", entities_with_dangling_link)
    output, failure = check_failing()
    assert "http://boreal.test/personnes/elise-tremblay/  1 error(s)" in output
    assert "dangling-reference" in output
    assert "1 with errors" in failure
    assert "http://boreal.test/organismes/productions-du-nord/  " in output, "checks the rest"


def test_a_page_whose_graph_cannot_be_built_is_an_error(org_a, records, monkeypatch):
    def failing_entities(self, context):
        raise ValueError("'photo' is not an absolute http(s) URL")

    monkeypatch.setattr(PersonPage, "structured_data_entities", failing_entities)
    output, failure = check_failing()
    assert "build-failed" in output
    assert "not an absolute http(s) URL" in output


def test_graphs_are_built_in_the_pages_language(org_a, records, monkeypatch):
    languages = []
    original = PersonPage.structured_data_entities

    def recording_entities(self, context):
        languages.append(translation.get_language())
        return original(self, context)

    monkeypatch.setattr(PersonPage, "structured_data_entities", recording_entities)
    with translation.override("en"):
        check()
    assert languages == [records["person"].locale.language_code]
