"""The offense catalog: statute citations and charge texts to offense categories.

>>> classify("RSMo 566.209").category
'sex_trafficking'
>>> classify(description="AGG ASSAULT W/DEADLY WEAPON").category
'violent_felony'
>>> classify(description="ICE DETAINER").is_hold
True

See :mod:`casebycase.offenses.catalog` for the precedence rules and ``docs/offenses.md``.
"""

from casebycase.offenses.catalog import (
    Catalog,
    CatalogError,
    Classification,
    Entry,
    classify,
    load_catalog,
    load_catalog_from,
)
from casebycase.offenses.categories import CATEGORIES, LEVELS, SEVERITY, normalize_level
from casebycase.offenses.citations import Citation, parse_citation

__all__ = [
    "CATEGORIES",
    "LEVELS",
    "SEVERITY",
    "Catalog",
    "CatalogError",
    "Citation",
    "Classification",
    "Entry",
    "classify",
    "load_catalog",
    "load_catalog_from",
    "normalize_level",
    "parse_citation",
]
