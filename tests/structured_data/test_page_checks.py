"""What the dashboard counts: the last check of each published page, kept up to date when a page
is published (by the worker, after the commit), when the organization's settings change, and by
``check_structured_data``; never by rebuilding graphs on the dashboard."""

from io import StringIO

import pytest
from django.core.management import call_command

from crm_blocks.models import PersonPage
from organizations.models import OrganizationSettings
from structured_data import graph
from structured_data.checks import check_and_record
from structured_data.dashboard import StructuredDataErrorsPanel
from structured_data.models import PageCheck
from structured_data.nodes import Person, Ref
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def broken_person_nodes(self, context):
    context.main_entity_id = f"{context.page_url}#person"
    yield Person(id=context.main_entity_id, name=self.title, works_for=Ref(id="https://x/#org"))


def test_publishing_a_page_checks_it_once_committed(
    org_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(PersonPage, "structured_data_entities", broken_person_nodes)
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(org_a.people_index, "Élise Tremblay")
    check = PageCheck.objects.current().get(page=person)
    assert (check.errors, check.revision_id) == (1, person.live_revision_id)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        person.save_revision().publish()
    person.refresh_from_db()
    check = PageCheck.objects.current().get(page=person)
    assert (check.errors, check.revision_id) == (0, person.live_revision_id)


def test_an_unpublished_page_is_no_longer_counted(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(org_a.people_index, "Élise Tremblay")
    assert PageCheck.objects.filter(page=person).exists()
    person.unpublish()
    assert not PageCheck.objects.filter(page=person).exists()


def test_a_change_of_the_organizations_settings_checks_its_pages_again(
    org_a, org_b, django_capture_on_commit_callbacks
):
    here = make_person(org_a.people_index, "Élise Tremblay")
    there = make_person(org_b.people_index, "Élise Dupont")
    assert not PageCheck.objects.exists(), "without a commit, nothing ran"
    settings = OrganizationSettings.objects.get(site=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        settings.short_name = "Boréales"
        settings.save()
    checked = set(PageCheck.objects.values_list("page_id", flat=True))
    assert here.pk in checked and org_a.root_page_id in checked
    assert there.pk not in checked


def test_the_command_remembers_what_it_found(org_a, monkeypatch):
    person = make_person(org_a.people_index, "Élise Tremblay")
    monkeypatch.setattr(PersonPage, "structured_data_entities", broken_person_nodes)
    with pytest.raises(Exception, match="1 with errors"):
        call_command("check_structured_data", stdout=StringIO())
    assert PageCheck.objects.current().with_errors().get().page_id == person.pk


def test_the_dashboard_panel_never_builds_a_graph(org_a, crm_a, monkeypatch):
    person = make_person(org_a.people_index, "Élise Tremblay")
    monkeypatch.setattr(PersonPage, "structured_data_entities", broken_person_nodes)
    check_and_record(person.pk)

    def no_graph(*args, **kwargs):
        raise AssertionError("the dashboard rebuilt a graph")

    monkeypatch.setattr(graph, "build_graph", no_graph)
    monkeypatch.setattr("structured_data.checks.build_graph", no_graph)
    html = StructuredDataErrorsPanel(crm_a).render_html({})
    assert "Élise Tremblay" in html
