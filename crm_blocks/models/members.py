"""Member accounts: a login (a Django user) tied to a person's record in one organization.

A member logs in on the organization's own site (``/espace-membre/``) and sees what the
plugins show them there (``crm_blocks.member_space``). The account belongs to the person's
record, not to a plugin: rentals, privacy requests and what comes later all find the member
through it. One user may be a member of several organizations with one login: one account per
organization, each tied to that organization's record of the person.

``site`` repeats the record's organization (it is set from the record when saved) so that the
database itself holds "one account per user and organization".
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet

from .contacts import Contact


class MemberAccountQuerySet(SiteScopedQuerySet):
    def of_user(self, user, site):
        """``user``'s account in ``site``'s organization (a queryset of at most one)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active or site is None:
            return self.none()
        return self.filter(user=user, site=site)


class MemberAccount(models.Model):
    """A person's login to their organization's member space."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_accounts",
        verbose_name=_("user"),
    )
    contact = models.OneToOneField(
        Contact,
        on_delete=models.CASCADE,
        related_name="member_account",
        limit_choices_to={"kind": Contact.Kind.PERSON},
        verbose_name=_("person's record"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="member_accounts",
        editable=False,
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    invited_at = models.DateTimeField(_("last invited on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    objects = MemberAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("member account")
        verbose_name_plural = _("member accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site"],
                name="one_member_account_per_user_and_organization",
                violation_error_message=_(
                    "This login already belongs to another member of this organization."
                ),
            ),
        ]

    def __str__(self):
        return str(self.contact)

    def save(self, *args, **kwargs):
        # The account's organization is its record's, always.
        self.site_id = self.contact.site_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.contact_id and self.contact.kind != Contact.Kind.PERSON:
            raise ValidationError(
                {"contact": _("Only a person's record can have a member account.")}
            )
