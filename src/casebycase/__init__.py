"""casebycase: decide each federal immigration request case by case, and show the work."""

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
