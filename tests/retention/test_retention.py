"""Retention and capacity: published figures, cross-dataset consistency, bad input, example data."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, YearError
from analysis.council import config
from analysis.presentation.appendix import MAX_FINDINGS, Appendix
from analysis.recruitment.measures import approved_households
from analysis.registry import by_name
from analysis.retention import measures as m
from analysis.retention import tables
from analysis.retention.findings import (
    key_findings,
    mapped_to_other,
    page_tables,
    places_change,
    reconciliation_note,
)
from analysis.retention.load import available_files, load_register, register_dir
from analysis.retention.targets import targets

YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
# Published figures that contradict other published figures, so no register can
# reproduce them all (see docs/assumptions.md, "Retention and capacity").
IRRECONCILABLE = {
    ("2018-19", "leavers: total", 15.0),  # the printed rows sum to 16
    ("2024-25", "households at 31 March", 194.0),  # 191 in the same report
    ("2024-25", "places per household", 1.4),  # 379 / 191 = 1.98
    ("2022-23", "vacant for matching, % of approved", 2.0),  # 17% of unoccupied is ~6%
}


@pytest.fixture(scope="module")
def register():
    return load_register("2024-25")


@pytest.fixture(scope="module")
def published():
    """The reconciliation targets from the default council's published figures."""
    return targets(config.load("coventry"))


@pytest.fixture(scope="module")
def approved():
    """The recruitment example's approved households (issue 3's public function)."""
    return approved_households("example")


def test_every_published_figure_is_reproduced_except_the_contradictory_ones(register, published):
    rec = m.reconcile(register, published)
    assert len(rec) == len(published), "every published figure has a register counterpart"
    failed = {(r.year, r.measure, r.published) for r in rec.itertuples() if r.reproduced == "no"}
    assert failed == IRRECONCILABLE


def test_the_flows_table_says_where_a_printed_total_differs_from_it(register):
    """Issue 13: carers ceasing in 2018/19 are 15 as printed and 16 in the rows and the
    register; the retention page must say so as the published trends page does."""
    figures = m.reconcile(register, targets(config.load("coventry")))
    note = tables.flows_printed_note(figures, "2024-25")
    assert note.startswith(" Against the published figures: in 2018/19 the council printed 15 ")
    assert "the printed rows sum to 16" in note
    assert tables.flows_printed_note(figures[figures["year"] != "2018-19"], "2024-25") == ""


def test_households_joiners_and_leavers_match_the_reports_every_year(register):
    flow = m.flows(register).set_index("year")
    assert flow["joiners"].tolist() == [33, 21, 23, 20, 16, 17, 20]
    assert flow["leavers"].tolist() == [16, 18, 14, 14, 14, 16, 22]
    assert flow["end"].tolist() == [184, 187, 196, 202, 204, 205, 191]
    assert flow["other exits"].tolist() == [0, 0, 0, 0, 0, 0, 12]
    assert (
        flow["start"] + flow["joiners"] - flow["leavers"] - flow["other exits"] == flow["end"]
    ).all()
    assert (flow["start"].iloc[1:].to_numpy() == flow["end"].iloc[:-1].to_numpy()).all()


def test_retention_rate_is_just_over_93_percent_in_2022_23(register):
    flow = m.flows(register).set_index("year")
    assert flow.at["2022-23", "retention rate %"] == pytest.approx(100 * (1 - 14 / 202))
    assert 93 < flow.at["2022-23", "retention rate %"] < 94


def test_leavers_by_reason_table_matches_both_reports(register):
    table = m.leavers_by_reason(register)
    assert table.loc["personal"].tolist() == [10, 12, 4, 7, 6, 8, 12]
    assert table.loc["transfer_la"].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert table.loc["not_for_them"].tolist() == [0, 0, 5, 3, 3, 1, 4]
    assert table.loc["total"].tolist() == [16, 18, 14, 14, 14, 16, 22]


