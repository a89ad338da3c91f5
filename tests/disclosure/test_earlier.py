"""Last year's page read beside this year's (red team 20): hand-made pages with known
answers for the decision, the checks on last year's executed notebook, and the built
pages of every council read two years at a time."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from analysis.disclosure import earlier, page, shared
from analysis.disclosure.page import EARLIER, Ledger
from analysis.presentation.appendix import LEDGER
from analysis.registry import by_name
from analysis.retention.tables import GROWING

LIFE = "life table|10 years or more|Ceased to foster"  # a growing count
GROWS = [r"^life table\|"]
JOINERS, JOINED_BEFORE = "flows|2024/25|Approved", "flows|2023/24|Approved"  # shared counts


def _ledger(values: dict[str, float], published: set[str] = frozenset()) -> Ledger:
    ledger = Ledger()
    for key, value in values.items():
        ledger.add(key, value, published=key in published)
    return ledger


def test_a_cumulative_count_that_grew_by_1_to_5_is_withheld():
    """Red team 20: 41 leavers after 10 years by 2025 beside last year's 36 is 5 of this
    year's leavers. Alone on the page, the count is withheld so that the 5 is not read."""
    ledger = _ledger({LIFE: 41})
    assert page.decide(ledger) == set()  # alone, 41 is no small count
    ledger.follow({LIFE: (36.0, False)}, GROWS)
    assert page.decide(ledger) == {LIFE}
    assert f"increment|{LIFE}" in ledger.virtual()


def test_the_increment_is_protected_whichever_count_is_registered_first():
    ledger = Ledger()
    ledger.follow({LIFE: (36.0, False)}, GROWS)
    ledger.add(LIFE, 41)
    assert page.decide(ledger) == {LIFE}


def test_a_count_that_grew_by_more_than_5_is_shown():
    ledger = _ledger({LIFE: 45})
    ledger.follow({LIFE: (36.0, False)}, GROWS)
    assert page.decide(ledger) == set()
    # but the reader knows last year's count lies within this year's
    assert {LIFE: -1.0, EARLIER + LIFE: 1.0, f"increment|{LIFE}": 1.0} in ledger.relations


def test_a_count_that_is_not_cumulative_is_not_related_to_last_years():
    """This year's leavers for a reason and last year's are different households."""
    ledger = _ledger({"tenure|Retired|All lengths of service": 9})
    ledger.follow({"tenure|Retired|All lengths of service": (7.0, False)}, GROWS)
    assert page.decide(ledger) == set()
    assert EARLIER + "tenure|Retired|All lengths of service" not in ledger.values


def test_the_same_figure_shown_last_year_is_known_and_never_withheld():
    """A past year's row: shown last year, so known to the reader and never chosen."""
    ledger = _ledger({"flows|2023/24|Approved": 3, "flows|2023/24|total": 20,
                      "flows|2023/24|other": 17})  # fmt: skip
    ledger.relate("flows|2023/24|total", ["flows|2023/24|Approved", "flows|2023/24|other"])
    ledger.follow({"flows|2023/24|total": (20.0, False), "flows|2023/24|other": (17.0, True)})
    assert "flows|2023/24|total" in ledger.published
    hidden = page.decide(ledger)
    assert "flows|2023/24|total" not in hidden
    assert {"flows|2023/24|Approved", "flows|2023/24|other"} <= hidden


def test_the_same_figure_withheld_last_year_is_withheld_again():
    """Shown here, last year's "c" would be undone: 17 is withheld though no rule of this
    page needs it (without last year's page, nothing would be)."""
    ledger = _ledger({"flows|2023/24|other": 17, "flows|2023/24|total": 30})
    assert page.decide(ledger) == set()
    ledger.follow({"flows|2023/24|other": (17.0, True)})
    assert "flows|2023/24|other" in page.decide(ledger)


def _pinned_by_the_set(small: float) -> Ledger:
    """11 approved in 2023/24 and 11 + ``small`` in 2024/25, shown by the year's set of
    pages (never withheld here); a count ``small`` last year withheld is their difference."""
    ledger = _ledger({JOINERS: 11 + small, JOINED_BEFORE: 11, "t|a|n": small})
    ledger.relate(JOINERS, ["t|a|n", JOINED_BEFORE])
    names = [shared.name(shared.APPROVALS, y) for y in ("2024-25", "2023-24")]
    shared.apply(ledger, "retention", dict.fromkeys(names, False), "2024-25")
    ledger.follow({"t|a|n": (small, True)})
    return ledger


def test_a_figure_withheld_last_year_that_this_page_cannot_hide_is_shown():
    """Last year withheld 9; this year the year's pages show 20 and 11, whose difference it
    is: a "c" there hides nothing, and it is shown (a 3 there stops the run)."""
    ledger = _pinned_by_the_set(9)
    assert page.decide(ledger) == set()
    assert ledger.released == {"t|a|n"}


