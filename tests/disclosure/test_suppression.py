"""Small-number suppression on hand-made tables whose answers are worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import suppression as disclosure
from analysis.presentation.appendix import Appendix


def test_one_small_band_and_a_total_row_withholds_the_next_smallest_band():
    # 3 is withheld; with the total (45) shown, 3 = 45 - 10 - 25 - 7 could be worked
    # out, so the next smallest band (7) is withheld too. The share follows its count.
    table = pd.DataFrame(
        {
            "band": ["0-4", "5-9", "10-15", "16+", "Total"],
            "n": [3, 10, 7, 25, 45],
            "share": [0.07, 0.22, 0.16, 0.56, 1.0],
        }
    )
    shown = disclosure.apply(table, "public", counts=["n"], rates={"share": ["n"]})
    assert shown["n"].tolist() == ["c", 10, "c", 25, 45]
    assert shown["share"].tolist() == ["c", 0.22, "c", 0.56, 1.0]


def test_two_way_table_with_row_and_column_totals():
    # A.x = 2 is withheld. Row A total: A.y (20) must go too. Column x total: B.x
    # (10) must go. Column y now has A.y alone: B.y (30) goes. Row B has two. Every
    # row and column with a withheld cell now has at least two, so no subtraction
    # recovers any of them; totals stay shown.
    table = pd.DataFrame(
        {
            "area": ["A", "B", "Total"],
            "x": [2, 10, 12],
            "y": [20, 30, 50],
            "Total": [22, 40, 62],
            "rate_x": [0.1, 0.2, 0.3],
        }
    )
    shown = disclosure.apply(
        table,
        "public",
        counts=["x", "y", "Total"],
        rates={"rate_x": ["x"]},
        totals={"Total": ["x", "y"]},
        total_row="Total",
    )
    assert shown[["x", "y", "Total"]].values.tolist() == [
        ["c", "c", 22],
        ["c", "c", 40],
        [12, 50, 62],
    ]
    assert shown["rate_x"].tolist() == ["c", "c", 0.3]


def test_totals_are_found_without_being_declared_when_they_add_up():
    table = pd.DataFrame(
        {"area": ["A", "B", "Total"], "x": [2, 10, 12], "y": [20, 30, 50], "Total": [22, 40, 62]}
    )
    declared = disclosure.apply(
        table, "public", counts=["x", "y", "Total"], totals={"Total": ["x", "y"]}, total_row="Total"
    )
    found = disclosure.apply(table, "public", counts=["x", "y", "Total"])
    pd.testing.assert_frame_equal(declared, found)


def test_a_column_called_total_that_does_not_add_up_is_not_treated_as_a_total():
    table = pd.DataFrame({"x": [3, 10], "y": [20, 30], "Total": [99, 99]})
    shown = disclosure.apply(table, "public", counts=["x", "y", "Total"])
    assert shown.values.tolist() == [["c", 20, 99], [10, 30, 99]]


def test_zero_is_shown_and_never_chosen_as_the_secondary_cell():
    # Row: 4 withheld; the other components are 0 and 9; 0 reveals nothing, so 9 goes.
    table = pd.DataFrame({"a": [4], "b": [0], "c9": [9], "Total": [13]})
    shown = disclosure.apply(table, "public", counts=["a", "b", "c9", "Total"])
    assert shown.values.tolist() == [["c", 0, "c", 13]]


def test_the_total_is_withheld_when_no_other_count_can_protect_the_small_one():
    table = pd.DataFrame({"a": [4], "b": [0], "Total": [4]})
    shown = disclosure.apply(table, "public", counts=["a", "b", "Total"])
    assert shown.values.tolist() == [["c", 0, "c"]]


def test_every_group_ends_with_none_or_at_least_two_withheld():
    rng = np.random.default_rng(6)
    inner = pd.DataFrame(rng.integers(0, 12, size=(6, 4)), columns=list("abcd"))
    inner["Total"] = inner.sum(axis=1)
    table = pd.concat([inner, inner.sum().to_frame().T], ignore_index=True)
    table.insert(0, "area", [*"PQRSTU", "Total"])
    shown = disclosure.apply(table, "public", counts=[*"abcd", "Total"])
    hidden = shown[[*"abcd", "Total"]] == "c"
    assert hidden.to_numpy().sum() > 0
    for _, row in hidden.iterrows():
        assert row.sum() != 1
    for column in hidden:
        assert hidden[column].sum() != 1
    values = table[[*"abcd", "Total"]]
    assert ((values >= 1) & (values <= 5)).to_numpy()[hidden.to_numpy() == False].sum() == 0  # noqa: E712


def test_internal_rule_leaves_small_numbers_and_charts_alone():
    table = pd.DataFrame({"n": [1, 7], "Total": [8, 8]})
    assert disclosure.apply(table, "internal", counts=["n"]).equals(table)
    assert disclosure.label(3, "internal") == "3"
    assert disclosure.chart_values([3, 7], "internal") == [3.0, 7.0]


def test_chart_helpers_withhold_small_and_already_withheld_values():
    assert [disclosure.label(v) for v in (0, 3, 6, "c")] == ["0", "c", "6", "c"]
    plotted = disclosure.chart_values([0, 3, 6, "c"])
    assert plotted[0] == 0 and plotted[2] == 6 and np.isnan(plotted[1]) and np.isnan(plotted[3])
    appendix = Appendix("Test", "2024-25", service="Test service")
    assert appendix.label(2) == "c" and appendix.label(1234) == "1,234"


def test_appendix_table_passes_totals_through_and_numbers_tables():
    appendix = Appendix("Test", "2024-25", service="Test service")
    table = pd.DataFrame({"band": ["a", "b", "c", "All"], "n": [3, 8, 9, 20]})
    shown = appendix.table(table, "Children", counts=["n"], total_row="All")
    assert shown["n"].tolist() == ["c", "c", 9, 20]
    published = appendix.table(table, "As published", counts=["n"], published=True)
    assert published["n"].tolist() == [3, 8, 9, 20]
    assert appendix._tables == 2


def test_a_missing_total_row_is_an_error():
    with pytest.raises(ValueError, match="total row 'Sum' not found"):
        disclosure.apply(
            pd.DataFrame({"k": ["a"], "n": [3]}), "public", counts=["n"], total_row="Sum"
        )
