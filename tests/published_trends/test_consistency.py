"""The consistency check: made-up tables with known answers, then the real published figures."""

import pandas as pd
import pytest
from _published_helpers import funnel, rate, row, write_folder

from analysis.core import paths
from analysis.published_trends import consistency
from analysis.published_trends.consistency import AGREES, CANNOT, DISAGREES, judge
from analysis.sources.published import load as published


def checks_for(tmp_path, rows_by_topic):
    folder = write_folder(tmp_path / "published", rows_by_topic)
    return consistency.run(published.load_all(folder))


def one(checks, **where):
    hit = checks
    for column, value in where.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, f"expected one check for {where}, found {len(hit)}"
    return hit.iloc[0]


# --- judging one printed figure -----------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "decimals", "qualifier", "recomputed", "verdict"),
    [
        (43, 0, "", 42.5, AGREES),  # rounds half up
        (43, 0, "", 43.49, AGREES),
        (43, 0, "", 45.71, DISAGREES),
        (4.05, 2, "", 4.0491, AGREES),
        (4.04, 2, "", 4.0491, DISAGREES),  # truncated
        (93, 0, "just over", 93.14, AGREES),
        (93, 0, "just over", 92.9, DISAGREES),
        (93, 0, "just over", 94.2, DISAGREES),
        (2, 0, "around", 2.3, AGREES),
        (2, 0, "around", 5.68, DISAGREES),
        (40, 0, "around", 43.9, AGREES),  # within a tenth of 40
        (500, 0, "nearly", 480, DISAGREES),
        (500, 0, "nearly", 499.5, AGREES),
        (1.9, 1, "", 1.907, AGREES),
        (1.4, 1, "", 1.984, DISAGREES),
    ],
)
def test_judge_at_the_printed_precision(printed, decimals, qualifier, recomputed, verdict):
    assert judge(printed, decimals, qualifier, recomputed)[0] == verdict


def test_judge_names_truncation():
    verdict, cause = judge(78.5, 1, "", 33 / 42 * 100)
    assert verdict == DISAGREES
    assert cause.startswith("truncated rather than rounded: 78.571")
    assert judge(78.6, 1, "", 33 / 42 * 100) == (AGREES, "")


# --- made-up funnel -----------------------------------------------------------------------


@pytest.fixture
def made_up_funnel(tmp_path):
    rows = [
        *funnel("2030-31", 200, 50, 40, 20, 10),
        rate(
            "2030-31",
            "rate_enquiry_to_full_assessment",
            "10% (any contact) 40% (expression of interest)",
        ),
        rate("2030-31", "rate_stage2_to_approval", "50%"),
        rate("2030-31", "rate_enquiry_to_approval", "5% (contact) 20% (EOI)"),
        *funnel("2031-32", 300, 60, 25, 20, 10),
        # 10 / 25 (stage 1) = 40%, not 10 / 20 (stage 2) = 50%
        rate("2031-32", "rate_stage2_to_approval", "40%"),
        # 20 / 60 = 33.33...: truncation and rounding agree here
        rate(
            "2031-32",
            "rate_enquiry_to_full_assessment",
            "6.7% (any contact) 33.3% (expression of interest)",
        ),
        # 10 / 60 = 16.67%: printed 16.6% is truncated
        rate("2031-32", "rate_enquiry_to_approval", "3.3% (contact) 16.6% (EOI)"),
    ]
    return rows


def test_made_up_rates_that_follow_from_the_funnel_agree(tmp_path, made_up_funnel):
    checks = checks_for(tmp_path, {"recruitment_funnel": made_up_funnel})
    first = checks[(checks["year"] == "2030-31") & (checks["check"] == "rate")]
    assert len(first) == 5
    assert set(first["verdict"]) == {AGREES}
    eoi = one(first, figure="Conversion rate, enquiry to approval (EOI)")
    assert eoi["recomputed"] == pytest.approx(20.0)
    assert eoi["formula"] == "households approved / expressions of interest = 10 / 50 = 20.00%"


