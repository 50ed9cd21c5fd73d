"""Measures the statutes ask for that the case store does not record yet.

Each hook returns None today, and reports say "not recorded" rather than a number. When the
case service records these facts, a hook returns the counts and the definition's
``not_recorded`` section becomes a table.
"""

from __future__ import annotations


def certification_outcomes() -> dict[str, int] | None:
    """U/T certifications signed, denied and withdrawn. TODO: the case service records a
    decision on a certification request, not the later signing, denial or withdrawal."""
    return None


def task_force_arrests() -> dict[str, int] | None:
    """Task-force arrests, total and for immigration purposes. TODO: not recorded."""
    return None
