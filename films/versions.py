"""A film's versions as cinemas and distributors write them: ``VF``, ``VOSTFR``, ``VF-AD``,
``VFSTF-SME``, ``LSF``… read into a language/subtitle combination and accessibility features.

The abbreviations are those of French and Quebec exhibition (version française, version
originale sous-titrée, audiodescription / vidéodescription, sous-titres pour sourds et
malentendants, langue des signes française / québécoise). An abbreviation nobody knows is an
error that names it, never a version silently read as something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: schema.org ``accessibilityFeature`` value of each accessibility field of a version.
ACCESSIBILITY_FEATURES = {
    "audio_description": "audioDescription",
    "sdh_subtitles": "captions",
    "closed_captions": "closedCaptions",
    "open_captions": "openCaptions",
    "sign_language": "signLanguage",
}

#: Words shown to the public for each feature, and the short sign used in lists.
ACCESSIBILITY_LABELS = {
    "audio_description": (_("Audio description"), "AD"),
    "sdh_subtitles": (_("Subtitles for the deaf and hard of hearing"), "SDH"),
    "closed_captions": (_("Closed captions"), "CC"),
    "open_captions": (_("Open captions"), "OC"),
    "sign_language": (_("Sign language"), "LS"),
}

ACCESSIBILITY_FIELDS = tuple(ACCESSIBILITY_FEATURES)

#: Subtitle languages of ``VOST…`` / ``ST…`` suffixes.
_SUBTITLE_SUFFIXES = {"": "fr", "F": "fr", "FR": "fr", "A": "en", "ANG": "en", "EN": "en"}
_SIGN_LANGUAGES = {"LSF": "fsl", "LSQ": "fcs", "ASL": "ase"}


@dataclass
class VersionSpec:
    """What a version code says. ``audio_language`` empty means the film's original language."""

    label: str
    audio_language: str = ""
    subtitle_language: str = ""
    audio_description: bool = False
    sdh_subtitles: bool = False
    closed_captions: bool = False
    open_captions: bool = False
    sign_language: bool = False
    sign_language_code: str = ""
    unknown: list[str] = field(default_factory=list)

    def accessibility(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in ACCESSIBILITY_FIELDS}


def _read_token(spec: VersionSpec, word: str) -> None:
    if word in ("VF", "VFF", "VFQ"):
        spec.audio_language = "fr"
    elif word in ("VO", "VOA") or word.startswith("VOST") or word == "VOS":
        spec.audio_language = "en" if word == "VOA" else ""
        if word.startswith("VOST") or word == "VOS":
            suffix = word[4:] if word.startswith("VOST") else ""
            if suffix not in _SUBTITLE_SUFFIXES:
                spec.unknown.append(word)
            spec.subtitle_language = _SUBTITLE_SUFFIXES.get(suffix, "")
    elif word.startswith("VFST"):
        spec.audio_language = "fr"
        suffix = word[4:]
        if suffix not in _SUBTITLE_SUFFIXES:
            spec.unknown.append(word)
        spec.subtitle_language = _SUBTITLE_SUFFIXES.get(suffix, "")
    elif word.startswith("ST") and word[2:] in _SUBTITLE_SUFFIXES and word[2:]:
        spec.subtitle_language = _SUBTITLE_SUFFIXES[word[2:]]
    elif word in ("SME", "SDH", "STSM", "SSM"):
        spec.sdh_subtitles = True
    elif word in ("AD", "DV", "AUDIODESCRIPTION", "VIDEODESCRIPTION"):
        spec.audio_description = True
    elif word in ("CC", "STC"):
        spec.closed_captions = True
    elif word in ("OC", "STI"):
        spec.open_captions = True
    elif word in _SIGN_LANGUAGES:
        spec.sign_language = True
        spec.sign_language_code = _SIGN_LANGUAGES[word]
    else:
        spec.unknown.append(word)


def parse_version(text: str) -> VersionSpec:
    """``"VFSTF-SME"`` → French audio, French subtitles for the deaf and hard of hearing.

    Raises ``ValidationError`` naming what it does not know."""
    label = " ".join(str(text or "").split())
    if not label:
        raise ValidationError(_("A version needs a name, such as VF or VOSTFR."), code="empty")
    spec = VersionSpec(label=label.upper())
    normalized = label.upper().replace("É", "E").replace(".", "")
    for word in re.split(r"[\s\-+/_]+", normalized):
        if word:
            _read_token(spec, word)
    if spec.sdh_subtitles and not spec.subtitle_language:
        # « VF-SME »: subtitles for the deaf in the language spoken.
        spec.subtitle_language = spec.audio_language or ""
    if spec.unknown:
        raise ValidationError(
            _("Unknown version “%(code)s” (in “%(label)s”)."),
            code="unknown_version",
            params={"code": ", ".join(spec.unknown), "label": label},
        )
    return spec


def parse_versions(text: str) -> list[VersionSpec]:
    """``"VF; VOSTFR; VF-AD"`` → three specs; every unknown code is reported at once."""
    specs, errors = [], []
    for part in re.split(r"[;\n]+", str(text or "")):
        if not part.strip():
            continue
        try:
            specs.append(parse_version(part))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return specs
