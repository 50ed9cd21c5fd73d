"""Offense categories and levels (request format v1), their severity order, level hints."""

from __future__ import annotations

import re

from casebycase.vocabulary import CATEGORIES as CATEGORIES  # the request format's, re-exported
from casebycase.vocabulary import LEVELS as LEVELS

SEVERITY: tuple[str, ...] = (
    "human_trafficking",
    "sex_trafficking",
    "child_exploitation",
    "homicide",
    "sexual_assault",
    "violent_felony",
    "drug_felony",
    "other_felony",
    "immigration_crime",
    "dwi",
    "misdemeanor",
    "ordinance",
    "unknown",
)
"""When one charge line names several offenses, the first category in this order wins."""

RANK: dict[str, int] = {category: rank for rank, category in enumerate(SEVERITY)}

GROUPS: dict[str, tuple[str, ...]] = {
    "violent": ("homicide", "sexual_assault", "violent_felony"),
    "trafficking": ("human_trafficking", "sex_trafficking"),
    "sexual": ("sex_trafficking", "child_exploitation", "sexual_assault"),
    "serious": (
        "human_trafficking",
        "sex_trafficking",
        "child_exploitation",
        "homicide",
        "sexual_assault",
        "violent_felony",
    ),
    "felony_categories": (
        "human_trafficking",
        "sex_trafficking",
        "child_exploitation",
        "homicide",
        "sexual_assault",
        "violent_felony",
        "drug_felony",
        "other_felony",
    ),
}
"""Groups of categories a condition may name in place of the categories (docs/offenses.md):
``violent_felony`` is violence that is neither a homicide nor a sexual assault, so a rule
about violent crime names the group ``violent``."""

NARROW: dict[str, tuple[str, ...]] = {
    "violent_felony": ("homicide", "sexual_assault"),
}
"""Categories a rule may mistake for a wider class, and what they leave out (a warning)."""

_HINTS: dict[str, str] = {
    # Texas jail codes (Travis County): felony degrees, state jail felony, capital felony.
    "F": "felony",
    "F*": "felony",
    "F1": "felony",
    "F2": "felony",
    "F3": "felony",
    "FS": "felony",
    "FX": "felony",
    "S": "felony",
    "1": "felony",
    "2": "felony",
    "3": "felony",
    # Texas misdemeanor classes, with and without the M prefix.
    "M": "misdemeanor",
    "M*": "misdemeanor",
    "MA": "misdemeanor",
    "MB": "misdemeanor",
    "MC": "misdemeanor",
    "A": "misdemeanor",
    "B": "misdemeanor",
    "C": "misdemeanor",
    # Words.
    "FEL": "felony",
    "MISD": "misdemeanor",
    "INF": "infraction",
}
_WORDS = re.compile(r"\b(FELONY|MISDEMEANOR|MISDEMEANANT|INFRACTION)\b")


def normalize_level(hint: str | None) -> str | None:
    """Read a level as written in source data; None when it is absent or not understood.

    Accepted: the three words (any case, also inside ``class B misdemeanor``), and the
    Texas jail codes ``F``, ``F*``, ``F1``-``F3``, ``FS``/``S`` (state jail felony), ``FX``,
    ``1``-``3``, ``M``, ``M*``, ``MA``/``MB``/``MC`` and ``A``/``B``/``C`` (misdemeanor
    classes). Bare letters follow the Texas reading: a Missouri ``class A felony`` must be
    written with the word.
    """
    if hint is None:
        return None
    text = hint.strip().upper()
    if not text:
        return None
    found = _WORDS.search(text)
    if found:
        word = found.group(1)
        if word == "FELONY":
            return "felony"
        if word == "INFRACTION":
            return "infraction"
        return "misdemeanor"
    return _HINTS.get(text.replace(" ", "").replace("-", ""))
