"""Missouri: RSMo sections and the Boone County jail's charge titles."""

from __future__ import annotations

import pytest

from casebycase.offenses import classify


@pytest.mark.parametrize(
    ("code", "category", "entry"),
    [
        ("RSMo 566.203", "human_trafficking", "mo:566.203"),
        ("RSMo 566.206", "human_trafficking", "mo:566.206"),
        ("RSMo 566.209", "sex_trafficking", "mo:566.209"),
        ("566.209", "sex_trafficking", "mo:566.209"),
        ("RSMo § 566.210.1", "sex_trafficking", "mo:566.210"),
        ("RSMo 566.211", "sex_trafficking", "mo:566.211"),
        ("RSMo 566.215", "human_trafficking", "mo:566.215"),
        ("RSMo 573.023", "child_exploitation", "mo:573.023-573.037"),
        ("RSMo 573.037", "child_exploitation", "mo:573.023-573.037"),
        ("RSMo 566.030", "sexual_assault", "mo:566.030"),
        ("RSMo 566.060", "sexual_assault", "mo:566.060"),
        ("RSMo 565.020", "homicide", "mo:565.020"),
        ("RSMo 565.021", "homicide", "mo:565.021"),
        ("RSMo 565.024", "homicide", "mo:565.024"),
        ("RSMo 565.050", "violent_felony", "mo:565.050"),
        ("RSMo 565.072", "violent_felony", "mo:565.072"),
        ("RSMo 565.110", "violent_felony", "mo:565.110"),
        ("RSMo 571.015", "violent_felony", "mo:571.015"),
        ("RSMo 569.020", "violent_felony", "mo:569.020"),
        ("RSMo 569.170", "other_felony", "mo:569.170"),
        ("RSMo 579.020", "drug_felony", "mo:579.020"),
        ("RSMo 579.065", "drug_felony", "mo:579.065"),
        ("RSMo 579.068", "drug_felony", "mo:579.068"),
        ("RSMo 195.211", "drug_felony", "mo:579.020"),
        ("RSMo 577.010", "dwi", "mo:577.010"),
        ("RSMo 565.056", "misdemeanor", "mo:565.056"),
        ("RSMo 569.140", "misdemeanor", "mo:569.140"),
    ],
)
def test_sections(code: str, category: str, entry: str) -> None:
    found = classify(code)
    assert (found.category, found.entry, found.matched_by) == (category, entry, "code")


def test_the_citation_and_title_come_with_the_entry() -> None:
    found = classify("RSMo 566.209")
    assert found.citation == "RSMo 566.209"
    assert found.title == "Trafficking for the purposes of sexual exploitation"
    assert found.level == "felony"
    assert not found.is_hold


