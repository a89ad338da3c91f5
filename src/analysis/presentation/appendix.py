"""What a notebook shows a reader: numbered tables and figures, findings, notes.

Notebooks create one :class:`Appendix` and show everything through it, so that
numbering, anchors for the table of contents, and small-number suppression are
applied the same way in every export. Nothing here computes a figure.

Disclosure is decided for the page as a whole (:mod:`analysis.disclosure.page`): every
count a table, sentence or chart shows is registered with what it counts, and the
relations between them. Each item is displayed with a ``display_id``; after every cell
the page's decision is taken again and any item it changes is redrawn in place with
``update_display`` (which papermill writes into the executed notebook), so a count a
later table reveals is withheld in an earlier one too. The ledger of registered counts
goes into the executed notebook under :data:`LEDGER` (for the audit); the HTML export
drops it.
"""

from __future__ import annotations

import base64
import copy
import html
import io
import itertools
import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython import get_ipython
from IPython.display import display, update_display
from matplotlib.category import UnitData
from matplotlib.text import Text

from analysis.core.years import FinancialYear
from analysis.disclosure import members, page
from analysis.disclosure import suppression as disclosure
from analysis.presentation import charts

LEDGER = "application/vnd.fostering.disclosure+json"
ANNEX = "technical-annex"  # the anchor of the technical annex's heading
TOKEN = re.compile("\u27e6(\\d+)\u27e7")
# What a rate cell says where no figure was estimated (nothing observed that long).
NO_FIGURE = frozenset({"no estimate", "not yet observed"})
WITHHELD_WORDS = "withheld"  # a withheld cell of words, where a number's reads "c"
_IDS = itertools.count(1)
Figure = plt.Figure | Callable[[], plt.Figure]
_SAID_AGAIN = re.compile(r"(a withheld number|fewer than 6) \(a withheld share\)")
NO_FINDING = "Every key finding for the year rests on a count the page withholds: see the sections."
MAX_FINDINGS = 5  # issue 13: a director reads at most five findings on the first screen
NOTHING_DRAWN = "Not drawn: every figure this chart would show for the year is zero or withheld."
# What a table or chart computed from counts the page withholds says in its place (``on``).
WITHHELD = "Not shown: it would reveal a withheld count."
# Set by the build: nobody watches its kernels, so a chart drawn from the page's tables is
# drawn once, when the page closes and its decision is final, not once per cell as well.
DRAW_AT_CLOSE = "FOSTERING_DRAW_AT_CLOSE"


# A rate column whose heading names a median, mean or average summarises the people its
# bases count: a statistic of 1 to 5 people describes them, so it is withheld wherever a base
# counts 1 to 5, even a count shown as printed (issue 12's review: a median of two households).
SUMMARY = re.compile(r"\b(median|mean|average)\b", re.IGNORECASE)


def _few(frame: pd.DataFrame, bases: Sequence[str]) -> np.ndarray:
    """Rows where any of the count columns ``bases`` counts 1 to 5."""
    hit = np.zeros(len(frame), dtype=bool)
    for base in bases:
        if base in frame:
            hit |= frame[base].map(disclosure.is_small).to_numpy(dtype=bool)
    return hit


@dataclass
class _Table:
    frame: pd.DataFrame
    keys: dict[tuple[int, str], str]  # (row position, count column) -> ledger key
    rates: dict[str, Sequence[str]]
    published: bool
    labels: list[str] = field(default_factory=list)  # each row's label, as in its keys
    on: tuple[str, ...] = ()  # counts elsewhere on the page the whole table is computed from


# Under a table that shows a count of 1 to 5 the council has printed (W1 of issue 12's red team).
PRINTED_SMALL = (
    "A count of 1 to 5 in this table is one the council has published (or adds up figures it "
    "published), so it is shown as printed rather than withheld."
)

# Words that already say what a header counts or measures.
UNIT_WORDS = re.compile(
    r"%|£|\b(house ?holds?|children|child|young people|carers?|placements?|places?|moves?|"
    r"enquiries|enquirers|applicants?|approvals?|rows?|days|per 100)\b",
    re.IGNORECASE,
)


def with_unit(header: str, unit: str) -> str:
    """``header`` with ``unit`` in brackets, unless it names a unit already ("Approved"
    becomes "Approved (households)"; "Households at 1 April" stays)."""
    return header if UNIT_WORDS.search(str(header)) else f"{header} ({unit})"


def row_labels(frame: pd.DataFrame, index: bool, counts: Sequence[str]) -> list[str]:
    """A readable, unique label for each row: its index, or its first column's text."""
    if index or not isinstance(frame.index, pd.RangeIndex):
        labels = [str(v) for v in frame.index]
    elif frame.shape[1] and frame.columns[0] not in counts:
        labels = [str(v) for v in frame.iloc[:, 0]]
    else:
        labels = [str(i + 1) for i in range(len(frame))]
    seen: dict[str, int] = {}
    unique = []
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
        unique.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return unique


