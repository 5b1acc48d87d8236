"""A new plugin needs nothing but its declarations: a throwaway plugin (tests/example_plugin,
a page kind of its own with a private twin) registers a section, grants, a spreadsheet kind and
private fields, and its staff import with a dry run, re-import, export and get their section in
new and existing organizations. (The privacy canary, tests/privacy/test_canary.py, plants values
in its private fields and looks for them in every public output, without naming it.)"""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.models import GroupPagePermission

from organizations.models import OrganizationGroup, OrganizationProvision
from organizations.registry import OrganizationRole
from spreadsheets.exports import export_bytes
from spreadsheets.files import read_table
from spreadsheets.pipeline import spreadsheet_import
from spreadsheets.registry import get_kind
from tests.example_plugin.declarations import installed
from tests.example_plugin.models import NoteDetails, NoteIndexPage, NotePage
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db

NOTES = "Ref;Titre;Résumé\nN1;Première note;Un résumé\nN2;Deuxième note;\n"


def notes_import(site, text, *, user=None, dry_run=False, publish=False):
    return spreadsheet_import(
        site=site,
        kind="notes",
        data=text.encode("utf-8"),
        filename="notes.csv",
        user=user,
        dry_run=dry_run,
        publish=publish,
    )


def test_the_plugins_kind_imports_with_a_dry_run_then_updates_then_exports():
    with installed():
        site = make_organization("Ciné Notes", "notes.test")
        index = NoteIndexPage.objects.child_of(site.root_page).get()
        editor = make_user(site, OrganizationRole.EDITORS)

        preview = notes_import(site, NOTES, user=editor, dry_run=True)
        assert (preview.ok, preview.new, preview.total) == (True, 2, 2)
        assert not NotePage.objects.exists(), "a dry run writes nothing"

        report = notes_import(site, NOTES, user=editor)
        assert report.new == 2
        notes = NotePage.objects.child_of(index).order_by("external_id")
        assert [(n.external_id, n.title, n.summary, n.live) for n in notes] == [
            ("N1", "Première note", "Un résumé", False),
            ("N2", "Deuxième note", "", False),
        ]
        assert all(n.latest_revision_id for n in notes), "each page has its revision"
        twins = NoteDetails.objects.for_site(site)
        assert {t.translation_key for t in twins} == {n.translation_key for n in notes}, (
            "each imported note has its private twin, written by the privacy plugin's hook"
        )

        again = notes_import(site, "Ref;Titre;Résumé\nN1;Première note;Résumé revu\n", user=editor)
        assert (again.new, again.updated) == (0, 1)
        first = NotePage.objects.get(external_id="N1")
        assert first.get_latest_revision_as_object().summary == "Résumé revu"

        table = read_table(export_bytes(kind="notes", fmt="csv", site=site), "notes.csv")
        assert table.headers == ["external_id", "title", "summary"]
        assert [list(row) for row in table.dataset] == [
            ["N1", "Première note", "Résumé revu"],
            ["N2", "Deuxième note", ""],
        ]


def test_a_bad_row_writes_nothing_and_says_where():
    with installed():
        site = make_organization("Ciné Notes", "notes.test")
        report = notes_import(site, "Ref;Titre\nN1;Une note\nN2;\nN1;Doublon\n")
        assert not report.ok
        assert {(error.row, error.field) for error in report.errors} == {
            (3, "title"),
            (4, "external_id"),
        }
        assert not NotePage.objects.exists()


def test_only_the_roles_granted_may_import_and_other_organizations_are_untouched():
    with installed():
        site = make_organization("Ciné Notes", "notes.test")
        other = make_organization("Autre ciné", "autre.test")
        kind = get_kind("notes")
        editor = make_user(site, OrganizationRole.EDITORS)
        crm = make_user(site, OrganizationRole.CRM_STAFF)
        assert kind.user_can_import(editor, site) and kind.user_can_export(editor, site)
        assert not kind.user_can_import(crm, site), "the plugin granted it to editors only"
        assert not kind.user_can_import(editor, other)

        notes_import(other, "Ref;Titre\nN1;Note de l’autre\n")
        notes_import(site, "Ref;Titre\nN1;Ma note\n")
        assert sorted(NotePage.objects.values_list("title", flat=True)) == [
            "Ma note",
            "Note de l’autre",
        ], "the same key in another organization is another page"


def test_the_command_knows_the_plugins_kind(tmp_path, capsys):
    with installed():
        make_organization("Ciné Notes", "notes.test")
        path = tmp_path / "notes.csv"
        path.write_text(NOTES, encoding="utf-8")
        call_command("import_records", "notes", str(path), "--organization", "notes.test")
        assert NotePage.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("import_records", "notes", str(path), "--organization", "notes.test")


def test_an_existing_organization_gets_the_plugins_section_and_grants():
    site = make_organization("Ciné d’avant", "avant.test")
    editor = make_user(site, OrganizationRole.EDITORS)
    assert not NoteIndexPage.objects.exists()
    with installed():
        # ``spreadsheet_import`` checks no permission: ask the kind, before and after the sync.
        assert not get_kind("notes").user_can_import(editor, site)
        call_command("sync_organizations")
        index = NoteIndexPage.objects.child_of(site.root_page).get()
        assert not index.live, "an organization with a public site gets a draft to publish"
        assert OrganizationProvision.objects.filter(site=site, key="section:example.notes").exists()
        editor = type(editor).objects.get(pk=editor.pk)  # as the next request would: no cache
        assert get_kind("notes").user_can_import(editor, site), "the plugin's grants were given"
        assert notes_import(site, NOTES, user=editor).new == 2


def test_who_may_not_create_pages_by_hand_may_not_create_them_by_spreadsheet():
    """The import right is not a back door: a role that lost "add page" on the organization's
    tree cannot create pages from a file, and is told so on the row; updates still go through."""
    with installed():
        site = make_organization("Ciné Notes", "notes.test")
        editor = make_user(site, OrganizationRole.EDITORS)
        notes_import(site, "Ref;Titre\nN1;Première note\n")
        group = OrganizationGroup.objects.get(site=site, role=OrganizationRole.EDITORS).group
        GroupPagePermission.objects.filter(group=group, permission__codename="add_page").delete()

        report = notes_import(site, "Ref;Titre\nN1;Note revue\nN2;Nouvelle\n", user=editor)
        assert [(error.row, error.field) for error in report.errors] == [(3, "title")]
        assert "create pages" in report.errors[0].message or "créer" in report.errors[0].message
        assert NotePage.objects.count() == 1

        assert notes_import(site, "Ref;Titre\nN1;Note revue\n", user=editor).updated == 1


def test_the_plugins_columns_are_described_from_its_declarations_alone():
    """The import page tells staff what to write in each of the plugin's columns, though the
    plugin wrote no word of it: the page fields its columns fill say it."""
    with installed(), translation.override("en"):
        columns = get_kind("notes").resource_class.spreadsheet_columns()

    assert [(column.name, column.help) for column in columns] == [
        ("external_id", "Text, at most 50 characters."),
        ("title", "Text, at most 255 characters."),
        ("summary", "Text, at most 120 characters."),
    ]
