"""diff: one pack at two dates, two small packs, a layer pack read with an agency's profile,
the command line; every change's example request reproduces it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from casebycase import evaluate, load_pack, parse_request
from casebycase.cli import app
from casebycase.policy.compile import CompiledPack
from casebycase.policy.diff import Change, Comparison, action_words, diff

runner = CliRunner()
TRAVIS = "travis-county-so-2017"
I247A = "release_if_not_collected_i247a (48 h after subject.release_at)"
HOLD_287_7D = "release_if_not_collected_287_7d (48 h after subject.release_at, business days)"
LISTED = (
    "charged or convicted felony offense of category homicide, human_trafficking, "
    "sex_trafficking or sexual_assault"
)
UNWARRANTED = (
    "detainers from ICE, without a judge-signed warrant, with no court_order or "
    "judicial_warrant document; for a subject in custody"
)
NO_PROOF = "whose status is not established, who has not provided proof of status"
EXACT = "tx:pc-19.02, tx:pc-19.03, tx:pc-20A.02, tx:pc-20A.02-sex or tx:pc-22.021"

OLD = """pack: {id}
version: "1"
title: Hold limits
agency: {{name: Test sheriff, type: sheriff, state: MO, runs_jail: true}}
sources:
  - {{id: o, layer: agency, authority: policy, citation: Order, title: O}}
rules:
  - id: n.hold-short
    says: Honor detainers when release is close.
    when: {{kind: detainer, hours_until_release: {{at_most: {hours}}}}}
    outcome: comply
    because: [{{source: o}}]
  - id: n.many-offenses
    says: Refer detainers for people with three or more offenses, one of them a felony.
    when: {{kind: detainer, offense_count: {{at_least: 3}}, offense: {{level: felony}}}}
    outcome: refer
    priority: 1
    because: [{{source: o}}]
  - id: n.booked
    says: Verify status soon after booking.
    when: {{subject.booked: true, hours_since_booking: {{less_than: {booked}}}}}
    actions: [{{do: verify_status, by: {{hours: 48, after: subject.booked_at}}}}]
    because: [{{source: o}}]
  - id: n.new-order
    says: From 2026, jail access requests are answered.
    effective: 2026-01-01
    when: {{kind: jail_access}}
    outcome: comply
    because: [{{source: o}}]
default: {{id: n.default, outcome: refer}}
"""


def _pack(tmp_path: Path, name: str, hours: int, booked: int) -> CompiledPack:
    folder = tmp_path / name
    folder.mkdir()
    text = OLD.format(id=name, hours=hours, booked=booked)
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    return load_pack(folder)


def _reproduced(result: Comparison, old: CompiledPack, new: CompiledPack) -> None:
    """Each change's example request, evaluated on both sides, shows the change."""
    for change in result.changes:
        request = parse_request(change.example["request"])
        days = change.example.get("at", [None, None])
        before, after = (
            evaluate(request, pack, at=dt.date.fromisoformat(day) if day else None)
            for pack, day in ((old, days[0]), (new, days[1]))
        )
        if change.old:
            assert (before.outcome, after.outcome) == (change.old, change.new), change
        else:
            assert before.outcome == after.outcome, change
        have = [{action_words(a) for a, _ in r.decision.actions} for r in (before, after)]
        assert set(change.added) <= have[1] - have[0], change
        assert set(change.removed) <= have[0] - have[1], change


def _rows(changes: list[Change]) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(c.region, c.old, c.new, c.added, c.removed) for c in changes]


def test_travis_before_and_under_sb4() -> None:
    result = diff(TRAVIS, TRAVIS, (dt.date(2017, 3, 1), dt.date(2018, 6, 1)))
    assert (result.old, result.new) == (f"{TRAVIS} at 2017-03-01", f"{TRAVIS} at 2018-06-01")
    # SB 4's mandate (art. 2.251) applies unless the person proved lawful status (2.251(b)),
    # and it adds telling the person they are held on a detainer (2.251(a)(2)); what the
    # county policy did before depended on the exact offense (its Penal Code section)
    added = ("inform_held_on_detainer",)
    base = f"{UNWARRANTED}, {NO_PROOF}; with no charged or convicted offense of entry {EXACT}"
    assert [(c.old, c.new, c.added, c.removed) for c in result.outcomes] == [
        ("decline", "comply", added, ()),
        ("refer", "comply", added, ("confirm_listed_offense",)),
        ("refer", "comply", added, ("sheriff_case_review",)),
        ("refer", "comply", added, ("sheriff_case_review",)),
        ("refer", "comply", added, ("sheriff_case_review",)),
    ]
    assert all(c.region.startswith(base) for c in result.outcomes)
    assert result.outcomes[3].region.endswith(
        "with some charged or convicted offense of entry tx:pc-20.05 or tx:pc-20.06"
    )
    # the I-247A's own calendar-hour limit (source effective 2017-04-02) now applies to an
    # honored I-247A, or to a detainer whose form is not stated; a judge's warrant has none
    honored = (
        "release_if_not_collected_i247a (48 h after subject.release_at)",
        "serve_detainer_on_subject",
    )
    listed = f"for a subject in custody; with some charged or convicted offense of entry {EXACT}"
    assert _rows(result.actions) == [
        (
            "detainers from ICE, without a judge-signed warrant, with document I-247A, with no "
            f"court_order or judicial_warrant document; {listed}",
            "",
            "",
            honored,
            (),
        ),
        (
            "detainers from ICE, without a judge-signed warrant, with no I-247, I-247D, I-247N, "
            f"I-247X, court_order or judicial_warrant document; {listed}",
            "",
            "",
            honored,
            (),
        ),
        (f"detainers from ICE; for a subject in custody, {NO_PROOF}", "", "", added, ()),
    ]
    pack = load_pack(TRAVIS)
    _reproduced(result, pack, pack)