def test_made_up_rate_with_another_denominator_is_explained(tmp_path, made_up_funnel):
    checks = checks_for(tmp_path, {"recruitment_funnel": made_up_funnel})
    wrong = consistency.disagreements(checks, "2031-32")
    assert sorted(wrong["figure"]) == [
        "Conversion rate, enquiry to approval (EOI)",
        "Conversion rate, stage 2 assessment to approval",
    ]
    stage2 = one(wrong, figure="Conversion rate, stage 2 assessment to approval")
    assert stage2["printed_value"] == 40
    assert stage2["recomputed"] == pytest.approx(50)
    assert stage2["difference"] == pytest.approx(-10)
    assert stage2["likely_cause"] == (
        "the printed rate matches households approved / stage 1 starts = 10 / 25 = 40.0%"
    )
    truncated = one(wrong, figure="Conversion rate, enquiry to approval (EOI)")
    assert truncated["likely_cause"].startswith("truncated rather than rounded")
    assert truncated["printed_in"] == "Made-up annual report A (1 January 2024), section"


def test_rate_carried_forward_from_the_previous_year_is_named(tmp_path):
    rows = [
        *funnel("2030-31", 200, 50, 40, 20, 10),
        rate("2030-31", "rate_stage2_to_approval", "50%"),
        *funnel("2031-32", 200, 50, 40, 30, 12),
        rate("2031-32", "rate_stage2_to_approval", "50%"),
    ]
    checks = checks_for(tmp_path, {"recruitment_funnel": rows})
    wrong = consistency.disagreements(checks)
    assert wrong["year"].tolist() == ["2031-32"]
    assert (
        "the previous year's printed rate (50%), as if carried forward"
        in (wrong["likely_cause"].iloc[0])
    )


# --- made-up totals, stock and flow, repeated figures -------------------------------------


def leavers(year, parts, total, source="report-a"):
    rows = [
        row(
            "mainstream_households_ceasing",
            year,
            "households_ceasing",
            v,
            breakdown=k,
            source=source,
        )
        for k, v in parts.items()
    ]
    rows.append(
        row(
            "mainstream_households_ceasing",
            year,
            "households_ceasing",
            total,
            breakdown="total",
            source=source,
        )
    )
    return rows


def test_made_up_totals(tmp_path):
    checks = checks_for(
        tmp_path,
        {
            "carers_ceasing": [
                *leavers("2030-31", {"personal_circumstances": "3", "not_for_them": "4"}, "7"),
                *leavers("2031-32", {"personal_circumstances": "3", "not_for_them": ""}, "4"),
            ],
            "budget": [
                row(
                    "fostering_budget", "2030-31", "budget", "1,000", breakdown="team", unit="£000"
                ),
                row("fostering_budget", "2030-31", "budget", "2500", breakdown="fees", unit="£000"),
                row(
                    "fostering_budget", "2030-31", "budget", "3,500", breakdown="total", unit="£000"
                ),
            ],
        },
    )
    totals = checks[checks["check"] == "total"]
    assert totals[["year", "verdict"]].values.tolist() == [
        ["2030-31", AGREES],
        ["2030-31", AGREES],
        ["2031-32", DISAGREES],
    ]
    wrong = one(totals, year="2031-32")
    assert wrong["recomputed"] == 3
    assert wrong["likely_cause"] == (
        "the 1 printed part adds to 3, 1 less than the printed total; blank cell counted "
        "as nothing: label"
    )


