"""The projection of next year's approvals reproduces a hand-computed pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from recruitment_households import household as full_household

from analysis.presentation.appendix import Appendix
from analysis.recruitment import projection as proj

T = pd.Timestamp
STAGES = ["eoi", "stage1", "stage2", "panel", "approval"]


def household(ident, *dates, outcome="in progress", exit_date=None, exit_stage=None):
    """Enquiry, then eoi, stage1, stage2, panel, approval as given (None for a gap)."""
    enquiry, *stages = dates
    stages = [*stages, *[None] * (5 - len(stages))]
    return {
        "household_id": ident,
        "enquiry_date": T(enquiry),
        **{f"{s}_date": T(d) if d else pd.NaT for s, d in zip(STAGES, stages, strict=True)},
        "exit_date": T(exit_date) if exit_date else pd.NaT,
        "outcome": outcome,
        "exit_stage": exit_stage,
    }


@pytest.fixture
def pipeline():
    """Four households that entered stage 2 on 1 June 2023: two approved (223 and 245 days
    on, through panel on 1 January 2024), two withdrew (92 and 122 days on). In progress on
    31 March 2025: two 30 days into stage 2, one 10 days after panel (its stage 2 began
    before the last three years, so it is no reference for stage 2)."""
    start = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-06-01"]
    return pd.DataFrame(
        [
            household("H000001", *start, "2024-01-01", "2024-01-10", outcome="approved"),
            household("H000002", *start, "2024-01-01", "2024-02-01", outcome="approved"),
            household(
                "H000003", *start, outcome="withdrew", exit_date="2023-09-01", exit_stage="stage2"
            ),
            household(
                "H000004", *start, outcome="withdrew", exit_date="2023-10-01", exit_stage="stage2"
            ),
            household("H000005", "2024-09-01", "2024-09-10", "2024-10-01", "2025-03-01"),
            household("H000006", "2024-09-01", "2024-09-10", "2024-10-01", "2025-03-01"),
            household(
                "H000007", "2021-06-01", "2021-06-10", "2021-07-01", "2022-01-01", "2025-03-21"
            ),
        ]
    )


def test_positions_of_households_in_progress(pipeline):
    where = proj.positions(pipeline, "2024-25")
    assert where.to_dict("list") == {
        "household_id": ["H000005", "H000006", "H000007"],
        "record": [
            "household:2024-25:H000005",
            "household:2024-25:H000006",
            "household:2021-22:H000007",
        ],
        "stage": ["stage2", "stage2", "panel"],
        "days_in_stage": [30, 30, 10],
    }


def test_chances_and_projection_reproduce_the_hand_computed_figure(pipeline):
    chances = proj.chances(pipeline, "2024-25", recent=3)
    # Stage 2, by hand (Aalen-Johansen from entering stage 2): the two in progress are
    # censored at day 30 before any event, leaving 4; withdrawals at 92 and 122 take the
    # share still in progress to 1/2; approvals at 223 (1 of 2 at risk) and 245 (1 of 1)
    # add 1/4 each: 1/2 within 12 months. Panel: approvals at day 9 (1 of 3 at risk) and
    # day 31 (1 of 1, after the in-progress household's censoring at day 10): 1/3 + 2/3 = 1.
    assert chances["chance"].tolist() == pytest.approx([0.5, 0.5, 1.0])
    assert chances["band_days"].tolist() == [0, 0, 0]
    assert chances["reference"].tolist() == [6, 6, 3]
    outlook = proj.project(chances["chance"], level=0.9)
    # Successes among (1/2, 1/2, 1): P(1)=1/4, P(2)=1/2, P(3)=1/4; the 5% tails are 1 and 3.
    assert outlook == proj.Projection(expected=2.0, low=1, high=3, level=0.9, households=3)
    table = proj.with_total(proj.by_stage(chances), outlook)
    assert table.to_dict("list") == {
        "Stage reached": ["Stage 2 assessment", "Fostering panel", "Total"],
        "Households in progress": [2, 1, 3],
        "Average chance of approval within 12 months (%)": [50.0, 100.0, 66.7],
        "Expected approvals": [1.0, 1.0, 2.0],
    }


def test_a_household_long_in_its_stage_is_compared_with_those_there_as_long(pipeline):
    late = pipeline.copy()
    late.loc[4, "stage2_date"] = T("2024-12-21")  # 100 days into stage 2 on 31 March
    chances = proj.chances(late, "2024-25", recent=3, min_reference=1).set_index("household_id")
    # Still in stage 2 after 91 days: the four reference households and this one. From
    # day 91: a withdrawal at 1 (1 of 5: 4/5 left), this household censored at 9, a
    # withdrawal at 31 (1 of 3: 8/15 left), approvals at 132 (1 of 2: 4/15) and 154
    # (1 of 1: 4/15): 8/15.
    assert chances.loc["H000005", "band_days"] == 91
    assert chances.loc["H000005", "reference"] == 5
    assert chances.loc["H000005", "chance"] == pytest.approx(8 / 15)
    # With too few households that long in the stage, it falls back to all who entered it.
    fallback = proj.chances(late, "2024-25", recent=3, min_reference=6).set_index("household_id")
    assert fallback.loc["H000005", "band_days"] == 0
    assert fallback.loc["H000005", "reference"] == 6


def test_poisson_binomial_is_the_binomial_when_the_chances_are_equal():
    np.testing.assert_allclose(proj.poisson_binomial([0.5, 0.5, 0.5]), [1 / 8, 3 / 8, 3 / 8, 1 / 8])
    np.testing.assert_allclose(proj.poisson_binomial([]), [1.0])


def test_the_sentence_is_labelled_a_projection_and_withholds_a_small_count(pipeline):
    chances = proj.chances(pipeline, "2024-25", recent=3)
    outlook = proj.project(chances["chance"])
    expected = "about 2 of them would be approved in 2025/26 (95% interval 1 to 3)"
    for rule, households, approved in (
        ("internal", "the 3", expected),
        # the expected approvals rest on the withheld households: withheld with them
        ("public", "the withheld number of", "the number they would give is withheld with them"),
    ):
        app = Appendix("Recruitment", "2024-25", rule, service="Test")
        said = proj.sentence(outlook, "2024-25", 3, app, "pipeline")
        app.finish()
        text = app.stated(said)
        assert text.startswith(
            f"Projection, not a forecast: if {households} households in progress on "
            "31 March 2025 move on as households at the same stages did from 2022/23 to "
            f"2024/25, {approved}."
        )


@pytest.fixture
def enquirers():
    """Recent enquirers: 4 in 2023/24 and 6 in 2024/25 (a mean of 5). Nine had an outcome 30
    days on, 5 approved and 4 withdrew; one enquired on 21 March 2025, still in progress
    (censored at 10 days). So the approval incidence is 0 before 30 days and 5/9 from then.
    Days from enquiry to its year's 31 March: 365, 365, 182, 11; 364 (x3), 211, 89, 10: eight
    of the ten at least 30 days, so an enquirer's chance is 8/10 x 5/9 = 4/9."""
    rows = []
    dates = ["2023-04-01", "2023-04-01", "2023-10-01", "2024-03-20",
             "2024-04-01", "2024-04-01", "2024-04-01", "2024-09-01", "2025-01-01"]  # fmt: skip
    for i, day in enumerate(dates):
        out = T(day) + pd.Timedelta(days=30)
        if i in (0, 2, 4, 5, 7):
            rows.append(full_household(f"H{i:06d}", day, *[out] * 5, outcome="approved"))
        else:
            rows.append(
                full_household(
                    f"H{i:06d}",
                    day,
                    outcome="withdrew",
                    exit_date=out,
                    code="AW1",
                    exit_stage="enquiry",
                )
            )
    rows.append(full_household("H000099", "2025-03-21"))
    return pd.DataFrame(rows)