def test_a_small_count_withheld_last_year_is_never_released():
    with pytest.raises(page.DisclosureError, match="t\\|a\\|n"):
        page.decide(_pinned_by_the_set(3))


def test_what_the_page_follows_is_kept_in_its_json():
    ledger = _ledger({LIFE: 41, "flows|2023/24|other": 17})
    ledger.follow({LIFE: (36.0, False), "flows|2023/24|other": (17.0, True)}, GROWS)
    hidden = page.decide(ledger)
    assert hidden == {LIFE, "flows|2023/24|other"}
    again = Ledger.from_json(json.loads(json.dumps(ledger.as_json())))
    assert again.held == ledger.held
    assert again.fixed_keys(True) == {"flows|2023/24|other"}
    assert again.exposures(hidden, targets=hidden | again.virtual()) == []
    # shown, 41 less last year's 36 is read
    assert [e.key for e in again.exposures(hidden - {LIFE}, again.virtual())] == [
        f"increment|{LIFE}"
    ]


# -- last year's executed notebook ---------------------------------------------------------


def _notebook(path: Path, **page_json: object) -> Path:
    found = {
        "closed": True,
        "disclosure": "public",
        "fingerprint": "abc",
        "ledger": {"values": {LIFE: 36.0, "x": 2.0}, "stated": [LIFE, "x", EARLIER + LIFE]},
        "hidden": ["x"],
        **page_json,
    }
    cell = {"cell_type": "code", "outputs": [{"data": {LEDGER: found}}]}
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    return path


def test_last_years_decision_is_read_from_its_executed_notebook(tmp_path):
    read = earlier.read(_notebook(tmp_path / "retention.ipynb"), "2023-24", "abc")
    assert read.counts == {LIFE: (36.0, False), "x": (2.0, True)}  # not its own last year's


@pytest.mark.parametrize(
    ("page_json", "says"),
    [
        ({"closed": False}, "the 2023/24 page did not finish"),
        ({"disclosure": "internal"}, "is an internal copy"),
        ({"fingerprint": "old"}, "built from other data or other code"),
    ],
)
def test_a_page_that_cannot_be_followed_stops_the_run(tmp_path, page_json, says):
    path = _notebook(tmp_path / "retention.ipynb", **page_json)
    with pytest.raises(earlier.EarlierPageError, match=says) as error:
        earlier.read(path, "2023-24", "abc")
    assert "build the 2023/24 page first" in str(error.value)


def test_a_missing_page_says_how_to_build_it(tmp_path):
    with pytest.raises(earlier.EarlierPageError, match="has not been built") as error:
        earlier.read(tmp_path / "retention.ipynb", "2023-24", "abc")
    assert "make report" in str(error.value)


def test_the_fingerprint_changes_with_any_input(tmp_path):
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text("x\n1\n")
    two.write_text("x\n2\n")
    first = earlier.fingerprint([one, two])
    assert earlier.fingerprint([two, one]) == first
    two.write_text("x\n3\n")
    assert earlier.fingerprint([one, two]) != first


# -- the built pages, two years at a time ----------------------------------------------------


def _ledgers(reports: Path, analysis: str) -> dict[str, dict]:
    found = {}
    for path in sorted(reports.glob(f"*/{analysis}.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if LEDGER in output.get("data", {}):
                    found[path.parent.name] = output["data"][LEDGER]
    return found


def test_only_retention_follows_last_years_page():
    """The checks below know retention's cumulative counts (:data:`GROWING`)."""
    assert [a.name for a in by_name().values() if a.follows] == ["retention"]


def test_consecutive_pages_read_together_undo_no_c(built_councils):
    """Red team 20's reader with two years' pages: no figure shown on one and "c" on the
    other (but one the later page can no longer hide, listed there), and no cumulative
    count shown on both that grew by 1 to 5."""
    checked = 0
    for slug, reports in built_councils.items():
        pages = _ledgers(reports, "retention")
        for before, after in itertools.pairwise(sorted(pages)):
            a, b = pages[before], pages[after]
            values_a, values_b = a["ledger"]["values"], b["ledger"]["values"]
            hidden_a, hidden_b = set(a["hidden"]), set(b["hidden"])
            released = set(b["ledger"].get("released", []))
            both = set(a["ledger"]["stated"]) & set(b["ledger"]["stated"])
            both = {k for k in both if not k.startswith(EARLIER)}
            undone = sorted(
                k
                for k in both - released
                if values_a[k] == values_b[k] and (k in hidden_a) != (k in hidden_b)
            )
            assert not undone, f"{slug} {before} and {after} decide differently: {undone}"
            grew = sorted(
                (k, values_a[k], values_b[k])
                for k in both - hidden_a - hidden_b
                if any(re.match(p, k) for p in GROWING) and 1 <= values_b[k] - values_a[k] <= 5
            )
            assert not grew, f"{slug} {before} to {after}: the year's few by subtraction: {grew}"
            checked += 1
    assert checked, "no two consecutive pages were built"
