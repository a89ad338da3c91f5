"""A return's year from its dates, whatever the file is called, and the bad input that stops."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from stability_helpers import EPISODE_FIELDS, ep, write_returns

from analysis.core.errors import InputError
from analysis.sources.ssda903.load import find_returns, name_years, read_returns

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
DOBS = {"A": "2012-01-01", "B": "2013-01-01", "C": "2011-01-01", "D": "2010-01-01"}
EPISODES = [
    ep("D", "2021-06-01", "S", "U6", "2022-09-01", rec="E11"),
    ep("A", "2021-05-01", "S", "U6", "2024-06-01", reason="CARPL"),
    ep("A", "2024-06-01", "P", "U4", post="CV3 3CC"),
    ep("B", "2022-01-01", "S", "U6", "2023-06-01", rec="E11"),
    ep("C", "2023-02-01", "S", "U6", "2024-11-01", rec="E4A"),
]


def _renamed(tmp_path, style):
    """The returns for 2022-23 to 2024-25, renamed as ``style(start_year, kind)``."""
    headers, episodes = write_returns(tmp_path, DOBS, EPISODES, range(2022, 2025))
    out = {"header": [], "episodes": []}
    for kind, paths in (("header", headers), ("episodes", episodes)):
        for y, path in zip(range(2022, 2025), paths, strict=True):
            target = path.with_name(style(y, kind))
            path.rename(target)
            out[kind].append(target)
    return out["header"], out["episodes"]


@pytest.mark.parametrize(
    "style",
    [
        lambda y, k: f"{k}_{y}.csv",  # named by the year the collection starts
        lambda y, k: f"SSDA903_{y}-{(y + 1) % 100:02d}_{k}.csv",
        lambda y, k: f"903_{k.title()}_{y}{(y + 1) % 100:02d}.csv",
        lambda y, k: f"{k.title()} {y + 1}.csv",  # named by the year it ends
        lambda y, k: f"{k.upper()}_{y}_{y + 1}.csv",
    ],
    ids=["start-year", "SSDA903_2024-25", "903_Episodes_202425", "Episodes 2025", "2024_2025"],
)
def test_json_command_reads_the_year_from_the_dates(tmp_path, style):
    headers, episodes = _renamed(tmp_path, style)
    argv = [
        a
        for h, e in zip(headers, episodes, strict=True)
        for a in ("--header", str(h), "--episodes", str(e))
    ]
    run = subprocess.run(
        [sys.executable, "-m", "analysis.stability", *argv, "--year", "2024-25"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [r["year"] for r in out["returns"]] == ["2022-23", "2023-24", "2024-25"]
    assert out["returns"][0] == {
        "year": "2022-23",
        "header": style(2022, "header"),
        "episodes": style(2022, "episodes"),
    }
    (record,) = out["indicators"]
    assert record["cla_31_march"] == {
        "total": 1,
        "with_3_or_more_placements": 0,
        "percent": 0,
        "returns_used": ["2024-25"],
    }
    assert record["long_term_under_16"]["returns_used"] == ["2022-23", "2023-24", "2024-25"]
    assert find_returns(tmp_path) == {
        f"{y}-{(y + 1) % 100:02d}": (h, e)
        for y, h, e in zip(range(2022, 2025), headers, episodes, strict=True)
    }


def test_name_hints():
    assert [y.label for y in name_years("episodes_2017.csv")] == ["2016-17", "2017-18"]
    assert [y.label for y in name_years("903_Episodes_202425.csv")] == ["2024-25"]
    assert [y.label for y in name_years("SSDA903_2024-25_episodes.csv")] == ["2024-25"]
    assert name_years("episodes.csv") == ()


def _file(folder, name, body, columns=EPISODE_FIELDS):
    path = folder / name
    path.write_text(",".join(columns) + "\n" + body)
    return path


def _header(folder, name, children=("A",)):
    path = folder / name
    path.write_text(HEADER + "".join(f"{c},1,01/01/2012,WBRI,UN1,,\n" for c in children))
    return path


ENDED = "A,01/05/2024,S,C2,N1,U6,PR1,01/06/2024,E8,,,,\n"


def test_year_that_cannot_be_told_stops(tmp_path):
    epi = _file(tmp_path, "episodes.csv", "A,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n")
    with pytest.raises(InputError) as err:
        read_returns([_header(tmp_path, "header.csv")], [epi])
    assert str(err.value) == (
        "episodes.csv: cannot tell which year this return covers\n"
        "Name it with its collection year, e.g. episodes_2024-25.csv."
    )


def test_name_contradicting_the_dates_stops_with_both_readings(tmp_path):
    epi = _file(tmp_path, "episodes_2023-24.csv", ENDED)
    with pytest.raises(InputError) as err:
        read_returns([_header(tmp_path, "header_2023-24.csv")], [epi])
    assert str(err.value).startswith(
        "episodes_2023-24.csv: the file name says 2023-24 but its episode dates say 2024-25"
    )


def test_header_and_episodes_from_different_years_stop(tmp_path):
    epi = _file(tmp_path, "episodes_2024-25.csv", ENDED)
    head = _header(tmp_path, "header_2023-24.csv")
    with pytest.raises(InputError) as err:
        read_returns([head], [epi])
    assert str(err.value).startswith(
        "header_2023-24.csv: this header is for 2023-24 but no episodes file is for that year "
        "(episodes: episodes_2024-25.csv (2024-25))"
    )


def test_second_file_for_a_year_stops(tmp_path):
    first = _file(tmp_path, "episodes_2024-25.csv", ENDED)
    again = _file(tmp_path, "episodes_2024-25_resubmitted.csv", ENDED)
    heads = [_header(tmp_path, "header_2024-25.csv")]
    with pytest.raises(InputError) as err:
        read_returns(heads, [first, again])
    assert str(err.value) == (
        "episodes_2024-25_resubmitted.csv: a second episodes file for 2024-25, beside "
        "episodes_2024-25.csv\nKeep one return per year (e.g. the resubmission) and move the "
        "other out of the folder."
    )


def test_episodes_file_with_no_rows_stops(tmp_path):
    epi = _file(tmp_path, "episodes_2024-25.csv", "")
    with pytest.raises(InputError) as err:
        read_returns([_header(tmp_path, "header_2024-25.csv")], [epi])
    assert str(err.value) == (
        "episodes_2024-25.csv, row 2: has column names but no rows\n"
        "The export may have failed: export the return again from the case system."
    )
