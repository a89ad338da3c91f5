"""The stability appendix shows what the DfE's validator will query, and no row or child."""

from __future__ import annotations

import re

import nbformat
import pytest

pytestmark = [pytest.mark.notebook, pytest.mark.validator]


def test_validator_section(built_reports):
    nb = nbformat.read(built_reports / "2024-25" / "placement_stability.ipynb", as_version=4)
    text = "\n".join(
        str(o.get("data", {}).get("text/html", ""))
        + str(o.get("data", {}).get("text/markdown", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    source = "\n".join(c.source for c in nb.cells)
    assert "## What the DfE's validator will query" in source
    assert "checks for 2024/25" in text and "find nothing to query" in text
    assert "lac2024_25" not in text  # the validator's own name for its rules: not for a reader
    assert "a fault in the validator, not the return (it raises an error on CSV input" in text
    assert not re.search(r"\b[A-Z]\d{12}\b", text)  # no UPNs
    assert not re.search(r"SYN\d{6}", text)
