"""What the agenda holds about a person, declared to the privacy registry
(``privacy.personal_data``).

- The events a visitor proposed (``events.contributions``): the private twin keeps who proposed
  it (name, e-mail, the consent wording they agreed to). The event is the organization's and
  stays; an erasure blanks who proposed it (the dates it was proposed and answered are
  bookkeeping and stay, naming no one).
- The events a person performs in or is a guest of, through their record page
  (``EventPerformer.person``): the record's erasure deletes the page, which would leave an empty
  performer on the event; the performer goes first, from the event and from its revisions, so
  that no older version brings them back.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from crm_blocks.personal_data import person_pages_of
from organizations.scoping import site_root_pages
from privacy.personal_data import DataSubject, ErasureContext, Outcome, PersonalDataSource

from .models import EventPerformer, EventPrivate

#: The twin's fields that say who proposed the event.
CONTRIBUTOR_FIELDS = ("contributor_name", "contributor_email", "contributor_consent")


def drop_children_from_revisions(page: Page, relation: str, child: models.Model) -> None:
    """Remove ``child`` (an object of ``page``'s ``relation``, a ``ParentalKey``'s related
    name, linked to a person by ``person``) from every stored revision of ``page``, so that
    restoring an older version does not bring back what an erasure deleted. A revision saved
    before the child was (its ``pk`` still empty) names it by the person it links to."""

    def is_child(data) -> bool:
        return data.get("pk") == child.pk or (
            data.get("pk") is None and data.get("person") == child.person_id
        )

    for revision in page.revisions.all():
        children = (revision.content or {}).get(relation)
        if not isinstance(children, list):
            continue
        kept = [data for data in children if not is_child(data)]
        if len(kept) != len(children):
            revision.content[relation] = kept
            revision.save(update_fields=["content"])


def _page_titles(translation_key) -> str:
    titles = Page.objects.filter(translation_key=translation_key).values_list("title", flat=True)
    return " | ".join(dict.fromkeys(titles))


# --- Proposals ----------------------------------------------------------------------------------


def _proposals(subject: DataSubject):
    if not subject.email:
        return EventPrivate.objects.none()
    return EventPrivate.objects.filter(
        site=subject.site, contributor_email__iexact=subject.email
    ).order_by("contributed_at", "pk")


def _export_proposal(twin: EventPrivate) -> dict:
    return {
        _("event"): _page_titles(twin.translation_key),
        _("contributor's name"): twin.contributor_name,
        _("contributor's e-mail"): twin.contributor_email,
        _("consent given by the contributor"): twin.contributor_consent,
        _("proposed on"): twin.contributed_at,
        _("contributor told on"): twin.contributor_answered_at,
    }


def _erase_proposal(twin: EventPrivate, context: ErasureContext) -> Outcome:
    for name in CONTRIBUTOR_FIELDS:
        setattr(twin, name, "")
    twin.save(update_fields=list(CONTRIBUTOR_FIELDS))
    context.forget(twin)
    return Outcome.ANONYMIZED


# --- Performances -------------------------------------------------------------------------------


def _performances(subject: DataSubject):
    pages = [page.pk for page in person_pages_of(subject)]
    if not pages:
        return EventPerformer.objects.none()
    within = models.Q()
    for path in site_root_pages(subject.site).values_list("path", flat=True):
        within |= models.Q(page__path__startswith=path)
    return (
        EventPerformer.objects.filter(within, person_id__in=pages)
        .select_related("page")
        .order_by("page__start_date", "pk")
    )


def _export_performance(performer: EventPerformer) -> dict:
    event = performer.page
    return {
        _("event"): event.title,
        _("start date"): event.start_date,
        _("role"): performer.role,
        _("event published"): event.live,
    }


def _erase_performance(performer: EventPerformer, context: ErasureContext) -> Outcome:
    event = performer.page
    drop_children_from_revisions(event, "performers", performer)
    context.forget(performer)
    performer.delete()
    return Outcome.DELETED


def events_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource(
            key="events.proposals",
            label=gettext_lazy("Events you proposed"),
            find=_proposals,
            export=_export_proposal,
            erase=_erase_proposal,
            outcome=lambda twin: Outcome.ANONYMIZED,
            identifiers=lambda twin: (twin.contributor_name,),
            order=300,
        ),
        PersonalDataSource(
            key="events.performances",
            label=gettext_lazy("Events you take part in"),
            find=_performances,
            export=_export_performance,
            erase=_erase_performance,
            order=300,
        ),
    ]


# --- Retention (``privacy.retention``) ---------------------------------------------------------


def _answered_contributions(site, cutoff):
    return (
        EventPrivate.objects.filter(site=site, contributor_answered_at__lt=cutoff)
        .exclude(contributor_name="", contributor_email="", contributor_consent="")
        .order_by("pk")
    )


def _blank_contributors(site, twins, now) -> int:
    EventPrivate.objects.filter(pk__in=[twin.pk for twin in twins]).update(
        **dict.fromkeys(CONTRIBUTOR_FIELDS, "")
    )
    return len(twins)


def events_retention_rules():
    from privacy.retention import RetentionRule, RetentionUnit

    return [
        RetentionRule(
            key="events.contributor_details",
            label=gettext_lazy("Details of the people who proposed an event, after the answer"),
            unit=RetentionUnit.MONTHS,
            default=6,
            find=_answered_contributions,
            describe=lambda twin: _page_titles(twin.translation_key),
            apply=_blank_contributors,
            action=gettext_lazy("anonymized"),
        )
    ]
