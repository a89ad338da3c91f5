"""nbval over every committed notebook (``notebooks/*.ipynb``), so new notebooks are covered.

``--nbval-lax`` runs each notebook top to bottom with its default parameters and
fails on any error; outputs are not compared (notebooks are committed without them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths

pytestmark = pytest.mark.notebook


def _command(notebooks: list[Path], root: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(root),
        *map(str, notebooks),
    ]


def _nbval(notebooks: list[Path], root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(notebooks, root),
        cwd=root,
        env={**os.environ, "FOSTERING_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=900,
    )


def _nbval_at_once(notebooks: list[Path], root: Path) -> list[tuple[int, str]]:
    """nbval over ``notebooks`` in one run per CPU at once (each notebook has its own
    kernel either way): (exit code, output) of each run."""
    runs = [
        subprocess.Popen(
            _command(notebooks[n :: os.cpu_count() or 1], root),
            cwd=root,
            env={**os.environ, "FOSTERING_ROOT": str(root)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(min(os.cpu_count() or 1, len(notebooks)))
    ]
    found = []
    for run in runs:
        output = run.communicate(timeout=900)[0]
        found.append((run.returncode, output))
    return found


def test_committed_notebooks_run_under_nbval():
    notebooks = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    if not notebooks:
        pytest.skip("no notebooks committed on this branch yet")
    for code, output in _nbval_at_once(notebooks, paths.ROOT):
        assert code == 0, output[-6000:]


def test_nbval_fails_a_notebook_that_raises(demo_site, tmp_path):
    broken = tmp_path / "notebooks" / "broken.ipynb"
    broken.parent.mkdir()
    text = (demo_site / "notebooks" / "other.ipynb").read_text()
    broken.write_text(text.replace('os.environ.get(\\"BREAK_YEAR\\", \\"never\\")', "year"))
    result = _nbval([broken], demo_site)
    assert result.returncode != 0 and "deliberate failure for 2024-25" in result.stdout
