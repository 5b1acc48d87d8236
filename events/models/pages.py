"""The agenda (``EventIndexPage``) and the event record (``EventPage``).

An event is a CRM record and its showcase page at once, like a person: a draft is private, the
published page shows its public fields, and its private details (internal notes, budget, who
proposed it) live in its twin (``EventPrivate``). When it takes place is said once, in the
organization's time zone: a first date, a rule, added and excluded dates, and dates moved or
cancelled on their own (``EventOccurrenceChange``); publishing turns it into occurrence rows.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from crm_blocks.blocks import PROFILE_BLOCKS
from organizations.models import (
    TIME_ZONE_CHOICES,
    OrganizationCurrency,
    OrganizationSettings,
    PublicAddress,
)
from organizations.scoping import public_within
from privacy.pages import PrivateTwinPageMixin
from structured_data.mixins import StructuredDataPageMixin

from ..forms import EventPageForm
from ..panels import EmbedSnippetPanel, UpcomingDatesPanel
from ..recurrence import RecurrenceRule, Timing, aware, parse_date_list
from ..structured_data import event_nodes
from .occurrences import EventOccurrence
from .private import EventPrivate

#: Occurrence rows are stored this far ahead (about two years); the daily task extends them.
HORIZON_DAYS = 731


def horizon_for(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=HORIZON_DAYS)


class EventKind(models.TextChoices):
    SCREENING = "screening", _("Screening")
    WORKSHOP = "workshop", _("Workshop or training")
    TALK = "talk", _("Talk or debate")
    FESTIVAL = "festival", _("Festival")
    EXHIBITION = "exhibition", _("Exhibition")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")
    POSTPONED = "postponed", _("Postponed")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    MOVED_ONLINE = "moved_online", _("Moved online")
    FULL = "full", _("Full")


class EventAttendance(models.TextChoices):
    IN_PERSON = "in_person", pgettext_lazy("attendance", "In person")
    ONLINE = "online", _("Online")
    MIXED = "mixed", _("In person and online")


class EventAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Teenagers")
    FAMILIES = "families", _("Families")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")
    PROFESSIONALS = "professionals", _("Professionals")
    MEMBERS = "members", _("Members")


class EventAccessibility:
    """The accessibility features an event can offer: one boolean field each on the page, so
    that the agenda filters on an index. ``FIELDS`` maps field → label."""

    FIELDS = {
        "wheelchair_accessible": _("Wheelchair access"),
        "hearing_loop": _("Hearing loop"),
        "audio_description": _("Audio description"),
        "deaf_subtitles": _("Subtitles for the deaf and hard of hearing"),
        "sign_language": _("Sign language"),
    }


LANGUAGE_CHOICES = sorted(
    ((code, name) for code, name in global_settings.LANGUAGES if len(code) == 2),
    key=lambda choice: choice[0],
)


def output_view(dotted_path: str):
    """The view of one of the plugin's outputs (feeds, the contribution form), found when a
    route is served: output modules read the models, so the models cannot import them."""
    return import_string(dotted_path)


class EventIndexPage(RoutablePageMixin, StructuredDataPageMixin, Page):
    """The organization's agenda: the coming dates of the events below it, its iCal feed
    (``feed.ics``), the form where anyone proposes an event (``proposer/``), the same list as
    JSON (``events.json``) and as a small page other sites frame (``embed/``).

    A network's agenda (``show_network_members``) also lists the public events of the member
    organizations that chose to share them with it (``NetworkSharing``), and what other plugins
    contribute (``events.sources``)."""

    structured_data_page_type = "CollectionPage"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    show_network_members = models.BooleanField(
        _("show the events of the network's members"),
        default=False,
        help_text=_(
            "For a network or association: also list the public events of the member "
            "organizations that share their agenda with it."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("show_network_members"),
        EmbedSnippetPanel(heading=_("Show this agenda on another website")),
    ]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1
    #: What the agenda reads from the query (its HTML, ``events.json`` and ``embed/``): such
    #: pages are cached for anonymous visitors. Parameters of registered agenda sources
    #: (``events.sources``) are added to these (``public_cache_query_params``).
    agenda_query_params = (
        "page",
        "from",
        "to",
        "when",
        "kind",
        "venue",
        "audience",
        "access",
        "free",
        "month",
        "past",
        "cinema",
        "region",
        "department",
    )

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    @property
    def public_cache_query_params(self) -> tuple[str, ...]:
        return (*self.agenda_query_params, *output_view("events.sources.source_params")())

    def get_context(self, request, *args, **kwargs):
        """The coming dates, filtered and grouped by day (``events.agenda``)."""
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("events.agenda.agenda_context")(self, request))
        return context

    def embed_agendas(self) -> list:
        """``(agenda, cinema)`` pairs whose embed code the editor shows (``EmbedSnippetPanel``)."""
        return [(self, "")] if self.pk else []

    # Wagtail routes ``feed.ics`` as ``/feed.ics/`` (it appends a slash): the regex takes both,
    # and reverses to ``feed.ics``. ``config.urls`` lets a dotted last segment reach Wagtail.
    @re_path(r"^feed\.ics/?$", name="feed")
    def feed(self, request):
        return output_view("events.feeds.agenda_feed_view")(request, self)

    @path("proposer/", name="propose_fr")
    @path("propose/", name="propose")
    def propose(self, request):
        return output_view("events.contributions.contribution_view")(request, self)

    @re_path(r"^events\.json/?$", name="events_json")  # as feed.ics
    def events_json(self, request):
        return output_view("events.embed.agenda_json_view")(request, self)

    @path("embed/", name="embed")
    def embed(self, request):
        return output_view("events.embed.agenda_embed_view")(request, self)


class EventPageQuerySet(PageQuerySet):
    def published(self, within: Page | None = None):
        """What the public may see: live pages without view restriction."""
        if within is None:
            return self.live().public()
        return public_within(self.live(), within)


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


def _accessibility_fields():
    return {
        name: models.BooleanField(label, default=False)
        for name, label in EventAccessibility.FIELDS.items()
    }


class EventPage(
    RoutablePageMixin, PrivateTwinPageMixin, StructuredDataPageMixin, PublicAddress, Page
):
    """An event: the record staff keep and, once published, its page, its own iCal file
    (``calendar.ics``), its place in the agenda's feeds and its JSON-LD."""

    structured_data_page_type = "WebPage"
    structured_data_fields = {
        "Event.image": "image",
        "Event.description": "summary",
        "Event.location": "venue",
        "Event.offers": "price",
        "Event.performer": "performers",
        "Event.organizer": "organizer",
        "Event.startDate": "start_date",
        "Event.endDate": "end_date",
        "Event.eventStatus": "status",
        "Event.eventAttendanceMode": "attendance",
        "Event.previousStartDate": "previous_start_date",
        # Subtypes are reported under their own name (``ScreeningEvent.location``…).
        **{
            f"{event_type}.{prop}": field
            for event_type in ("ScreeningEvent", "EducationEvent", "Festival", "ExhibitionEvent")
            for prop, field in (
                ("image", "image"),
                ("description", "summary"),
                ("location", "venue"),
                ("offers", "price"),
                ("performer", "performers"),
                ("organizer", "organizer"),
                ("startDate", "start_date"),
                ("endDate", "end_date"),
                ("eventStatus", "status"),
                ("eventAttendanceMode", "attendance"),
                ("previousStartDate", "previous_start_date"),
            )
        },
        "Place.address": "street_address",
        "Place.name": "place_name",
        "VirtualLocation.url": "online_url",
        "Offer.price": "price",
        "Offer.url": "ticket_url",
        "ImageObject.creator|creditText|copyrightNotice|license": "image_credit",
    }

    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.OTHER
    )
    #: The event's key in the organization's spreadsheets (unique within the organization,
    #: which the import checks): re-importing a file updates the events instead of copying them.
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The event's reference in your spreadsheets, if it has one."),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in the agenda and in search results."),
    )
    body = StreamField(PROFILE_BLOCKS, blank=True, verbose_name=_("description"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image"),
    )
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)

    # When
    start_date = models.DateField(_("start date"))
    start_time = models.TimeField(
        _("start time"), null=True, blank=True, help_text=_("Leave empty for an all-day event.")
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text=_("Leave empty for the organization's time zone."),
    )
    recurrence = models.CharField(
        _("recurrence rule"),
        max_length=255,
        blank=True,
        help_text=_("The rule in iCalendar form (RRULE), made from the choices above."),
    )
    dates = models.TextField(
        _("other dates"),
        blank=True,
        help_text=_("More dates at the same time, separated by “;”: 2027-03-09; 2027-04-13."),
    )
    exceptions = models.TextField(
        _("excluded dates"),
        blank=True,
        help_text=_("Dates the event does not take place, separated by “;”."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    previous_start_date = models.DateField(
        _("previous date"),
        null=True,
        blank=True,
        help_text=_("For a rescheduled or postponed event: the date first announced."),
    )

    # Where
    venue = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venue"),
        help_text=_("An organization record with a public address, or type a place below."),
    )
    place_name = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("A place that has no organization record: its name, then its address."),
    )
    attendance = models.CharField(
        _("attendance"),
        max_length=12,
        choices=EventAttendance.choices,
        default=EventAttendance.IN_PERSON,
    )
    online_url = models.URLField(_("online link"), blank=True)

    # Who
    organizer = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organizer"),
        help_text=_("Leave empty when the organization itself organizes the event."),
    )
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=EventAudience.choices,
        default=EventAudience.EVERYONE,
    )
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    locals().update(_accessibility_fields())
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True)

    # Price
    is_free = models.BooleanField(_("free"), default=False)
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    member_price = models.DecimalField(
        _("member price"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=OrganizationCurrency.choices,
        blank=True,
        help_text=_("Leave empty for the organization's currency."),
    )
    ticket_url = models.URLField(_("ticket or registration link"), blank=True)

    objects = EventPageManager()

    base_form_class = EventPageForm
    private_twin_model = EventPrivate
    private_form_fields = {
        "private_internal_notes": "internal_notes",
        "private_budget": "budget",
        "private_contributor_name": "contributor_name",
        "private_contributor_email": "contributor_email",
    }
    private_form_widgets = {
        "private_internal_notes": forms.Textarea(attrs={"rows": 4}),
        "private_budget": forms.Textarea(attrs={"rows": 4}),
    }

    parent_page_types = ["events.EventIndexPage", "events.EventPage"]
    subpage_types = ["events.EventPage"]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("image_credit"),
        FieldPanel("body"),
    ]
    when_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldPanel("time_zone"),
            ],
            heading=_("First date"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("repeat"), FieldPanel("repeat_interval")]),
                FieldPanel("repeat_weekdays"),
                FieldPanel("repeat_position"),
                FieldRowPanel([FieldPanel("repeat_until"), FieldPanel("repeat_count")]),
                FieldPanel("dates"),
                FieldPanel("exceptions"),
            ],
            heading=_("Repeats"),
        ),
        InlinePanel(
            "occurrence_changes",
            heading=_("Dates moved or cancelled"),
            label=_("Date moved or cancelled"),
        ),
        FieldPanel("previous_start_date"),
        UpcomingDatesPanel(),
    ]
    where_panels = [
        FieldPanel("attendance"),
        FieldPanel("venue"),
        FieldPanel("place_name"),
        PublicAddress.address_panel(heading=_("Address of the place")),
        FieldPanel("online_url"),
    ]
    details_panels = [
        FieldPanel("organizer"),
        InlinePanel("performers", heading=_("Performers and guests"), label=_("Performer")),
        FieldRowPanel([FieldPanel("audience"), FieldPanel("age_min"), FieldPanel("age_max")]),
        MultiFieldPanel(
            [FieldPanel(name) for name in EventAccessibility.FIELDS],
            heading=_("Accessibility"),
        ),
        FieldPanel("language"),
        MultiFieldPanel(
            [
                FieldPanel("is_free"),
                FieldRowPanel(
                    [FieldPanel("price"), FieldPanel("member_price"), FieldPanel("currency")]
                ),
                FieldPanel("ticket_url"),
            ],
            heading=_("Price"),
        ),
        FieldPanel("external_id"),
    ]
    private_panels = [
        MultiFieldPanel(
            [
                FieldPanel("private_internal_notes"),
                FieldPanel("private_budget"),
                FieldRowPanel(
                    [
                        FieldPanel("private_contributor_name"),
                        FieldPanel("private_contributor_email"),
                    ]
                ),
            ],
            heading=_("Private details"),
            help_text=_("Seen only by the organization's staff; never published."),
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Event")),
            ObjectList(when_panels, heading=_("Dates")),
            ObjectList(where_panels, heading=_("Place")),
            ObjectList(details_panels, heading=_("Details")),
            ObjectList(private_panels, heading=_("Private")),
            ObjectList(StructuredDataPageMixin.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("place_name"),
        index.SearchField("locality"),
        index.FilterField("kind"),
        index.FilterField("start_date"),
    ]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [
            ("import_eventpage", _("Can import events")),
            ("export_eventpage", _("Can export events")),
        ]

    def clean(self):
        super().clean()
        errors = self.event_errors()
        if errors:
            raise ValidationError(errors)

    def event_errors(self) -> dict:
        """The event's own rules (dates in order, an online event's link, dates and rule that
        parse), field → error, without a query: the editor's form and spreadsheet rows alike."""
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The event cannot end before it starts.")
        elif (
            self.end_date == self.start_date
            and self.start_time
            and self.end_time
            and self.end_time < self.start_time
        ):
            errors["end_time"] = _("The event cannot end before it starts.")
        if self.end_time and not self.start_time:
            errors["start_time"] = _("Give the start time too, or no end time.")
        if self.age_min is not None and self.age_max is not None and self.age_max < self.age_min:
            errors["age_max"] = _("The maximum age is below the minimum age.")
        if self.attendance != EventAttendance.IN_PERSON and not self.online_url:
            errors["online_url"] = _("An online event needs its link.")
        for name in ("dates", "exceptions"):
            try:
                parse_date_list(getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        if self.recurrence:
            try:
                RecurrenceRule.parse(self.recurrence)
            except ValidationError as error:
                errors["recurrence"] = error
        return errors

    def get_context(self, request, *args, **kwargs):
        """Its coming dates and the public records it links to (``events.agenda``)."""
        context = super().get_context(request, *args, **kwargs)
        context.update(output_view("events.agenda.event_page_context")(self, request))
        return context

    @re_path(r"^calendar\.ics/?$", name="calendar")  # as the agenda's feed.ics
    def calendar(self, request):
        return output_view("events.feeds.event_feed_view")(request, self)

    def structured_data_entities(self, context):
        yield from event_nodes(self, context)

    # --- When --------------------------------------------------------------------------------

    def get_time_zone(self) -> str:
        if self.time_zone:
            return self.time_zone
        site = self.get_site()
        if site is not None:
            return OrganizationSettings.for_site(site).time_zone
        return "UTC"

    def get_currency(self) -> str:
        if self.currency:
            return self.currency
        site = self.get_site()
        return OrganizationSettings.for_site(site).currency if site else OrganizationCurrency.CAD

    def timing(self, time_zone: str | None = None) -> Timing:
        """When the event takes place, as ``events.recurrence`` reads it."""
        return Timing(
            start_date=self.start_date,
            start_time=self.start_time,
            end_date=self.end_date,
            end_time=self.end_time,
            time_zone=time_zone or self.get_time_zone(),
            rule=RecurrenceRule.parse(self.recurrence) if self.recurrence else None,
            dates=parse_date_list(self.dates),
            exceptions=parse_date_list(self.exceptions),
        )

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence or self.dates.strip())

    def compute_occurrences(
        self, *, until: dt.date, default_time_zone: str | None = None
    ) -> list[EventOccurrence]:
        """The dates up to ``until`` (local), unsaved, in order: each start made aware in the
        event's time zone, dates moved or cancelled on their own applied.
        ``default_time_zone`` spares the query for the organization's (pages in bulk)."""
        timing = self.timing(self.time_zone or default_time_zone)
        tz = timing.tz
        by_date = {change.original_date: change for change in self.occurrence_changes.all()}
        duration = timing.duration()
        rows = []
        for local_start in timing.local_starts(until):
            change = by_date.get(local_start.date())
            row = EventOccurrence(
                event=self,
                all_day=timing.all_day,
                local_date=local_start.date(),
                start=aware(local_start, tz),
                end=aware(local_start + duration, tz) if timing.has_end() else None,
            )
            if change is not None:
                row.original_start = row.start
                row.note = change.note
                if change.action == EventOccurrenceChange.Action.CANCEL:
                    row.status = EventOccurrence.Status.CANCELLED
                else:
                    new_start, new_end = change.moved_to(timing, local_start)
                    row.status = EventOccurrence.Status.MOVED
                    row.local_date = new_start.date()
                    row.start = aware(new_start, tz)
                    has_end = timing.has_end() or change.new_end_time
                    row.end = aware(new_end, tz) if has_end else None
            rows.append(row)
        return sorted(rows, key=lambda row: row.start)

    def upcoming_occurrences(self, *, count: int = 8, today: dt.date | None = None):
        """``(rows, tz)``: the next ``count`` dates as they would be published (the editor's
        preview), from ``today`` in the event's time zone."""
        timing = self.timing()
        today = today or dt.datetime.now(timing.tz).date()
        rows = self.compute_occurrences(
            until=horizon_for(today), default_time_zone=timing.time_zone
        )
        upcoming = [row for row in rows if row.start.astimezone(timing.tz).date() >= today]
        return upcoming[:count], timing.tz


class EventOccurrenceChange(Orderable):
    """One date of a repeating event moved or cancelled on its own."""

    class Action(models.TextChoices):
        CANCEL = "cancel", pgettext_lazy("date of an event", "Cancelled")
        MOVE = "move", pgettext_lazy("date of an event", "Moved")

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="occurrence_changes")
    original_date = models.DateField(
        _("date concerned"), help_text=_("A date the event repeats on.")
    )
    action = models.CharField(
        _("change"), max_length=8, choices=Action.choices, default=Action.CANCEL
    )
    new_date = models.DateField(_("new date"), null=True, blank=True)
    new_start_time = models.TimeField(_("new start time"), null=True, blank=True)
    new_end_time = models.TimeField(_("new end time"), null=True, blank=True)
    note = models.CharField(
        _("public note"),
        max_length=255,
        blank=True,
        help_text=_("For example: “In the large room this time.”"),
    )

    panels = [
        FieldRowPanel([FieldPanel("original_date"), FieldPanel("action")]),
        FieldRowPanel(
            [FieldPanel("new_date"), FieldPanel("new_start_time"), FieldPanel("new_end_time")]
        ),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("date moved or cancelled")
        verbose_name_plural = _("dates moved or cancelled")

    def clean(self):
        super().clean()
        if self.action == self.Action.MOVE and not (self.new_date or self.new_start_time):
            raise ValidationError({"new_date": _("Give the new date or the new time.")})

    def moved_to(self, timing: Timing, original: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The local start and end of the moved date (the event's length unless told)."""
        start = dt.datetime.combine(
            self.new_date or original.date(), self.new_start_time or original.time()
        )
        if self.new_end_time:
            end = dt.datetime.combine(start.date(), self.new_end_time)
            if end < start:
                end += dt.timedelta(days=1)
        else:
            end = start + timing.duration()
        return start, end


class EventPerformer(Orderable):
    """Someone performing or invited: a person record when there is one, else a name."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="performers")
    person = models.ForeignKey(
        "crm_blocks.PersonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("When the person has no record.")
    )
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("For example: director, host, guest.")
    )

    panels = [FieldRowPanel([FieldPanel("person"), FieldPanel("name"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        verbose_name = _("performer or guest")
        verbose_name_plural = _("performers and guests")

    def clean(self):
        super().clean()
        if not self.person_id and not self.name.strip():
            raise ValidationError({"name": _("Choose a person or type a name.")})
