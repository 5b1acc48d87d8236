"""Inviting members and sending them a link to choose their password.

``member_invite`` ties a login to a person's record (found by its e-mail in the organization's
CRM) and e-mails a link to choose a password, on the organization's own site and in its
language. The link is Django's password-reset token: it works once, until the password is set
or ``PASSWORD_RESET_TIMEOUT`` passes (three days by default); inviting again sends a new one.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from wagtail.models import Site

from organizations.models import OrganizationGroup, OrganizationSettings
from organizations.registry import OrganizationRole

from .models import Contact, MemberAccount

logger = logging.getLogger(__name__)


class InvitationError(ValidationError):
    """A member cannot be invited as asked; the message says why, in the staff's language."""


def organization_language(site: Site) -> str:
    """The language the organization speaks to its members (``fr`` or ``en``)."""
    return OrganizationSettings.for_site(site).content_language


def organization_name(site: Site) -> str:
    organization = OrganizationSettings.for_site(site)
    return organization.display_name or site.site_name or site.hostname


def password_link_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def password_set_url(site: Site, user) -> str:
    """The one-time link where ``user`` chooses a password, on ``site``'s own address, in the
    active language."""
    path = reverse(
        "member_password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site.root_url + path


def send_password_link(account: MemberAccount, *, invitation: bool) -> None:
    """E-mail the member a link to choose their password: the invitation, or the "forgotten
    password" answer. In the organization's language; sent once the transaction commits."""
    site = account.site
    user = account.user
    with translation.override(organization_language(site)):
        context = {
            "organization_name": organization_name(site),
            "member_name": str(account.contact),
            "link": password_set_url(site, user),
            "login_url": site.root_url + reverse("member_login"),
            "login": user.get_username(),
            "days": password_link_days(),
        }
        template = "member_invitation" if invitation else "member_password_reset"
        subject = render_to_string(f"crm_blocks/emails/{template}_subject.txt", context)
        body = render_to_string(f"crm_blocks/emails/{template}.txt", context).strip()
    subject = " ".join(subject.split())
    recipient = user.email

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except Exception:  # an e-mail server down must not undo the account
            logger.exception("The member e-mail to %s could not be sent.", account.pk)
            if invitation:
                raise

    transaction.on_commit(send)


def person_with_email(site: Site, email: str) -> Contact:
    """The one person's record of ``site`` whose e-mail is ``email`` (whatever its case)."""
    records = Contact.objects.for_site(site).with_email(email)
    people = [record for record in records if record.kind == Contact.Kind.PERSON]
    if not people:
        if records:
            raise InvitationError(
                _(
                    "“%(address)s” is the e-mail of an organization's record, not of a person: "
                    "members are people."
                )
                % {"address": email},
                code="not_a_person",
            )
        raise InvitationError(
            _("No person of this organization's CRM has the e-mail “%(address)s”.")
            % {"address": email},
            code="no_person",
        )
    if len(people) > 1:
        raise InvitationError(
            _("Several people of this organization's CRM have the e-mail “%(address)s”: %(names)s.")
            % {"address": email, "names": ", ".join(str(person) for person in people)},
            code="several_people",
        )
    return people[0]


def _user_for(email: str, account: MemberAccount | None):
    User = get_user_model()
    if account is not None:
        return account.user
    users = list(
        User.objects.annotate(login=Lower(User.USERNAME_FIELD)).filter(login=email.lower())[:2]
    )
    if len(users) > 1:
        raise InvitationError(
            _("Several logins are named “%(address)s”: keep one of them first.")
            % {"address": email},
            code="several_users",
        )
    if users:
        if (
            users[0].is_staff
            or users[0].is_superuser
            or users[0].has_perm("wagtailadmin.access_admin")
        ):
            raise InvitationError(
                _(
                    "The login “%(address)s” works in the administration: give the member "
                    "another e-mail, staff keep their own login."
                )
                % {"address": email},
                code="staff_login",
            )
        return users[0]
    user = User(**{User.USERNAME_FIELD: email.lower(), "email": email})
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def member_invite(*, site: Site, email: str) -> MemberAccount:
    """Give the person of ``site``'s CRM whose e-mail is ``email`` a login to the member space
    (a user named after their e-mail, without a password until they choose one), put it in the
    organization's members group, and e-mail them the link to choose a password. Inviting again
    sends a new link; nothing is written when the person cannot be invited."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError(
            _("“%(address)s” is not an e-mail address.") % {"address": email}, code="invalid_email"
        ) from None
    contact = person_with_email(site, email)
    account = MemberAccount.objects.filter(contact=contact).select_related("user").first()
    email = contact.email  # as staff wrote it in the record
    user = _user_for(email, account)
    if not user.is_active:
        raise InvitationError(
            _("The login “%(login)s” is deactivated: reactivate it in the admin first.")
            % {"login": user.get_username()},
            code="inactive",
        )
    if not user.email:
        user.email = email
        user.save(update_fields=["email"])
    if account is None:
        other = MemberAccount.objects.filter(user=user, site=site).first()
        if other is not None:
            raise InvitationError(
                _(
                    "The login “%(login)s” already belongs to another member of this "
                    "organization: %(member)s."
                )
                % {"login": user.get_username(), "member": other},
                code="login_taken",
            )
        account = MemberAccount(user=user, contact=contact, site=site)
    account.invited_at = timezone.now()
    account.full_clean()
    account.save()
    group = OrganizationGroup.objects.filter(site=site, role=OrganizationRole.MEMBERS).first()
    if group is not None:
        user.groups.add(group.group)
    send_password_link(account, invitation=True)
    return account


def organization_today(site: Site):
    """Today's date where the organization is (a membership ends at its local midnight)."""
    from zoneinfo import ZoneInfo

    zone = OrganizationSettings.for_site(site).time_zone or "UTC"
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def is_current_member(contact, site: Site) -> bool:
    """Whether ``contact`` (a record of ``site``) holds a membership of ``site`` that is current
    today: what members-only data and member features follow, the day it changes."""
    from .models import Membership

    if contact is None or contact.site_id != site.pk:
        return False
    today = organization_today(site)
    # A membership that starts next month does not open anything yet.
    return (
        Membership.objects.filter(contact=contact, start_date__lte=today)
        .current(today=today)
        .exists()
    )
