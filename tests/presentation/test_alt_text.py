"""A chart's text alternative travels from ``Appendix.figure`` to the exported ``<img alt>``."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbformat import v4

from analysis.presentation import appendix, export
from analysis.presentation.appendix import LEDGER

# A 1x1 PNG: what the exporter embeds does not matter here, only its attributes.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5E"
    "rkJggg=="
)


def _shown(monkeypatch, **kwargs) -> list[dict]:
    """The metadata of each image the figure displays."""
    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(appendix, "display", lambda obj, **kw: calls.append((obj, kw)))
    fig, ax = plt.subplots()
    ax.bar(["2024/25"], [9])  # a chart with nothing drawn is a sentence, with no image
    appendix.Appendix("Test", "2024-25", service="A service").figure(fig, **kwargs)
    return [kw for obj, kw in calls if isinstance(obj, dict) and "image/png" in obj]


def test_figure_gives_its_caption_as_alt_text_by_default(monkeypatch):
    [kw] = _shown(monkeypatch, caption="Carers approved by year")
    assert kw["metadata"] == {"image/png": {"alt": "Carers approved by year"}}


def test_figure_passes_a_given_alt_text(monkeypatch):
    [kw] = _shown(
        monkeypatch, caption="Carers approved", alt="Bar chart: 12 carers in 2023/24, 9 in 2024/25"
    )
    assert kw["metadata"]["image/png"]["alt"] == "Bar chart: 12 carers in 2023/24, 9 in 2024/25"


def _page(metadata: dict) -> str:
    notebook = v4.new_notebook()
    cell = v4.new_code_cell("chart")
    cell.outputs = [
        nbformat.from_dict(
            {
                "output_type": "display_data",
                "data": {"image/png": PIXEL, "text/plain": "<Figure>"},
                "metadata": metadata,
            }
        )
    ]
    notebook.cells = [v4.new_markdown_cell("## Key findings"), cell]
    provenance = export.Provenance([], "abc123", False, {}, "2025-04-01T00:00:00+00:00", "public")
    return export.to_html(
        notebook, title="Test", service="A service", year_label="2024/25", provenance=provenance
    )


def test_the_export_writes_the_alt_text_into_the_image():
    page = _page({"image/png": {"alt": "Placements by year & reason, <2024>"}})
    assert 'alt="Placements by year &amp; reason, &lt;2024&gt;"' in page
    assert "No description has been provided" not in page
    assert f'src="data:image/png;base64,{PIXEL}"' in page  # the chart is still embedded


def test_an_image_without_alt_text_gets_nbconverts_placeholder():
    # What the content check catches: the placeholder is not a description.
    assert "No description has been provided for this image" in _page({})


def test_a_public_page_never_closed_is_not_exported():
    # Until its last cell closes it, a page's decision leaves out the attacker's audit.
    notebook = v4.new_notebook()
    cell = v4.new_code_cell("appendix = Appendix(...)")
    ledger = {"title": "Test", "disclosure": "public", "closed": False, "ledger": {}}
    cell.outputs = [
        nbformat.from_dict(
            {"output_type": "display_data", "data": {LEDGER: ledger}, "metadata": {}}
        )
    ]
    notebook.cells = [cell]
    provenance = export.Provenance([], "abc123", False, {}, "2025-04-01T00:00:00+00:00", "public")
    with pytest.raises(export.ExportError, match="'Test' was never closed"):
        export.to_html(
            notebook, title="Test", service="A service", year_label="2024/25", provenance=provenance
        )


def test_an_alt_text_rewritten_at_close_is_sent_even_when_the_image_is_unchanged(monkeypatch):
    """In a kernel each cell is drawn under the cheap rules; the close's full decision may
    withhold a count the alt text quoted while the image stays the same. The rewritten alt
    text must still reach the notebook (it once stayed as first drawn, quoting a 'c')."""
    from types import SimpleNamespace

    import pandas as pd

    from analysis.disclosure import members

    shell = SimpleNamespace(events=SimpleNamespace(register=lambda *a: None))
    monkeypatch.setattr(appendix, "get_ipython", lambda: shell)
    sent: dict[str, dict] = {}

    def show(obj, display_id=None, metadata=None, **_):
        if isinstance(obj, dict) and "image/png" in obj:
            sent[display_id] = metadata["image/png"]["alt"]

    monkeypatch.setattr(appendix, "display", show)
    monkeypatch.setattr(appendix, "update_display", show)
    app = appendix.Appendix("Test", "2024-25", service="A service")
    # 2 is withheld at once; the 40 (the same households) in another table less the 38
    # would give it away: only the full decision at close finds that.
    a, b = {f"h:{i}" for i in range(2)}, {f"h:{i}" for i in range(2, 40)}
    table = pd.DataFrame({"Group": ["a", "b"], "Households": [2, 38]})
    app.table(members.attach(table, {(0, "Households"): a, (1, "Households"): b}), "By group",
              counts=["Households"], name="t")  # fmt: skip
    everyone = pd.DataFrame({"Group": ["all"], "Households": [40]})
    app.table(members.attach(everyone, {(0, "Households"): a | b}), "All",
              counts=["Households"], name="all")  # fmt: skip
    fig, ax = plt.subplots()
    ax.bar(["all"], [1.0])
    app.figure(
        fig,
        "A chart",
        alt=lambda: "b: " + str(app.shown("t").set_index("Group").at["b", "Households"]),
    )
    app.finish(audit=False)
    assert list(sent.values()) == ["b: 38"]
    app.close()
    assert list(sent.values()) == ["b: c"]
