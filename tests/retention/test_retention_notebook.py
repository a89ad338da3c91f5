"""The retention notebook runs end to end for every year with data."""

import re

import nbformat
import papermill
import pytest

from analysis.core import paths
from analysis.council import config
from analysis.registry import by_name


@pytest.mark.notebook
@pytest.mark.parametrize("year", by_name()["retention"].years(config.load()))
def test_retention_notebook_runs_for_every_year(year, built_reports):
    out = built_reports / year / "retention.ipynb"  # as `make report` executed it
    shown = [
        value
        for cell in nbformat.read(out, as_version=4).cells
        for output in cell.get("outputs", [])
        for kind, value in output.get("data", {}).items()
        if kind.startswith("text/")
    ]
    assert not [
        o
        for c in nbformat.read(out, as_version=4).cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    text = "\n".join(shown)
    assert "Key findings" in text
    assert f"Carer retention and capacity: {year.replace('-', '/')}" in text
    # No household id reaches the output.
    assert not re.search(r"\bH\d{6}\b", text)


@pytest.mark.notebook
def test_retention_notebook_rejects_a_malformed_year(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="not a financial year"):
        papermill.execute_notebook(
            str(paths.NOTEBOOKS / "retention.ipynb"),
            str(tmp_path / "bad.ipynb"),
            parameters={"year": "2024"},
            cwd=str(paths.ROOT),
            progress_bar=False,
            kernel_name="python3",
        )
