"""One pack as the request space compares it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from casebycase.policy.compile import CompiledPack
from casebycase.policy.load import NO_AGENCY


@dataclass(frozen=True, slots=True)
class Side:
    """One pack as compared: at a fixed date, or over the date axis when ``at`` is None."""

    pack: CompiledPack
    at: dt.date | None = None

    @property
    def any_agency(self) -> bool:
        """A layer pack without an agency profile: the agency's facts are axes too."""
        return self.pack.pack.agency is NO_AGENCY

    @property
    def label(self) -> str:
        return self.pack.id + (f" at {self.at}" if self.at else "")
