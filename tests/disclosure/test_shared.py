"""One decision across a year's pages for counts of the same records: hand-made pages with
known answers, for the decision and for the audit of the pages read together."""

from __future__ import annotations

import pytest

from analysis.disclosure import page, shared
from analysis.disclosure.page import DisclosureError, Ledger

APPROVALS = "period vs cohort|2024-25|Approvals"  # recruitment's key
JOINERS = "flows|2024/25|Approved"  # retention's key
SHARED = "shared|approvals|2024-25"


def _ledger(values: dict[str, float], relations: list[tuple[str, list[str]]]) -> Ledger:
    ledger = Ledger()
    for key, value in values.items():
        ledger.add(key, value)
    for total, parts in relations:
        ledger.relate(total, parts)
    return ledger


def _recruitment() -> Ledger:
    """4 approvals in the year (a shared count); T = approvals + b, S = b + d."""
    return _ledger(
        {APPROVALS: 4, "x|b|n": 6, "x|T|n": 10, "x|S|n": 9, "x|d|n": 3},
        [("x|T|n", [APPROVALS, "x|b|n"]), ("x|S|n", ["x|b|n", "x|d|n"])],
    )


def _retention() -> Ledger:
    """The same 4 households as joiners; U = joiners + c, V = c + e, W = e + f."""
    return _ledger(
        {JOINERS: 4, "y|c|n": 4, "y|e|n": 6, "y|f|n": 1, "y|U|n": 8, "y|V|n": 10, "y|W|n": 7},
        [
            ("y|U|n", [JOINERS, "y|c|n"]),
            ("y|V|n", ["y|c|n", "y|e|n"]),
            ("y|W|n", ["y|e|n", "y|f|n"]),
        ],
    )


def _flows_page(joiners: int, leavers: int) -> Ledger:
    """A retention page's flows: 100 at the start, then ``joiners`` in and ``leavers`` out."""
    retention = _as_retention(
        _ledger(
            {"flows|2024-25|start": 100, JOINERS: joiners, "flows|2024-25|leavers": leavers,
             "flows|2024-25|end": 100 + joiners - leavers},
            [],
        )
    )  # fmt: skip
    _flows(retention)
    return retention


def _flows(ledger: Ledger) -> None:
    """end = start + joiners - leavers."""
    ledger.relate("flows|2024-25|end", ["flows|2024-25|start", JOINERS], ["flows|2024-25|leavers"])


def _audit(pages: dict[str, tuple[Ledger, set[str]]]) -> list[str]:
    union, withheld, problems = shared.combine(pages)
    return problems + [str(e) for e in union.exposures(withheld)]


def _as_retention(ledger: Ledger) -> Ledger:
    ledger.patterns.update(shared.PATTERNS["retention"])
    return ledger


def _as_recruitment(ledger: Ledger) -> Ledger:
    ledger.patterns.update(shared.PATTERNS["recruitment"])
    return ledger


def test_an_approvals_count_shown_on_one_page_and_withheld_on_the_other_is_caught():
    # Retention withholds joiners (4) and, to protect them, leavers; recruitment shows the
    # same 4 approvals. Read together, joiners are known and the leavers follow.
    retention = _flows_page(joiners=4, leavers=10)
    recruitment = _as_recruitment(_ledger({APPROVALS: 4, "cohorts|2024-25|Enquiries": 500}, []))
    hidden = {JOINERS, "flows|2024-25|leavers"}
    assert not retention.exposures(hidden)  # safe on its own
    found = _audit({"retention": (retention, hidden), "recruitment": (recruitment, set())})
    assert found == [
        f"{SHARED} is shown on recruitment, withheld on retention",
        "retention:flows|2024-25|leavers must lie in [10, 10]",
    ]


