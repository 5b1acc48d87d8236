"""A distributor adds a film with an audio-described version from the French admin and submits
it; the network's editor finds it awaiting review and publishes it with one click."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from films.distributors import distributor_access_grant, distributor_user_add
from films.models import FilmPage
from organizations.models import OrganizationKind
from tests.browser.conftest import PASSWORD
from tests.browser.test_records_admin import form_errors
from tests.factories import make_organization_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.browser
def test_a_distributor_submits_a_film_and_the_networks_editor_publishes_it(
    new_page, login, live_server, org, editor_user
):
    """Lost otherwise: the distributor's film (and its audio-described version, which audiences
    search for) never reaches the film database, or reaches it without the network's review."""
    fleuve = make_organization_page(
        org.organizations_index, "Films du Fleuve", kind=OrganizationKind.DISTRIBUTOR
    )
    access = distributor_access_grant(site=org, distributor=fleuve)
    distributor = distributor_user_add(access=access, email="ana@fleuve.example", invite=False)
    distributor.set_password(PASSWORD)
    distributor.save()

    create = reverse("wagtailadmin_pages:add", args=["films", "filmpage", access.folder.pk])
    page = new_page()
    login(page, distributor, next_url=create)
    page.wait_for_url(f"**{create}")
    page.fill("#id_title", "Les Fleurs du fleuve")
    page.fill("#id_year", "2026")
    page.fill("#id_duration", "101")
    expect(page.locator("#id_distributor")).to_have_count(0)

    versions_tab = page.locator("[role=tab]", has_text="Versions")
    versions_tab.click()
    page.locator("#id_versions-ADD").click()
    page.fill("#id_versions-0-label", "VF-AD")
    page.fill("#id_versions-0-audio_language", "fr")
    page.check("#id_versions-0-audio_description")

    footer = page.locator("footer.footer")
    footer.locator(".w-dropdown__toggle").click()
    expect(footer.locator("button[name='action-publish']")).to_have_count(0)
    submit = footer.locator("button[name='action-submit']")
    expect(submit).to_be_visible()
    with page.expect_navigation():
        submit.click()
    assert form_errors(page) == {}, f"the film was not submitted: {form_errors(page)}"

    film = FilmPage.objects.get(title="Les Fleurs du fleuve")
    assert not film.live
    assert film.get_parent().pk == access.folder.pk

    reviewer = new_page()
    login(reviewer, editor_user)
    expect(reviewer.locator("main")).to_contain_text("Les Fleurs du fleuve")
    reviewer.goto(reverse("wagtailadmin_pages:edit", args=[film.pk]))
    reviewer.locator("footer.footer .w-dropdown__toggle").click()
    approve = reviewer.locator(
        "footer.footer button[data-workflow-action-name='approve']"
        ":not([data-workflow-action-modal-url])"
    )
    expect(approve).to_be_visible()
    with reviewer.expect_navigation():
        approve.click()

    film.refresh_from_db()
    assert film.live
    assert film.distributor_id == fleuve.pk
    version = film.versions.get()
    assert (version.label, version.audio_description) == ("VF-AD", True)
    visitor = new_page()
    response = visitor.goto(film.relative_url(org))
    assert response.status == 200
    expect(visitor.locator("h1")).to_contain_text("Les Fleurs du fleuve")
