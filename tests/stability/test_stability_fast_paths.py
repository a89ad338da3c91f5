"""The history's fast paths give what the pandas operations they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.years import FinancialYear
from analysis.sources.ssda903.load import read_returns
from analysis.stability import measures as stability

FOLDER = paths.EXAMPLE / "leicester" / "ssda903"


def test_children_birth_dates_and_open_episodes_as_merge_and_drop_duplicates_give():
    returns = read_returns(sorted(FOLDER.glob("*header*.csv")), sorted(FOLDER.glob("*episodes*")))
    history = stability.build_history(returns)
    header = returns.header[["LA", "CHILD", "dob"]].astype({"LA": object, "CHILD": object})
    merged = history.children[["LA", "CHILD"]].merge(header, on=["LA", "CHILD"], how="left")
    assert merged["dob"].notna().all()
    assert merged.equals(history.children)
    epi = history.episodes
    for label in returns.years:
        day = FinancialYear.parse(label).end.to_datetime64()
        open_then = (epi["decom"] <= day) & (epi["dec"].isna() | (epi["dec"] > day))
        expected = epi.loc[open_then].drop_duplicates("child", keep="last")
        assert stability._open_at(history, FinancialYear.parse(label).end).equals(expected)


def test_councils_are_each_childs_council_among_the_sorted_councils():
    children = pd.DataFrame({"LA": ["B", "A", "B", "C"], "CHILD": ["1", "2", "3", "4"]})
    history = stability.History(pd.DataFrame(), pd.DataFrame(), children)
    where, councils = history.councils
    assert list(councils) == ["A", "B", "C"]
    np.testing.assert_array_equal(where, [1, 0, 1, 2])
    assert list(councils[where]) == list(children["LA"])


def test_the_code_now_is_the_placements_during_a_temporary_stay():
    categories = pd.CategoricalDtype(["U1", "T0", "K2"])
    episodes = pd.Series(pd.Categorical(["U1", "T0", "K2", None], dtype=categories))
    placements = pd.Series(pd.Categorical(["U1", "K2"], dtype=categories))
    rows, at = np.array([1, 2, 3]), np.array([0, 1, 1])
    now = stability._now(episodes, placements, rows, at, np.array([True, False, False]))
    assert now.dtype == categories
    assert now.tolist()[:2] == ["U1", "K2"] and pd.isna(now.iloc[2])


def test_placement_groups_from_the_table_are_each_pairs_group():
    from analysis.sources.ssda903.codes import placement_group

    place = pd.Series(pd.Categorical(["U4", "U1", None, "K2", "U4", "U6"]))
    provider = pd.Series(pd.Categorical(["PR1", "PR4", "PR1", None, "PR0", "PR1"]))
    expected = [
        placement_group("" if pd.isna(p) else p, "" if pd.isna(q) else q)
        for p, q in zip(place, provider, strict=True)
    ]
    assert list(stability._groups(place, provider)) == expected


def test_windows_on_whole_day_integers_count_as_the_dates_do():
    returns = read_returns(sorted(FOLDER.glob("*header*.csv")), sorted(FOLDER.glob("*episodes*")))
    history = stability.build_history(returns)
    p, epi = history.placements, history.episodes
    for label in returns.years:
        year = FinancialYear.parse(label)
        start, end = year.start.to_datetime64(), year.end.to_datetime64()
        hit = (p["start"] <= end) & (p["end"].isna() | (p["end"] > start))
        expected = np.bincount(p.loc[hit, "child"], minlength=len(history.children))
        got = stability.placement_counts(history, year.start, year.end)
        np.testing.assert_array_equal(got, expected)
        cared = (
            (~epi["short_break"])
            & (epi["decom"] <= end)
            & (epi["dec"].isna() | (epi["dec"] > start))
        )
        expected = np.bincount(epi.loc[cared, "child"], minlength=len(history.children)) > 0
        np.testing.assert_array_equal(
            stability.in_care_during(history, year.start, year.end), expected
        )