def test_capacity_matches_published_places_and_occupancy(register):
    cap = m.capacity_trend(register).set_index("31 March")
    assert cap.at[2022, "approved places"] == 389
    assert cap.at[2023, "filled places"] == 266
    assert cap.at[2025, "approved places"] == 379
    assert cap.at[2025, "households"] == 191
    assert [round(cap.at[y, "occupancy %"]) for y in (2021, 2022, 2024, 2025)] == [70, 68, 76, 65]
    assert int(cap.at[2023, "occupancy %"] * 10) == 666  # printed 66.6%
    assert round(100 * cap.at[2025, "unavailable places"] / 379, 1) == 23.7
    assert round(100 * cap.at[2025, "on hold or blocked places"] / 379, 1) == 11.3
    assert (
        cap["filled places"]
        + cap["vacant places"]
        + cap["unavailable places"]
        + cap["on hold or blocked places"]
        == cap["approved places"]
    ).all()


def test_net_change_in_places_adds_up(register):
    for year in YEARS[1:]:
        steps = m.places_change(register, FinancialYear.parse(year))["places"].tolist()
        assert steps[0] + sum(steps[1:5]) == steps[5]
    assert m.places_change(register, FinancialYear.parse("2018-19")) is None


def test_survival_shares_are_between_zero_and_one_hundred_and_fall(register):
    data = m.survival_data(register)
    still = m.still_fostering(data[data["mainstream"]], None).iloc[0]
    assert (
        100 >= still["after 1 year %"] >= still["after 3 years %"] >= still["after 5 years %"] > 0
    )
    assert still["left"] == sum([16, 18, 14, 14, 14, 16, 22])


# ---- cross-dataset consistency with the recruitment example (issue 3) -----------------


def test_every_recruitment_approval_is_in_the_register_with_the_same_id_and_date(
    register, approved
):
    households = register.households.set_index("household_id")
    missing = set(approved["household_id"]) - set(households.index)
    assert not missing
    dates = households.loc[approved["household_id"], "approval_date"].dt.normalize()
    assert (dates.to_numpy() == pd.to_datetime(approved["approval_date"]).to_numpy()).all()
    assert households.loc[approved["household_id"], "mainstream"].all()


def test_register_approvals_per_year_equal_the_funnel(register, approved):
    funnel = approved["approval_year"].value_counts().sort_index()
    flow = m.flows(register).set_index("year")["joiners"]
    assert flow.to_dict() == {k: int(v) for k, v in funnel.items()}


def test_older_and_connected_persons_ids_never_collide_with_recruitment_ids(register, approved):
    from analysis.recruitment.measures import load_clean

    enquirers = set(load_clean("example")[0]["household_id"])
    own = set(register.households["household_id"]) - set(approved["household_id"])
    assert not own & enquirers
    assert all(int(h[1:]) < 100000 for h in own)


# ---- bad input ------------------------------------------------------------------------


@pytest.fixture()
def copy_year(tmp_path):
    """Copy one example year into a scratch raw folder and return (folder, frame, writer)."""

    def make(year: str = "2022-23"):
        source = available_files()[year]
        target = tmp_path / "retention" / source.name
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
        frame = pd.read_csv(target, dtype=str, keep_default_na=False)

        def write(changed: pd.DataFrame) -> None:
            changed.to_csv(target, index=False)

        return str(tmp_path), frame, write

    return make


def _quarantine_reason(raw: str, year: str) -> pd.DataFrame:
    return load_register(year, raw).quarantined


def test_deregistration_before_approval_is_quarantined(copy_year):
    raw, frame, write = copy_year()
    leaver = frame.index[frame["Deregistration Date"] != ""][0]
    frame.loc[leaver, ["Approval Date", "Deregistration Date"]] = ["01/06/2022", "15/05/2022"]
    write(frame)
    held = _quarantine_reason(raw, "2022-23")
    assert held["reason"].tolist() == ["deregistration date is before the approval date"]
    assert held["source_row"].tolist() == [leaver + 2]


