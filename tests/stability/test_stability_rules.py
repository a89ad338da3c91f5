"""Hand-made episode histories with known indicator values, one per counting rule."""

from __future__ import annotations

import json

import pytest
from stability_helpers import ep, write_returns

from analysis.core.years import FinancialYear, YearError
from analysis.sources.ssda903.load import read_returns
from analysis.stability import measures as stability

YEAR = FinancialYear.parse("2024-25")
DOBS = {
    "A": "2012-01-01",  # moves twice in the year
    "B": "2011-05-05",  # temporary placement and back, then one real move
    "C": "2010-02-02",  # legal-status-only change, then one real move
    "C2": "2012-03-03",  # legal-status-only change, same carer for years
    "D": "2013-01-01",  # short breaks only
    "E": "2022-01-01",  # moves into fostering for adoption, then placed for adoption (same carers)
    "F": "2020-06-01",  # placed for adoption with new carers after a long foster placement
    "G": "2008-08-08",  # an episode open across two returns, then one move
    "H": "2015-01-01",  # left care during the year
}
EPISODES = [
    ep("A", "2020-05-01", "S", "U6", "2024-06-01", reason="CREQB"),
    ep("A", "2024-06-01", "P", "U6", "2024-10-01", provider="PR4", reason="ALLEG", post="CV3 3CC"),
    ep("A", "2024-10-01", "P", "K2", provider="PR4", post="CV4 4DD", urn="SC000009"),
    ep("B", "2019-03-01", "S", "U4", "2024-07-01", reason="OTHER"),
    ep("B", "2024-07-01", "P", "T3", "2024-07-08", post="CV9 9ZZ", urn=""),
    ep("B", "2024-07-08", "P", "U4", "2024-11-01", reason="CARPL"),
    ep("B", "2024-11-01", "P", "U6", post="CV5 5EE"),
    ep("C", "2021-01-10", "S", "U6", "2024-05-01", ls="C1"),
    ep("C", "2024-05-01", "L", "U6", "2024-12-01", reason="CHILD"),
    ep("C", "2024-12-01", "P", "U6", provider="PR4", post="CV6 6FF"),
    ep("C2", "2020-01-01", "S", "U4", "2023-06-01", ls="C1"),
    ep("C2", "2023-06-01", "L", "U4"),
    ep("D", "2024-05-01", "S", "K2", "2024-05-03", rec="E8", ls="V3"),
    ep("D", "2025-03-29", "S", "K2", ls="V3"),
    ep("E", "2022-02-01", "S", "U6", "2024-09-01", reason="CARPL"),
    ep("E", "2024-09-01", "P", "U5", "2025-01-15", post="CV7 7GG"),
    ep("E", "2025-01-15", "T", "A5", ls="E1", post="CV7 7GG"),
    ep("F", "2021-03-01", "S", "U6", "2025-01-10", provider="PR4", reason="CARPL"),
    ep("F", "2025-01-10", "P", "A6", ls="E1", post="CV8 8HH"),
    ep("G", "2022-06-01", "S", "U6", "2023-08-01", reason="CARPL"),
    ep("G", "2023-08-01", "P", "U4", post="CV2 2JJ"),
    ep("H", "2023-01-01", "S", "U6", "2024-10-01", rec="E4A"),
]


@pytest.fixture
def returns(tmp_path):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2022, 2025))
    return read_returns(headers, episodes)


def test_cohorts_count_each_rule(returns):
    history = stability.build_history(returns)
    c = stability.cohorts(history, YEAR)
    by = dict(zip(history.children["CHILD"].to_numpy()[c["child"]], c.itertuples(), strict=True))
    assert sorted(by) == ["A", "B", "C", "C2", "E", "F", "G"]  # D: short breaks; H: left
    # Placements during the year: temporary stays, the return from them, legal-status-only
    # changes and same-carer type changes (T) are not moves.
    assert {k: v.placements_year for k, v in by.items()} == {
        "A": 3,
        "B": 2,
        "C": 2,
        "C2": 1,
        "E": 2,
        "F": 2,
        "G": 1,
    }
    # The episode open in two returns counts once over the two years.
    assert by["G"].placements_2_years == 2
    assert by["G"].cla_2_years and not by["G"].long_term  # 16 on 31 March 2025
    # Same carer for 2 years: an L change does not break it; placed for adoption counts
    # the adoptive placement (fostering for adoption with the same carers included)
    # together with the placement before it.
    same = {k for k, v in by.items() if v.long_term and v.same_carer_2_years}
    assert same == {"C2", "E", "F"}


