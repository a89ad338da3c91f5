"""Counts registered with the records they count: every relation comes from the records,
none declared (issue 12's examples, as an attacker with a pencil reads them)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.disclosure import members
from analysis.disclosure.page import DisclosureError, Ledger
from analysis.presentation.appendix import Appendix


def _app() -> Appendix:
    return Appendix("Test", "2024-25", service="Test service")


def _households(ids: range) -> frozenset[str]:
    return members.records("household", ids)


def _table(rows: dict[str, range], column: str = "n") -> pd.DataFrame:
    frame = pd.DataFrame({"row": list(rows), column: [len(r) for r in rows.values()]})
    cells = {(i, column): _households(r) for i, r in enumerate(rows.values())}
    return members.attach(frame, cells)


def _audited(app: Appendix) -> tuple[set[str], list]:
    app.finish()
    return app.hidden, app.ledger.exposures(app.hidden)


def test_a_sentence_total_minus_a_tables_rows_needs_no_declared_relation():
    # "20 households left" over a table of 3 + 8 + 9 leavers: 3 is recoverable unless
    # another cell is withheld too.
    app = _app()
    app.findings([f"{app.count(20, records=_households(range(20)))} households left."])
    app.table(
        _table({"a": range(0, 3), "b": range(3, 11), "c": range(11, 20)}), "Leavers", counts=["n"]
    )
    hidden, exposed = _audited(app)
    assert not exposed
    assert hidden == {"table-1|a|n", "table-1|b|n"}


def test_two_breakdowns_of_one_group_in_different_tables():
    # Leavers by stage (3, 17) and by reason (10, 10): the records make the two tables
    # breakdowns of the same 20 households with no base named.
    app = _app()
    app.table(_table({"early": range(0, 3), "late": range(3, 20)}), "By stage", counts=["n"])
    app.table(_table({"x": range(0, 10), "y": range(10, 20)}), "By reason", counts=["n"])
    hidden, exposed = _audited(app)
    assert not exposed
    assert "table-1|early|n" in hidden and len(hidden) >= 2


def test_a_count_inside_a_shown_count_of_five_or_fewer_is_bounded_and_caught():
    # 3 approved within 12 months, of the 5 approved: withheld alone it would lie in 1-5.
    app = _app()
    frame = pd.DataFrame({"year": ["2024-25"], "approved": [8], "within 12 months": [3]})
    cells = {(0, "approved"): _households(range(8)), (0, "within 12 months"): _households(range(3))}
    app.table(members.attach(frame, cells), "Approvals", counts=["approved", "within 12 months"])
    other = pd.DataFrame({"stage": ["panel"], "approved late": [5]})
    app.table(
        members.attach(other, {(0, "approved late"): _households(range(3, 8))}),
        "Late approvals",
        counts=["approved late"],
    )
    hidden, exposed = _audited(app)
    assert not exposed
    # withholding "8" too: 3 = 8 - 5 is then unknown, but only if 8 hides with it
    assert {"table-1|2024-25|within 12 months", "table-2|panel|approved late"} <= hidden


def test_a_subset_bounded_within_one_to_five_is_an_exposure():
    ledger = Ledger()
    ledger.add("all", 3, records=_households(range(3)))
    ledger.add("some", 2, records=_households(range(2)))
    # "some" withheld, "all" shown as 3: some lies in 0 to 3.
    assert [e.key for e in ledger.exposures({"some"})] == ["some"]
    assert not ledger.exposures({"some", "all"})


def test_the_json_keeps_atoms_and_no_record():
    ledger = Ledger()
    ledger.add("all", 3, records=_households(range(3)))
    ledger.add("some", 2, records=_households(range(2)))
    data = ledger.as_json()
    assert "household" not in str(data)
    again = Ledger.from_json(data)
    assert [e.key for e in again.exposures({"some"})] == ["some"]
    assert not again.exposures({"some", "all"})


def test_a_count_must_match_its_records():
    ledger = Ledger()
    with pytest.raises(DisclosureError, match="'n' as 3 but it counts 2 records"):
        ledger.add("n", 3, records=_households(range(2)))
    ledger.add("m", 2, records=_households(range(2)))
    with pytest.raises(DisclosureError, match="two different sets of records"):
        ledger.add("m", 2, records=_households(range(5, 7)))


def test_records_survive_the_row_filters_a_notebook_makes():
    table = _table({"a": range(0, 3), "b": range(3, 11), "c": range(11, 20)})
    kept = table[table["row"] != "b"].drop(columns=[])
    assert set(members.of(kept)) == {(0, "n"), (1, "n"), (2, "n")}
    app = _app()
    app.table(kept, "Two rows", counts=["n"])
    assert app.ledger.members["table-1|2|n"] == _households(range(11, 20))


def test_records_of_two_kinds_never_meet():
    assert not members.records("household", [1]) & members.records("child", [1])
