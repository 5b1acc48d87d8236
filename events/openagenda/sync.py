"""The sync of one organization's agenda with its OpenAgenda agenda, both ways.

Everything that needs the network happens first: reading OpenAgenda's events, resolving places,
sending our events and removing those unpublished here. Only then, in one transaction, are the
local writes made (events brought here, their links, what was sent). A failure on the way —
OpenAgenda out of reach, a 5xx after its retries, an answer that does not read — raises
``OpenAgendaError`` before any local write: nothing is half-synced here, and the next run
starts again from the same state. What was already sent is not lost either: events are sent by
their external identifier (``PUT …/events/ext/{key}/{value}``), so sending again updates the
same OpenAgenda event instead of copying it.

A dry run reads OpenAgenda and reports what it would do; it writes nothing, here or there.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Site

from organizations.models import OrganizationLanguage, OrganizationSettings
from organizations.scoping import public_pages_for_site, public_within, site_root_pages

from ..models import (
    EventAttendance,
    EventIndexPage,
    EventOccurrence,
    EventPage,
    OpenAgendaLink,
    OpenAgendaPullMode,
    OpenAgendaSettings,
)
from . import mapping
from .client import OpenAgendaClient, OpenAgendaError

logger = logging.getLogger("events.openagenda")


@dataclasses.dataclass
class SyncReport:
    """What a run did (or, for a dry run, would do), line by line, and its counts."""

    dry_run: bool = False
    lines: list[str] = dataclasses.field(default_factory=list)
    counts: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))

    def add(self, count: str, line: str | None = None) -> None:
        self.counts[count] += 1
        if line:
            self.lines.append(line)

    def summary(self) -> str:
        c = self.counts
        text = _(
            "Sent to OpenAgenda: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(deleted)s removed. Brought from OpenAgenda: %(pulled_created)s new, "
            "%(pulled_updated)s updated, %(pulled_removed)s unpublished."
        ) % {
            "created": c["created"],
            "updated": c["updated"],
            "unchanged": c["unchanged"],
            "deleted": c["deleted"],
            "pulled_created": c["pulled_created"],
            "pulled_updated": c["pulled_updated"],
            "pulled_removed": c["pulled_removed"],
        }
        if self.dry_run:
            text = _("Dry run, nothing was changed. %(summary)s") % {"summary": text}
        return text


@dataclasses.dataclass
class _Context:
    site: Site
    settings: OpenAgendaSettings
    client: OpenAgendaClient
    language: str
    organization_language: str
    time_zone: str
    agenda: EventIndexPage | None
    report: SyncReport
    dry_run: bool


def client_for(settings: OpenAgendaSettings, **kwargs) -> OpenAgendaClient:
    return OpenAgendaClient(
        agenda_uid=settings.agenda_uid,
        public_key=settings.public_key,
        secret_key=settings.secret_key,
        **kwargs,
    )


def openagenda_sync(
    site: Site,
    *,
    push: bool | None = None,
    pull: bool | None = None,
    dry_run: bool = False,
    client: OpenAgendaClient | None = None,
) -> SyncReport:
    """Sync ``site``'s agenda with its OpenAgenda agenda; ``push``/``pull`` default to the
    organization's settings. Raises ``OpenAgendaError`` (nothing written here) on failure."""
    settings = OpenAgendaSettings.for_site(site)
    if not settings.agenda_uid:
        raise OpenAgendaError(_("No OpenAgenda agenda is set for this organization."))
    push = settings.push if push is None else push
    pull = settings.pull if pull is None else pull
    organization = OrganizationSettings.for_site(site)
    language = OrganizationLanguage(organization.language).content_language
    context = _Context(
        site=site,
        settings=settings,
        client=client or client_for(settings),
        language=language,
        organization_language=organization.language,
        time_zone=organization.time_zone,
        agenda=EventIndexPage.objects.child_of(site.root_page).first(),
        report=SyncReport(dry_run=dry_run),
        dry_run=dry_run,
    )
    if not push and not pull:
        context.report.lines.append(_("Nothing to do: neither sending nor bringing events."))
        return context.report
    pulled = _pull_plan(context) if pull else None
    pushed = _push(context) if push else None
    if dry_run:
        return context.report
    with transaction.atomic():
        if pulled is not None:
            try:
                _pull_apply(context, pulled)
            except ValidationError as error:  # rolled back with everything else
                raise OpenAgendaError(
                    _("An event from OpenAgenda could not be saved here: %(error)s")
                    % {"error": "; ".join(error.messages)}
                ) from None
        if pushed is not None:
            _push_apply(context, pushed)
        OpenAgendaSettings.objects.filter(pk=settings.pk).update(last_synced_at=timezone.now())
    return context.report