def test_leaver_with_no_reason_is_quarantined(copy_year):
    raw, frame, write = copy_year()
    leaver = frame.index[frame["Deregistration Date"] != ""][0]
    frame.loc[leaver, "Reason for Ceasing to Foster"] = ""
    write(frame)
    held = _quarantine_reason(raw, "2022-23")
    assert held["reason"].tolist() == ["deregistered (a leaver) with no reason recorded"]


def test_filled_places_above_approved_is_quarantined(copy_year):
    raw, frame, write = copy_year()
    row = frame.index[frame["No. Approved Places"] == "2"][0]
    frame.loc[row, ["Places Filled", "Places Vacant", "Places Unavailable"]] = ["3", "0", "0"]
    write(frame)
    held = _quarantine_reason(raw, "2022-23")
    assert held["reason"].tolist() == ["more places filled than approved"]
    assert held["value"].tolist() == ["3"]


def test_household_id_appearing_twice_quarantines_both_rows(copy_year):
    raw, frame, write = copy_year()
    frame.loc[5, "Household ID"] = frame.loc[4, "Household ID"]
    write(frame)
    loaded = load_register("2022-23", raw)
    assert (
        loaded.quarantined["reason"].tolist()
        == ["household id appears more than once in this extract"] * 2
    )
    assert loaded.quarantined["source_row"].tolist() == [6, 7]
    assert loaded.rows.iloc[0]["rows read"] == len(frame)
    assert loaded.rows.iloc[0]["rows used"] == len(frame) - 2


def test_unknown_household_type_names_file_row_column_and_value(copy_year):
    raw, frame, write = copy_year()
    frame.loc[9, "Household Type"] = "Respite"
    write(frame)
    with pytest.raises(InputError) as error:
        load_register("2022-23", raw)
    message = str(error.value)
    assert message.startswith(
        "household_register_2022-23_SYNTHETIC.csv, row 11, column 'Household Type': "
        "1 value(s) not declared for 2022-23: 'Respite' (1 row)"
    )
    assert '["2022-23".values.household_type] in councils/coventry/layouts/retention.toml' in (
        message
    )


def test_unknown_reason_label_stops_the_run(copy_year):
    raw, frame, write = copy_year()
    leaver = frame.index[frame["Deregistration Date"] != ""][0]
    frame.loc[leaver, "Reason for Ceasing to Foster"] = "Moved abroad"
    write(frame)
    with pytest.raises(
        InputError,
        match=f"row {leaver + 2}, column 'Reason for Ceasing to Foster': 1 value\\(s\\) not "
        "declared for 2022-23: 'Moved abroad' \\(1 row\\)",
    ):
        load_register("2022-23", raw)


def test_unknown_to_other_counts_new_reasons_as_other(copy_year):
    raw, frame, write = copy_year()
    leavers = frame.index[frame["Deregistration Date"] != ""][:2]
    frame.loc[leavers, "Reason for Ceasing to Foster"] = "Moved abroad"
    write(frame)
    council = replace(config.load(), unknown_to_other={"retention": ("reason",)})
    loaded = load_register("2022-23", raw, council)
    assert loaded.other[["column", "value", "count"]].values.tolist() == [
        ["reason", "Moved abroad", 2]
    ]
    rows = loaded.snapshots.set_index("source_row")
    assert rows.loc[[i + 2 for i in leavers], "reason"].tolist() == ["other", "other"]
    fy = FinancialYear.parse("2022-23")
    sentences = key_findings(
        loaded,
        fy,
        page_tables(loaded, fy),
        Appendix("Retention", "2022-23", "internal", service="Test"),
    )
    # Said in the annex's data section, not among the key findings.
    assert not any("counted as" in s for s in sentences)
    assert mapped_to_other(loaded.other, fy, "internal") == (
        "2 households whose reason for ceasing to foster is not declared for 2022-23 are "
        "counted as 'Other \u2013 including death', as the council's configuration allows "
        "(unknown_to_other)."
    )
    assert mapped_to_other(loaded.other, fy, "public") == (
        "Households whose reason for ceasing to foster is not declared for 2022-23 are "
        "counted as 'Other \u2013 including death', as the council's configuration allows "
        "(unknown_to_other); the internal copy says how many."
    )


