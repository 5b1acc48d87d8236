"""Admin avatars drawn here: a circle with the user's initials, never a Gravatar.

Wagtail asks Gravatar for the picture of every user without an uploaded avatar, sending an MD5
of their e-mail address to a third party from every admin page. ``WAGTAIL_GRAVATAR_PROVIDER_URL``
is ``None`` and this ``get_avatar_url`` hook answers instead, with a ``data:`` URL: no request
leaves the browser. The colour comes from the user id, so a person keeps theirs from page to
page, and is dark enough for white text to meet WCAG AA (contrast ratio of at least 4.5:1).
"""

from __future__ import annotations

import colorsys
import re
from urllib.parse import quote

from django.utils.html import escape

#: WCAG 2 AA for normal text.
MIN_CONTRAST = 4.5
GOLDEN_ANGLE = 137.508  # degrees: successive ids get hues far apart


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio, from 1 (same colour) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


WHITE = (255, 255, 255)


def avatar_colour(user_id: int) -> tuple[int, int, int]:
    """A colour of its own for each user id, dark enough for white text."""
    hue = (user_id * GOLDEN_ANGLE) % 360 / 360
    lightness = 0.5
    while True:
        rgb = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, 0.65))
        if contrast_ratio(WHITE, rgb) >= MIN_CONTRAST:
            return rgb
        lightness -= 0.02


def initials(user) -> str:
    """Up to two letters: first and last name, else the pieces of the user name."""
    names = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".split()
    if not names:
        names = re.split(r"[\W_]+", str(user.get_username()))
    names = [name for name in names if name]
    if not names:
        return "?"
    letters = names[0][0] + (names[-1][0] if len(names) > 1 else "")
    return letters.upper()


def initials_avatar_url(user, size=50) -> str | None:
    """The ``get_avatar_url`` hook: ``None`` (Wagtail shows it) when the user uploaded an
    avatar, or for no user (an entry the system logged: Wagtail's blank avatar), else a
    ``data:image/svg+xml`` circle with their initials."""
    if user is None:
        return None
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None and profile.avatar:
        return None
    red, green, blue = avatar_colour(user.pk or 0)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(size)}" height="{int(size)}" '
        'viewBox="0 0 100 100">'
        f'<circle cx="50" cy="50" r="50" fill="#{red:02x}{green:02x}{blue:02x}"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#ffffff" '
        'font-family="sans-serif" font-size="42" font-weight="600">'
        f"{escape(initials(user))}</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe="")
