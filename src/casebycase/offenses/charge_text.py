"""Charge texts as jails write them: normalization, attempt prefixes, level markers."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s_]+")
_ATTEMPT = re.compile(r"^(?:ATTM?|ATTEMPT(?:ED)?)\b\s*/?")
# A level written inside the text, e.g. "(MA)", "(F3)", "(FS", "(B)", Boone's "(F)"/"(M)".
_MARKER = re.compile(r"\((F[123SX*]?|M[ABC*]?|[ABC])(?:\)|$)")
_MARKER_LEVELS = {
    "F": "felony",
    "M": "misdemeanor",
    "A": "misdemeanor",
    "B": "misdemeanor",
    "C": "misdemeanor",
}


def normalize_text(text: str | None) -> str:
    """Upper-case, underscores to spaces, whitespace collapsed, trimmed."""
    if not text:
        return ""
    return _SPACES.sub(" ", text.upper()).strip(" -/,;:")


def is_attempt(text: str) -> bool:
    """Whether a normalized charge text starts with an attempt prefix (``ATTM``, ``ATT/``)."""
    return bool(_ATTEMPT.match(text))


def level_marker(text: str) -> str | None:
    """The level written inside a normalized charge text (the last marker wins), if any."""
    found = _MARKER.findall(text)
    if not found:
        return None
    return _MARKER_LEVELS[found[-1][0]]
