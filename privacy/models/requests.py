"""Requests from people about their personal information, and the proofs of erasures.

Quebec's private-sector Act (as amended by Law 25) and the GDPR give a person rights of access,
portability, rectification, erasure, withdrawal of consent and cessation of dissemination; the
organization answers within 30 days. A request records who asked, how their identity was checked,
where it stands and what was done, with its history. An erasure leaves an ``ErasureProof``: when,
on which request, by whom, what was deleted, anonymized or kept, and a non-reversible reference
to the person (a keyed hash of their e-mail) that lets the organization check, later, that an
address was erased without keeping the address.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet

#: Days the organization has to answer a request (Quebec: 30 days; GDPR: one month).
ANSWER_DAYS = 30


def subject_reference(site_id, email: str) -> str:
    """A non-reversible reference to a person of an organization: a keyed hash of their
    normalised e-mail (the key is the installation's secret, salted per organization)."""
    normalised = (email or "").strip().lower()
    return salted_hmac(
        f"liens.privacy.subject.{site_id}", normalised, algorithm="sha256"
    ).hexdigest()


class PrivacyRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to personal information")
        PORTABILITY = "portability", _("Portability (a copy in a structured format)")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")
        WITHDRAWAL = "withdrawal", _("Withdrawal of consent")
        CESSATION = "cessation", _("Cessation of dissemination")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("privacy request", "Received")
        IN_PROGRESS = "in_progress", pgettext_lazy("privacy request", "In progress")
        COMPLETED = "completed", pgettext_lazy("privacy request", "Completed")
        REFUSED = "refused", pgettext_lazy("privacy request", "Refused")

    class Channel(models.TextChoices):
        MEMBER_SPACE = "member_space", _("Member space")
        EMAIL = "email", _("E-mail")
        MAIL = "mail", _("Mail")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="privacy_requests",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    email = models.EmailField(
        _("person's e-mail"),
        blank=True,
        help_text=_("The address under which the organization knows the person."),
    )
    name = models.CharField(_("person's name"), max_length=200, blank=True)
    language = models.CharField(
        _("language of the answer"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE.split("-")[0],
    )
    channel = models.CharField(
        _("received by"), max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    details = models.TextField(
        _("details"),
        blank=True,
        help_text=_("What the person asks for, in their words (what to rectify, which consent…)."),
    )
    received_on = models.DateField(_("received on"), default=datetime.date.today)
    due_on = models.DateField(_("answer due on"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    identity_checked_at = models.DateTimeField(_("identity checked on"), null=True, blank=True)
    identity_check = models.CharField(
        _("how the identity was checked"),
        max_length=255,
        blank=True,
        help_text=_("For example: signed in to their member space; photo ID shown at the desk."),
    )
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identity checked by"),
    )
    completed_at = models.DateTimeField(_("completed on"), null=True, blank=True)
    answer = models.TextField(
        _("answer"),
        blank=True,
        help_text=_("What was done, or why the request was refused (the law asks for reasons)."),
    )
    #: The access/portability copy (a ZIP), built by the worker; deleted with the person's data.
    export_file = models.BinaryField(_("copy of the data"), blank=True, default=b"", editable=False)
    export_built_at = models.DateTimeField(_("copy built on"), null=True, blank=True)
    export_downloaded_at = models.DateTimeField(_("copy downloaded on"), null=True, blank=True)
    #: Once the person's data are erased, the request keeps only this reference to them.
    subject_reference = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("privacy request", "recorded by"),
    )
    created_at = models.DateTimeField(
        pgettext_lazy("privacy request", "recorded on"), auto_now_add=True
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        permissions = [("manage_privacy", _("Can act as the person in charge of privacy"))]
        indexes = [models.Index(fields=["site", "status", "due_on"], name="privacy_request_due")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.received_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self.due_on:
            self.due_on = self.received_on + datetime.timedelta(days=ANSWER_DAYS)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def late_label(self) -> str:
        return str(pgettext_lazy("privacy request", "Late")) if self.is_overdue else ""

    @property
    def identity_checked(self) -> bool:
        return self.identity_checked_at is not None


class PrivacyRequestEventQuerySet(SiteScopedQuerySet):
    site_lookup = "request__site"


class PrivacyRequestEvent(models.Model):
    """One step in a request's history: recorded, identity checked, copy built, erased…"""

    class Action(models.TextChoices):
        RECORDED = "recorded", _("Request recorded")
        IDENTITY_CHECKED = "identity_checked", _("Identity checked")
        EXPORT_BUILT = "export_built", _("Copy of the data built")
        EXPORT_DOWNLOADED = "export_downloaded", _("Copy of the data downloaded")
        ERASED = "erased", _("Personal information erased")
        DISSEMINATION_STOPPED = "dissemination_stopped", _("Dissemination stopped")
        COMPLETED = "completed", _("Request completed")
        REFUSED = "refused", _("Request refused")
        REMINDED = "reminded", _("Reminder sent")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("date"), default=timezone.now)
    action = models.CharField(_("step"), max_length=30, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    objects = PrivacyRequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("step of a privacy request")
        verbose_name_plural = _("history of privacy requests")

    def __str__(self):
        return self.get_action_display()


class ErasureProof(models.Model):
    """What remains of an erasure: no personal information, only the proof that it was done."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="erasure_proofs",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    request = models.ForeignKey(
        PrivacyRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_proofs",
        verbose_name=_("request"),
    )
    erased_at = models.DateTimeField(_("erased on"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    #: Who erased, as a name that outlives their account (a command says « command »).
    erased_by_name = models.CharField(_("erased by"), max_length=200, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        db_index=True,
        help_text=_("A non-reversible reference to the person: a keyed hash of their e-mail."),
    )
    #: Per source: its label and the numbers deleted, anonymized and kept, with the legal reason.
    summary = models.JSONField(_("summary"), default=list)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("proof of erasure")
        verbose_name_plural = _("proofs of erasure")

    def __str__(self):
        return f"{self.reference[:12]}… ({self.erased_at:%Y-%m-%d})"
