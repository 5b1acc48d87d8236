"""An operator creates an organization in one command; bad input creates nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.models import Collection, GroupPagePermission, Page, Site

from crm_blocks.models import OrganizationIndexPage, PersonIndexPage, PersonPage
from home.models import HomePage
from organizations.models import OrganizationGroup, OrganizationSettings


def counts():
    return (
        Site.objects.count(),
        Page.objects.count(),
        Group.objects.count(),
        OrganizationSettings.objects.count(),
        Collection.objects.count(),
    )


@pytest.mark.django_db
def test_creates_site_home_settings_and_groups_in_one_step(capsys):
    call_command(
        "create_organization",
        "--name",
        "Centre Images Boréales",
        "--hostname",
        "boreal.example.org",
        "--language",
        "fr-ca",
        "--time-zone",
        "America/Montreal",
    )
    site = Site.objects.get(hostname="boreal.example.org")
    assert site.is_default_site, "the first organization becomes the default site"
    home = site.root_page.specific
    assert isinstance(home, HomePage) and home.live
    assert home.title == "Centre Images Boréales"
    assert home.locale.language_code == "fr"
    settings = OrganizationSettings.for_site(site)
    assert settings.legal_name == "Centre Images Boréales"
    assert settings.language == "fr-ca" and settings.html_language == "fr-CA"
    assert settings.time_zone == "America/Montreal"
    roles = set(OrganizationGroup.objects.filter(site=site).values_list("role", flat=True))
    assert roles == {"editors", "crm_staff", "members"}
    editors = OrganizationGroup.objects.get(site=site, role="editors").group
    assert GroupPagePermission.objects.filter(group=editors, page=home).exists()
    assert not editors.permissions.filter(codename="view_contact").exists()
    crm = OrganizationGroup.objects.get(site=site, role="crm_staff").group
    assert crm.permissions.filter(codename="view_contact").exists()
    assert "boreal.example.org" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_home_page_shows_the_organization_name(client):
    call_command("create_organization", "--name", "Ciné Lumière", "--hostname", "lumiere.test")
    response = client.get("/", HTTP_HOST="lumiere.test")
    assert response.status_code == 200
    assert "Ciné Lumière" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hostname", "taken.test"], "already used"),
        (["--hostname", "new.test", "--language", "de"], "Unknown language"),
        (["--hostname", "new.test", "--time-zone", "Mars/Olympus"], "Unknown time zone"),
        (["--hostname", "not a host!"], "not a valid host name"),
    ],
)
def test_bad_input_says_why_and_creates_nothing(args, message):
    call_command("create_organization", "--name", "Première", "--hostname", "taken.test")
    before = counts()
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("create_organization", "--name", "Seconde", *args)
    assert message in str(error.value)
    assert "Nothing was created" in str(error.value)
    assert counts() == before


@pytest.mark.django_db
def test_errors_are_in_french_for_a_french_operator():
    with translation.override("fr"), pytest.raises(CommandError) as error:
        call_command(
            "create_organization", "--name", "X", "--hostname", "x.test", "--language", "de"
        )
    assert "Langue inconnue" in str(error.value)


@pytest.mark.django_db
def test_a_new_organization_can_import_people_at_once(tmp_path):
    """Staff of a freshly created organization import their member list without building any
    page by hand first: the CRM's section pages come with the organization."""
    call_command(
        "create_organization",
        "--name",
        "Ciné Lumière",
        "--hostname",
        "lumiere.test",
        "--language",
        "fr-fr",
        "--time-zone",
        "Europe/Paris",
    )
    members = tmp_path / "membres.csv"
    members.write_text("Courriel;Prénom;Nom\nelise@example.org;Élise;Tremblay\n", encoding="utf-8")
    call_command("import_records", "people", str(members), "--organization", "lumiere.test")
    site = Site.objects.get(hostname="lumiere.test")
    people = PersonIndexPage.objects.child_of(site.root_page).get()
    assert (people.title, people.slug, people.live) == ("Personnes", "personnes", True)
    assert list(PersonPage.objects.child_of(people).values_list("title", flat=True)) == [
        "Élise Tremblay"
    ]
    organizations = OrganizationIndexPage.objects.child_of(site.root_page).get()
    assert organizations.url == "/organismes/"


@pytest.mark.django_db
def test_a_new_organizations_pages_have_their_address_at_once(client):
    """Wagtail caches every site's root paths; a site created after they were cached is served
    with its own address in the sitemap and canonical links, not "None"."""
    call_command("create_organization", "--name", "Première", "--hostname", "premiere.test")
    assert Site.get_site_root_paths()  # cached now, as a running server has them
    call_command("create_organization", "--name", "Seconde", "--hostname", "seconde.test")
    sitemap = client.get("/sitemap.xml", HTTP_HOST="seconde.test").content.decode()
    assert "<loc>http://seconde.test/</loc>" in sitemap
    assert "None" not in sitemap
    home = client.get("/", HTTP_HOST="seconde.test").content.decode()
    assert 'rel="canonical" href="http://seconde.test/"' in home
