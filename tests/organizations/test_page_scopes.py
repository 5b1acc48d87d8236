"""Page scopes (``register_page_scopes``): a plugin lets someone who works for no organization
into one subtree of the admin, and nothing else of that organization."""

import pytest
from wagtail import hooks
from wagtail.models import Page

from organizations.registry import OrganizationRole
from organizations.scoping import page_scope_for_user
from organizations.visibility import object_visible, visible
from tests.factories import make_organization, make_person, make_user

pytestmark = pytest.mark.django_db


def test_a_registered_subtree_joins_the_users_pages_and_nothing_more():
    """A login given the people index of an organization sees that subtree in the admin's
    rule (``visible``) — and neither the organization's other pages nor its site; a role-bound
    question (``roles=``) ignores the subtree."""
    site = make_organization("Réseau des salles", "reseau.test")
    person = make_person(site.people_index, "Élise Tremblay")
    outsider = make_user(username="invitee")
    with hooks.register_temporarily(
        "register_page_scopes",
        lambda user: [site.people_index.path] if user.pk == outsider.pk else [],
    ):
        assert object_visible(outsider, Page, person.pk)
        assert object_visible(outsider, Page, site.people_index.pk)
        assert not object_visible(outsider, Page, site.root_page.pk)
        assert not object_visible(outsider, Page, site.films.pk)
        assert not visible(type(site).objects.all(), outsider).exists()
        scope = page_scope_for_user(outsider, roles=(OrganizationRole.EDITORS,))
        assert not Page.objects.filter(scope).exists()
        staff = make_user(site, OrganizationRole.EDITORS)
        assert object_visible(staff, Page, site.films.pk)
    fresh = type(outsider).objects.get(pk=outsider.pk)  # the answer is kept for one request
    assert not object_visible(fresh, Page, person.pk)
