"""The privacy plugin's models: private twins (``records``); each concern of the privacy law
(requests, consents, the access log, incidents…) keeps its models in a module of its own."""

from .access_log import AccessLog, AccessLogAction, AccessLogSettings  # noqa: F401
from .consents import ConsentPurpose, ConsentWording
from .incidents import Incident, IncidentRisk, IncidentStatus  # noqa: F401
from .records import PrivateRecord, PrivateRecordQuerySet
from .requests import ErasureProof, PrivacyRequest, PrivacyRequestEvent
from .retention import RetentionPolicy, RetentionRun  # noqa: F401
from .settings import PrivacySettings, Processor

__all__ = [
    "ConsentPurpose",
    "ConsentWording",
    "ErasureProof",
    "PrivacyRequest",
    "PrivacyRequestEvent",
    "PrivacySettings",
    "PrivateRecord",
    "PrivateRecordQuerySet",
    "Processor",
]
