"""Scaffolding a council from the DfE files, and its placement-stability benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.council import config, scaffold
from analysis.sources.dfe import stability as dfe


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(paths.COUNCILS, tmp_path / "councils")
    shutil.copytree(paths.DFE, tmp_path / "data" / "raw" / "dfe")
    return tmp_path


def test_a_scaffolded_council_loads_with_the_dfe_name_region_and_neighbours(root):
    written = scaffold.new("york", "816", root)
    assert written == root / "councils" / "york" / "council.toml"
    york = config.load("york", root)
    assert (york.name, york.short_name, york.region) == (
        "York Council",
        "York",
        "Yorkshire and The Humber",
    )
    assert len(york.neighbours) == 10 and "816" not in york.neighbours
    assert (root / "councils" / "york" / "published" / "README.md").exists()


def test_a_scaffolded_council_gets_its_own_benchmarks(root):
    scaffold.new("york", "816", root)
    york = config.load("york", root)
    table = dfe.comparison(york)
    names = set(table["name"])
    assert {"York", "Yorkshire and The Humber", "England", "Statistical neighbours"} <= names
    assert "Coventry" not in names and "West Midlands" not in names
    # the neighbours are pooled: the sum of their published counts
    published = dfe.load()
    year = "2024-25"
    expected = published.loc[
        published["area"].isin(york.neighbours) & (published["year"] == year), "cla_31_march"
    ].sum()
    pooled = table.loc[(table["area"] == "neighbours") & (table["year"] == year), "cla_31_march"]
    assert pooled.iloc[0] == expected
    rates = dfe.rates(table)
    assert set(rates.loc[rates["year"] == year, "name"]) == names


def test_an_la_code_not_in_the_dfe_files_lists_near_matches(root):
    with pytest.raises(
        InputError, match=r"(?s)value '8566'.*nearest LA codes: .*856 \(Leicester\)"
    ):
        scaffold.new("testshire", "8566", root)
    assert not (root / "councils" / "testshire").exists()


def test_an_existing_council_or_a_bad_slug_is_refused(root):
    with pytest.raises(InputError, match="already configured"):
        scaffold.new("leicester", "856", root)
    with pytest.raises(InputError, match="lower-case"):
        scaffold.new("North Yorkshire", "815", root)


def test_the_command_line_scaffolds_and_lists(root):
    env = {"FOSTERING_ROOT": str(root), "PATH": ""}
    made = subprocess.run(
        [sys.executable, "-m", "analysis.council", "new", "york", "--la-code", "816"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    assert "councils/york/council.toml: York Council, Yorkshire and The Humber" in made.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "analysis.council", "list"], capture_output=True, text=True, env=env
    )
    assert "coventry (default)" in listed.stdout and "york: York Council" in listed.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "analysis.council", "new", "x", "--la-code", "1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and "not an LA code" in bad.stderr and "Traceback" not in bad.stderr
