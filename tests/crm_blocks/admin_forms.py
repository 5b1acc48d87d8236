"""Form data for posting record pages through the real Wagtail admin views."""

from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield


def person_form(title, slug, action_publish=True, **extra):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "given_name": "",
            "family_name": "",
            "summary": "Réalisatrice de documentaires.",
            "bio": streamfield([]),
            "links": inline_formset([]),
            **extra,
        }
    )
    if action_publish:
        data["action-publish"] = "publish"
        # A person is published with their consent to a public profile (privacy by default);
        # CRM staff tick it in the form, editors cannot (the field is not theirs).
        data.setdefault("public_profile_consent", "on")
    return data


def create_url(index):
    return f"/admin/pages/add/crm_blocks/personpage/{index.pk}/"


def children(index):
    """Children read from the database (a stale in-memory parent says it has none)."""
    return Page.objects.child_of(index)