# --- Push ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Pushed:
    sent: list[tuple[int, str, str, str]]  # (page id, OpenAgenda uid, extId value, fingerprint)
    removed: list[int]  # link ids


def _published_events(context: _Context) -> dict[str, list[EventPage]]:
    """The organization's published, public events, by translation key (the page in the
    site's language first), except those that came from OpenAgenda."""
    pulled = OpenAgendaLink.objects.filter(
        site=context.site, direction=OpenAgendaLink.Direction.PULL, event__isnull=False
    ).values_list("event_id", flat=True)
    pages = EventPage.objects.none()
    for root in site_root_pages(context.site):  # each language's tree
        pages |= public_within(EventPage.objects.live().descendant_of(root), root)
    pages = (
        pages.exclude(pk__in=list(pulled))
        .select_related("locale", "venue", "image")
        .order_by("path")
    )
    root_locale = context.site.root_page.locale_id
    grouped: dict[str, list[EventPage]] = defaultdict(list)
    for page in pages:
        grouped[str(page.translation_key)].append(page)
    for versions in grouped.values():
        versions.sort(key=lambda page: page.locale_id != root_locale)
    return grouped


def _public_venue_ids(context: _Context, grouped: dict[str, list[EventPage]]) -> set[int]:
    """Those of the events' venues that are live, public pages of the organization's site (a
    draft or view-restricted venue record is never sent: the event's typed place or the
    default OpenAgenda place stands in)."""
    ids = {page.venue_id for versions in grouped.values() for page in versions if page.venue_id}
    if not ids:
        return set()
    return set(public_pages_for_site(context.site).filter(pk__in=ids).values_list("pk", flat=True))


def _location_uid(
    context: _Context, page: EventPage, cache: dict, public_venues: set[int]
) -> str | None:
    place = mapping.place_of(
        page, context.organization_language, venue_is_public=page.venue_id in public_venues
    )
    if place is None:
        return context.settings.default_location_uid or None
    value, data = place
    if value in cache:
        return cache[value]
    found = context.client.location_by_ext(mapping.EXT_KEY, value)
    if found and found.get("uid"):
        cache[value] = str(found["uid"])
    elif context.dry_run:
        context.report.add(
            "locations", _("Would create the place “%(name)s”.") % {"name": data["name"]}
        )
        cache[value] = f"new:{value}"
    else:
        cache[value] = str(context.client.create_location(data)["uid"])
        context.report.add(
            "locations", _("Place created on OpenAgenda: “%(name)s”.") % {"name": data["name"]}
        )
    return cache[value]


def _image_url(page: EventPage) -> str:
    """The full address of the event's image (OpenAgenda copies an image given by URL)."""
    if page.image is None:
        return ""
    site = page.get_site()
    if site is None:
        return ""
    url = page.image.get_rendition("max-1600x1600").url
    return url if url.startswith(("http://", "https://")) else site.root_url + url