@pytest.mark.parametrize(
    ("text", "category", "level"),
    [
        ("MURDER 2ND DEGREE", "homicide", "felony"),
        ("MURDER 1ST DEGREE", "homicide", "felony"),
        ("ARMED CRIMINAL ACTION", "violent_felony", "felony"),
        ("DWI - ALCOHOL", "dwi", "misdemeanor"),
        ("DWI - HABITUAL", "dwi", "felony"),
        ("ASSAULT 1ST DEGREE OR ATTEMPT", "violent_felony", "felony"),
        ("ASSAULT - 3RD DEGREE - SPECIAL VICTIM", "violent_felony", "felony"),
        ("ASSAULT 4TH DEG - PURSUANT TO SUBDIVISION (3)", "misdemeanor", "misdemeanor"),
        ("DOMESTIC ASSAULT 2ND DEG", "violent_felony", "felony"),
        ("DOMESTIC ASSAULT 4TH DEG - 1ST OR 2ND OFFENSE (1), (5)", "misdemeanor", "misdemeanor"),
        ("RAPE OR ATTMPT RAPE-1ST DEG", "sexual_assault", "felony"),
        ("STATUTORY SODOMY - 2ND DEGREE", "sexual_assault", "felony"),
        ("CHILD MOLESTATION - 2ND DEGREE -CHILD LESS THAN 12 YOA", "sexual_assault", "felony"),
        ("SEXUAL MISCONDUCT - 1ST DEGREE - 1ST OFFENSE", "misdemeanor", "misdemeanor"),
        ("SEXUAL TRAFFICKING OF A CHILD - 2ND DEG - UNDER 18 YOA", "sex_trafficking", "felony"),
        ("SEXUAL EXPLOITATION OF A MINOR", "child_exploitation", "felony"),
        ("POSSESSION OF CHILD PORNOGRAPHY - 1ST OFFENSE", "child_exploitation", "felony"),
        (
            "ENTICEMENT OR ATTEMPTED ENTICEMENT OF A CHILD (ACTOR 21 YRS",
            "child_exploitation",
            "felony",
        ),
        ("TRAFFICKING DRUGS - 2ND DEGREE", "drug_felony", "felony"),
        ("POSSESSION OF CONTROLLED SUBSTANCE EXCEPT 35 GRAMS OR LESS O", "drug_felony", "felony"),
        (
            "POSSESSION OF MARIJUANA/SYNTHETIC CANNABINOID OF 10 GRAMS OR",
            "misdemeanor",
            "misdemeanor",
        ),
        ("DELIVERY OF CONTROLLED SUBSTANCE EXCEPT 35 GRAMS OR LESS OF", "drug_felony", "felony"),
        ("UNLAWFUL USE OF WEAPON - SUBSECTION 4 - EXHIBITING", "violent_felony", "felony"),
        ("UNLAWFUL USE OF WEAPON-SUBSECTION 9-SHOOTING CAUSING DEATH", "homicide", "felony"),
        ("UNLAWFUL POSSESSION OF A FIREARM", "other_felony", "felony"),
        ("STEALING - $750 OR MORE", "other_felony", "felony"),
        (
            "STEALING - VALUE LESS THAN $150 AND NO PRIOR STEALING OFFENS",
            "misdemeanor",
            "misdemeanor",
        ),
        ("BURGLARY 1ST DEGREE", "violent_felony", "felony"),
        ("BURGLARY - 2ND DEGREE", "other_felony", "felony"),
        ("ROBBERY - 1ST DEGREE", "violent_felony", "felony"),
        ("KIDNAPPING - 3RD DEGREE", "misdemeanor", "misdemeanor"),
        ("RESISTING/INTERFERING WITH ARREST FOR A FELONY", "other_felony", "felony"),
        ("TRESPASS - 1ST DEGREE", "misdemeanor", "misdemeanor"),
        ("PEACE DISTURBANCE - 1ST OFFENSE", "misdemeanor", "misdemeanor"),
    ],
)
def test_boone_county_charge_titles(text: str, category: str, level: str) -> None:
    found = classify(description=text)
    assert (found.category, found.level, found.matched_by) == (category, level, "description")


def test_boone_charge_codes_carry_the_section() -> None:
    found = classify("565.076-003Y202013", "DOMESTIC ASSAULT 4TH DEG - 1ST OR 2ND OFFENSE")
    assert (found.entry, found.matched_by, found.category) == ("mo:565.076", "code", "misdemeanor")


def test_a_code_that_needs_a_level_yields_to_a_decided_description() -> None:
    bare = classify("579.015-001Y202235|")
    assert (bare.category, bare.entry) == ("unknown", "mo:579.015")
    found = classify(
        "579.015-001Y202235|", "POSSESSION OF CONTROLLED SUBSTANCE EXCEPT 35 GRAMS OR LESS O"
    )
    assert (found.category, found.matched_by) == ("drug_felony", "description")
    hinted = classify("RSMo 579.015", level="misdemeanor")
    assert (hinted.category, hinted.matched_by) == ("misdemeanor", "code")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # several offenses on one warrant line: the most serious one decides
        ("FOJO MURDER 2ND DEL CONTR SUBT X2", "homicide"),
        ("FTA ASLT 1ST ACA ASLT 2ND", "violent_felony"),
        ("FOJO - TAMPER W/MV, BURG 2ND, RESISTING, PROP DMG 1ST", "other_felony"),
        ("OOC/COLE CO/ FTA/ TRAFFICKING DRUGS", "drug_felony"),
        ("FTA - TRESPASS 1ST", "misdemeanor"),
        # an undecided offense that could be more serious makes the line unknown
        ("FTA: UUW, DV4, PROP DMG", "unknown"),
        ("FTA - UNLWFL POSS F/A, POSS MARIJUANA", "unknown"),
        # a level letter belongs to the offense it follows
        ("PROB VIOL: POSS CONT SUBS, RESISTING (M)", "drug_felony"),
        ("FTA: DUR (F), F/T YIELD", "other_felony"),
    ],
)
def test_warrant_lines_with_several_offenses(text: str, category: str) -> None:
    assert classify(description=text).category == category