def test_made_up_household_stock_and_flow(tmp_path):
    stock = [
        row("mainstream_recruitment", "2029-30", "approved_households", "100"),
        row("mainstream_recruitment", "2030-31", "approved_households", "105"),
        row("mainstream_recruitment", "2032-33", "approved_households", "110"),
    ]
    checks = checks_for(
        tmp_path,
        {
            "recruitment_funnel": [
                *stock,
                *funnel("2030-31", 100, 20, 15, 12, 10),
                *funnel("2031-32", 100, 20, 15, 12, 3),
                *funnel("2032-33", 100, 20, 15, 12, 4),
            ],
            "carers_ceasing": [
                *leavers("2030-31", {"other": "5"}, "5"),
                *leavers("2031-32", {"other": "1"}, "1"),
                *leavers("2032-33", {"other": "2"}, "2"),
            ],
        },
    )
    flow = checks[checks["check"] == "stock and flow"].set_index("year")
    assert flow.loc["2030-31", "verdict"] == AGREES
    assert flow.loc["2030-31", "formula"] == (
        "100 at 31 March 2030 + approvals 10 - households ceasing 5 = 105"
    )
    # 105 + 3 - 1 + 4 - 2 = 109 (the 2031-32 count is not printed, so the flow spans two years)
    assert flow.loc["2032-33", "recomputed"] == 109
    assert flow.loc["2032-33", "verdict"] == DISAGREES
    assert flow.loc["2032-33", "likely_cause"].startswith(
        "the printed count is 1 above the flow from 2030-31"
    )


def test_made_up_figure_printed_by_two_reports(tmp_path):
    checks = checks_for(
        tmp_path,
        {
            "children_in_care_and_capacity": [
                row("children_in_care", "2030-31", "children_in_care", "700", source="report-a"),
                row("children_in_care", "2030-31", "children_in_care", "710", source="report-b"),
                row(
                    "children_in_care",
                    "2030-31",
                    "children_in_foster_care",
                    "500",
                    source="report-a",
                ),
                row(
                    "children_in_care",
                    "2030-31",
                    "children_in_foster_care",
                    "500",
                    source="report-b",
                ),
                row(
                    "children_in_care", "2030-31", "children_in_foster_care", "-", source="report-b"
                ),
            ],
        },
    )
    twice = checks[checks["check"] == "same figure twice"]
    care = one(twice, figure="Children in care (printed twice)")
    assert (care["printed_value"], care["recomputed"], care["verdict"]) == (710, 700, DISAGREES)
    assert care["printed_in"].startswith("Made-up annual report B")
    assert care["parts_from"] == "Made-up annual report A"
    foster = twice[twice["figure"] == "Children in foster care (printed twice)"]
    assert sorted(foster["verdict"]) == [AGREES, CANNOT]


def test_made_up_shares_and_averages(tmp_path):
    capacity = "children_in_care_and_capacity"
    checks = checks_for(
        tmp_path,
        {
            "recruitment_funnel": [
                row("mainstream_recruitment", "2029-30", "approved_households", "90"),
                row("mainstream_recruitment", "2030-31", "approved_households", "100"),
            ],
            capacity: [
                row("mainstream_capacity", "2030-31", "approved_places", "200"),
                row(
                    "mainstream_capacity",
                    "2030-31",
                    "approved_places_per_household",
                    "2.0",
                    unit="per household",
                ),
                row("children_in_care", "2030-31", "children_in_care", "400"),
                row("children_in_care", "2030-31", "children_in_foster_care", "300"),
                row("children_in_care", "2030-31", "children_with_own_foster_carers", "150"),
                row(
                    "children_in_care",
                    "2030-31",
                    "share_of_foster_children_with_own_carers",
                    "50%",
                    unit="percent",
                ),
                row(
                    "children_in_care",
                    "2030-31",
                    "share_of_children_in_care_with_own_carers",
                    "50%",
                    unit="percent",
                ),
            ],
        },
    )
    per_home = checks[checks["figure"].str.startswith("Approved places per household")]
    assert per_home[["figure", "recomputed", "verdict"]].values.tolist() == [
        ["Approved places per household (end of year households)", 2.0, AGREES],
        [
            "Approved places per household (start of year households)",
            pytest.approx(2.222, 1e-3),
            DISAGREES,
        ],
    ]
    share = one(checks, figure="Share of all children in care with the council's own carers")
    assert share["recomputed"] == pytest.approx(37.5)
    assert share["likely_cause"].startswith("150 of 400 children in care is 37.5%")
    assert (
        one(checks, figure="Share of fostered children with the council's own carers")["verdict"]
        == AGREES
    )


