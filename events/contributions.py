"""The public contribution form: anyone proposes an event on an agenda (``proposer/``,
``propose/``), and nothing of it is public before a moderator approves it.

A proposal becomes a draft ``EventPage`` below the agenda, submitted to the agenda's
moderation workflow (``events.declarations.events_workflows``); who proposed it (name,
e-mail, the consent wording they agreed to) goes to the event's private twin, never to the
page nor its revisions. Its image, checked by content (Wagtail's image field, Pillow), goes to
the organization's private collection: apart from the media the editors choose for public
pages until a moderator publishes the event (``events.notifications`` then moves it to the
organization's collection).

Refusals: every one in the visitor's language, on the form. A bot filling the honeypot is
answered as if it succeeded, and nothing is written. Each address may send
``EVENTS_CONTRIBUTIONS_PER_HOUR`` proposals an hour (the default cache counts them).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import find_available_slug
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.models import Collection, Site

from crm_blocks.models import OrganizationPage
from organizations.models import OrganizationSettings
from organizations.services import organization_collection, organization_private_collection
from organizations.sorting import collate
from privacy.services import private_twin_for_page, private_twin_update
from public_cache.middleware import private_response

from .models import EventIndexPage, EventPage

#: How many proposals one address may send in an hour.
DEFAULT_PER_HOUR = 5
#: The largest image a visitor may send, in bytes.
DEFAULT_MAX_IMAGE_SIZE = 5 * 1024 * 1024
#: Image types a visitor may send (no SVG: a drawing can carry scripts).
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
#: At most this many venues in the list; other places are typed.
MAX_VENUES = 300
#: The honeypot's field name: a plausible one, so that bots fill it in.
HONEYPOT = "website"

CONSENT_WORDING = _(
    "I agree that %(organization)s keeps my name and e-mail address to contact me about this "
    "proposal and to tell me whether it is published. They are never published."
)


def per_hour() -> int:
    return getattr(settings, "EVENTS_CONTRIBUTIONS_PER_HOUR", DEFAULT_PER_HOUR)


def max_image_size() -> int:
    return getattr(settings, "EVENTS_CONTRIBUTION_MAX_IMAGE_SIZE", DEFAULT_MAX_IMAGE_SIZE)


class ContributedImageField(WagtailImageField):
    """Wagtail's image field (the type read from the content by Willow and Pillow, the
    extension checked against it, the pixel count bounded), limited to photographs' formats
    and to the contribution size limit, with messages a visitor understands."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_image_extensions = list(IMAGE_EXTENSIONS)
        self.limit_size(max_image_size())

    def limit_size(self, size: int) -> None:
        """Bound uploads to ``size`` bytes (read from the settings when a form is made)."""
        self.max_upload_size = size
        self.max_upload_size_text = filesizeformat(size)
        self.help_text = _("JPEG, PNG or WebP, up to %(size)s.") % {
            "size": self.max_upload_size_text
        }
        self.error_messages.update(
            invalid_image=_("This file is not an image: send a JPEG, PNG or WebP photo."),
            invalid_image_extension=_("Send the image as a JPEG, PNG or WebP file."),
            invalid_image_known_format=_(
                "This file is not the image its name says (.%(extension)s): it is "
                "%(image_format)s. Send a JPEG, PNG or WebP photo."
            ),
            file_too_large=_(
                "The image is too large (%(file_size)s): send one of %(max_filesize)s at most."
            ),
            file_too_large_unknown_size=_("The image is too large: send one of %(max)s at most.")
            % {"max": self.max_upload_size_text},
            file_too_many_pixels=_(
                "The image has too many pixels (%(num_pixels)s; at most %(max_pixels_count)s)."
            ),
        )

    def check_image_file_format(self, f):
        extension = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
        if extension not in IMAGE_EXTENSIONS:
            raise ValidationError(
                self.error_messages["invalid_image_extension"], code="invalid_image_extension"
            )
        super().check_image_file_format(f)


def venues_for(agenda: EventIndexPage):
    """The places a visitor may choose: the agenda site's public organization records, in
    French order, at most ``MAX_VENUES``."""
    site = agenda.get_site()
    if site is None:
        return OrganizationPage.objects.none()
    return (
        OrganizationPage.objects.live()
        .public()
        .descendant_of(site.root_page)
        .filter(locale_id=agenda.locale_id)
        .order_by(collate("title"))
    )[:MAX_VENUES]


