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


def test_enquiries_to_applications_2024_25_against_the_la_sector_in_2022_23(figures, england):
    found = national.enquiries_to_applications(figures, england, "2024-25")
    # 35 stage 1 starts from 511 initial enquiries; Ofsted's latest LA figure is 2022-23's 12%.
    assert (found.council, found.england, found.england_year) == (6.8, 12.0, "2022-23")
    assert (
        found.source == "Ofsted, Recruitment and retention in mainstream fostering (25 March 2024)"
    )
    [used] = found.used
    assert "for local authorities, this was 12%" in used.quote
    assert ofsted.ENQUIRY_CAVEAT in found.caveats


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
            "Local-authority fostering services, England (%)": "12",
            "Year of the national figure": "2022/23",
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
        ("Initial enquiries that reached an application (stage 1)", 6.8, 7.3, 12.0),
        ("Mainstream households ceasing to foster", 22.0, 16.0, None),
        ("Approved mainstream households at 31 March", 191.0, None, None),
    ]
    assert all(t.published for t in tiles)
    assert tiles[1].comparator_label == (
        "Local-authority fostering services, England: the nearest figure, for 2022/23"
    )
    own = headlines.headlines(figures, england, "2022-23")[1]
    assert (
        own.comparator_label
        == "Local-authority fostering services, England: the figure for 2022/23"
    )
    # Ofsted prints 12%: the tile says 12%, not 12.0%, beside the council's 6.8%.
    assert (tiles[1].decimals, tiles[1].comparator_decimals) == (1, 0)


def test_a_year_with_no_published_funnel_has_no_tiles(figures, england):
    assert headlines.headlines(figures, england, "2015-16") == []


def test_the_annex_quotes_every_national_figure_used_once(figures, england):
    found = national.comparisons(figures, england, "2024-25")
    table = national.quoted(found)
    assert table["National figure"].tolist() == ["12%", "2,645", "18,860"]
    assert table["Year"].tolist() == ["2022/23", "2023/24", "2023/24"]
    assert table["Quoted"].iloc[0].startswith("\u201cFor independent fostering agencies")
    assert national.sources_note(found).endswith(
        "Each national figure's source is in the technical annex."
    )
