"""Every route to an HTML file gives the safe file: the build, and nbconvert by hand."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.presentation import source

# What differs between two exports of the same content: when, and from which commit (the
# build keeps a page built at an earlier commit whose content hash is unchanged).
# the build's time (to the minute) and the code version differ between two runs, nothing else
BUILT = re.compile(r"<strong>Built</strong> on [^<]* UTC|<code>[0-9a-f]{40}</code>")


def test_the_appendix_exporter_is_registered_with_nbconvert():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    exporters = project["project"]["entry-points"]["nbconvert.exporters"]
    assert exporters == {"appendix": "analysis.presentation.export:AppendixExporter"}


@pytest.mark.notebook
def test_by_hand_route_gives_the_built_file(built_reports: Path, tmp_path: Path):
    executed = built_reports / "2024-25" / "recruitment.ipynb"
    subprocess.run(
        [
            sys.executable, "-m", "jupyter", "nbconvert",
            "--to", "analysis.presentation.export.AppendixExporter",
            "--output-dir", str(tmp_path), "--output", "by_hand", str(executed),
        ],
        check=True, cwd=paths.ROOT, capture_output=True,
    )  # fmt: skip
    by_hand = (tmp_path / "by_hand.html").read_text(encoding="utf-8")
    built = (built_reports / "2024-25" / "recruitment.html").read_text(encoding="utf-8")
    assert BUILT.sub("", by_hand) == BUILT.sub("", built)
    assert "SYNTHETIC DATA" in by_hand


def test_shipped_example_folders_declare_themselves_synthetic():
    for slug in ("coventry", "leicester"):
        declared = source.declaration(paths.EXAMPLE / slug)
        assert declared.synthetic and "SYNTHETIC DATA" in source.banner(declared)


def test_a_synthetic_folder_passed_by_path_is_still_synthetic_and_undeclared_is_real(
    tmp_path: Path,
):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "SOURCE.toml").write_text('synthetic = true\ndescription = "Test"\n')
    assert source.of(str(tmp_path / "mine"), "coventry").synthetic
    (tmp_path / "real").mkdir()
    assert source.banner(source.of(str(tmp_path / "real"), "coventry")) == ""
    (tmp_path / "real" / "SOURCE.toml").write_text("synthetic = false\n")
    assert source.banner(source.of(str(tmp_path / "real"), "coventry")) == ""


def test_a_folder_of_synthetic_files_without_its_declaration_is_still_synthetic(tmp_path: Path):
    """A synthetic folder copied without its SOURCE.toml (issue 12's red team)."""
    (tmp_path / "copy" / "ssda903").mkdir(parents=True)
    (tmp_path / "copy" / "ssda903" / "ssda903_episodes_2024-25_SYNTHETIC.csv").write_text("")
    found = source.declaration(tmp_path / "copy")
    assert found.synthetic and "ssda903_episodes_2024-25_SYNTHETIC.csv" in found.description
    assert "SYNTHETIC DATA" in source.banner(found)
    (tmp_path / "copy" / "SOURCE.toml").write_text("synthetic = false\n")
    with pytest.raises(ValueError, match="declares real data, but the folder holds files"):
        source.declaration(tmp_path / "copy")


def test_a_bad_declaration_is_an_input_error(tmp_path: Path):
    (tmp_path / "SOURCE.toml").write_text('synthetic = "yes"\n')
    with pytest.raises(ValueError, match="'synthetic' must be true or false"):
        source.declaration(tmp_path)