def test_small_packs_numbers_and_dates(tmp_path: Path) -> None:
    old, new = _pack(tmp_path, "old", 48, 48), _pack(tmp_path, "new", 24, 72)
    result = diff(old, new)
    assert _rows(result.outcomes) == [
        (
            "detainers for a subject due for release in more than 24 and at most 48 hours; "
            "with less than 3 offenses",
            "comply",
            "refer",
            (),
            (),
        ),
        (
            "detainers for a subject due for release in more than 24 and at most 48 hours; "
            "with no felony offense",
            "comply",
            "refer",
            (),
            (),
        ),
    ]
    assert _rows(result.actions) == [
        (
            "requests of every kind for a subject booked at least 48 and less than 72 hours "
            "before the request",
            "",
            "",
            ("verify_status (48 h after subject.booked_at)",),
            (),
        ),
    ]
    assert result.outcomes[0].partly == ("+verify_status (48 h after subject.booked_at)",)
    _reproduced(result, old, new)


def test_two_packs_each_at_a_date(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "p", 48, 48)
    result = diff(pack, pack, (dt.date(2025, 6, 1), dt.date(2026, 6, 1)))
    assert _rows(result.changes) == [("jail access requests", "refer", "comply", (), ())]
    assert result.changes[0].example["at"] == ["2025-06-01", "2026-06-01"]
    assert not diff(pack, pack, (dt.date(2026, 6, 1), dt.date(2026, 6, 1))).changes
    _reproduced(result, pack, pack)


def test_layer_pack_is_read_with_the_agency_profile() -> None:
    result = diff("federal", TRAVIS)
    assert result.notes == [
        f"federal has no agency profile: it is read with the profile of {TRAVIS}"
    ]
    assert [(c.old, c.new) for c in result.outcomes] == [
        ("refer", "comply"),
        ("refer", "comply"),
        ("refer", "decline"),
        ("refer", "decline"),
        ("refer", "comply"),
        ("refer", "decline"),
        ("refer", "comply"),
    ]
    assert result.outcomes[5].region.startswith(
        f"{UNWARRANTED}; with no charged or convicted offense of entry {EXACT}"
    )
    assert result.outcomes[5].region.endswith("on dates from 2017-02-01 to 2017-09-24")
    assert result.outcomes[6].region == (
        f"{UNWARRANTED}; with some charged or convicted offense of entry {EXACT}; on dates from "
        "2017-02-01"
    )
    # the practice before 2017 is dated from the jail's first detainer record, and an I-247N
    # alone (notification only) is not honored as a hold
    assert result.outcomes[0].region.endswith("on dates from 1991-08-17 to 2017-01-31")
    assert "with no I-247N, court_order or judicial_warrant document" in result.outcomes[0].region


def test_cli_diff_exit_codes_and_json() -> None:
    result = runner.invoke(app, ["diff", TRAVIS, "--at", "2017-03-01", "--at", "2018-06-01"])
    assert result.exit_code == 1, result.output
    assert "decline -> comply" in result.output and "Outcome changes" in result.output
    result = runner.invoke(
        app, ["diff", TRAVIS, "--at", "2017-03-01", "--at", "2018-06-01", "--json"]
    )
    data = json.loads(result.stdout)
    assert data["changed_combinations"] == 72064 and len(data["changes"]) == 8
    assert data["changes"][0]["old"] == "decline" and data["changes"][0]["new"] == "comply"
    result = runner.invoke(app, ["diff", TRAVIS, TRAVIS])
    assert result.exit_code == 0 and "0 change(s)" in result.output


def test_cli_diff_invalid_input_exits_2() -> None:
    for args, words in (
        ([TRAVIS], "give --at twice"),
        ([TRAVIS, "--at", "2017-13-01", "--at", "2018-06-01"], "write it as YYYY-MM-DD"),
        (
            [TRAVIS, TRAVIS, "--at", "2017-01-01", "--at", "2018-01-01", "--at", "2019-01-01"],
            "at most two dates",
        ),
        (["travis-county", TRAVIS], "did you mean"),
    ):
        result = runner.invoke(app, ["diff", *args])
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr and "Traceback" not in result.stderr
