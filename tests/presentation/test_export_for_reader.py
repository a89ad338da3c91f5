"""The export shows a reader only what the appendix displayed for them."""

from __future__ import annotations

import nbformat
from nbformat import v4

from analysis.presentation import export
from analysis.presentation.appendix import LEDGER


def _output(kind: str, **fields: object) -> nbformat.NotebookNode:
    extra = {"metadata": {}} if kind != "stream" else {}
    return nbformat.from_dict({"output_type": kind, **extra, **fields})


def test_for_reader_keeps_displays_and_drops_values_printing_and_the_ledger():
    cell = v4.new_code_cell("appendix.table(frame, 'Moves')")
    cell.outputs = [
        _output("display_data", data={"text/html": "<figure class='table'>Table 1</figure>"}),
        _output("display_data", data={LEDGER: {"ledger": {"a": 3}}}),
        _output("execute_result", data={"text/html": "<table>"}, execution_count=1),
        _output("stream", name="stderr", text="FutureWarning: row 17 of extract.csv"),
    ]
    notebook = v4.new_notebook(cells=[cell])
    shown = export.for_reader(notebook)
    assert [o["data"]["text/html"] for o in shown.cells[0].outputs] == [
        "<figure class='table'>Table 1</figure>"
    ]
    assert len(notebook.cells[0].outputs) == 4  # the executed notebook is left as it was
