"""What a table cell shows when a value is missing: a blank, never "None" or "<NA>"."""

from __future__ import annotations

import pandas as pd

from analysis.presentation import appendix
from analysis.presentation.appendix import Appendix


def test_missing_values_print_as_blank_cells(monkeypatch):
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    frame = pd.DataFrame(
        {
            "Measure": ["Looked after", None],
            "Published": pd.array([684, None], dtype="Int64"),
            "Rate (%)": [11.0, None],
            "Note": ["", pd.NA],
        }
    )
    Appendix("Test", "2024-25", service="A service").table(frame, "Figures", published=True)
    page = next(b["text/html"] for b in shown if "Table 1" in b.get("text/html", ""))
    cells = page.split("<tbody>")[1]
    assert "None" not in cells and "&lt;NA&gt;" not in cells
    assert "<td>684</td>" in cells and "<td>11.0</td>" in cells


def test_a_table_with_no_rows_says_why_instead_of_printing_its_headers(monkeypatch):
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    empty = pd.DataFrame({"Reason": [], "Field": [], "Rows": []})
    Appendix("Test", "2024-25", service="A service").table(
        empty, "Rows set aside", counts=["Rows"], empty="No rows were set aside."
    )
    page = next(b["text/html"] for b in shown if "Table 1" in b.get("text/html", ""))
    assert "<table" not in page
    assert "<figcaption>Table 1: Rows set aside</figcaption>" in page
    assert "<p class='table-empty'>No rows were set aside.</p>" in page
