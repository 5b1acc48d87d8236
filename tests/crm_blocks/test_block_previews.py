"""The block previews of the editor's "add a block" menu speak the editor's language: their
sample texts were French whatever the language (« Nos services », « Devenez membre »)."""

import pytest
from django.utils import translation

from crm_blocks.blocks import (
    CallToActionBlock,
    FAQBlock,
    HeadingBlock,
    QuoteBlock,
    TextBlock,
)


@pytest.mark.parametrize(
    ("block", "read", "english", "french"),
    [
        (HeadingBlock, lambda v: v["text"], "Our services", "Nos services"),
        (
            TextBlock,
            lambda v: str(v["text"]),
            "<p>A production centre",
            "<p>Un centre de production",
        ),
        (QuoteBlock, lambda v: v["quote"], "Cinema is a modern", "Le cinéma, c’est"),
        (CallToActionBlock, lambda v: v["button_label"], "Join", "Adhérer"),
        (FAQBlock, lambda v: v["items"][0]["question"], "Who can rent", "Qui peut louer"),
    ],
)
def test_previews_are_in_the_editors_language(block, read, english, french):
    with translation.override("en"):
        assert read(block().get_preview_value()).startswith(english)
    with translation.override("fr"):
        assert read(block().get_preview_value()).startswith(french)
