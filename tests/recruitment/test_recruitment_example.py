"""The synthetic example: reproducible byte for byte, labelled synthetic, and its notebook runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.core import paths
from analysis.council import config
from analysis.registry import by_name

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "raw" / "example" / "coventry" / "recruitment"


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path):
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_example_recruitment.py"),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    made = sorted(p.name for p in tmp_path.iterdir())
    shipped = sorted(p.name for p in EXAMPLE.glob("enquiries_*"))
    assert made == shipped and len(made) == 7
    for name in made:
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_every_example_file_is_labelled_synthetic():
    assert all("SYNTHETIC" in p.name for p in EXAMPLE.glob("enquiries_*"))
    assert "synthetic" in (EXAMPLE / "README.md").read_text().lower()


def test_registry_lists_every_example_year_and_its_inputs():
    entry, council = by_name()["recruitment"], config.load("coventry")
    assert entry.years(council) == [
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
    ]
    inputs = [p.name for p in entry.inputs(council, "2019-20")]
    assert inputs[:2] == ["enquiries_2018-19_SYNTHETIC.csv", "enquiries_2019-20_SYNTHETIC.csv"]
    assert "recruitment_funnel.csv" in inputs
    assert all(p.exists() for p in entry.inputs(council, "2024-25"))


def _outputs(notebook: Path) -> tuple[str, list[str]]:
    """All displayed text of an executed notebook, and any stream or error output."""
    nb = nbformat.read(notebook, as_version=4)
    shown, noise = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] in ("stream", "error"):
                noise.append(out.get("text") or out.get("evalue"))
            for kind in ("text/markdown", "text/html"):
                shown.append(out.get("data", {}).get(kind, ""))
    return "\n".join(shown), noise


@pytest.mark.notebook
@pytest.mark.parametrize("year", by_name()["recruitment"].years(config.load()))
def test_notebook_runs_for_every_year(built_reports, year):
    executed = built_reports / year / "recruitment.ipynb"  # as `make report` executed it
    text, noise = _outputs(executed)
    assert not noise, noise
    assert f"Recruitment drop-off: {year.replace('-', '/')}" in text
    assert "Built from SYNTHETIC data" in text and "Key findings" in text
    assert "Matches the published figure." in text
    assert "Table 13" in text and "Figure 7" in text
    assert not re.search(r"\bH\d{6}\b", text)  # no household id is ever shown
    processed = paths.processed_dir("coventry", "example")
    assert (processed / f"recruitment_households_{year}.parquet").exists()