# --- the real published figures -----------------------------------------------------------

REAL_DISAGREEMENTS = [
    ("2018-19", "Conversion rate, enquiry to approval", "4.04%"),
    ("2018-19", "Conversion rate, enquiry to full assessment", "4.4%"),
    ("2018-19", "Households ceasing to foster, by reason", "15"),
    ("2022-23", "Children with Coventry foster carers", "362"),
    ("2022-23", "Children with Coventry foster carers", "362"),
    ("2022-23", "Conversion rate, stage 2 assessment to approval", "43%"),
    ("2022-23", "Conversion rate, stage 2 assessment to approval", "43%"),
    ("2022-23", "Mainstream applications (Form F) at panel against households approved", "17"),
    ("2022-23", "Occupancy of approved mainstream places", "66.6%"),
    ("2022-23", "Share of all children in care with Coventry carers", "59.8%"),
    ("2022-23", "Share of all children in care with Coventry carers", "59.8%"),
    ("2022-23", "Vacant places as a share of all approved places", "around 2%"),
    ("2023-24", "Children placed with adopters at period end", "9"),
    ("2023-24", "Conversion rate, enquiry to full assessment (any contact)", "5%"),
    ("2024-25", "Adoption orders for children considered harder to place", "38%"),
    ("2024-25", "Approved households (printed twice)", "194"),
    ("2024-25", "Approved mainstream households at 31 March (stock and flow)", "191"),
    ("2024-25", "Approved mainstream households at 31 March (stock and flow)", "194"),
    ("2024-25", "Approved places per household (end of year households)", "1.4"),
    ("2024-25", "Approved places per household (end of year households)", "1.4"),
    ("2024-25", "Children placed with adopters at period end", "17"),
    ("2024-25", "Conversion rate, enquiry to full assessment (EOI)", "78.5%"),
]


@pytest.fixture(scope="module")
def real():
    return consistency.run(published.load_all(), own="Coventry")


def test_real_figures_disagree_exactly_where_expected(real):
    wrong = consistency.disagreements(real)
    found = sorted(zip(wrong["year"], wrong["figure"], wrong["printed"], strict=True))
    assert found == sorted(REAL_DISAGREEMENTS)


def test_real_checks_cover_every_printed_rate_and_total(real):
    assert len(real) == 213
    assert (real["check"] == "rate").sum() == 46
    assert set(real["verdict"]) == {AGREES, DISAGREES, CANNOT}
    cannot = real[real["verdict"] == CANNOT]
    assert sorted(cannot["year"]) == ["2020-21", "2021-22"]
    assert cannot["likely_cause"].str.contains("is lost in Fostering Annual Report 2024-25").all()


