"""The privacy plugin's models: private twins (``records``); each concern of the privacy law
(requests, consents, the access log, incidents…) keeps its models in a module of its own."""

from .consents import ConsentPurpose, ConsentWording
from .records import PrivateRecord, PrivateRecordQuerySet
from .settings import PrivacySettings, Processor

__all__ = [
    "ConsentPurpose",
    "ConsentWording",
    "PrivacySettings",
    "PrivateRecord",
    "PrivateRecordQuerySet",
    "Processor",
]
