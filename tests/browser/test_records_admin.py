"""The CRM seen through a real browser: creating a record with private details, the editor who
must not see them, and the CRM staff's record screen with its notes timeline."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect

from crm_blocks.models import ContactNote, PersonPage
from tests.factories import contact_of, make_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CANARY_EMAIL = "canari-navigateur@example.org"


def create_url(index):
    return reverse("wagtailadmin_pages:add", args=["crm_blocks", "personpage", index.pk])


def french(message):
    """What the admin shows for ``message`` in French, read from the installed catalogues."""
    with translation.override("fr"):
        return str(gettext(message))


def private_tab(page):
    """The editor's "Private (CRM)" tab, found through the panel that holds the private
    e-mail rather than by its label, which changes with the language."""
    panel_id = page.locator("[role=tabpanel]:has(#id_private_email)").get_attribute("id")
    return page.locator(f"[role=tab][aria-controls='{panel_id}']")


def form_errors(page):
    """{field name: error text} shown by the admin form, and the page-level error banner."""
    return page.evaluate(
        """() => {
            const errors = {};
            for (const message of document.querySelectorAll('.error-message')) {
                const field = message.closest('[data-contentpath]');
                errors[field ? field.dataset.contentpath : '?'] = message.innerText.trim();
            }
            for (const message of document.querySelectorAll('.messages .error')) {
                errors['(banner)'] = message.innerText.trim();
            }
            return errors;
        }"""
    )


def publish(page):
    """Wagtail's footer: "Save draft" is the main button; "Publish" hides in the dropdown the
    arrow beside it opens."""
    footer = page.locator("footer.footer")
    footer.locator(".w-dropdown__toggle").click()
    publish_button = footer.locator("button[name='action-publish']")
    expect(publish_button).to_be_visible()
    with page.expect_navigation():
        publish_button.click()


@pytest.mark.browser
def test_editor_creates_a_person_with_a_private_email(new_page, login, live_server, org, crm_user):
    """A CRM staff member signs in through the French admin, adds a person below the people
    index, types a private e-mail in the "Private (CRM)" tab and publishes. Visitors then see
    the name and summary on the public page, but never the e-mail; the CRM record keeps it.
    Lost otherwise: either the private e-mail (not saved) or the person's privacy (published)."""
    User = get_user_model()
    with translation.override("fr"):
        username_label = str(capfirst(User._meta.get_field(User.USERNAME_FIELD).verbose_name))
    sign_in = french("Sign in")
    assert (username_label, sign_in) != ("Username", "Sign in"), "no French catalogue loaded"

    page = new_page()
    page.goto("/admin/login/")
    assert page.locator("html").get_attribute("lang").lower().startswith("fr")
    expect(page.locator("label[for=id_username]")).to_contain_text(username_label)
    expect(page.locator("form.login-form [type=submit]")).to_have_text(sign_in)

    index = org.people_index
    login(page, crm_user, next_url=reverse("wagtailadmin_explore", args=[index.pk]))

    # The people index in the page explorer: "add child page" leads straight to the person form,
    # the only page type allowed there.
    add_child = reverse("wagtailadmin_pages:add_subpage", args=[index.pk])
    page.locator(f"a[href='{add_child}']").first.click()
    page.wait_for_url(re.compile(r"/admin/pages/(add/crm_blocks/personpage/|\d+/add_subpage/)"))
    if "/add_subpage/" in page.url:  # a page-type chooser after all: pick "person"
        page.locator(f"a[href^='{create_url(index)}']").first.click()
    page.wait_for_url(f"**{create_url(index)}")

    page.fill("#id_title", "Gaston Lapointe")
    page.fill("#id_summary", "Chef opérateur, tourne surtout en Abitibi.")

    tab = private_tab(page)
    expect(tab).to_be_visible()
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#id_private_email")).to_be_visible()
    page.fill("#id_private_email", CANARY_EMAIL)
    # A person is published with their consent to a public profile, ticked here (unticked by
    # default: privacy by default), its words shown with the box.
    consent = page.locator("#id_public_profile_consent")
    expect(consent).not_to_be_checked()
    consent.check()

    publish(page)
    # Nothing but the full name was typed for the page's URL: like any Wagtail page, the slug
    # follows the title by itself; the editor is not sent to hunt for an error in "Promotion".
    assert form_errors(page) == {}, f"the page was not published: {form_errors(page)}"
    assert create_url(index) not in page.url

    person = PersonPage.objects.child_of(index).get(title="Gaston Lapointe")
    assert person.live
    assert contact_of(person).email == CANARY_EMAIL

    public_url = person.full_url
    assert public_url.startswith(f"{live_server.url}/"), public_url
    visitor = new_page()  # a visitor: no session cookie
    response = visitor.goto(public_url)
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Gaston Lapointe")
    expect(visitor.get_by_text("Chef opérateur, tourne surtout en Abitibi.")).to_be_visible()
    for html in (response.text(), visitor.content()):
        assert CANARY_EMAIL not in html.lower()
        assert "canari-navigateur" not in html.lower()


