"""Every count the retention page shows carries the records it counts (tables.py): exact
record sets on a hand-made register and on the example one, and an attack the hand-declared
relations missed, now caught."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.disclosure import members
from analysis.presentation.appendix import Appendix
from analysis.retention import measures as m
from analysis.retention import relations
from analysis.retention import tables as t
from analysis.retention.load import Register, load_register
from analysis.retention.schema import CANONICAL
from analysis.sources.published import load as published

YEARS = ["2023-24", "2024-25"]


def _household(hid, kind, approved, gone=None, reason=None, places=(2, 1, 1, 0)):
    """One household's row of an extract: id, type, dates, reason and places
    (approved, filled, vacant, unavailable)."""
    a, f, v, u = places
    return {
        "household_id": hid,
        "household_type": kind,
        "approval_date": pd.Timestamp(approved),
        "deregistration_date": pd.Timestamp(gone) if gone else pd.NaT,
        "reason": reason,
        "approved_places": a,
        "filled_places": f,
        "vacant_places": v,
        "unavailable_places": u,
        "unavailable_reason": "carer_not_considering" if u else None,
    }


def _register(rows: dict[str, list[dict]]) -> Register:
    """A register from each year's extract rows."""
    frames = []
    for year, found in rows.items():
        frame = pd.DataFrame(found).assign(year=year, source_file=f"{year}.csv")
        frame["source_row"] = range(2, len(frame) + 2)
        frames.append(frame)
    snapshots = pd.concat(frames, ignore_index=True).reindex(
        columns=["year", *CANONICAL, "source_file", "source_row"]
    )
    snapshots = snapshots.assign(
        mainstream=snapshots["household_type"].ne("connected_persons"),
        ceasing=snapshots["reason"].notna() & snapshots["reason"].ne("change_of_approval"),
    )
    rows_read = pd.DataFrame(
        [
            {
                "year": y,
                "file": f"{y}.csv",
                "rows read": len(r),
                "rows used": len(r),
                "rows set aside": 0,
            }
            for y, r in rows.items()
        ]
    )
    return Register(
        FinancialYear.parse(YEARS[-1]), snapshots, pd.DataFrame(), rows_read, pd.DataFrame()
    )


def _small_register() -> Register:
    """Twelve mainstream households on 31 March 2024. In 2024-25 H000001 ceases to foster
    (dissatisfied), H000002 is approved, and H000003's approval falls from 3 places to 1."""
    steady = [_household(f"H0001{n:02d}", "mainstream", "2015-06-01") for n in range(10)]
    first = [
        _household("H000001", "mainstream", "2016-01-01"),
        _household("H000003", "mainstream", "2017-01-01", places=(3, 2, 1, 0)),
        *steady,
    ]
    second = [
        _household(
            "H000001", "mainstream", "2016-01-01", "2024-09-30", "dissatisfied", places=(2, 0, 2, 0)
        ),
        _household("H000002", "mainstream", "2024-05-01"),
        _household("H000003", "mainstream", "2017-01-01", places=(1, 1, 0, 0)),
        *steady,
    ]
    return _register({YEARS[0]: first, YEARS[1]: second})


def test_flows_carry_each_households_record_the_same_in_every_table():
    register = _small_register()
    flows = t.flows(register)
    cells = members.of(flows)
    now = 1  # 2024/25
    assert flows[t.YEAR].tolist() == ["2023/24", "2024/25"]
    assert cells[(now, t.FLOW["joiners"])] == {"household:H000002"}
    assert cells[(now, t.FLOW["leavers"])] == {"household:H000001"}
    assert cells[(now, t.FLOW["start"])] == cells[(0, t.FLOW["end"])]  # one stock, two dates
    assert len(cells[(now, t.FLOW["end"])]) == flows.at[now, t.FLOW["end"]] == 12
    capacity = members.of(t.capacity(register))
    assert capacity[(now, t.CAPACITY["households"])] == cells[(now, t.FLOW["end"])]
    assert members.of(t.rates(register))[(now, t.FLOW["leavers"])] == {"household:H000001"}


def test_places_are_numbered_per_household_and_kept_from_one_31_march_to_the_next():
    register = _small_register()
    capacity = members.of(t.capacity(register))
    approved_2024, approved_2025 = (capacity[(i, t.CAPACITY["approved places"])] for i in (0, 1))
    assert len(approved_2024) == 25 and len(approved_2025) == 23
    assert "place:H000003:3" in approved_2024 and "place:H000003:2" not in approved_2025
    filled = capacity[(1, t.CAPACITY["filled places"])]
    vacant = capacity[(1, t.CAPACITY["vacant places"])]
    assert filled | vacant == approved_2025 and not filled & vacant
    change = t.places_change(register, FinancialYear.parse(YEARS[1]))
    assert change[t.PLACES].tolist() == [25, 2, 2, 0, 0, 2, 23]
    steps = members.of(change)
    assert steps[(0, t.PLACES)] == approved_2024 and steps[(6, t.PLACES)] == approved_2025
    assert steps[(5, t.PLACES)] == {"place:H000003:2", "place:H000003:3"}
    assert steps[(1, t.PLACES)] == {"place:H000002:1", "place:H000002:2"}


