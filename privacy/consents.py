"""Writes of consent purposes and their wording (typed, keyword-only, transactional,
validated). The consent log itself belongs to the plugin that holds the people
(``crm_blocks.consents``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from .models import ConsentPurpose, ConsentWording
from .models.consents import MEMBER_DIRECTORY, NEWSLETTER, PHOTOS, PUBLIC_PROFILE


@dataclass(frozen=True)
class BuiltInPurpose:
    code: str
    name: Promise
    wording: Promise


#: The purposes the product relies on; every organization gets them, optional and active.
BUILT_IN_PURPOSES = (
    BuiltInPurpose(
        PUBLIC_PROFILE,
        gettext_lazy("Public profile on the website"),
        gettext_lazy(
            "I agree that my name, my photo and the description of my work be published on "
            "the organization's website, where anyone can read them and search engines can "
            "find them."
        ),
    ),
    BuiltInPurpose(
        NEWSLETTER,
        gettext_lazy("Newsletter"),
        gettext_lazy(
            "I agree to receive the organization's newsletter by e-mail. I can unsubscribe at "
            "any time."
        ),
    ),
    BuiltInPurpose(
        MEMBER_DIRECTORY,
        gettext_lazy("Members' directory"),
        gettext_lazy(
            "I agree that my name and my public contact details be listed in the members' "
            "directory, which only the organization's members can read."
        ),
    ),
    BuiltInPurpose(
        PHOTOS,
        gettext_lazy("Photos on the website"),
        gettext_lazy(
            "I agree that photos in which I appear, taken at the organization's activities, be "
            "published on its website and social media."
        ),
    ),
)


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


@transaction.atomic
def create_builtin_purposes(site: Site) -> list[ConsentPurpose]:
    """Give ``site`` the built-in purposes it lacks, each with its first wording in French and
    English (an organization provision: called once per organization)."""
    made = []
    existing = set(ConsentPurpose.objects.filter(site=site).values_list("code", flat=True))
    for order, builtin in enumerate(BUILT_IN_PURPOSES):
        if builtin.code in existing:
            continue
        purpose = ConsentPurpose.objects.create(
            site=site,
            code=builtin.code,
            name_fr=_in("fr", builtin.name),
            name_en=_in("en", builtin.name),
            sort_order=order,
        )
        ConsentWording.objects.create(
            purpose=purpose,
            version=1,
            text_fr=_in("fr", builtin.wording),
            text_en=_in("en", builtin.wording),
        )
        made.append(purpose)
    return made


@transaction.atomic
def consent_wording_set(
    *, purpose: ConsentPurpose, text_fr: str, text_en: str = "", user=None
) -> ConsentWording:
    """The purpose's wording as given: a new version when the words differ from the current
    ones (old versions are kept as they were), the current version otherwise."""
    text_fr, text_en = text_fr.strip(), text_en.strip()
    if not text_fr:
        raise ValidationError({"text_fr": _("The wording in French is required.")})
    # Lock the purpose so that two editors saving at once do not take the same version number.
    ConsentPurpose.objects.select_for_update().filter(pk=purpose.pk).first()
    current = purpose.current_wording()
    if current is not None and (current.text_fr, current.text_en) == (text_fr, text_en):
        return current
    return ConsentWording.objects.create(
        purpose=purpose,
        version=(current.version + 1) if current else 1,
        text_fr=text_fr,
        text_en=text_en,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def active_purposes(site: Site):
    """The purposes ``site`` asks consent for, in their order, each with its current wording
    (``purpose.wording``)."""
    purposes = list(
        ConsentPurpose.objects.filter(site=site, active=True).prefetch_related("wordings")
    )
    for purpose in purposes:
        wordings = sorted(purpose.wordings.all(), key=lambda w: w.version, reverse=True)
        purpose.wording = wordings[0] if wordings else None
    return purposes
