"""A figure with nothing to draw is a sentence, not an empty or one-point chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import matplotlib.style

from analysis.presentation.appendix import DRAW_AT_CLOSE, NOTHING_DRAWN, Appendix


def _bars(*heights: float) -> plt.Figure:
    """A bar per year of service, on a categorical axis as the appendices draw them."""
    fig, ax = plt.subplots()
    ax.bar([f"{i} to {i + 1} years" for i in range(len(heights))], heights)
    return fig


def _last(shown: dict[str, dict]) -> dict:
    return list(shown.values())[-1]


def test_a_chart_of_zeros_and_withheld_values_is_a_sentence(shown):
    app = Appendix("Test", "2018-19", service="A service")
    app.figure(lambda: _bars(0.0, float("nan"), 0.0), "Leaving rate by year of service")
    assert _last(shown) == {
        "text/html": f"<p class='figure-empty'>{NOTHING_DRAWN}</p>",
        "text/plain": f"Figure 1: Leaving rate by year of service. {NOTHING_DRAWN}",
    }
    assert NOTHING_DRAWN == (
        "Not drawn: every figure this chart would show for the year is zero or withheld."
    )
    assert app._charts[0]["values"] == []


def test_a_sentence_given_says_why_and_a_drawn_chart_is_an_image(shown):
    app = Appendix("Test", "2018-19", service="A service")
    app.figure(lambda: _bars(0.0), "Trend", instead="No published figures for 2018/19.")
    assert "No published figures for 2018/19." in _last(shown)["text/html"]
    app.figure(lambda: _bars(3.0, 0.0), "Moves")
    assert set(_last(shown)) == {"image/png", "text/plain"}
    assert app._charts[1]["values"] == [3.0, 0.0]


def test_a_one_year_trend_is_replaced_by_the_sentence_instead_returns(shown):
    app = Appendix("Test", "2018-19", service="A service")
    years = ["2018/19"]
    app.figure(lambda: _bars(90.4), "Retention rate by year", instead=lambda: None
               if len(years) > 1 else "No trend to draw yet.")  # fmt: skip
    assert _last(shown)["text/html"] == "<p class='figure-empty'>No trend to draw yet.</p>"
    drawn = _bars(1.0)
    app.figure(drawn, "Drawn", instead=lambda: "No trend to draw yet.")
    assert not plt.fignum_exists(drawn.number)  # closed, so the kernel does not show it
    years.append("2019/20")
    app.figure(lambda: _bars(90.4, 90.2), "Again", instead=lambda: None
               if len(years) > 1 else "No trend to draw yet.")  # fmt: skip
    assert "image/png" in _last(shown)


def _png(shown: dict[str, dict]) -> str:
    return _last(shown)["image/png"]


def test_a_chart_looks_the_same_whatever_style_a_cell_set_before(shown):
    Appendix("Test", "2018-19", service="A service").figure(lambda: _bars(3.0, 7.0), "Bars")
    first = _png(shown)
    unusual = {"font.size": 20, "axes.grid": False, "axes.facecolor": "black", "lines.color": "red"}
    with matplotlib.rc_context(unusual), matplotlib.style.context("dark_background"):
        Appendix("Test", "2018-19", service="A service").figure(lambda: _bars(3.0, 7.0), "Bars")
    assert _png(shown) == first


def test_in_a_build_a_chart_is_drawn_once_when_the_page_closes(shown, monkeypatch):
    Appendix("Test", "2018-19", service="A service").figure(lambda: _bars(3.0, 7.0), "Bars")
    eager = _png(shown)
    monkeypatch.setenv(DRAW_AT_CLOSE, "1")
    calls = []

    def chart() -> plt.Figure:
        calls.append(1)
        return _bars(3.0, 7.0)

    app = Appendix("Test", "2018-19", service="A service")
    app.figure(chart, "Bars")
    app.finish(audit=False)  # what the kernel does after a later cell
    assert calls == [] and "image/png" not in _last(shown)
    app.close()
    assert calls == [1] and _png(shown) == eager


def test_text_on_a_chart_wider_than_the_column_is_enlarged_to_show_at_11_pixels():
    """Issue 13: a row of panels wider than the page's column is scaled down by the
    browser, and its 8-point ticks showed at 8 pixels."""
    import matplotlib.pyplot as plt

    from analysis.presentation import appendix

    fig, axes = plt.subplots(1, 5, figsize=(14, 3))
    for ax in axes:
        ax.plot([2020, 2025], [1, 2])
        ax.set_title("A panel", fontsize=8)
        ax.tick_params(labelsize=7)
    appendix._legible(fig)
    inches = fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * appendix.PAD_INCHES
    scale = min(1.0, appendix.COLUMN_PX / (inches * fig.dpi))
    sizes = [axes[0].title.get_fontsize(), *(t.get_fontsize() for t in axes[0].get_xticklabels())]
    assert scale < 1 and min(sizes) * fig.dpi / 72 * scale >= appendix.SMALLEST_PX - 0.1
    plt.close(fig)