def _push(context: _Context) -> _Pushed:
    report, client = context.report, context.client
    grouped = _published_events(context)
    primaries = {key: versions[0] for key, versions in grouped.items()}
    occurrences = defaultdict(list)
    for row in EventOccurrence.objects.filter(
        event_id__in=[page.pk for page in primaries.values()]
    ).order_by("start"):
        occurrences[row.event_id].append(row)
    all_links = list(
        OpenAgendaLink.objects.filter(
            site=context.site, direction=OpenAgendaLink.Direction.PUSH
        ).select_related("event")
    )
    links = {link.event_id: link for link in all_links if link.event_id is not None}
    locations: dict[str, str] = {}
    public_venues = _public_venue_ids(context, grouped)
    pushed = _Pushed(sent=[], removed=[])
    for key, versions in grouped.items():
        page = versions[0]
        tz = ZoneInfo(page.time_zone or context.time_zone)
        timings = mapping.event_timings(page, occurrences[page.pk], tz)
        if not timings:
            report.add(
                "skipped",
                _("“%(title)s” has no date to send: left out.") % {"title": page.title},
            )
            continue
        location_uid = None
        if page.attendance != EventAttendance.ONLINE:
            location_uid = _location_uid(context, page, locations, public_venues)
            if not location_uid:
                report.add(
                    "skipped",
                    _(
                        "“%(title)s” names no place, and no default OpenAgenda place is set: "
                        "left out."
                    )
                    % {"title": page.title},
                )
                continue
        payload = mapping.event_payload(
            page,
            language=context.language,
            tz=tz,
            timings=timings,
            location_uid=location_uid,
            page_url=page.get_full_url() or "",
            image_url=_image_url(page),
        )
        for translation in versions[1:]:
            language = translation.locale.language_code
            payload["title"].setdefault(language, translation.title[: mapping.TITLE_LENGTH])
            payload["description"].setdefault(
                language, (translation.summary or translation.title)[: mapping.DESCRIPTION_LENGTH]
            )
            translated_body = mapping.body_html(translation)
            if translated_body and "longDescription" in payload:
                payload["longDescription"].setdefault(language, translated_body)
        digest = mapping.fingerprint(payload)
        link = links.get(page.pk)
        if link is not None and link.pushed_fingerprint == digest:
            report.add("unchanged")
            continue
        verb = "updated" if link is not None else "created"
        if context.dry_run:
            line = (
                _("Would update “%(title)s” on OpenAgenda.")
                if link
                else _("Would send “%(title)s” to OpenAgenda.")
            )
            report.add(verb, line % {"title": page.title})
            continue
        event = client.upsert_event(mapping.EXT_KEY, key, payload)
        pushed.sent.append((page.pk, str(event["uid"]), key, digest))
        line = _("Updated on OpenAgenda: “%(title)s”.") if link else _("Sent: “%(title)s”.")
        report.add(verb, line % {"title": page.title})
    published_ids = {versions[0].pk for versions in grouped.values()}
    for link in all_links:
        if link.event_id is not None and link.event_id in published_ids:
            continue
        # Unpublished, restricted or deleted here (a deleted page leaves its link, event None).
        title = link.event.title if link.event is not None else link.openagenda_uid
        if context.dry_run:
            report.add("deleted", _("Would remove “%(title)s” from OpenAgenda.") % {"title": title})
            continue
        client.delete_event(link.openagenda_uid)
        pushed.removed.append(link.pk)
        report.add("deleted", _("Removed from OpenAgenda: “%(title)s”.") % {"title": title})
    return pushed


def _push_apply(context: _Context, pushed: _Pushed) -> None:
    OpenAgendaLink.objects.filter(pk__in=pushed.removed).delete()
    for page_id, uid, value, digest in pushed.sent:
        OpenAgendaLink.objects.update_or_create(
            site=context.site,
            event_id=page_id,
            defaults={
                "direction": OpenAgendaLink.Direction.PUSH,
                "openagenda_uid": uid,
                "external_value": value,
                "pushed_fingerprint": digest,
            },
        )


# --- Pull ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Pulled:
    create: list[tuple[str, str, dict]]  # (uid, updatedAt, fields)
    update: list[tuple[OpenAgendaLink, str, dict]]
    unpublish: list[OpenAgendaLink]


def _is_ours(event: dict) -> bool:
    return any(
        isinstance(ext, dict) and ext.get("key") == mapping.EXT_KEY
        for ext in event.get("extIds") or []
    )


