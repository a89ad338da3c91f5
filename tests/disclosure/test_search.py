"""The reader's combination search on hand-made pages with known answers."""

from __future__ import annotations

from analysis.disclosure import search
from analysis.disclosure.page import Ledger, decide
from analysis.disclosure.search import combinations


def _n1() -> tuple[Ledger, set[str]]:
    """Red team 15's N1 in small: enquirers are approved, withdrew, not progressed or in
    progress; approvals in the years are the cohorts' approved and 16 from earlier
    enquiries, 13 of them from last year's cohort: 3 from older enquiries, stated nowhere."""
    approved = [f"a{i}" for i in range(37)]
    older, last_year = [f"o{i}" for i in range(3)], [f"l{i}" for i in range(13)]
    withdrew, stopped, waiting = (
        [f"{p}{i}" for i in range(n)] for p, n in (("w", 120), ("n", 19), ("p", 8))
    )
    ledger = Ledger()
    ledger.add("enquirers", 184, records=[*approved, *withdrew, *stopped, *waiting])
    ledger.add("approved", 37, records=approved)  # withheld on the page, yet pinned
    ledger.add("withdrew", 120, records=withdrew)
    ledger.add("not progressed", 19, records=stopped)
    ledger.add("in progress", 8, records=waiting)
    ledger.add("approvals in the years", 53, records=[*approved, *older, *last_year])
    ledger.add("last year's cohort approved", 13, records=last_year)
    return ledger, {"approved"}


def test_a_small_set_read_from_six_shown_counts_is_found():
    ledger, hidden = _n1()
    [found] = combinations(ledger, hidden)
    assert found.value == 3 and not found.printed
    assert found.terms == {
        "approvals in the years": 1,
        "enquirers": -1,
        "in progress": 1,
        "last year's cohort approved": -1,
        "not progressed": 1,
        "withdrew": 1,
    }
    # the same from the ledger as a built page keeps it (atoms, no records)
    again = Ledger.from_json(ledger.as_json())
    assert [c.terms for c in combinations(again, hidden)] == [found.terms]
    # with a count of the chain withheld, or too few terms allowed, nothing is read
    assert combinations(ledger, hidden | {"in progress"}) == []
    assert combinations(ledger, hidden, most=5) == []


def test_the_pages_decision_protects_a_chain_the_search_finds():
    """decide runs the search once its audit settles and withholds a count of the chain
    (or what protects it), so that the reader's six counts no longer give the 3."""
    ledger, _ = _n1()
    ledger.stated.discard("approved")  # not on the page: only the chain of six reads it
    assert ledger.differences() == {}
    hidden = decide(ledger)
    assert combinations(ledger, hidden) == []
    [chain] = [k for k in ledger.chains]
    assert ledger.chains[chain][1] == 3.0
    assert not ledger.exposures(hidden, targets={chain, *hidden})
    assert decide(ledger, search=False) <= hidden


def test_a_chain_behind_a_full_batch_of_printed_sets_is_still_found(monkeypatch):
    """Red team 16: the search returns a batch at a time, and the council's own printed
    pairs (17 presented to panel, 16 approved) come first, being shortest; a batch full of
    them must not end the search."""
    monkeypatch.setattr(search, "MOST_FOUND", 3)
    ledger, _ = _n1()
    ledger.stated.discard("approved")
    for i in range(4):
        panel = [f"panel{i}-{j}" for j in range(17)]
        ledger.add(f"presented {i}", 17, records=panel, published=True)
        ledger.add(f"approved {i}", 16, records=panel[:16], published=True)
    hidden = decide(ledger)
    values = [ledger.chains[k][1] for k in ledger.chains]
    assert 3.0 in values  # found behind the printed pairs (and its unions with their 1s)
    assert [c for c in combinations(ledger, hidden) if not c.printed] == []


def test_a_search_after_a_full_one_finds_the_same_sets_from_fewer_counts(monkeypatch):
    """``beyond``: once a search has found every set its shown counts make (and those sets
    are excluded), a later one need only try combinations with a count shown since. Exact:
    the same sets with it as without it, and no solve at all when nothing new is shown."""
    ledger, hidden = _n1()
    first = hidden | {"in progress"}
    assert combinations(ledger, first) == []  # every set there was: none
    done = [search.shown(ledger, first)]
    # "in progress" shown again: the chain of six, which takes it, is found either way
    assert [c.atoms for c in combinations(ledger, hidden, beyond=done)] == [
        c.atoms for c in combinations(ledger, hidden)
    ]
    [found] = combinations(ledger, hidden, beyond=done)
    assert "in progress" in found.terms and found.value == 3

    def no_solve(*args, **kwargs):
        raise AssertionError("solved though every shown count was searched before")

    monkeypatch.setattr(search, "milp", no_solve)
    assert combinations(ledger, first | {"withdrew"}, beyond=done) == []


def test_the_searchs_memory_starts_afresh_when_the_records_change():
    """What the search found is kept in the page's atoms, which any change to the records
    renumbers: a printed count of 1 that gives up its records and another count of 1
    leave as many counts and records as before, yet the memory starts again (review)."""
    ledger, _ = _n1()
    ledger.add("one", 1, records=["w0"])
    seen, _ = ledger.searches()
    seen.append(frozenset({"atom|0"}))
    assert ledger.searches()[0] == [frozenset({"atom|0"})]  # the same records: kept
    ledger.add("one", 1, published=True)  # a printed count of 1 keeps no records
    ledger.add("another", 1, records=["n0"])
    assert ledger.searches() == ([], [])
