"""casebycase: decide each federal immigration request case by case, and show the work.

The names below are imported on first use, so that ``import casebycase.cli`` (and every
command that needs little) starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casebycase.errors import CaseByCaseError, PackError, PackNotFound, RequestError
    from casebycase.policy.compile import CompiledPack, load_pack
    from casebycase.policy.load import bundled_ids as bundled_packs
    from casebycase.policy.recommendation import Recommendation, evaluate
    from casebycase.policy.registry import Registry
    from casebycase.request import Request, parse_request

__all__ = [
    "CaseByCaseError",
    "CompiledPack",
    "PackError",
    "PackNotFound",
    "Recommendation",
    "Registry",
    "Request",
    "RequestError",
    "bundled_packs",
    "evaluate",
    "load_pack",
    "parse_request",
]
__version__ = "0.1.0"

_WHERE = {
    "CaseByCaseError": ("casebycase.errors", "CaseByCaseError"),
    "PackError": ("casebycase.errors", "PackError"),
    "PackNotFound": ("casebycase.errors", "PackNotFound"),
    "RequestError": ("casebycase.errors", "RequestError"),
    "CompiledPack": ("casebycase.policy.compile", "CompiledPack"),
    "load_pack": ("casebycase.policy.compile", "load_pack"),
    "bundled_packs": ("casebycase.policy.load", "bundled_ids"),
    "Recommendation": ("casebycase.policy.recommendation", "Recommendation"),
    "evaluate": ("casebycase.policy.recommendation", "evaluate"),
    "Registry": ("casebycase.policy.registry", "Registry"),
    "Request": ("casebycase.request", "Request"),
    "parse_request": ("casebycase.request", "parse_request"),
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'casebycase' has no attribute {name!r}")
    module, attr = _WHERE[name]
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
