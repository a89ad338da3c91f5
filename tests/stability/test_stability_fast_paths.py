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
