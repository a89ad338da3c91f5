"""The synthetic example returns: reproducible, and exactly Coventry's published figures."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from analysis.core import paths
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.registry import by_name
from analysis.sources.dfe import stability as dfe_stability
from analysis.sources.ssda903.load import read_returns
from analysis.stability import measures as stability
from analysis.stability import report as stability_report

FOLDER = paths.EXAMPLE / "coventry" / "ssda903"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_ssda903", paths.ROOT / "scripts" / "make_example_ssda903.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def returns():
    return read_returns(
        sorted(FOLDER.glob("ssda903_header_*.csv")), sorted(FOLDER.glob("ssda903_episodes_*.csv"))
    )


def test_generator_reproduces_the_committed_files_byte_for_byte():
    files = _generator().build()
    assert sorted(files) == sorted(p.name for p in FOLDER.glob("*.csv"))
    for name, text in files.items():
        assert (FOLDER / name).read_text(encoding="utf-8") == text, name


def test_every_file_is_labelled_synthetic():
    assert all("SYNTHETIC" in p.name for p in FOLDER.glob("*.csv"))
    assert "synthetic" in (FOLDER / "README.md").read_text().lower()


@pytest.mark.xfail(
    reason="example returns regenerated for the corrected rules on branch stability-data",
    strict=False,
)
def test_published_coventry_figures_reproduced_exactly(returns):
    ours = stability.compute(returns).set_index("year")[stability.MEASURES]
    published = dfe_stability.load()
    coventry = published.loc[published["area"] == "331"].set_index("year")
    coventry = coventry[stability.MEASURES].astype(int)
    assert list(ours.index) == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert ours.equals(coventry.loc[ours.index])
    assert returns.quarantine.empty


def test_annual_report_31_march_2023(returns):
    history = stability.build_history(returns)
    snap = stability.snapshot(history, FinancialYear.parse("2022-23"))
    assert snap["All children looked after"] == 725  # DfE; the annual report says 726
    assert snap["All fostered"] == 499
    assert snap["Own foster carers"] + snap["Connected persons"] == 362
    assert snap["Agency foster carers"] == 137
    assert snap["Connected persons"] == 98
    snap22 = stability.snapshot(history, FinancialYear.parse("2021-22"))
    assert (snap22["Connected persons"], snap22["Agency foster carers"]) == (105, 163)


def test_registry_entry():
    entry, council = by_name()["placement_stability"], config.load("coventry")
    # A year is listed when its own return is there; earlier returns are read where present.
    assert entry.years(council) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2025)]
    assert [p.name for p in entry.inputs(council, "2020-21")] == [
        f"ssda903_{kind}_{y}_SYNTHETIC.csv"
        for y in ("2018-19", "2019-20", "2020-21")
        for kind in ("header", "episodes")
    ]
    assert [p.name for p in entry.inputs(council, "2018-19")] == [
        "ssda903_header_2018-19_SYNTHETIC.csv",
        "ssda903_episodes_2018-19_SYNTHETIC.csv",
    ]


def test_neighbours_and_benchmarks():
    assert config.load("coventry").neighbours[:3] == ("831", "852", "874")
    data = stability_report.load_year("2024-25", config.load("coventry"))
    table = stability_report.benchmark_table(data).set_index("Indicator")
    assert table.loc["3+ placements in the year", "Coventry"] == 11
    assert table.loc["3+ placements in the year", "England"] == 10
