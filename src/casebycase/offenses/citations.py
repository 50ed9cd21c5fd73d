"""Statute citations as written in requests and jail data, and the code patterns of the catalog.

Recognised systems (``Citation.system``):

``mo``     Revised Statutes of Missouri: ``RSMo 566.209``, ``RSMo § 566.210.1``, ``566.209``
           (a bare section needs a three-digit chapter), and Missouri charge codes as the
           Boone County jail prints them (``565.076-003Y202013``).
``us``     United States Code: ``18 U.S.C. 1591``, ``18 USC §1591(a)``, ``8 U.S.C. 1326``;
           ``INA 274``-``277`` are read as 8 U.S.C. 1324-1327.
``txpc``   Texas Penal Code: ``TX PC 20A.02``, ``Texas Penal Code 19.02``, ``Tex. Penal Code
           § 22.02(a)(2)``.
``txhsc``  Texas Health and Safety Code: ``TX HSC 481.115``.
``txoc``   Texas DPS offense codes (8 digits, optional A/C/S suffix for attempt, conspiracy,
           solicitation) as the Travis County jail prints them: ``13990031``, ``TXOC 13990031``.

Anything else (including a bare ``19.02``, which could be Texas or Missouri) is not a
citation: the caller falls back to the charge text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Key = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class Citation:
    """One parsed citation: system, section, and the subsections written after it."""

    system: str
    section: str
    subsections: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        """An ordering key within the system (for section ranges)."""
        return section_key(self.system, self.section)


def section_key(system: str, section: str) -> Key:
    """Order sections as the codes number them: decimal sections compare digit by digit."""
    if system == "us":
        title, _, number = section.partition("-")
        m = re.fullmatch(r"(\d+)([A-Z]*)", number)
        if m is None:  # pragma: no cover - sections are built by the parser
            return (int(title), 0, number)
        return (int(title), int(m.group(1)), m.group(2))
    if system == "txoc":
        return (int(section[:8]), section[8:])
    chapter, _, fraction = section.partition(".")
    m = re.fullmatch(r"(\d+)([A-Z]*)", chapter)
    if m is None:  # pragma: no cover - sections are built by the parser
        return (0, chapter, fraction)
    return (int(m.group(1)), m.group(2), fraction)


_SUBS = r"((?:\.\d+)*(?:\s*\([A-Z0-9]{1,4}\))*)"
_SEC = r"(?:SECTIONS?\s+|SECS?\.?\s+|SS\.?\s+)?"
_RSMO = (
    r"(?:RSMO|R\.\s*S\.\s*MO\.?|RS\s*MO|MO\.?\s*REV\.?\s*STAT(?:UTES)?\.?(?:\s*ANN\.?)?"
    r"|MISSOURI\s+REVISED\s+STATUTES?|MO)"
)
_US = re.compile(
    r"^(?:TITLE\s+)?(\d{1,2})\s*U\.?\s*S\.?\s*C(?:ODE)?\.?(?:\s*A\.?)?\s*"
    + _SEC
    + r"(\d{1,5}[A-Z]{0,2})\b"
    + r"((?:\s*\([A-Z0-9]{1,4}\))*)"
)
_INA = re.compile(r"^INA\s*" + _SEC + r"(\d{3})\b" + r"((?:\s*\([A-Z0-9]{1,4}\))*)")
_INA_TO_USC = {
    "243": "1253",
    "266": "1306",
    "274": "1324",
    "275": "1325",
    "276": "1326",
    "277": "1327",
}
_TX = re.compile(
    r"^(?:TX|TEX\.?|TEXAS)\s*(PC|P\.\s*C\.|PENAL(?:\s+CODE)?|HSC|H\s*&\s*S\s*C?\.?|HS"
    r"|HEALTH\s*(?:AND|&)\s*SAFETY(?:\s+CODE)?)\.?\s*(?:ANN\.?\s*)?"
    + _SEC
    + r"(\d{1,3}[A-Z]?)\.(\d{1,5})\b"
    + r"((?:\s*\([A-Z0-9]{1,4}\))*)"
)
_TPC = re.compile(
    r"^TPC\s*" + _SEC + r"(\d{1,3}[A-Z]?)\.(\d{1,5})\b" + r"((?:\s*\([A-Z0-9]{1,4}\))*)"
)
_TXOC = re.compile(r"^(?:(?:TXOC|TX\s*OC|(?:TX|TEXAS)\s*OFFENSE\s*CODE)\s*)?(\d{8})([ACS]?)$")
_MO = re.compile(r"^(?:" + _RSMO + r"\s*)?" + _SEC + r"(\d{1,3})\.(\d{3})(?!\d)" + _SUBS)
_MO_MARK = re.compile(r"\b" + _RSMO + r"\b")


def _subsections(text: str) -> tuple[str, ...]:
    return tuple(part.lower() for part in re.findall(r"[A-Z0-9]+", text))


def normalize_code(text: str) -> str:
    """Upper-case, drop section signs and collapse spaces."""
    text = text.upper().replace("§", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip(" ,;:|")


def parse_citation(text: str | None) -> Citation | None:
    """Parse one citation; None when ``text`` is not a citation this module knows."""
    if not text:
        return None
    code = normalize_code(text)
    if not code:
        return None
    m = _US.match(code)
    if m:
        return Citation("us", f"{int(m.group(1))}-{m.group(2)}", _subsections(m.group(3)))
    m = _INA.match(code)
    if m and m.group(1) in _INA_TO_USC:
        return Citation("us", f"8-{_INA_TO_USC[m.group(1)]}", _subsections(m.group(2)))
    m = _TX.match(code)
    if m:
        body = m.group(1).replace(" ", "").replace(".", "")
        system = "txpc" if body in {"PC", "PENAL", "PENALCODE"} else "txhsc"
        return Citation(system, f"{m.group(2)}.{m.group(3)}", _subsections(m.group(4)))
    m = _TPC.match(code)
    if m:
        return Citation("txpc", f"{m.group(1)}.{m.group(2)}", _subsections(m.group(3)))
    m = _TXOC.match(code)
    if m:
        return Citation("txoc", m.group(1) + m.group(2))
    body = re.sub(r"^(?:SECTIONS?|SECS?\.?)\s+", "", code)
    m = _MO.match(body)
    if m:
        marked = bool(_MO_MARK.search(code))
        if len(m.group(1)) == 3 or marked:
            return Citation("mo", f"{m.group(1)}.{m.group(2)}", _subsections(m.group(3)))
    return None


@dataclass(frozen=True, slots=True)
class CodePattern:
    """A code pattern of a catalog entry: one section (maybe with subsections) or a range."""

    system: str
    low: Key
    high: Key
    section: str
    subsections: tuple[str, ...]
    is_range: bool

    def matches(self, citation: Citation) -> bool:
        """Whether ``citation`` falls under this pattern."""
        if citation.system != self.system:
            return False
        if self.is_range:
            return self.low <= citation.key <= self.high
        if citation.section != self.section:
            return False
        return citation.subsections[: len(self.subsections)] == self.subsections

    @property
    def specificity(self) -> tuple[int, int]:
        """Higher is more specific: exact sections beat ranges, subsections beat sections."""
        return (0 if self.is_range else 1, len(self.subsections))


_RANGE_PREFIX = {"mo": "RSMo ", "txpc": "TX PC ", "txhsc": "TX HSC "}


def parse_code_pattern(text: str) -> CodePattern:
    """Parse a catalog code pattern: a citation, or ``<citation> to <section>``.

    Raises ValueError with a readable reason.
    """
    parts = re.split(r"\s+to\s+", text.strip(), maxsplit=1, flags=re.I)
    left, right = parts[0], (parts[1] if len(parts) == 2 else None)
    low = parse_citation(left)
    if low is None:
        raise ValueError(
            f"'{left}' is not a citation this catalog understands "
            "(e.g. 'RSMo 566.209', '18 U.S.C. 1591', 'TX PC 20A.02', 'TXOC 13990031')"
        )
    if right is None:
        return CodePattern(low.system, low.key, low.key, low.section, low.subsections, False)
    if low.system == "us":
        prefix = f"{low.section.partition('-')[0]} U.S.C. "
    elif low.system in _RANGE_PREFIX:
        prefix = _RANGE_PREFIX[low.system]
    else:
        raise ValueError(f"ranges are not allowed for {low.system} codes")
    high = parse_citation(prefix + right)
    if high is None or high.system != low.system:
        raise ValueError(f"range end '{right}' is not a section of the same code")
    if low.subsections or high.subsections:
        raise ValueError("a range cannot name subsections")
    if high.key < low.key:
        raise ValueError(f"range '{text}' ends before it starts")
    return CodePattern(low.system, low.key, high.key, low.section, (), True)
