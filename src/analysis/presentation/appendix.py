"""What a notebook shows a reader: numbered tables and figures, findings, notes.

Notebooks create one :class:`Appendix` and show everything through it, so that
numbering, anchors for the table of contents, and small-number suppression are
applied the same way in every export. Nothing here computes a figure.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.disclosure import suppression as disclosure


@dataclass
class Appendix:
    """One exported appendix: its title, year, disclosure rule and running numbers."""

    title: str
    year: str
    disclosure: str = "public"
    service: str = field(kw_only=True)
    _tables: int = field(default=0, init=False)
    _figures: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        disclosure.check_rule(self.disclosure)

    def header(self, summary: str) -> None:
        """Title block: service, analysis, year, what the appendix answers, and the rule."""
        display(
            Markdown(
                f"# {self.title}: {self.year.replace('-', '/')}\n\n"
                f"**{self.service}.** {summary}\n\n"
                f"*{disclosure.describe(self.disclosure)}*"
            )
        )

    def findings(self, sentences: Iterable[str]) -> None:
        """The key findings, as a bulleted list of plain sentences."""
        items = "\n".join(f"- {s}" for s in sentences)
        display(Markdown(f"## Key findings\n\n{items}"))

    def section(self, heading: str, text: str = "") -> None:
        """A numbered-free section heading (level 2) with optional lead text."""
        display(Markdown(f"## {heading}\n\n{text}".rstrip()))

    def note(self, text: str) -> None:
        """A paragraph of plain text (Markdown)."""
        display(Markdown(text))

    def table(
        self,
        frame: pd.DataFrame,
        caption: str,
        *,
        counts: Sequence[str] = (),
        rates: dict[str, Sequence[str]] | None = None,
        published: bool = False,
        note: str | None = None,
        index: bool = False,
        totals: dict[str, Sequence[str]] | None = None,
        total_row: Hashable | None = None,
    ) -> pd.DataFrame:
        """Show ``frame`` as "Table N: caption", suppressed under the appendix's rule.

        ``counts`` names the columns that count people (children or carers); rates
        maps a rate column to the count columns it is built on, so it is withheld
        with them. ``totals`` (a total column -> the count columns it adds up) and
        ``total_row`` (the label of a row of column totals) tell the rule where a
        total could reveal a withheld count; columns and rows labelled "Total" that
        add up are found without them. ``published=True`` marks figures the council
        has already published, which are shown as printed. Returns what was shown.
        """
        self._tables += 1
        shown = frame
        if not published:
            shown = disclosure.apply(
                frame,
                self.disclosure,
                counts=counts,
                rates=rates or {},
                totals=totals,
                total_row=total_row,
            )
        anchor = f"table-{self._tables}"
        body = shown.to_html(index=index, na_rep="", escape=True, border=0, classes="data")
        foot = f"<p class='table-note'>{html.escape(note)}</p>" if note else ""
        display(
            HTML(
                f"<figure class='table' id='{anchor}'>"
                f"<figcaption>Table {self._tables}: {html.escape(caption)}</figcaption>"
                f"{body}{foot}</figure>"
            )
        )
        return shown

    def label(self, count: object, fmt: str = "{:,.0f}") -> str:
        """A chart annotation for a count of people: 'c' when this appendix withholds it."""
        return disclosure.label(count, self.disclosure, fmt)

    def chart_values(self, counts: Iterable[float]) -> list[float]:
        """Counts to plot, with withheld ones as NaN so the chart cannot show them."""
        return disclosure.chart_values(counts, self.disclosure)

    def figure(
        self, fig: plt.Figure, caption: str, *, note: str | None = None, alt: str | None = None
    ) -> None:
        """Show a matplotlib figure as "Figure N: caption" and close it. ``alt`` is the
        chart's text alternative in the export (``<img alt>``); it defaults to the caption."""
        self._figures += 1
        display(
            HTML(
                f"<p class='figure-caption' id='figure-{self._figures}'>"
                f"<strong>Figure {self._figures}:</strong> {html.escape(caption)}</p>"
            )
        )
        display(fig, metadata={"image/png": {"alt": alt or caption}})
        plt.close(fig)
        if note:
            display(Markdown(f"*{note}*"))