def test_two_pages_each_safe_alone_can_pin_a_shared_count_together():
    # 7 approvals, withheld on both pages to protect a small count beside them: the
    # recruitment page leaves them in [0, 8] (T = approvals + b), the retention page in
    # [6, inf) (end = start + joiners - leavers). Together 6 to 8: b and leavers 0 to 2.
    recruitment = _as_recruitment(
        _ledger({APPROVALS: 7, "x|b|n": 1, "x|T|n": 8}, [("x|T|n", [APPROVALS, "x|b|n"])])
    )
    retention = _flows_page(joiners=7, leavers=1)
    mine, theirs = page.decide(recruitment), page.decide(retention)
    assert mine == {APPROVALS, "x|b|n"}
    assert theirs == {JOINERS, "flows|2024-25|leavers"}
    assert not recruitment.exposures(mine) and not retention.exposures(theirs)
    found = _audit({"recruitment": (recruitment, mine), "retention": (retention, theirs)})
    assert sorted(found) == [
        "recruitment:x|b|n must lie in [0, 2]",
        "retention:flows|2024-25|leavers must lie in [0, 2]",
        # a reader who takes each c to be at least 1 has the approvals 8 - 1 and 6 + 1
        "shared|approvals|2024-25 must lie in [7, 7]",
    ]


def test_the_sets_decision_keeps_the_pages_safe_together():
    decision = shared.decide({SHARED: [4.0, 4.0], "shared|approvals|2023-24": [17.0, 17.0]})
    assert decision == {SHARED: True, "shared|approvals|2023-24": False}
    recruitment, retention = _as_recruitment(_recruitment()), _as_retention(_retention())
    shared.apply(recruitment, "recruitment", decision, "2024-25")
    shared.apply(retention, "retention", decision, "2024-25")
    mine, theirs = page.decide(recruitment), page.decide(retention)
    # Each page leaves the approvals at least [1, 6]: more counts on each are withheld
    # (which ones is the secondary heuristic's choice; that they suffice is the audit's).
    assert {APPROVALS, "x|b|n", "x|d|n"} <= mine
    assert {JOINERS, "y|c|n", "y|e|n", "y|f|n"} < theirs
    assert not _audit({"recruitment": (recruitment, mine), "retention": (retention, theirs)})


def test_a_shared_count_the_set_shows_is_never_chosen_to_protect_another():
    # Joiners 17 are the smallest positive count beside leavers 3; the set shows them
    # (recruitment shows 17 approvals), so the page withholds the next smallest instead.
    retention = _flows_page(joiners=17, leavers=3)
    assert page.decide(retention) == {"flows|2024-25|leavers", JOINERS}
    shared.apply(retention, "retention", {SHARED: False}, "2024-25")
    assert page.decide(retention) == {"flows|2024-25|leavers", "flows|2024-25|start"}


def test_a_page_that_must_withhold_a_count_the_set_shows_stops():
    retention = _as_retention(_ledger({JOINERS: 4}, []))
    shared.apply(retention, "retention", {SHARED: False}, "2024-25")
    with pytest.raises(DisclosureError, match=r"other appendices, or last year's page, show"):
        page.decide(retention)


def test_keys_are_matched_to_shared_records_by_pattern():
    patterns = {**shared.PATTERNS["recruitment"], **shared.PATTERNS["retention"]}
    assert shared.shared_name("table-9|2019-20|Approvals", patterns) == ("shared|approvals|2019-20")
    assert shared.shared_name(JOINERS, patterns) == SHARED
    assert shared.shared_name("cohorts|2024-25|Approved", patterns) is None
    assert shared.shared_name("flows|2024-25|leavers", patterns) is None
    stability = Ledger()
    shared.apply(stability, "placement_stability", {}, "2024-25")
    connected = "shared|children with connected persons carers at 31 March|2024-25"
    key = "snapshot|Connected persons|Children (returns)"
    assert shared.shared_name(key, stability.patterns) == connected
    assert shared.shared_name("connected|2024/25|Children placed at 31 March", patterns) == (
        connected
    )
    assert shared.protected_range(4) == (1.0, 6.0)
    assert shared.protected_range(20) == (19.0, 21.0)


def test_two_sources_that_disagree_are_two_numbers_to_the_attacker():
    stability = Ledger()
    stability.add("snapshot|Connected persons|Children (returns)", 147)
    shared.apply(stability, "placement_stability", {}, "2018-19")
    retention = _as_retention(_ledger({"connected|2018/19|Children placed at 31 March": 100}, []))
    union, withheld, problems = shared.combine(
        {"stability": (stability, set()), "retention": (retention, set())}
    )
    assert not problems and not withheld
    assert union.values == {
        "stability:snapshot|Connected persons|Children (returns)": 147.0,
        "retention:connected|2018/19|Children placed at 31 March": 100.0,
    }