def test_a_continuing_households_fallen_approval_is_no_longer_left_to_subtraction():
    """The old page showed the change in places unregistered, and declared no relation
    between it and the capacity table: 25 + 2 - 2 - 23 = 2 places H000003 gave up (here a
    count of 1 to 5 the page must withhold). With the places as records the audit knows the
    stock at two dates and each change, so the decision withholds a second step."""
    register = _small_register()
    app = Appendix("Retention", YEARS[1], service="Test")
    app.table(t.capacity(register), "capacity", counts=t.CAPACITY_COUNTS, name="capacity")
    change = t.places_change(register, FinancialYear.parse(YEARS[1]))
    app.table(change, "change", counts=[t.PLACES], name="places change")
    assert not app.ledger.relations  # nothing declared: the records relate them
    app.close()
    fallen = app.cell("places change", "Lost as continuing households' approvals fell", t.PLACES)
    assert fallen in app.hidden
    assert len(app.hidden) >= 2
    assert not app.ledger.exposures(app.hidden)


def test_a_reconciliation_total_is_the_sum_of_its_reasons_to_the_audit():
    """The register's side of the reconciliation used to be shown as printed, whatever it
    was (its leavers by reason of 1 to 5 too); now each count is the page's, with its
    households, withheld like any other, and the audit knows the total is its rows' sum."""
    register = load_register("2024-25")
    reasons = ["permanence", "transfer_ifa", "personal", "not_for_them", "resigned_quality"]
    values = [3.0, 1.0, 12.0, 4.0, 2.0, 22.0]
    printed = pd.DataFrame(
        {
            "year": "2024-25",
            "measure": [*(f"leavers: {r}" for r in reasons), "leavers: total"],
            "published": values,
            "register": values,
            "reproduced": "yes",
            "source": "",
            "note": "",
        }
    )
    counts, _ = t.reconciliation(register, printed)
    cells = members.of(counts)
    assert counts[t.REGISTER].tolist() == [3, 1, 12, 4, 2, 22]
    assert frozenset().union(*(cells[(i, t.REGISTER)] for i in range(5))) == cells[(5, t.REGISTER)]
    assert cells[(5, t.REGISTER)] == members.of(t.flows(register))[(6, t.FLOW["leavers"])]
    app = Appendix("Retention", "2024-25", service="Test")
    app.table(
        counts,
        "counts",
        counts=[t.REGISTER],
        rates={t.REPRODUCED: [t.REGISTER]},
        name="reconciliation counts",
    )
    app.close()
    shown = app.shown("reconciliation counts")
    assert shown[t.REGISTER].tolist() == ["c", "c", 12, "c", "c", 22]
    withheld = "withheld"  # words withheld read "withheld", not "c"
    assert shown[t.REPRODUCED].tolist() == [withheld, withheld, "yes", withheld, withheld, "yes"]
    assert shown[t.PUBLISHED].tolist() == ["3", "1", "12", "4", "2", "22"]  # printed: public
    assert not app.ledger.exposures(app.hidden)  # 22 - 12 = 10 leaves each of 1 to 7


def test_a_count_of_the_households_of_a_printed_count_is_published(monkeypatch):
    """The council's printed table is shown as printed; a year's printed total carries the
    register's leavers only where the register counts as many (2024/25: 1 and 1), and a
    register count of those households is then that printed figure. A printed total the
    register does not reproduce (2023/24: 3 printed, none in the register) carries none."""
    printed = pd.DataFrame(
        {
            "Reason for ceasing to foster": ["Dissatisfied", "Total (as printed)"],
            "2023/24": ["3", "3"],
            "2024/25": ["1", "1"],
        }
    )  # fmt: skip
    monkeypatch.setattr(t.trends, "leavers_table", lambda figures: printed)
    register = _small_register()
    app = Appendix("Retention", YEARS[1], service="Test")
    flows = t.flows(register)
    app.table(flows, "flows", counts=list(t.FLOW.values()), name="flows")
    reasons = t.printed_reasons(pd.DataFrame(), register)
    assert reasons.equals(printed)
    assert set(members.of(reasons)) == {(1, "2024/25")}
    app.table(reasons, "reasons", published=True, name="reasons")
    t.publish(app, reasons, "reasons", ["Total (as printed)"])
    t.publish_printed(app, flows, "flows")  # the flows restate the printed total
    app.close()
    leavers = app.cell("flows", "2024/25", t.FLOW["leavers"])
    assert leavers in app.ledger.published and leavers not in app.hidden
    total = app.cell("reasons", "Total (as printed)", "2024/25")
    assert {frozenset({"household:H000001"})} <= app.ledger.printouts
    # A printed count of 1 to 5 is known by its value: no records, so the audit cannot
    # tie its one household to every other count that holds exactly that household.
    assert leavers not in app.ledger.members and total not in app.ledger.members


