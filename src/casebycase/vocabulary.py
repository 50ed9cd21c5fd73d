"""The closed vocabulary of the request format (spec/request-format.md, v1)."""

from __future__ import annotations

from typing import Literal, get_args

RequesterAgency = Literal[
    "ICE", "CBP", "USCIS", "USMS", "FBI", "other_federal", "victim_or_counsel", "internal"
]
Component = Literal["ERO", "HSI", "OPLA", "USBP", "OFO", "other", "unknown"]
Kind = Literal[
    "detainer",
    "release_notification",
    "transfer",
    "status_check",
    "records",
    "jail_access",
    "warrant_service",
    "enforcement_support",
    "investigation_support",
    "task_force",
    "victim_certification",
    "custody_review",
]
Purpose = Literal["criminal", "civil_immigration", "unknown"]
Document = Literal[
    "I-247A",
    "I-247",
    "I-247D",
    "I-247N",
    "I-247X",
    "I-200",
    "I-205",
    "I-203",
    "judicial_warrant",
    "court_order",
    "subpoena",
    "I-918B",
    "I-914B",
]
Category = Literal[
    "human_trafficking",
    "sex_trafficking",
    "child_exploitation",
    "homicide",
    "sexual_assault",
    "violent_felony",
    "drug_felony",
    "other_felony",
    "dwi",
    "misdemeanor",
    "immigration_crime",
    "ordinance",
    "unknown",
]
Level = Literal["felony", "misdemeanor", "infraction"]
OffenseStatus = Literal["suspected", "charged", "convicted"]

NATIONAL_ORIGIN_FIELDS = frozenset(
    {
        "place_of_birth",
        "country_of_birth",
        "birthplace",
        "nationality",
        "national_origin",
        "race",
        "ethnicity",
        "religion",
        "language",
    }
)
NATIONAL_ORIGIN_REASON = (
    "national origin may never be a factor in a decision (Parada v. Anoka County, "
    "8th Cir. 2022), so requests carrying it are refused"
)

KINDS: tuple[str, ...] = get_args(Kind)
PURPOSES: tuple[str, ...] = get_args(Purpose)
DOCUMENTS: tuple[str, ...] = get_args(Document)
REQUESTER_AGENCIES: tuple[str, ...] = get_args(RequesterAgency)
COMPONENTS: tuple[str, ...] = get_args(Component)
CATEGORIES: tuple[str, ...] = get_args(Category)
LEVELS: tuple[str, ...] = get_args(Level)
OFFENSE_STATUSES: tuple[str, ...] = get_args(OffenseStatus)