def _pull_plan(context: _Context) -> _Pulled:
    report = context.report
    if context.agenda is None:
        raise OpenAgendaError(_("This organization has no agenda to bring events into."))
    events = list(context.client.iter_events())
    links = {
        link.openagenda_uid: link
        for link in OpenAgendaLink.objects.filter(
            site=context.site, direction=OpenAgendaLink.Direction.PULL
        ).select_related("event")
    }
    plan = _Pulled(create=[], update=[], unpublish=[])
    seen = set()
    for event in events:
        if not isinstance(event, dict) or "uid" not in event or _is_ours(event):
            continue
        uid = str(event["uid"])
        seen.add(uid)
        updated_at = str(event.get("updatedAt") or "")
        fields = mapping.page_fields(
            event, language=context.language, default_time_zone=context.time_zone
        )
        title = mapping.text_in(event.get("title"), context.language) or uid
        if fields is None:
            report.add(
                "skipped",
                _("OpenAgenda event %(uid)s has no title or no date: left out.") % {"uid": uid},
            )
            continue
        errors = EventPage(**{k: v for k, v in fields.items() if k != "body"}).event_errors()
        if errors:
            report.add(
                "skipped",
                _("OpenAgenda event “%(title)s” does not read as an event here: left out.")
                % {"title": title},
            )
            continue
        link = links.get(uid)
        if link is not None and link.event is None:
            continue  # an editor deleted it here: it stays deleted
        if link is not None:
            if link.pulled_updated_at == updated_at:
                continue  # unchanged there (an editor's unpublishing here stands)
            plan.update.append((link, updated_at, fields))
            report.add(
                "pulled_updated",
                (_("Would update “%(title)s”.") if context.dry_run else _("Updated: “%(title)s”."))
                % {"title": title},
            )
        else:
            plan.create.append((uid, updated_at, fields))
            report.add(
                "pulled_created",
                (
                    _("Would bring “%(title)s” here.")
                    if context.dry_run
                    else _("Brought here: “%(title)s”.")
                )
                % {"title": title},
            )
    for uid, link in links.items():
        if uid in seen or link.event is None or not link.event.live:
            continue
        plan.unpublish.append(link)
        report.add(
            "pulled_removed",
            (
                _("Would unpublish “%(title)s” (removed from OpenAgenda).")
                if context.dry_run
                else _("Unpublished (removed from OpenAgenda): “%(title)s”.")
            )
            % {"title": link.event.title},
        )
    return plan


def _save(page: EventPage, *, publish: bool) -> None:
    revision = page.save_revision(log_action=True)
    if publish:
        revision.publish()


def _pull_apply(context: _Context, plan: _Pulled) -> None:
    publish = context.settings.pull_mode == OpenAgendaPullMode.PUBLISHED
    for uid, updated_at, fields in plan.create:
        page = EventPage(
            slug=f"{slugify(fields['title'])[:60] or 'evenement'}-oa{slugify(uid)}"[:255],
            live=publish,
            **fields,
        )
        context.agenda.add_child(instance=page)
        _save(page, publish=publish)
        # A link may remain from a page deleted here: it now names the new page.
        OpenAgendaLink.objects.update_or_create(
            site=context.site,
            openagenda_uid=uid,
            defaults={
                "event": page,
                "direction": OpenAgendaLink.Direction.PULL,
                "pulled_updated_at": updated_at,
            },
        )
    for link, updated_at, fields in plan.update:
        page = EventPage.objects.get(pk=link.event_id).get_latest_revision_as_object()
        for name, value in fields.items():
            setattr(page, name, value)
        _save(page, publish=publish)
        link.pulled_updated_at = updated_at
        link.save(update_fields=["pulled_updated_at", "synced_at"])
    for link in plan.unpublish:
        EventPage.objects.get(pk=link.event_id).unpublish()
        # Should it come back on OpenAgenda, it counts as changed and is brought again.
        link.pulled_updated_at = ""
        link.save(update_fields=["pulled_updated_at", "synced_at"])
