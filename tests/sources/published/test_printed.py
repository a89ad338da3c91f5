"""Reading numbers as the reports print them."""

import pytest

from analysis.sources.published.printed import PrintedFormError, Reading, number, parse, pounds


def values(text):
    return [(r.value, r.basis) for r in parse(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1798", 1798.0),
        ("1,798", 1798.0),
        ("10,728", 10728.0),
        ("4.04%", 4.04),
        ("3 %", 3.0),
        ("172 days", 172.0),
        ("14 months", 14.0),
        ("£150", 150.0),
        ("Seven", 7.0),
        ("twelve", 12.0),
        ("  16 ", 16.0),
    ],
)
def test_single_figures(text, expected):
    (reading,) = parse(text)
    assert reading.value == expected
    assert reading.status == "value"


def test_decimals_are_kept_so_checks_know_the_printed_precision():
    assert [r.decimals for r in parse("4.04%")] == [2]
    assert [r.decimals for r in parse("78.5%")] == [1]
    assert [r.decimals for r in parse("43%")] == [0]
    assert number("1,798.25") == (1798.25, 2)


def test_two_labelled_rates_in_one_cell_are_two_measures():
    assert values("12% (any contact) 41% (expression of interest)") == [
        (12.0, "enquiries"),
        (41.0, "expressions_of_interest"),
    ]
    assert values("4.2% (contact) 14.7% (EOI)") == [
        (4.2, "enquiries"),
        (14.7, "expressions_of_interest"),
    ]


def test_a_rate_split_over_two_lines_reads_like_one_line():
    assert values("5% (any contact)\n73% (expression of interest)") == values(
        "5% (any contact) 73% (expression of interest)"
    )


def test_an_unlabelled_second_rate_keeps_an_empty_basis():
    assert values("4% (contact) 47.6%") == [(4.0, "enquiries"), (47.6, "")]


def test_share_with_its_parts():
    readings = parse("35% (39 of 112)")
    assert [(r.value, r.basis, r.unit) for r in readings] == [
        (35.0, "", None),
        (39.0, "part", "count"),
        (112.0, "whole", "count"),
    ]


def test_rank_out_of():
    assert values("9th (out of 43)") == [(9.0, ""), (43.0, "out_of")]


def test_hedged_figures_keep_their_qualifier():
    assert parse("just over 93%") == [Reading(93.0, 0, "", "just over")]
    assert parse("approximately 35.8%") == [Reading(35.8, 1, "", "around")]
    assert parse("Around 17%")[0].qualifier == "around"
    assert parse("nearly 500")[0].qualifier == "nearly"


def test_labelled_counts_in_one_cell():
    text = (
        "Connected person : 30 Mainstream: 17 (including 3 partners who left a fostering household)"
    )
    assert values(text) == [
        (30.0, "connected_person"),
        (17.0, "mainstream"),
        (3.0, "including_partners_who_left_a_fostering_household"),
    ]


@pytest.mark.parametrize("text", ["", "   ", "-", "\u2013", "\u2014", None])
def test_blanks_and_dashes_are_missing(text):
    assert parse(text) == [Reading(None, status="missing")]


def test_c_is_suppressed():
    assert parse("c") == [Reading(None, status="suppressed")]


@pytest.mark.parametrize("text", ["nouseholds", "12 households approved", "12% (any contact) abc"])
def test_text_that_is_not_a_figure_is_refused(text):
    with pytest.raises(PrintedFormError, match=r"not|cannot read"):
        parse(text)


def test_pounds_scales_thousands():
    assert pounds(1798, "£000") == 1_798_000
    with pytest.raises(PrintedFormError, match="not a money unit"):
        pounds(1, "percent")
