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


def test_the_contents_list_the_main_body_in_full_and_the_annex_by_section_only():
    entries = [
        ("section", "key-findings", "Key findings"),
        ("section", "outcomes", "Outcomes"),
        ("table", "table-1", "Table 1: Outcomes"),
        ("figure", "figure-1", "Figure 1: Outcomes"),
        ("section", "technical-annex", "Technical annex"),
        ("section", "leaving", "Where people leave"),
        ("table", "table-2", "Table 2: Leaving"),
        ("section", "quality", "Data quality"),
    ]
    assert export.contents(entries) == (
        "<nav class='appendix-toc' aria-label='Contents'><h2 id='contents'>Contents</h2><ol>"
        "<li><a href='#key-findings'>Key findings</a></li>"
        "<li><a href='#outcomes'>Outcomes</a><ol><li><a href='#table-1'>Table 1: Outcomes</a>"
        "</li><li><a href='#figure-1'>Figure 1: Outcomes</a></li></ol></li>"
        "<li><a href='#technical-annex'>Technical annex</a><details><summary>The annex's 2 "
        "sections</summary><ol><li><a href='#leaving'>Where people leave</a></li>"
        "<li><a href='#quality'>Data quality</a></li></ol></details></li></ol></nav>"
    )


def test_only_outputs_holding_a_table_stay_tab_stops():
    page = (
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output" '
        'data-mime-type="text/markdown" tabindex="0"><p>Text</p></div>'
        '<div class="jp-RenderedImage jp-OutputArea-output" tabindex="0"><img alt="x"></div>'
        '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" '
        'data-mime-type="text/html" tabindex="0"><figure class="table"><table></table></figure>'
        "</div>"
    )
    shown = export.without_idle_tab_stops(page)
    assert shown.count('tabindex="0"') == 1
    assert 'data-mime-type="text/markdown"><p>Text</p>' in shown
    assert '<div class="jp-RenderedImage jp-OutputArea-output"><img' in shown
    assert 'data-mime-type="text/html" tabindex="0"><figure' in shown