def test_indicator_totals(returns):
    table = stability.compute(returns, ["2024-25"])
    row = table.iloc[0]
    assert [int(row[m]) for m in stability.MEASURES] == [7, 1, 7, 1, 6, 3]


def test_indicators_needing_earlier_returns_are_not_available(tmp_path):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2023, 2025))
    returns = read_returns(headers, episodes)
    row = stability.compute(returns, ["2024-25"]).iloc[0]
    assert [int(row[m]) for m in stability.MEASURES[:4]] == [7, 1, 7, 1]
    assert row[["long_term", "long_term_same_carer"]].isna().all()
    assert stability.not_available(YEAR, returns.years) == {
        "long_term": "not available: needs the 2022-23 return"
    }
    assert stability.not_available(YEAR, ["2024-25"])["cla_2_years"] == (
        "not available: needs the 2023-24 return"
    )
    with pytest.raises(YearError, match="no SSDA903 return for 2025-26"):
        stability.compute(returns, ["2025-26"])


def test_stitching_reports_repeated_rows(returns):
    recon = returns.reconciliation().set_index("file")
    assert (
        recon["rows read"]
        == recon["rows used"] + recon["rows quarantined"] + recon["rows repeated in a later return"]
    ).all()
    assert recon.loc["episodes_2022-23.csv", "rows repeated in a later return"] > 0
    assert returns.episodes.duplicated(["CHILD", "decom"]).sum() == 0


def _argv(headers, episodes):
    return [
        a
        for h, e in zip(headers, episodes, strict=True)
        for a in ("--header", str(h), "--episodes", str(e))
    ]


def test_json_command(tmp_path, capsys):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2022, 2025))
    assert stability.main([*_argv(headers, episodes), "--year", "2024-25"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["returns"] == [
        {"year": y, "header": f"header_{y}.csv", "episodes": f"episodes_{y}.csv"}
        for y in ("2022-23", "2023-24", "2024-25")
    ]
    assert out["indicators"] == [
        {
            "year": "2024-25",
            "cla_31_march": {
                "total": 7,
                "with_3_or_more_placements": 1,
                "percent": 14,
                "returns_used": ["2024-25"],
            },
            "cla_2_years": {
                "total": 7,
                "with_3_or_more_placements_in_2_years": 1,
                "percent": 14,
                "returns_used": ["2023-24", "2024-25"],
            },
            "long_term_under_16": {
                "total": 6,
                "same_carer_2_years": 3,
                "percent": 50,
                "returns_used": ["2022-23", "2023-24", "2024-25"],
            },
        }
    ]
    assert out["quarantined_rows"] == 0


def test_json_command_reports_what_is_not_available(tmp_path, capsys):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2024, 2025))
    code = stability.main(
        ["--header", str(headers[0]), "--episodes", str(episodes[0]), "--year", "2024-25"]
    )
    assert code == 0
    (record,) = json.loads(capsys.readouterr().out)["indicators"]
    assert record["cla_31_march"]["total"] == 7
    assert record["cla_31_march"]["returns_used"] == ["2024-25"]
    assert record["cla_2_years"] == {"not_available": "not available: needs the 2023-24 return"}
    assert record["long_term_under_16"] == {
        "not_available": "not available: needs the 2022-23 and 2023-24 returns"
    }


def test_json_command_all_years_by_default(tmp_path, capsys):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2021, 2025))
    assert stability.main(_argv(headers, episodes)) == 0
    records = json.loads(capsys.readouterr().out)["indicators"]
    assert [r["year"] for r in records] == ["2021-22", "2022-23", "2023-24", "2024-25"]
    assert "not_available" in records[0]["cla_2_years"]
    assert "not_available" not in records[2]["long_term_under_16"]


