"""The history's fast paths give what the pandas operations they replace give."""

from __future__ import annotations

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