def test_households_yet_to_enquire_reproduce_the_hand_computed_figure(enquirers):
    new = proj.new_enquirers(enquirers, "2024-25", recent=2)
    assert new.years == ("2023-24", "2024-25")
    assert new.enquiries == 5.0
    assert new.chance == pytest.approx(4 / 9)
    assert new.expected == pytest.approx(20 / 9)
    # Poisson with mean 20/9: P(N <= 0) = 0.108 reaches 2.5%, P(N <= 5) = 0.974 < 97.5% <=
    # P(N <= 6) = 0.992 (95%, as every interval on the pages).
    assert (new.low, new.high, new.level) == (0, 6, 0.95)
    # Only the years given as available: 2024/25's 6 enquirers alone, whose progress gives
    # the chance too: 3 approved and 2 withdrew at 30 days (3/5), 1 censored at 10; 5 of the
    # 6 enquired at least 30 days before 31 March, so 5/6 x 3/5 = 1/2, and 6 x 1/2 = 3.
    alone = proj.new_enquirers(enquirers, "2024-25", recent=2, available=["2024-25"])
    assert (alone.years, alone.enquiries) == (("2024-25",), 6.0)
    assert alone.chance == pytest.approx(1 / 2)
    assert alone.expected == pytest.approx(3.0)


