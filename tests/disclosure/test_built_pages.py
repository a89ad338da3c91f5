"""The attacker's audit over every public export the build makes, page by page and over
each council-year's set of pages as one page."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from analysis.disclosure import audit, shared
from analysis.disclosure.page import Ledger, pinned_for_good
from analysis.presentation import export


def _public(executed: Path) -> list[dict]:
    """The public appendix ledgers in one executed notebook."""
    entries = export.ledgers(nbformat.read(executed, as_version=4))
    return [e for e in entries if e["disclosure"] == "public"]


def problems(executed: Path) -> list[str]:
    """Every recoverable count and every chart leak on one executed appendix."""
    found = []
    for entry in _public(executed):
        ledger = Ledger.from_json(entry["ledger"])
        # the withheld counts, and each small difference of two shown nested counts that
        # the page could protect (not one the printed figures alone pin)
        differences = {d for d in ledger.derived if not pinned_for_good(ledger, d)}
        targets = set(entry["hidden"]) | differences
        found += [str(e) for e in ledger.exposures(entry["hidden"], targets=targets)]
        found += audit.chart_leaks(entry["charts"], ledger.values, entry["hidden"])
    return found


def set_problems(pages: list[Path]) -> list[str]:
    """Every recoverable count when a year's pages are read together as one page."""
    entries = {
        f"{p.stem}#{i}": (Ledger.from_json(e["ledger"]), set(e["hidden"]))
        for p in pages
        for i, e in enumerate(_public(p))
    }
    union, withheld, found = shared.combine(entries)
    # the reader who takes each c to be at least 1 reads each page (:func:`problems`): the
    # set read as one page has no printed figures' records to read them with
    return found + [str(e) for e in union.exposures(withheld, at_least_one=False)]


def _years(built_councils: dict[str, Path]) -> dict[str, list[Path]]:
    """Each council-year's executed notebooks, keyed ``<council>/<year>``."""
    years = {
        f"{slug}/{folder.name}": sorted(folder.glob("*.ipynb"))
        for slug, reports in built_councils.items()
        for folder in sorted(reports.iterdir())
        if folder.is_dir()
    }
    return {k: v for k, v in years.items() if v}


@pytest.mark.notebook
def test_no_public_export_lets_a_withheld_count_be_recovered(built_councils):
    years = _years(built_councils)
    assert {"coventry", "leicester"} <= {k.split("/")[0] for k in years}
    failures = {f"{k}/{p.name}": problems(p) for k, pages in years.items() for p in pages}
    assert not {k: v for k, v in failures.items() if v}


@pytest.mark.notebook
def test_no_years_set_of_pages_lets_a_withheld_count_be_recovered(built_councils):
    failures = {k: set_problems(pages) for k, pages in _years(built_councils).items()}
    assert not {k: v for k, v in failures.items() if v}


@pytest.mark.notebook
def test_the_ledger_never_reaches_the_html(built_councils):
    pages = [p for reports in built_councils.values() for p in reports.glob("*/*.html")]
    assert pages
    for page in pages:
        assert export.LEDGER not in page.read_text(encoding="utf-8")


def test_a_chart_drawing_a_withheld_value_is_caught():
    values = {"t|a|n": 3.0, "t|b|n": 8.0, "t|c|n": 10.0}
    hidden = {"t|a|n", "t|b|n"}
    charts = [{"number": 1, "table": "t", "values": [0.8, 8.0, 10.0]}]
    assert audit.chart_leaks(charts, values, hidden) == ["figure 1 draws withheld value(s) [8.0]"]
    assert not audit.chart_leaks([{"number": 2, "table": "t", "values": [10.0]}], values, hidden)


def test_a_chart_resting_on_a_withheld_count_is_caught_though_it_draws_a_share():
    # A curve through 7/16 draws 0.4375, no count: the counts it rests on say what it shows.
    values = {"t|a|Households": 16.0, "t|a|By 3": 7.0, "t|b|By 3": 9.0}
    hidden = {"t|a|By 3"}
    chart = {"number": 3, "table": "t", "values": [0.4375], "cells": ["t|a|Households"]}
    assert not audit.chart_leaks([chart], values, hidden)
    chart["cells"].append("t|a|By 3")
    assert audit.chart_leaks([chart], values, hidden) == [
        "figure 3 rests on withheld count(s) ['t|a|By 3']"
    ]
