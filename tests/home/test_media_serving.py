"""Where the site serves uploaded files itself (development, the demo), it serves images only:
a private document's file is reached through /documents/, which checks its collection."""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import clear_url_caches
from wagtail.documents.models import Document

from tests.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_served(settings):
    import config.urls

    settings.SERVE_MEDIA = True
    with override_settings(ROOT_URLCONF="config.urls"):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    settings.SERVE_MEDIA = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_images_are_served_but_not_document_files(client, media_served):
    """A visitor gets an image's file, but not a document's file by its storage path: that
    would skip the privacy of the document's collection."""
    image = make_image("Affiche")
    document = Document.objects.create(
        title="Procès-verbal", file=ContentFile(b"confidentiel", name="proces-verbal.txt")
    )
    served = client.get(image.file.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    response = client.get(document.file.url)
    assert response.status_code == 404
    assert b"confidentiel" not in response.content