@pytest.mark.parametrize(
    ("year", "figure", "recomputed", "cause"),
    [
        (
            "2018-19",
            "Conversion rate, enquiry to full assessment",
            58 / 815 * 100,
            "no combination of the printed funnel figures reproduces it",
        ),
        (
            "2018-19",
            "Conversion rate, enquiry to approval",
            33 / 815 * 100,
            "truncated rather than rounded",
        ),
        (
            "2022-23",
            "Conversion rate, stage 2 assessment to approval",
            16 / 35 * 100,
            "households approved / stage 1 starts = 16 / 37 = 43.2%",
        ),
        (
            "2023-24",
            "Conversion rate, enquiry to full assessment (any contact)",
            27 / 372 * 100,
            "households approved / initial enquiries = 17 / 372 = 4.6%",
        ),
        (
            "2024-25",
            "Conversion rate, enquiry to full assessment (EOI)",
            33 / 42 * 100,
            "truncated rather than rounded",
        ),
        (
            "2022-23",
            "Share of all children in care with Coventry carers",
            362 / 726 * 100,
            "362 of 726 children in care is 49.9%",
        ),
        (
            "2022-23",
            "Occupancy of approved mainstream places",
            266 / 389 * 100,
            "matches the 68% printed for 2021-22",
        ),
        (
            "2022-23",
            "Vacant places as a share of all approved places",
            17 * 33.4 / 100,
            "17% x 40% x 33.4% = 2.3%",
        ),
        (
            "2024-25",
            "Adoption orders for children considered harder to place",
            7 / 18 * 100,
            "truncated rather than rounded",
        ),
        (
            "2018-19",
            "Households ceasing to foster, by reason",
            16,
            "add to 16, 1 more than the printed total",
        ),
    ],
)
def test_real_disagreements_show_both_values_and_the_cause(real, year, figure, recomputed, cause):
    hit = real[
        (real["year"] == year) & (real["figure"] == figure) & (real["verdict"] == DISAGREES)
    ].iloc[0]
    assert hit["recomputed"] == pytest.approx(recomputed)
    assert hit["difference"] == pytest.approx(hit["printed_value"] - recomputed)
    assert cause in hit["likely_cause"]
    assert hit["printed_in"] and hit["parts_from"]


def test_real_agreements_include_the_checks_the_reports_get_right(real):
    agree = real[real["verdict"] == AGREES]

    def formula(year, figure):
        return agree[(agree["year"] == year) & (agree["figure"] == figure)]["formula"].tolist()

    assert formula("2022-23", "Retention of mainstream households (end of year households)") == [
        "1 - households ceasing / approved households (2022-23) = 1 - 14 / 204 = 93.14%"
    ]
    assert formula("2022-23", "Retention of mainstream households (start of year households)") == [
        "1 - households ceasing / approved households (2021-22) = 1 - 14 / 202 = 93.07%"
    ]
    assert formula("2022-23", "Approved places per household (end of year households)") == [
        "approved places (at 31 March 2022) / approved households (2022-23) = 389 / 204 = 1.907"
    ]
    assert formula("2019-20", "Approved mainstream households at 31 March (stock and flow)") == [
        "184 at 31 March 2019 + approvals 21 - households ceasing 18 = 187"
    ]
    budget = agree[agree["figure"].str.startswith("Fostering budget")]
    assert len(budget) == 14  # every column of both reports' budget tables adds up


def test_every_check_skips_cleanly_when_its_figures_are_absent(tmp_path):
    empty = consistency.run(published.load_all(tmp_path / "nothing"))
    assert empty.empty and list(empty.columns) == consistency.COLUMNS
    leicester = consistency.run(published.load_all(paths.COUNCILS / "leicester" / "published"))
    assert leicester.empty


def test_engine_runs_only_the_checks_it_is_given(real):
    from analysis.published_trends import checks

    figures = published.load_all()
    only = consistency.run(figures, [checks.table_totals], own="Coventry")
    assert set(only["check"]) == {"total"}
    assert len(only) == len(real[real["figure"].str.startswith(tuple(checks.TOTALLED.values()))])


def test_short_names_are_written_in_words():
    assert [
        consistency.words(n)
        for n in (
            "stage1_started",
            "rate_stage2_to_approval",
            "children_leaving_care_on_sgo",
            "proceedings_concluding_at_irh",
            "placement_radius_miles",
            "national_change_la_mainstream_households",
        )
    ] == [
        "Stage 1 started",
        "Conversion rate, stage 2 to approval",
        "Children leaving care on a special guardianship order",
        "Proceedings concluding at the issues resolution hearing",
        "Placement radius (miles)",
        "National change in local-authority mainstream households",
    ]
    ceasing = pd.Series({"measure": "households_ceasing", "breakdown": "transfer_other_la",
                         "basis": "england"})  # fmt: skip
    assert consistency.describe(ceasing) == (
        "Households ceasing (transfer to another local authority, England)"
    )
