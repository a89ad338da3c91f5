"""The placement-stability tables carry the records each count counts (children,
placements, rows of the returns), so the page's audit knows every relation between them
with none declared by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from stability_helpers import ep, write_returns

from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.disclosure import audit, members
from analysis.presentation import appendix as page
from analysis.presentation.appendix import Appendix
from analysis.sources.ssda903 import validator
from analysis.sources.ssda903.load import read_returns
from analysis.stability import measures as stability
from analysis.stability import report

YEAR = FinancialYear.parse("2024-25")
DOBS = {"X": "2012-01-01", "Y": "2015-02-02", "Z": "2016-03-03", "W": "2010-04-04"}
EPISODES = [
    # X: moves twice in the year, both foster placements ending unplanned.
    ep("X", "2020-05-01", "S", "U4", "2024-06-01", reason="CREQB"),
    ep("X", "2024-06-01", "P", "U6", "2024-10-01", provider="PR4", reason="ALLEG", post="CV3 3CC"),
    ep("X", "2024-10-01", "P", "K2", provider="PR4", post="CV4 4DD", urn="SC000009"),
    # Y: one foster placement for years.
    ep("Y", "2021-01-01", "S", "U4"),
    # Z: comes into care in the year and moves once, at the child's request.
    ep("Z", "2024-05-01", "S", "U4", "2024-09-01", reason="CHILD"),
    ep("Z", "2024-09-01", "P", "U4", provider="PR4", post="CV5 5EE"),
    # W: leaves care from a foster placement during the year (not a move).
    ep("W", "2022-01-01", "S", "U6", "2024-11-01", rec="E4A"),
]


@pytest.fixture
def data(tmp_path):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2022, 2025))
    returns = read_returns(headers, episodes)
    history = stability.build_history(returns)
    row = stability.indicators(history, YEAR, returns.years).iloc[0]
    missing = stability.not_available(YEAR, returns.years)
    return report.Year(YEAR, None, returns, history, row, missing, {})


def _cells(table: pd.DataFrame, label: str, column: str) -> dict[str, frozenset[str]]:
    cells = members.of(table)
    return {table[label].iloc[i]: ids for (i, c), ids in cells.items() if c == column}


def test_child_records_name_the_year_council_and_child(data):
    la = data.history.children["LA"].iloc[0]
    assert sorted(report.child_records(data)) == [f"child:2024-25:{la}:{c}" for c in "WXYZ"]


def test_headline_counts_carry_the_children_they_count(data):
    table = report.headline(data)
    cells = members.of(table)
    la = data.history.children["LA"].iloc[0]
    kids = {
        (i, c): sorted(r.removeprefix(f"child:2024-25:{la}:") for r in ids)
        for (i, c), ids in cells.items()
    }
    # Looked after on 31 March: X, Y and Z (W left); X had three placements in the year.
    assert table["Children in the group"].iloc[0] == 3
    assert kids[(0, "Children in the group")] == ["X", "Y", "Z"]
    assert kids[(0, "Children meeting it")] == ["X"]
    # In care during 2023-24 too: X and Y (Z came in this year); X had 3 placements.
    assert kids[(1, "Children in the group")] == ["X", "Y"]
    assert kids[(1, "Children meeting it")] == ["X"]
    # Under 16 and in care since 30 September 2022: X and Y; Y with the same carer.
    assert kids[(2, "Children in the group")] == ["X", "Y"]
    assert kids[(2, "Children meeting it")] == ["Y"]
    assert all(len(ids) == table[c].iloc[i] for (i, c), ids in cells.items())


def test_moves_are_the_placements_left_and_endings_include_them(data):
    reasons = report.moves_by_reason(data)
    by_reason = _cells(reasons, "Reason for the placement change", "Moves")
    assert {k: len(v) for k, v in by_reason.items()} == dict(
        zip(reasons["Reason for the placement change"], reasons["Moves"], strict=True)
    )
    moved = frozenset().union(*by_reason.values())
    assert len(moved) == 3  # X twice, Z once
    assert all(r.startswith("placement:2024-25:") for r in moved)
    ended = report.unplanned(data)
    cells = members.of(ended)
    # No "Other" foster placement ended: no row of zeros for it (review 16).
    assert ended["Foster placement"].tolist() == [
        "Own foster carers", "Connected persons", "Agency foster carers"
    ]  # fmt: skip
    assert ended.set_index("Foster placement").loc["Own foster carers"].tolist() == [1, 2]
    # X's unplanned ending from its own carers (CREQB) is also X's first move.
    own_unplanned = cells[(0, "Ended unplanned")]
    assert own_unplanned < moved
    endings = frozenset().union(*cells.values())
    assert len(endings) == int(ended[report.UNPLANNED_COUNTS].to_numpy().sum()) == 4
    # W left care: an ending that is no move.
    assert len(endings - moved) == 1
    reasons_unplanned = _cells(
        report.unplanned_reasons(data), "Why the foster placement ended", "Placements"
    )
    assert frozenset().union(*reasons_unplanned.values()) == frozenset().union(
        *(cells[(i, "Ended unplanned")] for i in range(len(ended)))
    )


def test_placements_and_at_risk_break_down_the_cohort(data):
    bands = _cells(report.placements(data), "Placements in the year", "Children")
    assert {k: len(v) for k, v in bands.items()} == {"1": 1, "2": 1, "3": 1, "4": 0, "5 or more": 0}
    cohort = members.of(report.headline(data))[(0, "Children in the group")]
    assert frozenset().union(*bands.values()) == cohort
    risk = _cells(report.at_risk(data), "Placement now", "Children")
    assert frozenset().union(*risk.values()) == bands["3"]  # X moved twice


def _quiet(monkeypatch) -> Appendix:
    monkeypatch.setattr(page, "display", lambda *a, **k: None)
    monkeypatch.setattr(page, "update_display", lambda *a, **k: None)
    return Appendix("Test", "2024-25", service="Test service")


def _moves_page(monkeypatch, counts: dict[str, int]) -> Appendix:
    """A page with the year's moves in a sentence and by reason in a table, each count
    with its records (the placements left), and no relation declared."""
    app = _quiet(monkeypatch)
    reasons = [r for r, n in counts.items() for _ in range(n)]
    moves = pd.DataFrame(
        {"reason": reasons, "record": [f"placement:c{i}#{i}" for i in range(len(reasons))]}
    )
    total = app.count(len(moves), "moves", frozenset(moves["record"]))
    app.findings([f"There were {total} placement moves in the year."])
    app.table(
        report._counted(moves, "reason", "Reason", "Moves", list(counts)),
        "Moves by reason",
        counts=["Moves"],
        name="reasons",
    )
    assert not app.ledger.relations  # nothing declared: the records relate the counts
    return app


def test_the_reviewers_table_3_sum_is_known_from_records_alone(monkeypatch):
    # 2024-25, Table 3: "Resignation" 5 and "Approval removed" 3 withheld, the other
    # reasons and the sentence's total shown: the reader knows the two add up to 8. The
    # records alone tell the audit so (without them it would know nothing of the pair).
    app = _moves_page(
        monkeypatch, {"Care plan": 103, "Other": 44, "Resignation": 5, "Approval removed": 3}
    )
    pair = ["reasons|Resignation|Moves", "reasons|Approval removed|Moves"]
    known = {k: v for k, v in app.ledger.values.items() if k not in pair}
    values, relations = app.ledger._everything()
    unstated = set(values) - app.ledger.stated
    ranges = audit.ranges(known, {*pair, *unstated}, relations, targets=pair, positive=pair)
    assert ranges == {pair[0]: (1.0, 7.0), pair[1]: (1.0, 7.0)}


def test_a_withheld_pair_bounded_within_0_to_3_by_the_total_is_caught(monkeypatch):
    # The same table where the two withheld reasons add up to 3: each lies within 0-3,
    # caught with no declared relation, and the page withholds one more reason. (Adding
    # up to 5, each 0 to 5, they say no more than "c" does: not an exposure.)
    app = _moves_page(
        monkeypatch, {"Care plan": 103, "Other": 44, "Resignation": 2, "Approval removed": 1}
    )
    pair = {"reasons|Resignation|Moves", "reasons|Approval removed|Moves"}
    assert {(e.key, e.low, e.high) for e in app.ledger.exposures(pair)} == {
        ("reasons|Resignation|Moves", 0.0, 3.0),
        ("reasons|Approval removed|Moves", 0.0, 3.0),
    }
    app.finish()
    assert app.hidden == {*pair, "reasons|Other|Moves"}
    assert not app.ledger.exposures(app.hidden)


def test_a_rule_that_raised_an_error_is_not_listed_as_failed(monkeypatch):
    app = _quiet(monkeypatch)
    raw = {
        "ruleset": "lac2024_25",
        "note": "",
        "status": {"141": "fail", "231": "error", "101": "pass"},
        "failures": [
            {"rule": "141", "message": "Date not valid", "table": "Episodes", "rows": [0, 4]}
        ],
    }
    data = SimpleNamespace(
        year=YEAR,
        checks={"2024-25": (validator.results(raw), raw)},
        returns=SimpleNamespace(
            files={"2024-25": tuple(SimpleNamespace(name=n) for n in ("h.csv", "e.csv"))}
        ),
    )
    table, sentence = report.validator_results(data, app)
    assert table[["Rule", "Rows affected"]].values.tolist() == [["141", 2]]
    assert members.of(table) == {(0, "Rows affected"): frozenset({"row:e.csv:2", "row:e.csv:6"})}
    assert "query 2 rows under 1 rule." in app.stated(sentence)
    assert (
        "One check (rule 231) could not be run: a fault in the validator, not the return (it "
        "raises an error" in sentence
    )
    assert app.ledger.members["rows queried"] == frozenset({"row:e.csv:2", "row:e.csv:6"})


@pytest.fixture(scope="module")
def coventry():
    return report.load_year("2024-25", config.load("coventry"))


def test_coventry_counts_are_their_records(coventry, monkeypatch):
    app = _quiet(monkeypatch)
    app.table(report.headline(coventry), "h", counts=report.HEADLINE_COUNTS, name="headline")
    app.table(report.snapshot(coventry), "s", counts=["Children (returns)"], name="snapshot")
    app.table(report.moves_by_reason(coventry), "r", counts=["Moves"], name="reasons")
    sizes = {k: len(v) for k, v in app.ledger.members.items()}
    assert [
        sizes[f"headline|{i}|{c}"]
        for i in report.dfe_stability.INDICATORS
        for c in report.HEADLINE_COUNTS
    ] == [684, 76, 487, 119, 243, 159]
    # The key retention's connected persons table shares (analysis.disclosure.shared).
    assert sizes["snapshot|Connected persons|Children (returns)"] == 132
    moves = [v for k, v in app.ledger.members.items() if k.startswith("reasons|")]
    assert len(frozenset().union(*moves)) == 303
    cohort = app.ledger.members["headline|3+ placements in the year|Children in the group"]
    assert app.ledger.members["snapshot|Connected persons|Children (returns)"] < cohort