def test_the_outlooks_households_at_1_april_are_a_sum_of_stocks_declared_by_hand():
    app = Appendix("Retention", YEARS[1], service="Test")
    relations.relate_exposed(app, ["2023/24", "2024/25"])
    assert app.ledger.relations == [
        {
            relations.EXPOSED: -1.0,
            "flows|2023/24|Households at 1 April": 1.0,
            "flows|2024/25|Households at 1 April": 1.0,
        }
    ]


@pytest.fixture(scope="module")
def example():
    return load_register("2024-25")


def test_every_table_counts_exactly_its_records_on_the_example_register(example):
    fy = example.year
    built = [
        t.flows(example),
        t.connected(example),
        t.capacity(example),
        t.unoccupied(example, fy),
        t.places_change(example, fy),
        t.schemes(example),
        t.printed_reasons(published.load_all(config.load().published), example),
    ]
    for table in built:
        for (i, column), records in members.of(table).items():
            assert len(records) == int(table.at[i, column]), (column, i)
    capacity = t.capacity(example).set_index(t.DAY)
    assert capacity.loc[2025, t.CAPACITY["approved places"]] == 379
    assert capacity.loc[2025, t.CAPACITY["filled places"]] == 246


def test_a_reason_with_5_or_fewer_leavers_gives_its_total_only(example):
    """Red team 18: five bands of a printed 1 to 5 tell where each household falls."""
    leaving = m.leavers(example, example.year)
    whole = t.tenure(leaving).set_index(t.REASON)
    public = t.tenure(leaving, 6).set_index(t.REASON)
    assert public[t.TENURE_TOTAL].tolist() == whole[t.TENURE_TOTAL].tolist() == [4, 1, 3, 12, 2]
    personal = "Personal circumstances e.g. separation, bereavement, retirement"
    assert public.loc[personal, t.TENURE_COUNTS].tolist() == [0, 0, 0, 7, 5]
    assert public.drop(personal)[t.TENURE_COUNTS].isna().all(axis=None)
    assert whole.loc["Decided fostering not for them", t.TENURE_COUNTS].tolist() == [3, 1, 0, 0, 0]
    cells = members.of(t.tenure(leaving, 6))
    assert {c for _, c in cells} == {*t.TENURE_COUNTS, t.TENURE_TOTAL}
    assert sum(1 for _, c in cells if c != t.TENURE_TOTAL) == 5  # one row's bands
    assert t.tenure_bands(t.tenure(leaving, 6)) == t.TENURE_COUNTS
    assert "5 or fewer leavers" in t.tenure_note(t.tenure(leaving, 6), 6)
    assert t.tenure_note(t.tenure(leaving), 1) is None
    # 2020/21: no reason has 6 leavers, so no band column is left.
    earlier = load_register("2020-21")
    few = t.tenure(m.leavers(earlier, earlier.year), 6)
    assert t.tenure_bands(few) == [] and t.TENURE_TOTAL in few
    assert t.tenure_note(few, 6).startswith("No reason had 6 or more leavers")


def test_capacity_rates_to_one_decimal_and_places_per_household_to_two():
    capacity = t.capacity(load_register("2020-21")).set_index(t.DAY)
    assert capacity[t.CAPACITY["occupancy %"]].tolist() == [72.0, 71.1, 69.9]  # 71.148: 71.1
    assert capacity[t.CAPACITY["places per household"]].tolist() == [1.9, 1.91, 1.9]


def test_a_register_rate_in_the_reconciliation_says_it_is_unrounded():
    printed = pd.DataFrame(
        {
            "year": ["2020-21"],
            "measure": ["occupancy %"],
            "published": [70.0],
            "register": [100 * 260 / 372],
            "reproduced": "yes",
            "source": "",
            "note": "",
        }
    )
    _, rates = t.reconciliation(load_register("2020-21"), printed)
    assert rates.loc[0, [t.PUBLISHED, t.UNROUNDED, t.COUNT_OF, t.OUT_OF]].tolist() == [
        "70",
        "69.89",
        260,
        372,
    ]