def _blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing cells as blanks: pandas prints a missing value in a text or nullable
    integer column as "None" or "<NA>" (``na_rep`` covers only float columns)."""
    out = frame.copy()
    for column in out.columns[[not pd.api.types.is_float_dtype(t) for t in out.dtypes]]:
        values = out[column].astype(object)
        out[column] = values.where(values.notna(), "")
    return out


def _decimals(value: float) -> int:
    """The decimal places a number needs (to 6 significant figures): 892.0 needs none."""
    _, _, fraction = f"{value:.6g}".partition(".")
    return 0 if "e" in fraction else len(fraction)


def _one_style(shown: pd.DataFrame, frame: pd.DataFrame, printed: set[str]) -> pd.DataFrame:
    """Each decimal column of ``frame`` written in one style: as many places as its most
    precise value needs, the same in every row (72.0 beside 71.2, 1.90 beside 1.91; a
    count never 892.0). Columns of figures shown as printed (``printed``) are left alone."""
    if not frame.columns.is_unique:
        return shown
    out = shown.copy()
    for column in frame.columns:
        if column in printed or not pd.api.types.is_float_dtype(frame[column]):
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        places = max((_decimals(v) for v in values.dropna()), default=0)
        numbers = pd.to_numeric(out[column], errors="coerce")
        out[column] = out[column].astype(object)
        hit = numbers.notna().to_numpy()
        out.loc[hit, column] = [f"{v:.{places}f}" for v in numbers[hit]]
    return out


def _categorical(axis: Any) -> bool:
    """Whether a chart axis holds categories (its positions 0, 1, 2 ... encode no value)."""
    return isinstance(axis.get_units(), UnitData)


def drawn_values(fig: plt.Figure) -> list[float]:
    """Every number a chart encodes: bar heights and widths, line points, numeric labels.

    Positions along a categorical axis, and lines drawn across the axes (``axhline``,
    ``axvline``: in axes coordinates), encode no value and are left out.
    """
    found: list[float] = []
    for ax in fig.axes:
        x_cat, y_cat = _categorical(ax.xaxis), _categorical(ax.yaxis)
        for patch in ax.patches:
            sizes = [] if x_cat else [getattr(patch, "get_width", None)]
            sizes += [] if y_cat else [getattr(patch, "get_height", None)]
            found.extend(float(size()) for size in sizes if size is not None)
        for line in ax.lines:
            if line.get_transform() != ax.transData or (x_cat and y_cat):
                continue
            data = line.get_xdata() if y_cat else line.get_ydata()
            found.extend(float(v) for v in np.asarray(data, dtype=float))
        for collection in ax.collections:
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if offsets.ndim == 2 and offsets.shape[1] == 2 and not (x_cat and y_cat):
                found.extend(float(v) for v in offsets[:, 0 if y_cat else 1])
        for text in ax.texts:
            try:
                found.append(float(text.get_text().replace(",", "")))
            except ValueError:
                continue
    return [v for v in found if np.isfinite(v)]


# The page's column (60rem less its padding): a wider image is scaled down to fit it.
COLUMN_PX = 950
# The smallest text a chart shows, in pixels as the page displays it.
SMALLEST_PX = 11.0
PAD_INCHES = 0.1  # what savefig's bbox_inches="tight" adds on each side


def _png(fig: plt.Figure) -> str:
    _legible(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=PAD_INCHES)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _legible(fig: plt.Figure) -> None:
    """Enlarge any text that would show below :data:`SMALLEST_PX` once the image is scaled
    down into the page's column (a row of five panels is wider than the column, and its
    8-point ticks would show at 8 pixels)."""
    for _ in range(3):  # larger text widens the image a little: measure again
        renderer = fig.canvas.get_renderer()
        inches = fig.get_tightbbox(renderer).width + 2 * PAD_INCHES
        scale = min(1.0, COLUMN_PX / (inches * fig.dpi))
        least = SMALLEST_PX / scale * 72 / fig.dpi  # points
        small = [
            t
            for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < least - 0.05
        ]
        if not small:
            return
        for ax in fig.axes:  # tick labels are redrawn from the axis' settings
            for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
                labels = [t for t in axis.get_ticklabels(which="both") if t.get_text()]
                if labels and min(t.get_fontsize() for t in labels) < least - 0.05:
                    ax.tick_params(axis=which, which="both", labelsize=least)
        for text in small:
            text.set_fontsize(max(text.get_fontsize(), least))
        fig.canvas.draw()


@dataclass(frozen=True)
class Headline:
    """One headline figure for the top of the page: the year's value, last year's, and a
    comparator (England, the LA sector), in the style of the DfE's headline tiles.

    A count of people (``count=True``) goes into the page's ledger under ``key`` (the
    key of the table cell that shows it, so the two are withheld together) and
    ``previous_key``; a rate names the counts it is built ``on`` (last year's rate
    ``previous_on``, the same counts unless given) and is withheld with them.
    ``published`` figures are shown as printed. ``comparator_decimals`` prints the
    comparator as its source does (Ofsted's 12%, not 12.0%). ``unit`` follows the number ("%",
    " households"); ``better`` says which way is an improvement, for the words beside the
    change. ``source`` is said under the tile (e.g. where the comparator is from).
    :meth:`Appendix.tile` makes one from a cell of a table the page shows.
    """

    label: str
    value: float | None
    previous: float | None = None
    unit: str = ""
    decimals: int = 0
    count: bool = False
    key: str | None = None
    previous_key: str | None = None
    on: Sequence[str] = ()
    previous_on: Sequence[str] | None = None
    published: bool = False
    better: Literal["higher", "lower"] | None = None
    comparator: float | None = None
    comparator_decimals: int | None = None  # as its source prints it; else ``decimals``
    comparator_label: str = "England"
    source: str = ""


def _signed_change(change: float, unit: str, decimals: int) -> str:
    size = f"{abs(change):,.{decimals}f}"
    if unit.strip() == "%":
        return f"{size} percentage point{'' if abs(change) == 1 else 's'}"
    return f"{size}{unit}"


# What the pages count, as a sentence names them after a number ("12 households").
NOUNS = "|".join(
    ("households", "children", "carers", "places", "enquiries", "enquirers", "moves",
     "placements", "assessments", "approvals", "leavers")
)  # fmt: skip


class _Later(KeyError):
    """A chart reads a table the page shows further down (in the technical annex): it is
    drawn once that table is on the page."""


@dataclass
class Appendix:
    """One exported appendix: its title, year, disclosure rule and running numbers."""

    title: str
    year: str
    disclosure: str = "public"
    service: str = field(kw_only=True)
    _tables: int = field(default=0, init=False)
    _figures: int = field(default=0, init=False)
    ledger: page.Ledger = field(default_factory=page.Ledger, init=False)
    hidden: set[str] = field(default_factory=set, init=False)
    # What the page was decided from (:func:`analysis.disclosure.earlier.fingerprint`), for
    # next year's page to check it is deciding against this one as built.
    fingerprint: str = field(default="", init=False)
    _tables_by_name: dict[str, _Table] = field(default_factory=dict, init=False)
    _items: list[dict[str, Any]] = field(default_factory=list, init=False)
    _counts: list[str | tuple[str, tuple[str, ...], str] | Callable[[], str]] = field(
        default_factory=list, init=False
    )
    _charts: list[dict[str, Any]] = field(default_factory=list, init=False)
    _ledger_id: str = field(default="", init=False)
    _reading: set[str] | None = field(default=None, init=False)  # tables a chart reads
    _decided: tuple[tuple[int, ...], set[str]] | None = field(default=None, init=False)
    _eager: bool = field(default=False, init=False)  # decide at every item (table_if_safe)
    _closed: bool = field(default=False, init=False)  # the last cell has called close()

    def __post_init__(self) -> None:
        disclosure.check_rule(self.disclosure)
        self._ledger_id = f"fostering-ledger-{next(_IDS)}"
        display({LEDGER: self._ledger_json()}, raw=True, display_id=self._ledger_id)
        shell = get_ipython()
        if shell is not None:
            shell.events.register("post_run_cell", self._after_cell)

    # -- the page-level decision -------------------------------------------------------

    def _after_cell(self, *_: object) -> None:
        self.finish(audit=self._closed)

    def _decide(self, audit: bool = True) -> set[str]:
        """The page's decision (only its cheap rules, without the attacker's audit, when
        ``audit`` is False), taken again only when the ledger has changed since."""
        if self.disclosure != "public":
            return set()
        state = (self.ledger.state(), audit)
        while self._decided is None or self._decided[0] != state:
            # the decision registers what it finds (chains of counts, counts shown again):
            # taken again with them known from the start until it finds nothing new (the
            # reader's search going on from where it stopped)
            self._decided = (state, page.decide(self.ledger, audit=audit))
            state = (self.ledger.state(), audit)
        return set(self._decided[1])

    def close(self) -> None:
        """The page is complete: take its whole disclosure decision (the attacker's audit
        included) and redraw every item it changes. A notebook's last cell calls it; a
        public page that was never closed cannot be exported (:mod:`.export`). Cells run
        again after it are decided in full too."""
        self._closed = True
        self.finish()

    def finish(self, audit: bool = True) -> None:
        """Take the page's disclosure decision again and redraw what it changes.

        In a kernel it runs after every cell by itself: until :meth:`close`, with the
        cheap rules only (primary suppression and the counts left alone in a relation),
        since the audit of a whole page of records takes seconds and a page has dozens of
        cells. Outside IPython call it (or :meth:`close`) when the page is complete.
        """
        self.hidden = self._decide(audit)
        for item in self._items:
            bundle = item["render"]()  # may rewrite the item's metadata (a chart's alt text)
            sent = copy.deepcopy(item["metadata"])
            if bundle != item["bundle"] or sent != item["sent"]:
                item["bundle"], item["sent"] = bundle, sent
                update_display(bundle, raw=True, display_id=item["id"], metadata=item["metadata"])
        update_display({LEDGER: self._ledger_json()}, raw=True, display_id=self._ledger_id)

    def _ledger_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "service": self.service,
            "disclosure": self.disclosure,
            "closed": self._closed,
            "fingerprint": self.fingerprint,
            "ledger": self.ledger.as_json(),
            "hidden": sorted(self.hidden),
            "charts": self._charts,
        }

    def _show(
        self, render: Callable[[], dict[str, Any]], metadata: dict[str, Any] | None = None
    ) -> None:
        """Display an item now and keep it for redrawing; ``metadata`` goes with it (a
        chart's alt text). In a kernel the item is drawn under the decision so far and the
        page's decision is taken after the cell (every item it changes is redrawn), in
        full once the page is closed; elsewhere, and for :meth:`table_if_safe`, it is taken
        in full now."""
        if get_ipython() is None or self._eager:
            self.hidden = self._decide()
        item = {
            "id": f"fostering-item-{next(_IDS)}",
            "render": render,
            "bundle": render(),
            "metadata": metadata,
        }
        item["sent"] = copy.deepcopy(metadata)  # as displayed: a change is sent again
        self._items.append(item)
        display(item["bundle"], raw=True, display_id=item["id"], metadata=metadata)

    # -- registering counts ------------------------------------------------------------

    def count(
        self, value: float, key: str | None = None, records: Iterable[str] | None = None
    ) -> str:
        """A count for a sentence, registered on the page; put the result in the text.

        ``key`` says what it counts (the same key as a table's ``base``, or
        :meth:`cell`), so the page knows how it relates to other numbers. In the shown
        text a withheld count reads "a withheld number", whether it is 1 to 5 or withheld
        to protect another: saying "fewer than 6" would tell the two apart, and put a
        count withheld as "c" in 1 to 5 for the reader. ``records`` are the records it
        counts (:mod:`analysis.disclosure.members`), which relate it to every other count
        with records.
        """
        key = key or f"text-{len(self._counts) + 1}"
        self.ledger.add(key, value, records=records)
        self._counts.append(key)
        return f"\u27e6{len(self._counts) - 1}\u27e7"

    def share(self, text: str, on: Iterable[str], withheld: str = "a withheld share") -> str:
        """A rate or share for a sentence (``text``, as it reads when shown), built on the
        counts keyed ``on``: while any of them is withheld it reads ``withheld`` (also for
        words that would give a withheld count away, "matches the published figure")."""
        self._counts.append((text, tuple(on), withheld))
        return f"\u27e6{len(self._counts) - 1}\u27e7"

    def tally(self, items: Iterable[tuple[bool, Iterable[str]]]) -> str:
        """How many of ``items`` hold, counting only those the page shows, for a sentence:
        each item is (whether it holds, the counts keyed ``on`` it rests on) and is shown
        while none of them is withheld. "The register reproduces 14 of the 16 figures
        shown" so, never "22 of 24", which would say what the withheld ones are."""
        listed = [(bool(holds), tuple(on)) for holds, on in items]
        self._counts.append(
            lambda: str(sum(h for h, on in listed if not self.hidden.intersection(on)))
        )
        return f"\u27e6{len(self._counts) - 1}\u27e7"

    def _token_withheld(self, match: re.Match[str]) -> bool:
        """Whether the :meth:`count` or :meth:`share` a token stands for is withheld now."""
        key = self._counts[int(match.group(1))]
        if callable(key):
            return False
        if isinstance(key, tuple):
            return bool(self.hidden.intersection(key[1]))
        return key in self.hidden

    def _finding(self, sentence: str) -> str | None:
        """A key finding as shown: None when any number in it is withheld (a finding made
        of a blank, "a withheld share left at the first enquiry", tells a director nothing:
        issue 13's review; a clause that may be withheld is written with ``withheld=""``
        and left out instead), and its first letter upper case (a sentence may open with a
        number)."""
        for match in TOKEN.finditer(sentence):
            said = self._counts[int(match.group(1))]
            optional = isinstance(said, tuple) and not said[2]  # a clause that goes
            if not optional and self._token_withheld(match):
                return None
        text = self.stated(sentence)
        return text[:1].upper() + text[1:]

    def stated(self, text: str, fmt: str = "{:,.0f}") -> str:
        """``text`` with each :meth:`count` and :meth:`share` in it as the page shows it."""

        def number(match: re.Match[str]) -> str:
            key = self._counts[int(match.group(1))]
            if callable(key):
                return key()
            if isinstance(key, tuple):
                shown, on, instead = key
                return instead if self.hidden.intersection(on) else shown
            value = self.ledger.values[key]
            if key not in self.hidden:
                return fmt.format(value)
            return "a withheld number"

        # "the 12 households" with 12 withheld reads "the withheld number of households", and
        # "for 12 households" "for a withheld number of households"; a withheld count's share
        # is not said again ("a withheld number (a withheld share)").
        said = re.sub(
            r"\b([Tt]he) a withheld number ", r"\1 withheld number of ", TOKEN.sub(number, text)
        )
        said = _SAID_AGAIN.sub(r"\1", said)
        return re.sub(rf"\ba withheld number (?=(?:{NOUNS})\b)", "a withheld number of ", said)

    def cell(self, table: str, row: Hashable, column: str) -> str:
        """The key of one count in a named table (for :meth:`relate`)."""
        return f"{table}|{row}|{column}"

    def keys(self, table: str, column: str) -> list[str | None]:
        """The ledger key of each row's count in ``column`` of a named table (None where
        the row has no count), for relating a table's rows to other counts."""
        entry = self._tables_by_name[table]
        return [entry.keys.get((i, column)) for i in range(len(entry.frame))]

    def relate(self, total: str, plus: Iterable[str], minus: Iterable[str] = ()) -> None:
        """Tell the page that ``total = sum(plus) - sum(minus)`` (e.g. a stock at the end
        of the year is the stock at the start plus joiners minus leavers)."""
        self.ledger.relate(total, plus, minus)

    def _written(self, text: str | Callable[[], str] | None, later: str) -> str | None:
        """A caption or text alternative, written now if it is a function; ``later`` while
        it reads a table the page shows further down (it is rewritten when the page closes)."""
        if not callable(text):
            return text
        try:
            return text()
        except KeyError:
            if self._closed:
                raise
            return later

    def shown(self, table: str) -> pd.DataFrame:
        """A named table as the page now shows it (for charts drawn from it). A chart may
        read a table the page shows further down (its points, in the technical annex): it
        is drawn once that table is on the page."""
        if self._reading is not None:
            self._reading.add(table)
            if table not in self._tables_by_name and not self._closed:
                raise _Later(table)
        return self._render_frame(self._tables_by_name[table])

    # -- what the reader sees ----------------------------------------------------------

    def _markdown(self, text: str) -> Callable[[], dict[str, Any]]:
        return lambda: {"text/markdown": self.stated(text)}

    def header(self, summary: str) -> None:
        """Title block: service, analysis, year and what the appendix answers (the page's
        disclosure rule follows its key findings: :meth:`findings`)."""
        self._show(
            self._markdown(
                f"# {self.title}: {self.year.replace('-', '/')}\n\n**{self.service}.** {summary}"
            )
        )

    def headlines(self, tiles: Sequence[Headline]) -> None:
        """Three to five headline figures as tiles, shown first on the page.

        Each tile is real text in reading order (what, this year's value, the change on
        last year, the comparator), decided by the page's ledger like every other
        count: a withheld count reads "withheld" (as in :meth:`count`), and so does a change
        or rate built on it. The export moves the tiles above the key findings wherever
        the cell that shows them is.
        """
        if not 1 <= len(tiles) <= 5:
            raise ValueError(f"a page has 1 to 5 headline figures, not {len(tiles)}")
        keys = []
        for n, tile in enumerate(tiles, start=1):
            now = tile.key or f"headline-{n}"
            before = tile.previous_key or f"{now}|previous"
            if tile.count and tile.value is not None:
                self.ledger.add(now, tile.value, published=tile.published)
            if tile.count and tile.previous is not None:
                self.ledger.add(before, tile.previous, published=tile.published)
            keys.append((now, before))
        self._show(lambda: self._tiles(tiles, keys))

    def tile(
        self,
        table: str,
        row: Hashable,
        column: str,
        label: str,
        *,
        previous_row: Hashable | None = None,
        previous_column: str | None = None,
        **shown: Any,
    ) -> Headline:
        """A headline tile for one cell of a named table, withheld exactly when the table
        withholds that cell (a count shares its ledger key; a rate its row's counts).

        The previous year is another cell of the same table: ``previous_row`` (a table
        by year) or ``previous_column`` (a table with a column per year). ``shown`` are
        :class:`Headline`'s other fields (``unit``, ``decimals``, ``better``,
        ``comparator``, ``comparator_label``, ``source``).
        """
        entry = self._tables_by_name[table]

        def where(at: Hashable, col: str) -> tuple[int, float | None]:
            labels = entry.labels
            if str(at) not in labels:
                raise ValueError(f"table {table!r} has no row {at!r}: rows are {labels}")
            i = labels.index(str(at))
            value = pd.to_numeric(entry.frame[col].iloc[i], errors="coerce")
            return i, None if pd.isna(value) else float(value)

        def bases(i: int, col: str) -> list[str]:
            return [k for c in entry.rates.get(col, ()) if (k := entry.keys.get((i, c)))]

        i, value = where(row, column)
        before_at = previous_row if previous_row is not None else row
        before_col = previous_column or column
        has_before = previous_row is not None or previous_column is not None
        j, previous = where(before_at, before_col) if has_before else (i, None)
        count = (i, column) in entry.keys
        return Headline(
            label,
            value,
            previous,
            count=count,
            key=entry.keys.get((i, column)),
            previous_key=entry.keys.get((j, before_col)) if has_before else None,
            on=[] if count else bases(i, column),
            previous_on=None if count or not has_before else bases(j, before_col),
            published=entry.published,
            **shown,
        )

    def _withheld(self, tile: Headline, key: str, previous: bool = False) -> bool:
        if tile.published or self.disclosure == "internal":
            return False
        if tile.count:
            return key in self.hidden
        on = tile.previous_on if previous and tile.previous_on is not None else tile.on
        return bool(self.hidden.intersection(on))

    def _figure(self, tile: Headline, value: float, key: str, previous: bool = False) -> str:
        if self._withheld(tile, key, previous):
            return "withheld"
        return f"{value:,.{tile.decimals}f}{tile.unit}"

    def _tiles(self, tiles: Sequence[Headline], keys: list[tuple[str, str]]) -> dict[str, Any]:
        year = FinancialYear.parse(self.year)
        items = []
        for tile, (now, before) in zip(tiles, keys, strict=True):
            value = "not available" if tile.value is None else self._figure(tile, tile.value, now)
            lines = [
                f"<p class='tile-label'>{html.escape(tile.label)}, "
                f"{year.report_label}</p><p class='tile-value'>{html.escape(value)}</p>"
            ]
            change = self._change(tile, now, before, year.previous.report_label)
            if change:
                lines.append(f"<p class='tile-change'>{change}</p>")
            if tile.comparator is not None:
                places = tile.comparator_decimals
                places = tile.decimals if places is None else places
                lines.append(
                    f"<p class='tile-compare'>{html.escape(tile.comparator_label)}: "
                    f"{tile.comparator:,.{places}f}{html.escape(tile.unit)}</p>"
                )
            if tile.source:
                lines.append(f"<p class='tile-source'>{html.escape(tile.source)}</p>")
            items.append(f"<li class='tile'>{''.join(lines)}</li>")
        label = f"Headline figures, {year.report_label}"
        return {
            "text/html": f"<section class='appendix-headlines' aria-label='{label}'>"
            f"<ul class='tiles'>{''.join(items)}</ul></section>",
            "text/plain": label,
        }

    def _change(self, tile: Headline, now: str, before: str, previous: str) -> str:
        """The change on last year in words, with an arrow for the eye only."""
        if tile.value is None or tile.previous is None:
            return ""
        was = self._figure(tile, tile.previous, before, previous=True)
        if self._withheld(tile, now) or self._withheld(tile, before, previous=True):
            return html.escape(f"{previous}: {was}; change withheld")
        change = round(tile.value - tile.previous, tile.decimals)
        if change == 0:
            return html.escape(f"No change on {previous} ({was})")
        up = change > 0
        words = f"{'Up' if up else 'Down'} {_signed_change(change, tile.unit, tile.decimals)}"
        verdict = ""
        if tile.better:
            verdict = "; better" if up == (tile.better == "higher") else "; worse"
        arrow = "\u25b2" if up else "\u25bc"
        return (
            f"<span aria-hidden='true'>{arrow}</span> "
            f"{html.escape(f'{words} on {previous} ({was}){verdict}')}"
        )

    def findings(self, sentences: Iterable[str]) -> None:
        """The key findings, as a bulleted list of plain sentences (with :meth:`count`),
        then the page's disclosure rule; a finding with a number the page withholds is left
        out.

        At most :data:`MAX_FINDINGS` sentences, the ones a strategic lead needs (the
        year's totals and change, the main rate against its comparator, the main reason
        or drop-off, capacity): more raise ValueError, never a silent cut. A sentence
        about the data rather than the service (reconciliation, labels counted as
        "other", consistency checks, what is not published) is a :meth:`note` in the
        technical annex's section on it; one on a topic the body has a section for
        (budget, benchmarks, a change in places) is that section's lead text or note."""
        listed = list(sentences)
        if len(listed) > MAX_FINDINGS:
            raise ValueError(
                f"{len(listed)} key findings given; a page shows at most {MAX_FINDINGS}. "
                "The rest belong in their sections (a note under the section on their "
                "topic, or in the technical annex when they are about the data)."
            )

        def render() -> dict[str, Any]:
            shown = [f for f in map(self._finding, listed) if f is not None]
            items = "\n".join(f"- {s}" for s in shown) or NO_FINDING
            # the rule under the findings, not above the tiles: the first screen is the
            # figures (issue 13's review); every page shows findings, so every page says it
            rule = f"*{disclosure.describe(self.disclosure)}*"
            return {"text/markdown": f"## Key findings\n\n{items}\n\n{rule}"}

        self._show(render)

    def section(self, heading: str, text: str = "") -> None:
        """A numbered-free section heading (level 2) with optional lead text."""
        self._show(self._markdown(f"## {heading}\n\n{text}".rstrip()))

    def annex(self) -> None:
        """Start the technical annex: what is shown after it (method notes, data quality,
        reconciliation, definitions, long check tables) is for the analyst and the auditor.
        The main body before it is the five-minute read and has a length budget
        (``tests/presentation/test_export_content.py``); the export marks the annex off.
        """
        self._show(
            lambda: {
                "text/html": f"<h2 id='{ANNEX}'>Technical annex</h2><p class='annex-lead'>"
                "How the figures above were made and checked: definitions, data quality, "
                "reconciliation with published figures and the full check tables.</p>",
                "text/plain": "Technical annex",
            }
        )

    def note(self, text: str) -> None:
        """A paragraph of plain text (Markdown, with :meth:`count`)."""
        self._show(self._markdown(text))

    def _register(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        counts: Sequence[str],
        published: bool | Sequence[str],
        index: bool,
        totals: Mapping[str, Sequence[str]] | None,
        total_row: Hashable | None,
        base: str | Mapping[str, str] | None,
    ) -> dict[tuple[int, str], str]:
        """Put a table's counts and the relations it implies into the page's ledger."""
        labels = row_labels(frame, index, counts)
        numbers = frame[list(counts)].apply(pd.to_numeric, errors="coerce")
        cells = members.of(frame)
        printed = set(counts) if published is True else set(published or ())
        keys = {}
        for i, label in enumerate(labels):
            for column in counts:
                value = numbers[column].iloc[i]
                if pd.notna(value):
                    keys[(i, column)] = self.cell(name, label, column)
                    self.ledger.add(
                        keys[(i, column)],
                        value,
                        published=column in printed,
                        records=None if column in printed else cells.get((frame.index[i], column)),
                    )
        found = disclosure._detect_total_columns(numbers) if totals is None else dict(totals)
        for total, parts in found.items():
            for i in range(len(frame)):
                if (i, total) in keys and all((i, p) in keys for p in parts):
                    self.ledger.relate(keys[(i, total)], [keys[(i, p)] for p in parts])
        if total_row is not None:
            row = disclosure._total_row_position(frame, total_row)
        else:
            row = disclosure._detect_total_row(frame, numbers)
        others = [i for i in range(len(frame)) if i != row]
        bases = {c: base for c in counts} if isinstance(base, str) else dict(base or {})
        for column in counts:
            parts = [keys[(i, column)] for i in others if (i, column) in keys]
            if row is not None and (row, column) in keys:
                self.ledger.relate(keys[(row, column)], parts)
            if column in bases:
                self.ledger.add(
                    bases[column], float(numbers[column].iloc[others].sum()), stated=False
                )
                self.ledger.relate(bases[column], parts)
        return keys

    def _render_frame(self, table: _Table) -> pd.DataFrame:
        if table.published or self.disclosure == "internal":
            return table.frame.copy()
        if self.hidden.intersection(table.on):
            shown = table.frame.copy().astype(object)
            shown.iloc[:, 1:] = disclosure.SUPPRESSED
            return shown
        columns = {c for _, c in table.keys} | set(table.rates)
        shown = table.frame.copy().astype({c: "object" for c in columns})
        withheld = pd.DataFrame(False, index=range(len(shown)), columns=sorted(columns))
        for (i, column), key in table.keys.items():
            if key in self.hidden:
                shown.iloc[i, shown.columns.get_loc(column)] = disclosure.SUPPRESSED
                withheld.loc[i, column] = True
        for rate, bases in table.rates.items():
            hit = withheld[[b for b in bases if b in withheld]].any(axis=1).to_numpy()
            # A rate cell that says no figure was estimated says nothing of its bases: a 'c'
            # there would tell the reader a figure is hidden where there is none. (Any other
            # text, "yes" or "matches", may say what the bases are: withheld with them.)
            says = ~shown[rate].isin(NO_FIGURE).to_numpy()
            # A sentence or a word ("Matches the published figure.", "yes") withheld reads
            # "withheld": a lone "c" in a column of words reads as a typing slip.
            words = shown[rate].map(lambda v: isinstance(v, str) and v[:1].isalpha()).to_numpy()
            if SUMMARY.search(str(rate)):
                hit = hit | _few(table.frame, bases)
            shown.loc[hit & says & ~words, rate] = disclosure.SUPPRESSED
            shown.loc[hit & says & words, rate] = WITHHELD_WORDS
        return shown

    def table_if_safe(
        self, frame: pd.DataFrame, caption: str, *, instead: str, **options: Any
    ) -> pd.DataFrame | None:
        """:meth:`table`, unless showing it would leave some withheld count on the page
        recoverable whatever else is withheld (a breakdown of published totals into small
        cells, say): then the table is left out, ``instead`` says why, and the page is as
        it was. Returns the table as shown, or None."""
        saved = (copy.deepcopy(self.ledger), self._tables, dict(self._tables_by_name))
        self._eager = True
        try:
            return self.table(frame, caption, **options)
        except page.DisclosureError:
            self.ledger, self._tables, self._tables_by_name = saved
            self.hidden = self._decide()
            self.note(instead)
            return None
        finally:
            self._eager = False

    def table(
        self,
        frame: pd.DataFrame,
        caption: str,
        *,
        counts: Sequence[str] = (),
        rates: dict[str, Sequence[str]] | None = None,
        published: bool | Sequence[str] = False,
        note: str | None = None,
        index: bool = False,
        totals: dict[str, Sequence[str]] | None = None,
        total_row: Hashable | None = None,
        name: str | None = None,
        base: str | Mapping[str, str] | None = None,
        empty: str = "No figures to show.",
        on: Iterable[str] = (),
        withheld: str = WITHHELD,
        unit: str | None = None,
    ) -> pd.DataFrame:
        """Show ``frame`` as "Table N: caption", suppressed under the page's decision.

        ``counts`` names the columns that count people (children or carers); rates
        maps a rate column to the count columns it is built on, so it is withheld
        with them. Records attached to the frame (:func:`analysis.disclosure.members.attach`)
        relate its counts to every other count with records on the page, with no relation
        declared. ``totals`` (a total column -> the count columns it adds up) and
        ``total_row`` (the label of a row of column totals) say where a total could
        reveal a withheld count; columns and rows labelled "Total" that add up are
        found without them. ``base`` names the group the rows of a count column break
        down (one name for every count column, or column -> name): two tables, or a
        sentence's :meth:`count`, with the same base are related. ``name`` names the
        table for :meth:`cell` and :meth:`shown`. ``published=True`` marks figures the
        council has already published, shown as printed and known to any reader; a list
        of count columns marks those columns only (the council's figures beside the
        extract's, which are withheld as any other count). A table
        with no rows shows ``empty`` (why there is nothing) under its caption instead.
        ``on`` names counts elsewhere on the page (ledger keys) that the whole table is
        computed from (a projection from a stock and its flows): while the page withholds
        any of them, the table shows ``withheld`` under its caption instead (every cell
        but the first column reads "c" for :meth:`shown`). ``unit`` (households,
        children) is added to the header of each count column that names no unit of its
        own (:func:`with_unit`).
        Returns what is shown now (a later item can withhold more: see :meth:`shown`).
        """
        on = self._on(on)
        self._tables += 1
        name = name or f"table-{self._tables}"
        if name in self._tables_by_name:
            raise ValueError(f"two tables are named {name!r}")
        if published is not True and counts:
            missing = [
                c for c in (totals or {}) for c in [c, *(totals or {})[c]] if c not in counts
            ]
            if missing:
                raise ValueError(f"totals name columns not listed in counts: {missing}")
        keys = self._register(
            frame,
            name,
            counts=counts,
            published=published,
            index=index,
            totals=totals,
            total_row=total_row,
            base=base,
        )
        labels = row_labels(frame, index, counts)
        kept = frame.copy()
        kept.attrs = {}  # the records are in the ledger now; pandas would copy them at every redraw
        entry = _Table(kept, keys, dict(rates or {}), published is True, labels, on)
        self._tables_by_name[name] = entry
        anchor = f"table-{self._tables}"
        foot = f"<p class='table-note'>{html.escape(note)}</p>" if note else ""
        number = self._tables

        printed = set(frame.columns) if published is True else set(published or ())
        numeric = [
            c
            for c in frame.columns[1:]
            if published is True or pd.api.types.is_numeric_dtype(frame[c])
        ]

        def render() -> dict[str, Any]:
            shown = _blank_missing(_one_style(self._render_frame(entry), kept, printed))
            title = caption
            if unit:
                counted = [c for c in counts or numeric if c in shown.columns]
                bare = [c for c in counted if with_unit(c, unit) != c]
                if len(bare) >= 3 and len(bare) == len(counted) and unit != "%":
                    title = f"{caption} (number of {unit})"  # one unit for every column
                else:
                    shown = shown.rename(columns={c: with_unit(c, unit) for c in bare})
            if self._rests_on_withheld(on):
                body = f"<p class='table-empty'>{html.escape(withheld)}</p>"
            elif shown.empty:
                body = f"<p class='table-empty'>{html.escape(empty)}</p>"
            else:
                body = shown.to_html(index=index, na_rep="", escape=True, border=0, classes="data")
            printed_small = PRINTED_SMALL if self._shows_printed_small(entry) else ""
            notes = f"<p class='table-note'>{printed_small}</p>" if printed_small else ""
            return {
                "text/html": f"<figure class='table' id='{anchor}'>"
                f"<figcaption>Table {number}: {html.escape(title)}</figcaption>"
                f"{body}{foot}{notes}</figure>",
                "text/plain": f"Table {number}: {title}",
            }

        self._show(render)
        return self._render_frame(entry)

    def _shows_printed_small(self, entry: _Table) -> bool:
        """Whether a public table shows a count of 1 to 5 because the council has printed
        it (or the counts it adds up): the reader is told why it is not withheld. A table
        of printed figures says so in its caption instead."""
        if entry.published or self.disclosure != "public":
            return False
        return any(
            key in self.ledger.published
            and key not in self.hidden
            and disclosure.is_small(self.ledger.values.get(key, 0))
            for key in entry.keys.values()
        )

    def _on(self, keys: Iterable[str]) -> tuple[str, ...]:
        """``keys`` checked: each must be a count the page has registered."""
        keys = tuple(keys)
        missing = [k for k in keys if k not in self.ledger.values]
        if missing:
            raise ValueError(f"on names counts the page has not registered: {missing}")
        return keys

    def _rests_on_withheld(self, on: Iterable[str]) -> bool:
        """Whether the page withholds any of the counts ``on`` (never on an internal copy)."""
        return self.disclosure == "public" and bool(self.hidden.intersection(on))

    def label(self, count: object, fmt: str = "{:,.0f}") -> str:
        """A chart annotation for a count of people: 'c' when this appendix withholds it."""
        return disclosure.label(count, self.disclosure, fmt)

    def chart_values(self, counts: Iterable[float]) -> list[float]:
        """Counts to plot, with withheld ones as NaN so the chart cannot show them."""
        return disclosure.chart_values(counts, self.disclosure)

    def figure(
        self,
        fig: Figure,
        caption: str | Callable[[], str],
        *,
        note: str | None = None,
        table: str | None = None,
        alt: str | Callable[[], str] | None = None,
        instead: str | Callable[[], str | None] | None = None,
        on: Iterable[str] = (),
        withheld: str = WITHHELD,
    ) -> None:
        """Show a figure as "Figure N: caption", or a sentence in its place when there is
        nothing to draw.

        A caption that states the chart's finding ("Retention was 93.1% in 2024/25, against
        ...") is a function writing it from :meth:`shown`, like ``alt``, so that it is
        rewritten whenever the page withholds more and never states a withheld count.

        Pass a function drawing the figure from :meth:`shown` (``lambda:
        charts.x(app.shown("reasons"))``) so that it is redrawn whenever the page
        withholds more; a drawn figure is shown as it is. ``table`` names the table
        the chart draws, so the audit can check it encodes nothing that table withholds.
        ``alt`` is the chart's text alternative in the export (``<img alt>``); it
        defaults to the caption. Pass a function writing it from :meth:`shown` when it
        quotes figures, so that it is rewritten with the chart and never states a count
        the page withholds.

        A chart that encodes no value other than zero (every bar zero, or every count
        withheld) is not shown: ``instead`` (a sentence) says why, or :data:`NOTHING_DRAWN`.
        A function ``instead`` is asked first, at every drawing (it may read
        :meth:`shown`): a sentence it returns replaces the chart (a "trend" of one year).
        ``on`` names counts (ledger keys) the whole chart is computed from, as for
        :meth:`table`: while the page withholds any of them, ``withheld`` replaces it.

        A chart encodes its drawn numbers (:func:`drawn_values`) and the counts its drawing
        function says it rests on (:func:`analysis.presentation.charts.encodes`: a share
        rests on its count and its group's size); both go to the audit
        (:func:`analysis.disclosure.audit.chart_leaks`), which finds a chart resting on a
        count the page withholds.
        """
        on = self._on(on)
        self._figures += 1
        number = self._figures

        def title() -> str:
            return self._written(caption, "Figure written when the page is complete")

        self._show(
            lambda: {
                "text/html": f"<p class='figure-caption' id='figure-{number}'>"
                f"<strong>Figure {number}:</strong> {html.escape(title())}</p>"
            }
        )
        chart: dict[str, Any] = {"number": number, "table": table, "values": [], "cells": []}
        self._charts.append(chart)
        drawn: dict[str, Any] = {}

        def state() -> frozenset[str]:
            """What the chart depends on: the withheld cells of the tables it read (all
            withheld counts when it read none), so an unrelated change does not redraw it."""
            if not drawn.get("tables"):
                return frozenset(self.hidden)
            keys = {k for t in drawn["tables"] for k in self._tables_by_name[t].keys.values()}
            return frozenset(self.hidden & (keys | set(on)))

        metadata = {"image/png": {"alt": title()}}

        def render() -> dict[str, Any]:
            redraw = callable(fig) and not isinstance(fig, plt.Figure)
            if redraw and not self._closed and os.environ.get(DRAW_AT_CLOSE):
                return {"text/plain": f"Figure {number}: drawn when the page is complete"}
            metadata["image/png"]["alt"] = self._written(alt, "") or title()
            if "bundle" not in drawn or (redraw and drawn["state"] != state()):
                # drawn and saved in the house style: ticks and labels are placed at saving
                with charts.house_style():
                    self._reading = set()
                    try:
                        said = withheld if self._rests_on_withheld(on) else None
                        said = said or (instead() if callable(instead) else None)
                        made = None if said else fig() if redraw else fig
                    except _Later:  # it reads a table further down: drawn once that is shown
                        return {"text/plain": f"Figure {number}: drawn when the page is complete"}
                    finally:
                        drawn["tables"], self._reading = self._reading, None
                    cells = [] if made is None else charts.encoded(made)
                    values = [] if made is None else drawn_values(made)
                    if made is not None and not any(values):
                        said = (instead if isinstance(instead, str) else None) or NOTHING_DRAWN
                    if said:
                        values, bundle = (
                            [],
                            {
                                "text/html": f"<p class='figure-empty'>{html.escape(said)}</p>",
                                "text/plain": f"Figure {number}: {title()}. {said}",
                            },
                        )
                    else:
                        assert made is not None
                        bundle = {
                            "image/png": _png(made),
                            "text/plain": f"Figure {number}: {title()}",
                        }
                    drawn.update(state=state(), bundle=bundle)
                    chart["cells"] = [] if said else cells
                    # the counts it rests on too: the audit compares them with withheld ones
                    chart["values"] = values + [self.ledger.values[k] for k in chart["cells"]]
                    for shut in {made, fig}:  # a figure not shown is not left for the kernel
                        if isinstance(shut, plt.Figure):
                            plt.close(shut)
            return drawn["bundle"]

        self._show(render, metadata=metadata)
        if note:
            self._show(self._markdown(f"*{note}*"))
