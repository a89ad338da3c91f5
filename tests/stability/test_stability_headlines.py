"""The placement-stability headline tiles on Coventry's example data: the DfE's published
figures for the year and the year before, and England's."""

from __future__ import annotations

import pytest

from analysis.council import config
from analysis.presentation import appendix as page
from analysis.presentation.appendix import Appendix
from analysis.stability import headlines
from analysis.stability import report as stability_report


@pytest.fixture(scope="module")
def coventry():
    return stability_report.load_year("2024-25", config.load("coventry"))


def test_one_tile_per_indicator_with_last_year_and_england(coventry, monkeypatch):
    monkeypatch.setattr(page, "display", lambda *a, **k: None)
    tiles = headlines.headlines(coventry, Appendix("Test", "2024-25", service="Test"))
    assert [(t.value, t.previous, t.comparator, t.better) for t in tiles] == [
        (11.0, 12.0, 10.0, "lower"),
        (24.0, 26.0, 23.0, "lower"),
        (65.0, 61.0, 69.0, "higher"),
    ]
    assert all(t.published and t.unit == "%" for t in tiles)
    assert {t.comparator_label for t in tiles} == {"England, 2024/25"}  # dated
    assert tiles[0].on == [
        "headline|3+ placements in the year|Children in the group",
        "headline|3+ placements in the year|Children meeting it",
    ]
