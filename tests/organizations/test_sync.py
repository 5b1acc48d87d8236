"""A plugin declares roles, permissions and section pages once; every organization gets them,
new or existing, and what staff changed afterwards stays as they left it."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.models import GroupCollectionPermission, GroupSitePermission, Site

from crm_blocks.models import PersonIndexPage
from home.models import StandardPage
from organizations.models import OrganizationGroup, OrganizationProvision, OrganizationSettings
from organizations.registry import Grant, Role, Section
from organizations.scoping import sites_for_user
from organizations.services import organization_collection, organization_sync
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db


def box_office_roles():
    return [Role("box_office", pgettext_lazy("role", "Box office"), admin=True)]


def box_office_grants():
    return [
        Grant("box_office", permissions=("wagtailadmin.access_admin",)),
        Grant("editors", permissions=("wagtaildocs.delete_document",)),
    ]


def notes_sections():
    return [Section("test.notes", "home.StandardPage", "Notes", "notes")]


class installed_plugin:
    """A plugin installed after the organizations were made: its declarations, registered."""

    def __enter__(self):
        self.contexts = [
            hooks.register_temporarily("register_organization_roles", box_office_roles),
            hooks.register_temporarily("register_organization_grants", box_office_grants),
            hooks.register_temporarily("register_organization_sections", notes_sections),
        ]
        for context in self.contexts:
            context.__enter__()

    def __exit__(self, *exc):
        for context in reversed(self.contexts):
            context.__exit__(*exc)


def editors_group(site):
    return OrganizationGroup.objects.get(site=site, role="editors").group


def test_existing_organizations_get_a_new_plugins_roles_permissions_and_sections(capsys):
    old = make_organization("Ancien Ciné", "ancien.test")
    with installed_plugin():
        call_command("sync_organizations")
        output = capsys.readouterr().out
        assert "Ancien Ciné" in output
        box_office = OrganizationGroup.objects.get(site=old, role="box_office")
        assert box_office.get_role_display() == "Box office"
        assert box_office.group.permissions.filter(codename="access_admin").exists()
        assert editors_group(old).permissions.filter(codename="delete_document").exists()
        notes = StandardPage.objects.child_of(old.root_page).get(slug="notes")
        assert not notes.live and notes.title == "Notes", "a draft, for staff to publish"

        # A cashier of that organization works in its admin: the role is an admin role.
        cashier = make_user(old, "box_office", username="caissiere")
        assert list(sites_for_user(cashier)) == [old]

        # Running it again gives nothing twice.
        call_command("sync_organizations")
        assert "Ancien Ciné" not in capsys.readouterr().out
        assert OrganizationGroup.objects.filter(site=old, role="box_office").count() == 1
        assert (
            StandardPage.objects.child_of(old.root_page).filter(slug__startswith="notes").count()
            == 1
        )


def test_a_new_organization_gets_the_plugins_declarations_at_creation():
    with installed_plugin():
        site = make_organization("Nouveau Ciné", "nouveau.test")
        assert OrganizationGroup.objects.filter(site=site, role="box_office").exists()
        assert StandardPage.objects.child_of(site.root_page).get(slug="notes").live
        keys = set(OrganizationProvision.objects.filter(site=site).values_list("key", flat=True))
        assert {"role:box_office", "section:test.notes", "section:crm.people"} <= keys


def test_what_staff_changed_stays_as_they_left_it():
    site = make_organization("Ciné Têtu", "tetu.test")
    with installed_plugin():
        call_command("sync_organizations")
        # Staff take the permission away, delete the section and remove the settings right.
        editors = editors_group(site)
        editors.permissions.remove(Permission.objects.get(codename="delete_document"))
        StandardPage.objects.child_of(site.root_page).get(slug="notes").delete()
        GroupSitePermission.objects.filter(group=editors).delete()

        call_command("sync_organizations")

        assert not editors.permissions.filter(codename="delete_document").exists()
        assert not StandardPage.objects.child_of(site.root_page).filter(slug="notes").exists()
        assert not GroupSitePermission.objects.filter(group=editors).exists()


def test_an_existing_section_page_is_adopted_not_doubled():
    """An organization that built its people list by hand before sections existed keeps it."""
    site = make_organization("Ciné Manuel", "manuel.test")
    OrganizationProvision.objects.filter(site=site, key__startswith="section:").delete()
    call_command("sync_organizations")
    assert PersonIndexPage.objects.child_of(site.root_page).count() == 1
    assert OrganizationProvision.objects.filter(site=site, key="section:crm.people").exists()


def test_migrate_runs_the_sync():
    site = make_organization("Ciné Migré", "migre.test")
    with installed_plugin():
        call_command("migrate", verbosity=0)
        assert OrganizationGroup.objects.filter(site=site, role="box_office").exists()


def test_two_organizations_of_the_same_name_keep_their_media_apart():
    first = make_organization("Ciné Lumière", "lumiere-lyon.test")
    second = make_organization("Ciné Lumière", "lumiere-paris.test")
    assert organization_collection(first) != organization_collection(second)
    editors = editors_group(second)
    assert not GroupCollectionPermission.objects.filter(
        group=editors, collection=organization_collection(first)
    ).exists()


def test_a_group_staff_deleted_is_not_made_again():
    site = make_organization("Ciné Sobre", "sobre.test")
    OrganizationGroup.objects.get(site=site, role="members").group.delete()
    call_command("sync_organizations")
    assert not OrganizationGroup.objects.filter(site=site, role="members").exists()


def test_a_site_that_is_not_an_organization_gets_nothing():
    """A ``www.`` alias added in Wagtail's admin is served (its settings row appears when read)
    but it is no organization: no groups, no pages."""
    site = make_organization("Ciné Alias", "alias.test")
    alias = Site.objects.create(hostname="www.alias.test", root_page=site.root_page)
    OrganizationSettings.for_site(alias)
    call_command("sync_organizations")
    assert not OrganizationGroup.objects.filter(site=alias).exists()
    assert not OrganizationProvision.objects.filter(site=alias).exists()


@pytest.mark.parametrize(
    ("hook", "declare", "message"),
    [
        ("register_organization_roles", lambda: [Role("editors", "Éditeurs")], "twice"),
        ("register_organization_roles", lambda: [Role("x" * 21, "Long")], "longer"),
        ("register_organization_grants", lambda: [Grant("nobody")], "unknown role"),
        ("register_organization_sections", lambda: notes_sections() * 2, "twice"),
    ],
)
def test_a_plugins_mistake_is_said_at_once(hook, declare, message):
    site = make_organization("Ciné Prudent", "prudent.test")
    with hooks.register_temporarily(hook, declare), pytest.raises(ImproperlyConfigured) as error:
        organization_sync(site)
    assert message in str(error.value)
