"""The placement-stability notebook runs for every year with data, and shows no child."""

from __future__ import annotations

import re

import nbformat
import pytest

from analysis.council import config
from analysis.registry import by_name

YEARS = by_name()["placement_stability"].years(config.load())


@pytest.mark.notebook
@pytest.mark.parametrize("year", YEARS)
def test_notebook_runs(built_reports, year):
    out = built_reports / year / "placement_stability.ipynb"  # as `make report` executed it
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(
        str(o.get("data", {}).get("text/html", ""))
        + str(o.get("data", {}).get("text/markdown", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert "Key findings" in text
    assert f"{year.replace('-', '/')}" in text
    assert not re.search(r"SYN\d{6}", text)  # no child identifiers
    assert not re.search(r"\bCV\d \d[A-Z]{2}\b", text)  # no postcodes
    assert not re.search(r"\d{2}/\d{2}/(19|20)\d{2}", text)  # no dates of birth