class ContributionForm(forms.Form):
    """What a visitor says about the event they propose, and who they are."""

    title = forms.CharField(label=_("Title of the event"), max_length=200)
    start_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty for an all-day event."),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For an event over several days."),
    )
    end_time = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    venue = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, empty_value=None)
    place_name = forms.CharField(
        label=_("Or the name of another place"), max_length=200, required=False
    )
    street_address = forms.CharField(label=_("Street address"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    locality = forms.CharField(label=_("City"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("In one or two sentences"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the agenda, 300 characters at most."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    image = ContributedImageField(label=_("Image"), required=False)
    image_credit = forms.CharField(
        label=_("Image credit"),
        max_length=200,
        required=False,
        help_text=_("Who took the photo, or who holds its rights."),
    )
    is_free = forms.BooleanField(label=_("Free admission"), required=False)
    price = forms.DecimalField(
        label=_("Price"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("The full price, for example 12,50."),
    )
    ticket_url = forms.URLField(
        label=_("Ticket or information link"), required=False, assume_scheme="https"
    )
    contributor_name = forms.CharField(label=_("Your name"), max_length=200)
    contributor_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("To tell you whether the event is published. Never shown."),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Please give your consent, or we cannot keep the proposal.")}
    )
    # Hidden from people (CSS and aria-hidden), named and labelled to tempt bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, agenda: EventIndexPage, consent_wording: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        self.consent_wording = consent_wording
        self.fields["image"].limit_size(max_image_size())
        self.fields["consent"].label = consent_wording
        self.venues = {page.pk: page for page in venues_for(agenda)}
        self.fields["venue"].choices = [
            ("", _("— A place that is not in the list —")),
            *((pk, page.title) for pk, page in self.venues.items()),
        ]
        for name in ("title", "contributor_name"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["contributor_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contributor_email"].widget.attrs["autocomplete"] = "email"
        self.fields[HONEYPOT].widget.attrs.update(tabindex="-1", autocomplete="off")
        for name, field in self.fields.items():
            field.error_messages.setdefault("required", _("This field is required."))
            if name != HONEYPOT and field.required:
                field.widget.attrs["required"] = True

    def full_clean(self):
        """Link each field's error message to its input (``aria-describedby``), besides its
        help text, so that screen readers say why the field was refused."""
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.insert(0, f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < timezone.localdate():
            raise ValidationError(_("This date has passed: propose an event to come."))
        return start

    def clean(self):
        data = super().clean()
        start_date, end_date = data.get("start_date"), data.get("end_date")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start_date and end_date and end_date < start_date:
            self.add_error("end_date", _("The event cannot end before it starts."))
        elif (
            start_date
            and start_time
            and end_time
            and (end_date in (None, start_date))
            and end_time < start_time
        ):
            self.add_error("end_time", _("The event cannot end before it starts."))
        if end_time and not start_time:
            self.add_error("start_time", _("Give the start time too, or no end time."))
        venue = data.get("venue")
        if venue is not None and venue not in self.venues:
            self.add_error("venue", _("Choose a place from the list."))
        if venue is None and not data.get("place_name", "").strip() and "venue" not in self.errors:
            self.add_error(
                "place_name", _("Choose a place from the list, or give the name of the place.")
            )
        if data.get("is_free") and data.get("price"):
            self.add_error("price", _("A free event has no price: uncheck one or the other."))
        return data


def client_address(request) -> str:
    """The address proposals are counted by. Behind a reverse proxy, set
    ``EVENTS_CONTRIBUTIONS_CLIENT_HEADER`` to the header it writes (e.g. ``HTTP_X_REAL_IP``)."""
    header = getattr(settings, "EVENTS_CONTRIBUTIONS_CLIENT_HEADER", "")
    address = request.META.get(header, "") if header else ""
    return (address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", ""))[:64]


def _rate_key(address: str) -> str:
    return f"events:contributions:{address}"


def rate_limited(address: str) -> bool:
    return cache.get(_rate_key(address), 0) >= per_hour()


def count_proposal(address: str) -> None:
    key = _rate_key(address)
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=3600)


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>{}</p>".format("<br/>".join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


def _store_image(upload, *, site: Site, title: str):
    """The upload as a Wagtail image in the organization's private collection (its media
    collection if staff removed the private one), under a random file name: the visitor's
    file name may say more about them than the picture."""
    collection = (
        organization_private_collection(site)
        or organization_collection(site)
        or Collection.get_first_root_node()
    )
    extension = upload.name.rsplit(".", 1)[-1].lower()
    upload.name = f"proposition-{secrets.token_hex(8)}.{extension}"
    image = get_image_model()(title=title[:255], file=upload, collection=collection)
    image._set_image_file_metadata()  # size and hash, as Wagtail's own image form does
    image.save()
    return image


@transaction.atomic
def contribution_create(
    *, agenda: EventIndexPage, data: dict, consent_wording: str, now: dt.datetime | None = None
) -> EventPage:
    """A draft event below ``agenda`` made of a visitor's proposal, its contributor in the
    private twin, submitted to the agenda's workflow. All or nothing."""
    now = now or timezone.now()
    site = agenda.get_site()
    settings_ = OrganizationSettings.for_site(site)
    event = EventPage(
        title=data["title"].strip(),
        slug=find_available_slug(agenda, slugify(data["title"], allow_unicode=True)[:80] or "e"),
        locale_id=agenda.locale_id,
        live=False,
        owner=None,
        summary=data["summary"].strip(),
        start_date=data["start_date"],
        start_time=data.get("start_time"),
        end_date=data.get("end_date"),
        end_time=data.get("end_time"),
        venue=OrganizationPage.objects.get(pk=data["venue"]) if data.get("venue") else None,
        place_name="" if data.get("venue") else data.get("place_name", "").strip(),
        street_address="" if data.get("venue") else data.get("street_address", "").strip(),
        postal_code="" if data.get("venue") else data.get("postal_code", "").strip(),
        locality="" if data.get("venue") else data.get("locality", "").strip(),
        is_free=bool(data.get("is_free")),
        price=data.get("price"),
        currency=settings_.currency if data.get("price") is not None else "",
        ticket_url=data.get("ticket_url", ""),
        image_credit=data.get("image_credit", "").strip(),
    )
    if data.get("description", "").strip():
        event.body = [("text", {"text": _paragraphs(data["description"])})]
    if data.get("image"):
        event.image = _store_image(data["image"], site=site, title=event.title)
    agenda.add_child(instance=event)
    revision = event.save_revision(log_action=True)
    twin = private_twin_for_page(event, site=site)
    private_twin_update(
        twin=twin,
        data={
            "contributor_name": data["contributor_name"].strip(),
            "contributor_email": data["contributor_email"].strip(),
            "contributor_consent": consent_wording,
            "contributed_at": now,
        },
    )
    workflow = event.get_workflow()
    if workflow is not None:
        workflow.start(event, user=None)
    event.latest_revision = revision
    return event


def consent_wording_for(agenda: EventIndexPage) -> str:
    site = agenda.get_site()
    name = OrganizationSettings.for_site(site).legal_name or site.site_name
    return gettext(str(CONSENT_WORDING)) % {"organization": name}


def contribution_view(request, agenda: EventIndexPage):
    """The form (GET), a proposal (POST → the thank-you page), the thank-you page
    (``?sent=1``). Never cached: the answer depends on what this visitor sent."""
    private_response(request)
    context = {"page": agenda, "self": agenda, "max_per_hour": per_hour()}
    if request.method == "GET" and request.GET.get("sent"):
        return TemplateResponse(request, "events/contribution_sent.html", context)
    consent_wording = consent_wording_for(agenda)
    refusal = None
    if request.method == "POST":
        form = ContributionForm(
            request.POST, request.FILES, agenda=agenda, consent_wording=consent_wording
        )
        address = client_address(request)
        if rate_limited(address):
            refusal = _(
                "You have sent many proposals in the last hour. Please try again later, "
                "or write to us."
            )
        elif form.is_bot():
            count_proposal(address)
            return HttpResponseRedirect(f"{request.path}?sent=1")
        elif form.is_valid():
            try:
                contribution_create(
                    agenda=agenda, data=form.cleaned_data, consent_wording=consent_wording
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                count_proposal(address)
                return HttpResponseRedirect(f"{request.path}?sent=1")
    else:
        form = ContributionForm(agenda=agenda, consent_wording=consent_wording)
    context.update(form=form, refusal=refusal, honeypot=HONEYPOT)
    status = 429 if refusal else (400 if form.is_bound and form.errors else 200)
    return TemplateResponse(request, "events/contribution_form.html", context, status=status)
