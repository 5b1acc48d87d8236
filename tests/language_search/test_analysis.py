"""The words the search index keeps: what a visitor types and what an editor wrote meet there."""

import pytest

from language_search.analysis import (
    ENGLISH,
    FRENCH,
    SIMPLE,
    analyzer_for,
    fold,
    substring_stems,
    words,
)


def test_folding_drops_case_accents_and_ligatures():
    """« Œuvres Élues » and « oeuvres elues » are the same words to a visitor."""
    assert fold("Œuvres Élues, ÇA") == "oeuvres elues, ca"
    assert words("L'équipe — 2 caméras_HD") == ["l", "equipe", "2", "cameras", "hd"]


@pytest.mark.parametrize(
    ("analyzer", "typed", "written"),
    [
        (FRENCH, "caméra", "Caméras"),
        (FRENCH, "camera", "caméras"),
        (FRENCH, "cafe", "Café"),
        (FRENCH, "films", "Film"),
        (FRENCH, "cheval", "chevaux"),
        (FRENCH, "oeuvre", "Œuvres"),
        (ENGLISH, "cameras", "camera"),
        (ENGLISH, "screenings", "screening"),
    ],
)
def test_inflected_forms_meet_at_one_stem(analyzer, typed, written):
    """A query in one form finds the page that wrote another (plural, accent, ligature)."""
    assert analyzer.analyze(typed) == analyzer.analyze(written)


def test_unstemmed_words_stay_whole():
    """Autocompletion matches partial words against whole words: « camé » must reach
    « cameras », not a stem shorter than what was typed."""
    assert SIMPLE.analyze("Caméras Boréales") == ["cameras", "boreales"]
    assert FRENCH.analyze("Caméras Boréales") != SIMPLE.analyze("Caméras Boréales")


def test_regional_variants_use_their_language_and_others_are_not_stemmed():
    assert analyzer_for("fr-ca") is FRENCH
    assert analyzer_for("EN") is ENGLISH
    assert analyzer_for("de") is SIMPLE


def test_substring_stems_find_singulars_but_not_everyone():
    """« chevaux » finds a record named « Cheval »; « caméras » is not cut down to « cam »,
    which would find every Camille; an e-mail address is not a word to stem."""
    assert substring_stems("chevaux", [FRENCH, ENGLISH]) == {"cheval", "chevaux"}
    assert substring_stems("caméras", [FRENCH, ENGLISH]) == {"camera"}
    assert substring_stems("chloe@example.org", [FRENCH, ENGLISH]) == set()
