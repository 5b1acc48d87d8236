"""What the privacy commands share: the organization by host name, the person by e-mail."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from wagtail.models import Site

from privacy.personal_data import DataSubject, normalise_email


def add_subject_arguments(parser) -> None:
    parser.add_argument("--organization", required=True, help="Host name of its site.")
    parser.add_argument("--email", required=True, help="The e-mail the person is known by.")


def subject_from_options(options) -> DataSubject:
    hostname = options["organization"].strip().lower()
    site = Site.objects.filter(hostname=hostname).first()
    if site is None:
        raise CommandError(_("No organization has the host name “%(host)s”.") % {"host": hostname})
    email = normalise_email(options["email"])
    try:
        validate_email(email)
    except ValidationError:
        raise CommandError(
            _("“%(address)s” is not an e-mail address.") % {"address": options["email"]}
        ) from None
    return DataSubject(site=site, email=email)
