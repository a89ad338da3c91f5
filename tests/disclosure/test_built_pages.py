"""The attacker's audit over every public export the build makes."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from analysis.disclosure import audit
from analysis.disclosure.page import Ledger
from analysis.presentation import export


def problems(executed: Path) -> list[str]:
    """Every recoverable count and every chart leak on one executed appendix."""
    found = []
    for entry in export.ledgers(nbformat.read(executed, as_version=4)):
        if entry["disclosure"] != "public":
            continue
        ledger = Ledger.from_json(entry["ledger"])
        found += [str(e) for e in ledger.exposures(entry["hidden"])]
        found += audit.chart_leaks(entry["charts"], ledger.values, entry["hidden"])
    return found


@pytest.mark.notebook
def test_no_public_export_lets_a_withheld_count_be_recovered(built_reports: Path):
    executed = sorted(built_reports.glob("*/*.ipynb"))
    assert executed
    failures = {str(p.relative_to(built_reports)): problems(p) for p in executed}
    assert not {k: v for k, v in failures.items() if v}


@pytest.mark.notebook
def test_the_ledger_never_reaches_the_html(built_reports: Path):
    for page in built_reports.glob("*/*.html"):
        assert export.LEDGER not in page.read_text(encoding="utf-8")


def test_a_chart_drawing_a_withheld_value_is_caught():
    values = {"t|a|n": 3.0, "t|b|n": 8.0, "t|c|n": 10.0}
    hidden = {"t|a|n", "t|b|n"}
    charts = [{"number": 1, "table": "t", "values": [0.8, 8.0, 10.0]}]
    assert audit.chart_leaks(charts, values, hidden) == ["figure 1 draws withheld value(s) [8.0]"]
    assert not audit.chart_leaks([{"number": 2, "table": "t", "values": [10.0]}], values, hidden)
