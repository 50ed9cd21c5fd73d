"""Texas: Penal Code and Health and Safety Code sections, DPS offense codes, Travis texts."""

from __future__ import annotations

import pytest

from casebycase.offenses import classify


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("TX PC 19.02", "homicide"),
        ("Texas Penal Code 19.02", "homicide"),
        ("TX PC 19.03", "homicide"),
        ("TX PC 22.011", "sexual_assault"),
        ("TX PC 22.021", "sexual_assault"),
        ("TX PC 22.02", "violent_felony"),
        ("TX PC 20A.02", "human_trafficking"),
        ("TX PC 20A.02(a)(1)", "human_trafficking"),
        ("TX PC 20A.02(a)(3)", "sex_trafficking"),
        ("TX PC 20A.02(a)(7)", "sex_trafficking"),
        ("TX PC 20A.03", "human_trafficking"),
        ("TX PC 20.05", "immigration_crime"),
        ("TX PC 20.06", "human_trafficking"),
        ("TX PC 43.25", "child_exploitation"),
        ("TX PC 43.26", "child_exploitation"),
        ("TX PC 49.04", "dwi"),
        ("TX PC 49.08", "homicide"),
        ("TX HSC 481.112", "drug_felony"),
        ("TX HSC 481.115", "drug_felony"),
    ],
)
def test_sections(code: str, category: str) -> None:
    found = classify(code)
    assert (found.category, found.matched_by) == (category, "code")


def test_plain_assault_needs_a_level() -> None:
    assert classify("TX PC 22.01").category == "unknown"
    assert classify("TX PC 22.01", level="MA").category == "misdemeanor"
    assert classify("TX PC 22.01", level="F3").category == "violent_felony"


@pytest.mark.parametrize(
    ("code", "text", "level", "category", "entry"),
    [
        (
            "13990031",
            "ASSLT CAUSES BODILY INJ:FAMILY MEMBER (MA)",
            "A",
            "misdemeanor",
            "tx-text:assault-bodily-injury",
        ),
        (
            "13150005",
            "AGG ASSLT W/DEADLY WEAPON",
            "F2",
            "violent_felony",
            "tx-text:agg-assault-deadly-weapon",
        ),
        ("54040009", "DRIVING WHILE INTOXICATED", "B", "dwi", "tx:pc-49.04"),
        (
            "35990014A",
            "ATTM POSS CS PG1<1G (MA)",
            "A",
            "misdemeanor",
            "tx:hsc-481-possession-pg1-pg2",
        ),
        ("11990004", "AGG SEXUAL ASSLT CHILD", "F1", "sexual_assault", "tx:pc-22.021"),
    ],
)
def test_dps_offense_codes(code: str, text: str, level: str, category: str, entry: str) -> None:
    with_text = classify(code, text, level)
    code_only = classify(code, level=level)
    assert (with_text.category, with_text.entry, with_text.matched_by) == (category, entry, "code")
    assert (code_only.category, code_only.entry) == (category, entry)


def test_an_attempt_code_gets_no_default_level() -> None:
    assert classify("35990014").category == "drug_felony"
    assert classify("35990014A").category == "unknown"
    assert classify("35990014A", level="A").category == "misdemeanor"


@pytest.mark.parametrize(
    ("text", "level", "category", "result_level"),
    [
        ("AGG ASSAULT W/DEADLY WEAPON", None, "violent_felony", "felony"),
        ("AGG ASSLT W/DEADLY WEAPON", "F2", "violent_felony", "felony"),
        ("ASSAULT W/BODILY INJURY-FAM VIOL", None, "misdemeanor", "misdemeanor"),
        ("ASSAULT W/BODILY INJURY-FAM VIOL", "F3", "violent_felony", "felony"),
        ("ASSLT CAUSES BODILY INJ:FAMILY MEMBER (MA)", None, "misdemeanor", "misdemeanor"),
        ("Fel Assault FV Enhanced (Prev Conv) (F3)", None, "violent_felony", "felony"),
        ("DRIVING WHILE INTOXICATED", "B", "dwi", "misdemeanor"),
        ("DRIVING WHILE INTOXICATED 3RD OR MORE", None, "dwi", "felony"),
        ("DWI W/PREV INTOX MANSLAUGHTER CONV (F3)", None, "dwi", "felony"),
        ("INTOXICATION MANSLAUGHTER W/VEHICLE", None, "homicide", "felony"),
        ("INTOXICATION ASSAULT W/VEHICLE SBI", None, "violent_felony", "felony"),
        ("CAPITAL MURDER", None, "homicide", "felony"),
        ("SOLIC/COMM CAPITAL MURDER", None, "violent_felony", "felony"),
        ("POSS CS PG1<1G (FS)", None, "drug_felony", "felony"),
        ("ATTM POSS CS PG1<1G (MA)", None, "misdemeanor", "misdemeanor"),
        ("POSS CS PG 3 <28G (MA)", None, "misdemeanor", "misdemeanor"),
        ("POSS MARIJ <2OZ (MB)", None, "misdemeanor", "misdemeanor"),
        ("POSS MARIJ >4OZ<=5LBS(FS)", None, "drug_felony", "felony"),
        ("MAN DEL CS PG 1>=4G<200G (F1)", None, "drug_felony", "felony"),
        ("THEFT>=$50<$500(B)", None, "misdemeanor", "misdemeanor"),
        ("THEFT>=$1500<$20K(FS)", None, "other_felony", "felony"),
        ("TAMPER W/GOV REC-INS DOC (a)(1,3,4,6) (F3)", None, "other_felony", "felony"),
        ("BURGLARY OF HABITATION", None, "other_felony", "felony"),
        ("BURGLARY OF VEHICLE", None, "misdemeanor", "misdemeanor"),
        ("INDECENCY W/CHILD SEXUAL CONTACT", None, "sexual_assault", "felony"),
        ("POSS PROMO OF CHILD PORNOGRAPHY (F2)", None, "child_exploitation", "felony"),
        ("CONTINUOUS SMUGGLING OF PERSONS", None, "human_trafficking", "felony"),
        ("SMUGGLING OF PERSONS", None, "immigration_crime", "felony"),
        ("PROSTITUTION", "B", "misdemeanor", "misdemeanor"),
        ("CITY ORDINANCE VIOLATION", "C", "ordinance", "misdemeanor"),
        ("TRAFFIC OFFENSE MULTIPLE", "C", "misdemeanor", "misdemeanor"),
    ],
)
def test_travis_county_texts(
    text: str, level: str | None, category: str, result_level: str
) -> None:
    found = classify(description=text, level=level)
    assert (found.category, found.level) == (category, result_level)


@pytest.mark.parametrize(
    "text",
    [
        "OUT OF COUNTY_FELONY",
        "OUT OF COUNTY MISDEMEANOR",
        "MOTION TO REVOKE PROBATION",
        "FUGITIVE FROM JUSTICE",
    ],
)
def test_lines_that_name_no_offense_stay_unknown(text: str) -> None:
    found = classify(description=text, level="F")
    assert found.category == "unknown"
    assert found.entry is not None
    assert not found.is_hold