def test_the_2024_25_transfer_spelling_is_unknown_in_the_2022_23_layout(copy_year):
    raw, frame, write = copy_year()
    leaver = frame.index[frame["Deregistration Date"] != ""][0]
    frame.loc[leaver, "Reason for Ceasing to Foster"] = (
        "Transfer to another LA fostering service / children's trust (IFA)"
    )
    write(frame)
    with pytest.raises(InputError, match='not declared for 2022-23: "Transfer to another LA'):
        load_register("2022-23", raw)


def test_a_renamed_column_stops_the_run_and_says_which(copy_year):
    raw, frame, write = copy_year()
    write(frame.rename(columns={"Approval Date": "Date Approved"}))
    with pytest.raises(
        InputError,
        match=r"column 'Approval Date' declared for 2022-23 is not in the file\n"
        r"the file's columns: \[.*'Date Approved'",
    ):
        load_register("2022-23", raw)


def test_a_bad_date_names_its_row(copy_year):
    raw, frame, write = copy_year()
    frame.loc[0, "Approval Date"] = "2019-13-45"
    write(frame)
    with pytest.raises(InputError, match="row 2, column 'approval_date', value '2019-13-45'"):
        load_register("2022-23", raw)


def test_a_year_without_an_extract_lists_the_years_available():
    with pytest.raises(YearError, match="years available: 2018-19, 2019-20"):
        load_register("2017-18")


# ---- the example data and its drift -------------------------------------------------


def test_years_drift_like_real_extracts():
    old = available_files()["2018-19"].read_text(encoding="utf-8")
    new = available_files()["2024-25"].read_text(encoding="utf-8")
    assert old.startswith("Household ID,Household Type,Approval Date")
    assert new.startswith("household_id,carer_type,approved_on")
    assert "children's trust)\"" in old or "children's trust)," in old
    assert "children's trust (IFA)" not in old
    assert "Decided fostering not for them" not in old


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_example_retention", paths.ROOT / "scripts" / "make_example_retention.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert len(written) == 7
    for path in written:
        assert path.read_bytes() == (register_dir() / path.name).read_bytes(), path.name


def test_registry_entry_lists_years_and_inputs():
    retention, council = by_name()["retention"], config.load("coventry")
    assert retention.years(council) == YEARS
    own = [
        *(f"household_register_{y}" for y in YEARS[:3]),
        "retention.toml",
        *sorted(p.name for p in council.published.glob("*.csv")),
        "reconciliation.toml",
        "ssda903_header_2020-21_SYNTHETIC.csv",
        "ssda903_episodes_2020-21_SYNTHETIC.csv",
    ]
    names = [
        p.name[:26] if "register" in p.name else p.name
        for p in retention.inputs(council, "2020-21")
    ]
    assert names[: len(own)] == own
    # Then the files the shared counts are read from (analysis.disclosure.shared_counts).
    assert "enquiries_2020-21_SYNTHETIC.csv" in names
    assert "ssda903_episodes_2020-21_SYNTHETIC.csv" in names


