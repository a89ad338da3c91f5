"""The synthetic example returns: reproducible, and exactly each council's published figures."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache

import pytest

from analysis.core import paths
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.registry import by_name
from analysis.sources.dfe import stability as dfe_stability
from analysis.sources.ssda903.load import read_returns
from analysis.stability import measures as stability
from analysis.stability import report as stability_report

COUNCILS = ["coventry", "leicester"]
YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


def folder(slug: str):
    return paths.EXAMPLE / slug / "ssda903"


@cache
def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_ssda903", paths.ROOT / "scripts" / "make_example_ssda903.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def _returns(slug: str):
    where = folder(slug)
    return read_returns(
        sorted(where.glob("ssda903_header_*.csv")), sorted(where.glob("ssda903_episodes_*.csv"))
    )


@pytest.mark.parametrize("slug", COUNCILS)
def test_generator_reproduces_the_committed_files_byte_for_byte(slug):
    gen = _generator()
    files = gen.build(gen.calibration(slug))
    assert sorted(files) == sorted(p.name for p in folder(slug).glob("*.csv"))
    for name, text in files.items():
        assert (folder(slug) / name).read_text(encoding="utf-8") == text, name


def test_generator_names_no_council():
    text = (paths.ROOT / "scripts" / "make_example_ssda903.py").read_text().lower()
    assert "coventry" not in text and "leicester" not in text


@pytest.mark.parametrize("slug", COUNCILS)
def test_every_file_is_labelled_synthetic(slug):
    names = [p.name for p in folder(slug).glob("*.csv")]
    assert len(names) == 14 and all("SYNTHETIC" in n for n in names)
    assert "synthetic" in (folder(slug) / "README.md").read_text().lower()


@pytest.mark.parametrize("slug", COUNCILS)
def test_published_figures_reproduced_exactly(slug):
    returns = _returns(slug)
    ours = stability.compute(returns).set_index("year")[stability.MEASURES]
    published = dfe_stability.load()
    mine = published.loc[published["area"] == config.load(slug).la_code].set_index("year")
    mine = mine[stability.MEASURES].astype(int)
    assert ours.loc[YEARS].astype(int).values.tolist() == mine.loc[YEARS].values.tolist()
    assert returns.quarantine.empty


def test_leicester_2024_25_exact_figures():
    row = stability.compute(_returns("leicester")).set_index("year").loc["2024-25"]
    assert tuple(int(row[m]) for m in stability.MEASURES) == (595, 31, 432, 67, 231, 167)


def test_annual_reports_placement_mix():
    history = stability.build_history(_returns("coventry"))
    snap = stability.snapshot(history, FinancialYear.parse("2022-23"))
    assert snap["All children looked after"] == 725  # DfE; the annual report says 726
    assert snap["All fostered"] == 499
    assert snap["Own foster carers"] + snap["Connected persons"] == 362
    assert snap["Agency foster carers"] == 137
    assert snap["Connected persons"] == 98
    snap22 = stability.snapshot(history, FinancialYear.parse("2021-22"))
    assert (snap22["Connected persons"], snap22["Agency foster carers"]) == (105, 163)
    snap25 = stability.snapshot(history, FinancialYear.parse("2024-25"))
    assert snap25["Connected persons"] == 132  # annual report 2024/25
    # "76.9% of Coventry's children in foster care arrangements were living in Coventry
    # fostering households" (annual report 2024/25): the rest are with agencies
    own = snap25["Own foster carers"] + snap25["Connected persons"]
    assert (own, snap25["All fostered"], snap25["Agency foster carers"]) == (346, 450, 104)
    assert round(100 * own / snap25["All fostered"], 1) == 76.9


@pytest.mark.parametrize("slug", COUNCILS)
def test_a_status_change_only_ends_an_episode_the_same_carers_continue(slug):
    """REASON_PLACE_CHANGE PLACE ("change in the status of the placement only") is followed
    by an RNE T or U episode (same carers), never by a move to a new placement (RNE P or B)."""
    episodes = _returns(slug).episodes.drop_duplicates(["CHILD", "decom"], keep="last")
    episodes = episodes.sort_values(["CHILD", "decom"])
    following = episodes.groupby("CHILD", observed=True)["RNE"].shift(-1)
    status_only = episodes["REASON_PLACE_CHANGE"] == "PLACE"
    assert status_only.any()
    assert set(following[status_only]) <= {"T", "U"}


@pytest.mark.parametrize("slug", COUNCILS)
def test_year_correct_codes(slug):
    """SEX 1/2 until 2023-24, M/F from 2024-25; UPN check letters valid; girls' MOTHER 0."""
    gen = _generator()
    for label in ("2023-24", "2024-25"):
        header = (folder(slug) / f"ssda903_header_{label}_SYNTHETIC.csv").read_text()
        rows = [line.split(",") for line in header.splitlines()[1:]]
        sexes = {r[1] for r in rows}
        assert sexes == ({"M", "F"} if label == "2024-25" else {"1", "2"})
        for r in rows:
            body = r[4][1:]
            total = sum(int(d) * w for d, w in zip(body, range(2, 14), strict=True))
            assert r[4][0] == gen.UPN_LETTERS[total % 23] and body[:3] == config.load(slug).la_code
            assert r[5] == ("0" if r[1] in ("2", "F") else "")


