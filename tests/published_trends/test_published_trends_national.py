"""Coventry's published figures beside Ofsted's LA-sector rates, and the headline tiles."""

from __future__ import annotations

import pytest

from analysis.published_trends import headlines, national
from analysis.sources.ofsted import national as ofsted
from analysis.sources.published import load as published


@pytest.fixture(scope="module")
def figures():
    return published.load_all()


@pytest.fixture(scope="module")
def england():
    return ofsted.load()


def test_enquiries_to_applications_2024_25_against_the_la_sector_in_2023_24(figures, england):
    found = national.enquiries_to_applications(figures, england, "2024-25")
    # 35 stage 1 starts from 511 initial enquiries; Ofsted's latest LA counts are 2023-24's
    # 3,020 applications from 28,165 initial enquiries (10.7%), later than its last quoted
    # rate (12% for 2022-23): the latest year first, as the households-leaving rate does.
    assert (found.council, found.england, found.england_year) == (6.8, 10.7, "2023-24")
    assert found.source.startswith(
        "computed here from 3,020 LA-sector applications received in 2023/24"
    )
    assert "28,165 initial enquiries" in found.source
    assert [f.measure for f in found.used] == ["applications_received", "initial_enquiries"]
    assert ofsted.ENQUIRY_CAVEAT in found.caveats and ofsted.ROUNDING in found.caveats
    # a year Ofsted quotes a rate for takes the quoted rate
    quoted = national.enquiries_to_applications(figures, england, "2022-23")
    assert (quoted.england, quoted.england_year) == (12.0, "2022-23")
    assert (
        quoted.source == "Ofsted, Recruitment and retention in mainstream fostering (25 March 2024)"
    )
    [used] = quoted.used
    assert "for local authorities, this was 12%" in used.quote


def test_households_leaving_2024_25_against_the_la_sector_in_2023_24(figures, england):
    found = national.leaving_share(figures, england, "2024-25")
    # 22 households ceased from 191 at 31 March 2025; LA sector 2,645 of 18,860 in 2023-24.
    assert (found.council, found.england, found.england_year) == (11.5, 14.0, "2023-24")
    assert "2,645 LA-sector households deregistered in 2023/24" in found.source
    # dated with its source, as the deregistrations are (issue 13's review: it was undated)
    assert "18,860 approved at 31 March 2024 (Ofsted's figure for 2023/24" in found.source
    assert [f.measure for f in found.used] == [
        "households_deregistered",
        "approved_households_31_march",
    ]


def test_a_year_without_a_national_figure_has_no_comparison(figures, england):
    assert national.comparisons(figures, england, "2020-21") == []
    table = national.comparison_table(
        national.comparisons(figures, england, "2024-25"), "2024-25", "Coventry"
    )
    assert table.to_dict("records") == [
        {
            "Measure": national.ENQUIRIES,
            "Coventry, 2024/25 (%)": "6.8",
            "Local-authority fostering services, England (%)": "10.7",
            "Year of the national figure": "2023/24",
        },
        {
            "Measure": national.LEAVING,
            "Coventry, 2024/25 (%)": "11.5",
            "Local-authority fostering services, England (%)": "14.0",
            "Year of the national figure": "2023/24",
        },
    ]


def test_headline_tiles_for_2024_25(figures, england):
    tiles = headlines.headlines(figures, england, "2024-25")
    assert [(t.label, t.value, t.previous, t.comparator) for t in tiles] == [
        ("Mainstream households approved", 20.0, 17.0, None),
        ("Applications (stage 1 starts) per 100 initial enquiries in the year", 6.8, 7.3, 10.7),
        ("Mainstream households ceasing to foster", 22.0, 16.0, None),
        ("Approved mainstream households at 31 March", 191.0, None, None),
    ]
    assert all(t.published for t in tiles)
    assert tiles[1].comparator_label == (
        "Local-authority fostering services, England: the nearest figure, for 2023/24"
    )
    own = headlines.headlines(figures, england, "2022-23")[1]
    assert (
        own.comparator_label
        == "Local-authority fostering services, England: the figure for 2022/23"
    )
    # computed here: one decimal; Ofsted prints 12% for 2022/23: that tile says 12%, not 12.0%
    assert (tiles[1].decimals, tiles[1].comparator_decimals) == (1, 1)
    assert (own.decimals, own.comparator_decimals) == (1, 0)


def test_a_year_with_no_published_funnel_has_no_tiles(figures, england):
    assert headlines.headlines(figures, england, "2015-16") == []


def test_the_annex_quotes_every_national_figure_used_once(figures, england):
    found = national.comparisons(figures, england, "2024-25")
    table = national.quoted(found)
    assert table["National figure"].tolist() == ["3,020", "28,165", "2,645", "18,860"]
    assert table["Year"].tolist() == ["2023/24"] * 4
    assert national.sources_note(found).endswith(
        "Each national figure's source is in the technical annex."
    )


def test_a_page_without_a_households_leaving_comparison_says_why(figures, england):
    found = national.leaving_share(figures, england, "2021-22")
    assert found.council is not None and found.england is None
    assert national.leaving_gap(found, england, "2021-22", "Coventry") == (
        "No comparable national figure for 2021/22: the Ofsted figures held here that give "
        "local-authority services' households deregistered and approved households for the "
        "same year start with 2023/24."
    )
    missing = national.leaving_share(figures, england, "2015-16")
    assert national.leaving_gap(missing, england, "2015-16", "Coventry").startswith(
        "No comparison for 2015/16: Coventry has not published both"
    )