def test_json_command_missing_year_stops(tmp_path, capsys):
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2024, 2025))
    assert stability.main([*_argv(headers, episodes), "--year", "2025-26"]) == 2
    assert "no SSDA903 return for 2025-26; years available: 2024-25" in capsys.readouterr().err


def test_pooled_returns_give_one_row_per_council(tmp_path):
    import pandas as pd

    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2022, 2025))
    pooled_h, pooled_e = [], []
    for paths, out in ((headers, pooled_h), (episodes, pooled_e)):
        for path in paths:
            one = pd.read_csv(path, dtype=str, keep_default_na=False)
            both = pd.concat([one.assign(LA="331"), one.assign(LA="332")])
            target = tmp_path / f"pooled_{path.name}"
            both.to_csv(target, index=False)
            out.append(target)
    table = stability.compute(read_returns(pooled_h, pooled_e), ["2024-25"])
    assert list(table["LA"]) == ["331", "332"]
    for _, row in table.iterrows():
        assert [int(row[m]) for m in stability.MEASURES] == [7, 1, 7, 1, 6, 3]


def test_codes_from_the_validator_and_a_temporary_return_with_a_blank_urn(tmp_path):
    """CUSTOD and E45-E48 are valid codes; a return from a temporary stay whose URN is
    blank on one episode is still the same placement (rule 383 compares PLACE and postcode);
    K3 (registered supported accommodation) is 'other', not residential."""
    dobs = {"J": "2010-01-01", "K": "2009-01-01"}
    episodes = [
        ep("J", "2021-01-01", "S", "U4", "2024-07-01", reason="OTHER"),
        ep("J", "2024-07-01", "P", "T1", "2024-07-05", post="CV9 9ZZ"),
        ep("J", "2024-07-05", "P", "U4", "2024-09-01", urn="", reason="CUSTOD"),
        ep("J", "2024-09-01", "P", "U6", "2025-02-01", post="CV5 5EE", rec="E45"),
        ep("K", "2021-01-01", "S", "U4", "2024-12-01", reason="CARPL"),
        ep("K", "2024-12-01", "P", "K3", provider="PR4", post="CV4 4DD"),
    ]
    headers, files = write_returns(tmp_path, dobs, episodes, range(2022, 2025))
    returns = read_returns(headers, files)
    assert returns.quarantine.empty
    history = stability.build_history(returns)
    c = stability.cohorts(history, YEAR)
    assert c["placements_year"].tolist() == [2]  # K only: J left care with E45
    assert stability.placement_group("K3", "PR4") == "Other"
    j_moves = stability.placement_counts(history, YEAR.start, YEAR.end)
    assert sorted(j_moves.tolist()) == [2, 2]  # J: U4 (with its temporary stay), U6


# ---- the DfE data guidance's cohorts and short breaks (issue 10, part 1) -----------------

GUIDANCE_DOBS = {
    "P1": "2012-01-01",  # period began in the previous year: in the 2-year cohort
    "P2": "2012-01-01",  # began this year: not in the 2-year cohort
    "P3": "2012-01-01",  # in care last year, left, came back: in the cohort (any period)
    "P4": "2012-01-01",  # left on 1 April of the previous year: not in care during it
    "Q": "2012-01-01",  # a short break inside a period: not broken, not a placement
    "R": "2012-01-01",  # period began under short breaks, later continuous: excluded
    "R2": "2012-01-01",  # short breaks last year (own periods), in care since May: 1 cohort
    "S": "2012-01-01",  # in care for years, on a short break (V4) on 31 March: excluded
}
GUIDANCE_EPISODES = [
    ep("P1", "2023-06-01", "S", "U6", "2024-09-01", reason="CARPL"),
    ep("P1", "2024-09-01", "P", "U4", post="CV3 3CC"),
    ep("P2", "2024-04-01", "S", "U6"),
    ep("P3", "2023-05-01", "S", "U6", "2023-09-01", rec="E11"),
    ep("P3", "2024-06-01", "S", "U4", post="CV3 3CC"),
    ep("P4", "2022-01-01", "S", "U6", "2023-04-01", rec="E11"),
    ep("P4", "2024-05-01", "S", "U4", post="CV3 3CC"),
    ep("Q", "2020-01-01", "S", "U4", "2024-07-01", ls="C2"),
    ep("Q", "2024-07-01", "B", "K2", "2024-07-05", ls="V3", post="CV9 9ZZ"),
    ep("Q", "2024-07-05", "B", "U4", ls="C2"),
    ep("R", "2021-01-01", "S", "K2", "2021-03-01", ls="V3", post="CV9 9ZZ"),
    ep("R", "2021-03-01", "B", "U4", ls="C2"),
    ep("R2", "2023-06-01", "S", "K2", "2023-06-03", rec="E8", ls="V3", post="CV9 9ZZ"),
    ep("R2", "2023-08-01", "S", "K2", "2023-08-03", rec="E8", ls="V3", post="CV9 9ZZ"),
    ep("R2", "2024-05-01", "S", "U4", ls="C2"),
    ep("S", "2020-01-01", "S", "U4", "2025-03-01", ls="C2"),
    ep("S", "2025-03-01", "B", "K2", ls="V4", post="CV9 9ZZ"),
]


