"""Reconciliation targets read through the published-figures loader, with printed tolerances."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.council import config
from analysis.retention import measures as m
from analysis.retention.load import load_register
from analysis.retention.targets import READINGS_FILE, targets, tolerance
from analysis.sources.published.load import PublishedError

# The reconciliation as the retyped module (analysis/retention/published.py, deleted)
# gave it for the example register, captured before it was replaced.
BEFORE = Path(__file__).parent / "data" / "reconciliation_before.csv"
KEY = ["year", "measure", "published", "register", "reproduced"]


@pytest.fixture(scope="module")
def coventry():
    return config.load("coventry")


def test_reconciliation_is_the_same_as_before_every_year(coventry):
    register = load_register("2024-25", council=coventry)
    now = m.reconcile(register, targets(coventry))[KEY]
    before = pd.read_csv(BEFORE, dtype={"year": str})
    assert len(now) == len(before) == 110
    assert now["year"].tolist() == before["year"].tolist()
    assert now["measure"].tolist() == before["measure"].tolist()
    assert now["published"].tolist() == pytest.approx(before["published"].tolist())
    assert now["register"].tolist() == pytest.approx(before["register"].tolist(), rel=1e-5)
    assert now["reproduced"].tolist() == before["reproduced"].tolist()


def test_targets_name_their_document_section_and_readings(coventry):
    t = targets(coventry)

    def one(year: str, measure: str) -> pd.Series:
        rows = t[(t["year"] == year) & (t["measure"] == measure)]
        assert len(rows) == 1, (year, measure)
        return rows.iloc[0]

    places = one("2021-22", "approved places")
    assert places["published"] == 389
    assert places["source"] == (
        "Coventry Fostering Service Annual Report 2022/23, Occupancy of Mainstream Placements"
    )
    assert "printed as 'on 31/3/22'" in places["note"]
    rate = one("2022-23", "retention rate %")
    assert (rate["low"], rate["high"]) == (93, 94)
    assert rate["note"].startswith("printed 'just over 93%'")
    # The same count printed by both reports is one target, from the later report.
    assert one("2021-22", "leavers: total")["source"].startswith("Fostering Annual Report 2024-25")


@pytest.mark.parametrize(
    ("printed", "decimals", "qualifier", "unit", "expected"),
    [
        (14, 0, "", "count", (14, 14)),  # a count: exact
        (7, 0, "", "count", (7, 7)),  # "Seven": a count printed as a word
        (70, 0, "", "percent", (69.5, 71)),  # rounded or truncated to a whole percent
        (66.6, 1, "", "percent", (66.55, 66.7)),
        (1.9, 1, "", "per household", (1.85, 2.0)),
        (40, 0, "around", "percent", (39, 41)),  # one printed step either side
        (23.7, 1, "around", "percent", (23.6, 23.8)),
        (93, 0, "just over", "percent", (93, 94)),
        (12, 0, "over", "count", (12, math.inf)),
        (20, 0, "nearly", "count", (19, 20)),
    ],
)
def test_tolerance_follows_how_the_figure_is_printed(printed, decimals, qualifier, unit, expected):
    assert tolerance(printed, decimals, qualifier, unit) == pytest.approx(expected)


def test_a_council_with_no_published_retention_figures_has_no_targets():
    t = targets(config.load("leicester"))
    assert t.empty
    assert list(t.columns) == ["year", "measure", "published", "low", "high", "source", "note"]


def _council_copy(coventry, tmp_path: Path, readings: str):
    folder = tmp_path / "coventry"
    shutil.copytree(coventry.folder / "published", folder / "published")
    (folder / "published" / READINGS_FILE).write_text(readings, encoding="utf-8")
    return replace(coventry, folder=folder)


def test_an_unknown_key_in_the_readings_stops_naming_file_and_key(coventry, tmp_path):
    council = _council_copy(
        coventry,
        tmp_path,
        '[[reading]]\ntable = "mainstream_capacity"\nmeasure = "approved_places"\n'
        'year = "2022-23"\ncompare_yaer = "2021-22"\n',
    )
    with pytest.raises(PublishedError) as error:
        targets(council)
    assert "reconciliation.toml" in str(error.value)
    assert "unknown key 'compare_yaer' in [[reading]] number 1" in str(error.value)


def test_a_reading_of_no_printed_figure_stops(coventry, tmp_path):
    council = _council_copy(
        coventry,
        tmp_path,
        '[[reading]]\ntable = "mainstream_capacity"\nmeasure = "approved_places"\n'
        'year = "2019-20"\nnote = "x"\n',
    )
    with pytest.raises(PublishedError, match="approved_places 2019-20 names no printed figure"):
        targets(council)


def test_a_reading_compared_with_an_unknown_register_figure_stops(coventry, tmp_path):
    council = _council_copy(
        coventry,
        tmp_path,
        '[[reading]]\ntable = "mainstream_capacity"\nmeasure = "approved_places"\n'
        'year = "2022-23"\ncompare_as = "beds"\n',
    )
    with pytest.raises(PublishedError, match="compares with 'beds', not a register figure"):
        targets(council)