@pytest.mark.browser
def test_editor_without_crm_role_does_not_see_private_fields(page, login, org, editor_user):
    """An editor who is not CRM staff opens the same "new person" form: the public fields are
    there, but no "Private (CRM)" tab and no private e-mail, phone or notes field. Lost
    otherwise: the people's private details, shown to every website editor."""
    login(page, editor_user, next_url=create_url(org.people_index))
    page.wait_for_url(f"**{create_url(org.people_index)}")

    expect(page.locator("#id_title")).to_be_visible()
    expect(page.locator("#id_summary")).to_be_visible()
    expect(page.locator("[role=tab]").first).to_be_visible()

    expect(page.locator("#id_private_email")).to_have_count(0)
    expect(page.locator("[name^='private_']")).to_have_count(0)
    expect(page.locator("[role=tabpanel]:has([name^='private_'])")).to_have_count(0)
    tab_labels = [label.strip() for label in page.locator("[role=tab]").all_inner_texts()]
    for label in ("Private (CRM)", french("Private (CRM)")):
        assert label not in tab_labels, tab_labels
    assert not any("CRM" in label for label in tab_labels), tab_labels


@pytest.mark.browser
def test_crm_staff_see_the_crm_record_and_add_a_note(page, login, org, crm_user):
    """CRM staff open "CRM › Records" from the admin menu, find a person by e-mail, open the
    record and add a note to its timeline, which then shows the note with its author. Lost
    otherwise: the follow-up of calls and meetings with the organization's people."""
    elise = make_person(org.people_index, "Élise Tremblay", summary="Monteuse.")
    contact = contact_of(elise)
    contact.email = "elise.tremblay@example.org"
    contact.save()
    other = make_person(org.people_index, "Gaston Lapointe", publish=False)
    other_contact = contact_of(other)
    other_contact.email = "gaston@example.org"
    other_contact.save()

    login(page, crm_user)
    records_url = reverse("crm_contact:index")
    menu_link = page.locator(f".sidebar-main-menu a[href='{records_url}']")
    page.locator(f".sidebar-main-menu li:has(a[href='{records_url}']) > button").click()
    with page.expect_navigation():
        menu_link.click()
    page.wait_for_url(f"**{records_url}")

    inspect_url = reverse("crm_contact:inspect", args=[contact.pk])
    other_url = reverse("crm_contact:inspect", args=[other_contact.pk])
    expect(page.locator(f"a[href='{other_url}']")).to_have_count(1)  # both listed at first

    page.fill("#id_q", "elise.tremblay@example.org")
    page.locator("#id_q").press("Enter")
    expect(page.locator(f"a[href='{other_url}']")).to_have_count(0)
    record_link = page.locator(f"a[href='{inspect_url}']")
    expect(record_link).to_have_count(1)
    expect(record_link).to_contain_text("Élise Tremblay")

    with page.expect_navigation():
        record_link.click()
    page.wait_for_url(f"**{inspect_url}")
    expect(page.get_by_text("elise.tremblay@example.org").first).to_be_visible()

    note = "Appel du 12 mars : intéressée par l'atelier de montage."
    page.fill("#id_body", note)
    with page.expect_navigation():
        page.locator("form:has(#id_body) [type=submit]").click()
    page.wait_for_url(f"**{inspect_url}")
    timeline = page.locator("section[aria-labelledby=crm-timeline-heading]")
    expect(timeline).to_contain_text(note)
    expect(timeline).to_contain_text(crm_user.get_username())

    saved = ContactNote.objects.get(contact=contact)
    assert (saved.body, saved.author) == (note, crm_user)