def test_registry_entry():
    entry = by_name()["placement_stability"]
    # A year is listed when its own return is there; earlier returns are read where present.
    for slug in COUNCILS:
        assert entry.years(config.load(slug)) == [
            f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2025)
        ]
    assert [p.name for p in entry.inputs(config.load("leicester"), "2020-21")] == [
        *(
            f"ssda903_{kind}_{y}_SYNTHETIC.csv"
            for y in ("2018-19", "2019-20", "2020-21")
            for kind in ("header", "episodes")
        ),
        "ssda903.toml",  # the council's column aliases (none declared: DfE names)
        "la_cla_placement_stability.csv",  # the DfE's published figures (the benchmarks)
        "sn_model_2025_wide.csv",  # the DfE's statistical-neighbour model
    ]
    assert [p.name for p in entry.inputs(config.load("leicester"), "2018-19")] == [
        "ssda903_header_2018-19_SYNTHETIC.csv",
        "ssda903_episodes_2018-19_SYNTHETIC.csv",
        "ssda903.toml",
        "la_cla_placement_stability.csv",
        "sn_model_2025_wide.csv",
    ]


def test_neighbours_and_benchmarks():
    assert config.load("coventry").neighbours[:3] == ("831", "852", "874")
    # the page names them and their model (issue 13's review: never named)
    assert stability_report.neighbours_note(config.load("coventry")).startswith(
        "Statistical neighbours: the 10 councils the DfE's 2025 statistical-neighbour model "
        "finds most like Coventry, closest first: Derby, Southampton, Peterborough,"
    )
    data = stability_report.load_year("2024-25", config.load("coventry"))
    table = stability_report.benchmark_table(data).set_index("Indicator")
    assert table.loc["3+ placements in the year", "Coventry"] == 11
    assert table.loc["3+ placements in the year", "England"] == 10
    data = stability_report.load_year("2024-25", config.load("leicester"))
    table = stability_report.benchmark_table(data).set_index("Indicator")
    assert table.loc["3+ placements in the year", "Leicester"] == 5


def test_a_year_before_the_dfe_figures_held_says_why_it_has_no_benchmarks():
    data = stability_report.load_year("2018-19", config.load("coventry"))
    assert stability_report.benchmark_table(data).empty
    assert stability_report.published_gap(data) == (
        "None to show for 2018/19: the DfE's published figures this appendix uses (Children "
        "looked after in England) start with 2020/21."
    )
    assert stability_report.trend_instead(data) == (
        "No trend to draw for 2018/19: the DfE's published figures this appendix uses "
        "(Children looked after in England) start with 2020/21."
    )
    table = stability_report.headline(data)
    assert table["Children in the group"].tolist()[0] == 892  # a count, never 892.0
    assert str(table["Children in the group"].dtype) == "Int64"


def test_the_first_year_of_dfe_figures_has_no_trend_and_later_years_have_one():
    data = stability_report.load_year("2020-21", config.load("coventry"))
    assert not stability_report.benchmark_table(data).empty
    assert stability_report.trend_instead(data) == (
        "No trend to draw yet: 2020/21 is the first year of the DfE's published figures this "
        "appendix uses; the table above gives them."
    )
    data = stability_report.load_year("2021-22", config.load("coventry"))
    assert stability_report.trend_instead(data) is None