def test_the_total_adds_the_two_independent_parts(enquirers):
    new = proj.new_enquirers(enquirers, "2024-25", recent=2)
    nobody = proj.combined(pd.Series([], dtype=float), new)
    assert (nobody.expected, nobody.low, nobody.high) == (pytest.approx(20 / 9), 0, 6)
    # Two households in progress certain to be approved shift the distribution by 2.
    certain = proj.combined(pd.Series([1.0, 1.0]), new)
    assert (certain.expected, certain.low, certain.high) == (pytest.approx(2 + 20 / 9), 2, 8)
    # The convolution of a fair coin with the Poisson: its mean adds, exactly.
    coin = proj.combined(pd.Series([0.5]), new)
    assert coin.expected == pytest.approx(0.5 + 20 / 9)
    table = proj.parts_table(proj.project(pd.Series([1.0, 1.0])), new, certain, "2024-25")
    assert table[proj.PART].tolist() == [
        "From households in progress on 31 March 2025",
        "From households yet to enquire in 2025/26",
        "Total",
    ]
    assert table[proj.EXPECTED].tolist() == [2.0, 2.2, 4.2]
    assert table["95% interval"].tolist() == ["2 to 2", "0 to 6", "2 to 8"]


def test_the_sentence_gives_both_parts_apart_and_their_total(pipeline, enquirers):
    chances = proj.chances(pipeline, "2024-25", recent=3)
    outlook = proj.project(chances["chance"])
    new = proj.new_enquirers(enquirers, "2024-25", recent=2)
    assert new.approved == {
        *(f"household:2023-24:H{i:06d}" for i in (0, 2)),
        *(f"household:2024-25:H{i:06d}" for i in (4, 5, 7)),
    }
    total = proj.combined(chances["chance"], new)
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    text = app.stated(proj.sentence(outlook, "2024-25", 3, app, "pipeline", None, new, total))
    assert text.endswith(
        "(95% interval 1 to 3). If as many households enquire in 2025/26 as on average in "
        "2023/24 to 2024/25 (about 5) and get through as theirs did (5 of them were approved "
        "by 31 March of the year they enquired in), about 2 more would be approved by 31 March "
        f"2026 (95% interval 0 to 6): about {total.expected:.0f} in all (95% interval "
        f"{total.low} to {total.high}). The intervals allow for chance (in how many enquire "
        "too, taken as Poisson, which is narrower than the years' own spread), not for change "
        "in how the service works or a trend in enquiries."
    )


def test_the_part_yet_to_enquire_is_withheld_with_the_few_approvals_it_rests_on(enquirers):
    # 5 recent enquirers approved within their enquiry year: a small count, so the part
    # (about 2 from 5 enquiries at 4/9) would be one in disguise: withheld in words and table.
    new = proj.new_enquirers(enquirers, "2024-25", recent=2)
    outlook = proj.project(pd.Series([0.5] * 10))
    total = proj.combined(pd.Series([0.5] * 10), new)
    app = Appendix("Recruitment", "2024-25", service="Test")
    where = proj.with_total(
        proj.by_stage(pd.DataFrame({"stage": ["stage1"] * 10, "chance": [0.5] * 10,
                                    "record": [f"household:X{i}" for i in range(10)]})),
        outlook,
    )  # fmt: skip
    app.table(where, "pipeline", counts=["Households in progress"], name="pipeline",
              total_row="Total")  # fmt: skip
    app.count(len(new.approved), proj.EARLY, records=new.approved)
    app.table(proj.parts_table(outlook, new, total, "2024-25"), "parts", name="projection",
              on=[app.cell("pipeline", "Total", "Households in progress"), proj.EARLY])  # fmt: skip
    said = proj.sentence(outlook, "2024-25", 3, app, "pipeline", None, new, total)
    app.close()
    assert proj.EARLY in app.hidden
    assert app.stated(said).endswith(
        "(95% interval 2 to 8). Households yet to enquire in 2025/26 are not projected here: "
        "their projection rests on a count the page withholds. The interval allows for chance, "
        "not for change in how the service works."
    )
    assert (app.shown("projection").iloc[:, 1:] == "c").all().all()