@pytest.fixture
def guidance_cohorts(tmp_path):
    headers, episodes = write_returns(tmp_path, GUIDANCE_DOBS, GUIDANCE_EPISODES, range(2019, 2025))
    returns = read_returns(headers, episodes)
    assert returns.quarantine.empty
    history = stability.build_history(returns)
    c = stability.cohorts(history, YEAR)
    names = history.children["CHILD"].to_numpy()[c["child"]]
    return c.assign(CHILD=names).set_index("CHILD"), returns


def test_two_year_cohort_is_any_day_in_care_in_the_previous_year(guidance_cohorts):
    c, _ = guidance_cohorts
    two = c["cla_2_years"].to_dict()
    assert {k: two[k] for k in ("P1", "P2", "P3", "P4")} == {
        "P1": True,  # started 1 June 2023, after the old 31 March 2023 cut-off
        "P2": False,
        "P3": True,
        "P4": False,  # its episode ended on 1 April 2023: no day in care in 2023-24
    }
    # Placements over 1 April 2023 to 31 March 2025, earlier periods of care included.
    assert c.loc[["P1", "P3", "P4"], "placements_2_years"].tolist() == [2, 2, 1]


def test_short_break_inside_a_period_neither_breaks_it_nor_counts(guidance_cohorts):
    c, _ = guidance_cohorts
    q = c.loc["Q"]
    assert (q["placements_year"], q["placements_2_years"]) == (1, 1)
    assert q["cla_2_years"] and q["long_term"] and q["same_carer_2_years"]


def test_period_that_began_under_short_breaks_is_excluded(guidance_cohorts):
    c, _ = guidance_cohorts
    assert "R" not in c.index
    # Short breaks in their own periods are not days in care for the 2-year cohort.
    r2 = c.loc["R2"]
    assert (r2["placements_year"], bool(r2["cla_2_years"]), bool(r2["long_term"])) == (
        1,
        False,
        False,
    )


def test_child_on_a_short_break_on_31_march_is_in_no_cohort(guidance_cohorts):
    c, _ = guidance_cohorts
    assert "S" not in c.index
    assert sorted(c.index) == ["P1", "P2", "P3", "P4", "Q", "R2"]


def test_guidance_indicator_totals(guidance_cohorts):
    _, returns = guidance_cohorts
    row = stability.compute(returns, ["2024-25"]).iloc[0]
    # cla_31_march, 3+; cla_2_years (P1, P3, Q), 3+; long_term (Q), same carer (Q).
    assert [int(row[m]) for m in stability.MEASURES] == [6, 0, 3, 0, 1, 1]


def test_moves_chart_draws_only_the_moves_the_page_shows():
    import pandas as pd

    from analysis.presentation.appendix import drawn_values
    from analysis.stability import report

    shown = pd.DataFrame(
        {
            "Reason for the placement change": ["Care plan", "Other", "Allegation"],
            "Moves": [136, 43, "c"],
        }
    )
    assert sorted(drawn_values(report.moves_chart(shown))) == [43.0, 136.0]