def test_key_findings_are_generated_from_the_figures(register, published):
    from analysis.presentation.appendix import Appendix

    fy = FinancialYear.parse("2022-23")
    year = m.reconcile(register, published).query("year == '2022-23'")
    shown = page_tables(register, fy)
    sentences = key_findings(
        register,
        fy,
        shown,
        app := Appendix("Retention", "2022-23", service="Test"),
    )
    reconciled = reconciliation_note(
        tables.reconciliation_rows(*tables.reconciliation(register, year)), fy, app
    )
    change = places_change(shown["places change"], app)
    app.finish()
    assert len(sentences) <= MAX_FINDINGS
    text = app.stated(" ".join(sentences))
    assert "204 approved mainstream fostering households at 31 March 2023, up 2" in text
    assert (
        "Retention was 93.1% in 2022/23 (14 of the 202 households approved at 1 April ceased "
        "to foster), compared with " in text
    )
    assert "national" not in text
    assert "266 of 399 approved mainstream places were filled (occupancy 66.7%" in text
    # About the data, or a topic with its own section: said there, not in the findings.
    assert "published" not in text and "counted as" not in text
    assert "Approved mainstream places changed" not in text
    assert app.stated(reconciled).startswith(
        "Of the 23 figures the council published for 2022/23, the page shows the register's "
        "value for 23, and the register reproduces 22 of them; the tables below say"
    )
    assert app.stated(change).startswith("Approved mainstream places changed by ")
    assert reconciliation_note(pd.DataFrame(columns=[tables.REPRODUCED]), fy, app) is None


def test_targets_agree_with_the_published_transcription(published):
    """The reconciliation's targets and issue 2's transcription of the reports agree."""
    from analysis.sources.published import load as loader

    figures = loader.load_all()
    first = published.drop_duplicates(["year", "measure"])  # 191 before 194 for 2024-25
    mine = first.set_index(["year", "measure"])["published"]
    breakdowns = {
        "permanence": "permanence_plan",
        "transfer_la": "transfer_other_la",
        "transfer_ifa": "transfer_ifa",
        "personal": "personal_circumstances",
        "not_for_them": "not_for_them",
        "dissatisfied": "dissatisfied",
        "safeguarding": "safeguarding_termination",
        "resigned_quality": "resigned_prior_to_concerns",
        "other": "other_including_death",
        "total": "total",
    }
    for year in YEARS:
        for code, breakdown in breakdowns.items():
            if (year, f"leavers: {code}") in mine.index:
                assert mine[(year, f"leavers: {code}")] == loader.figure(
                    figures, "households_ceasing", year, breakdown=breakdown
                ), (year, code)
        assert mine[(year, "approvals")] == loader.figure(figures, "households_approved", year)
    for year in YEARS[:5]:
        assert mine[(year, "households at 31 March")] == loader.figure(
            figures, "approved_households", year
        )
    for year in ("2020-21", "2021-22", "2022-23", "2023-24", "2024-25"):
        assert mine[(year, "occupancy %")] == loader.figure(figures, "occupancy_rate", year)
    # The 389 places printed "on 31/3/22" in the 2022/23 report are dated as printed in the
    # transcription and here alike (see docs/assumptions.md).
    assert mine[("2021-22", "approved places")] == loader.figure(
        figures, "approved_places", "2021-22"
    )
    assert mine[("2024-25", "approved places")] == loader.figure(
        figures, "approved_places", "2024-25"
    )


def test_waterfall_never_positions_a_bar_on_a_withheld_flow():
    from analysis.presentation.appendix import drawn_values
    from analysis.retention import charts

    shown = pd.Series(dict(zip(tables.FLOW.values(), [205, 20, 22, 12, 191], strict=True)))
    fig = charts.waterfall(shown, "All shown")
    bottoms = [patch.get_y() for patch in fig.axes[0].patches]
    assert bottoms == [0, 205, 203, 191, 0]  # floating: 205 + 20 - 22 - 12 = 191
    withheld = shown.astype(object).copy()
    withheld[[tables.FLOW["joiners"], tables.FLOW["other exits"]]] = "c"
    fig = charts.waterfall(withheld, "Two withheld")
    assert [patch.get_y() for patch in fig.axes[0].patches] == [0, 0, 0]
    assert sorted(v for v in drawn_values(fig) if v > 1) == [22, 191, 191, 205, 205]
    assert [t.get_text() for t in fig.axes[0].texts].count("c") == 2
