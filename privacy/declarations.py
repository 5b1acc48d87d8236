"""What the privacy plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the CRM staff are the people in charge of personal information (they
handle requests, read the access log, keep the incident register, set how long the log is kept);
the requests people make are declared to both privacy registries (private fields, personal
data)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.registry import Grant, OrganizationRole

from .models import PrivacyRequest
from .models.requests import subject_reference
from .personal_data import DataSubject, ErasureContext, LegalRetention, Outcome, PersonalDataSource
from .registry import PrivateFields

#: The fields of a request that name the person or what they asked.
REQUEST_PERSONAL_FIELDS = ("email", "name", "details", "answer", "identity_check", "export_file")


def privacy_grants():
    """The CRM staff are the people in charge of privacy of their organization: they record and
    handle requests and read the proofs of erasure."""
    return [
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(
                "privacy.manage_privacy",
                "privacy.add_privacyrequest",
                "privacy.change_privacyrequest",
                "privacy.view_privacyrequest",
                "privacy.view_accesslog",
                *(f"privacy.{action}_incident" for action in ("add", "change", "delete", "view")),
            ),
            site_permissions=("privacy.change_accesslogsettings",),
        )
    ]


def privacy_private_fields():
    return [
        PrivateFields(
            "privacy.PrivacyRequest",
            fields=REQUEST_PERSONAL_FIELDS,
            non_sensitive=(
                "site",
                "kind",
                "language",
                "channel",
                "received_on",
                "due_on",
                "status",
                "identity_checked_at",
                "identity_checked_by",
                "completed_at",
                "export_built_at",
                "export_downloaded_at",
                "subject_reference",
                "created_by",
                "created_at",
            ),
        ),
    ]


def _requests(subject: DataSubject):
    return PrivacyRequest.objects.filter(site=subject.site, email__iexact=subject.email).order_by(
        "received_on", "pk"
    )


def _export_request(request: PrivacyRequest) -> dict:
    return {
        _("request"): request.get_kind_display(),
        _("received on"): request.received_on,
        _("details"): request.details,
        _("status"): request.get_status_display(),
        _("completed on"): request.completed_at,
        _("answer"): request.answer,
    }


def _erase_request(request: PrivacyRequest, context: ErasureContext) -> Outcome:
    for name in REQUEST_PERSONAL_FIELDS:
        setattr(request, name, b"" if name == "export_file" else "")
    request.subject_reference = subject_reference(request.site_id, context.subject.email)
    request.save()
    context.forget(request)
    return Outcome.ANONYMIZED


def privacy_personal_data():
    return [
        PersonalDataSource(
            key="privacy.requests",
            label=gettext_lazy("Your requests about your personal information"),
            find=_requests,
            export=_export_request,
            erase=_erase_request,
            identifiers=lambda request: (request.name,),
            retention=LegalRetention(
                reason=gettext_lazy(
                    "Proof that the request was answered: kept three years, without the "
                    "person's identity."
                ),
                years=3,
            ),
            order=950,
        ),
    ]
