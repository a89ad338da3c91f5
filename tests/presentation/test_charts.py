"""Every appendix chart a director reads: linear axes (no log or symmetric-log scale), a
legend that covers no bar, line or point, and financial years written 2024/25.

Each chart is drawn from a small table shaped as the page shows it (a withheld count is
"c"); the published-trends charts from Coventry's real published figures; the stability
trend from the DfE's published benchmarks.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from fixtures.curves import approvals_2023_24
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.transforms import Bbox

from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.presentation import charts as shared
from analysis.presentation.charts import bars_alt
from analysis.published_trends import charts as published_charts
from analysis.published_trends import measures as trends
from analysis.recruitment import charts as recruitment
from analysis.retention import charts as retention
from analysis.retention import tables as retention_tables
from analysis.sources.published import load as published
from analysis.stability import report as stability

YEARS = ["2022-23", "2023-24", "2024-25"]


def _recruitment() -> dict[str, plt.Figure]:
    events = pd.DataFrame(
        {
            "Year": ["2022/23", "2023/24", "2024/25"],
            "Enquiries": [709, 372, 511],
            "Expressions of interest": ["not recorded", 42, 42],
            "Approvals": [16, "c", 20],
        }
    )
    cohorts = pd.DataFrame(
        {
            "Enquiry year": YEARS,
            "Enquiries": [709, 372, 511],
            "Approved": [16, 18, "c"],
            "Left after enquiry": [693, 354, 435],
            "Still in progress": [0, "c", 76],
        }
    )
    conversion = pd.DataFrame(
        {
            "Year": YEARS * 2,
            "From": ["Initial enquiry"] * 3 + ["Stage 1"] * 3,
            "To": ["Expression of interest"] * 3 + ["Approval"] * 3,
            "Entered": [709, 372, 511, 40, 30, 35],
            "Moved on": [53, 38, 38, 20, 18, 17],
            "Moved on (%)": [7.5, 10.2, 7.4, 50.0, 60.0, 48.6],
        }
    )
    reasons = pd.DataFrame(
        {
            "Stage left": ["Initial enquiry"] * 4,
            "Reason": ["No response", "Allowances", "Other", "Rare"],
            "Households": [148, 23, 70, "c"],
            "Avoidable": ["no", "yes", "no", "yes"],
        }
    )
    durations = pd.DataFrame(
        {
            "Step": ["Enquiry to EOI", "EOI to stage 1"],
            "Median days": [26.0, 43.0],
            "Lower quartile (days)": [17.25, 28.0],
            "Upper quartile (days)": [42.75, 74.0],
        }
    )
    mix = pd.DataFrame(
        {"Year": YEARS, "Website": [282, 150, 96], "Event": [89, 60, "c"], "Total": [371, 210, 140]}
    )
    groups = pd.DataFrame(
        {"Group": ["Enquirers", "Approved households"], "Minority ethnic (%)": [28.2, 17.0]}
    )
    curves = approvals_2023_24()
    return {
        "recruitment funnel over time": recruitment.funnel_over_time(events),
        "recruitment cohort status": recruitment.cohort_status(
            cohorts, ["Approved", "Left after enquiry", "Still in progress"]
        ),
        "recruitment conversion": recruitment.conversion_over_time(conversion),
        "recruitment reasons": recruitment.reasons_chart(reasons),
        "recruitment durations": recruitment.durations_chart(durations),
        "recruitment channel mix": recruitment.channel_mix_chart(mix),
        "recruitment minority": recruitment.minority_chart(groups, 35.8),
        "recruitment incidence": recruitment.incidence_chart(
            curves, "cohort", ["2023-24"], {"approved": "Approved"}, months=24
        ),
    }


def _retention() -> dict[str, plt.Figure]:
    row = pd.Series(dict(zip(retention_tables.FLOW.values(), [205, 20, 22, 12, 191], strict=True)))
    rates = pd.DataFrame({retention_tables.YEAR: YEARS, retention_tables.RATE: [93.1, "c", 89.3]})
    tenure = pd.DataFrame(
        {
            retention_tables.INFLUENCE: ["Could influence", "Could not influence"],
            retention_tables.REASON: ["Transfer to an agency", "Retirement"],
            retention_tables.TENURE_TOTAL: [7, 15],
        }
    )
    still = pd.DataFrame(
        {
            retention_tables.GROUP: ["Approved 2018/19 to 2019/20"],
            retention_tables.left_share(1): ["10.0 (5.0 to 20.0)"],
            retention_tables.left_share(3): ["c"],
            retention_tables.left_share(5): [retention_tables.NO_ESTIMATE],
        }
    )
    at_risk = pd.DataFrame(
        {
            retention_tables.GROUP: ["Approved 2018/19 to 2019/20"],
            "At 0 years": [54],
            "At 1 year": [51],
            "At 3 years": ["c"],
        }
    )
    life = pd.DataFrame(
        {
            retention_tables.LIFE["year of service"]: ["0 to 1 years", "1 to 2 years"],
            retention_tables.LIFE["leaving rate per 100 household-years"]: [12.1, "c"],
        }
    )
    history = pd.DataFrame({"31 March": [2024, 2025], "Filled places": [296, 246]})
    projected = pd.DataFrame(
        {
            "31 March": [2026],
            "filled places (median)": [243],
            "filled places 95% interval": ["227 to 260"],
        }
    )
    capacity = pd.DataFrame(
        {
            "31 March": [2024, 2025],
            "Filled places": [296, 246],
            "Vacant places": [9, 0],
            "Unavailable places": [52, 89],
            "On hold or blocked places": [33, 44],
            "Occupancy (%)": [75.9, 64.9],
        }
    )
    return {
        "retention waterfall": retention.waterfall(row, "Households, 2024/25"),
        "retention trend": retention.retention_trend(rates, 87, "Coventry"),
        "retention leavers by influence": retention.leavers_by_influence(tenure),
        "retention survival": retention.survival(still, "By cohort", at_risk),
        "retention leaving rate": retention.leaving_rate(life),
        "retention outlook": retention.outlook(
            history, projected, "filled places", {"Target": 299}
        ),
        "retention capacity": retention.capacity_trend(capacity),
    }


def _published() -> dict[str, plt.Figure]:
    figures = published.load_all(config.load("coventry").published)
    return {
        "published funnel": published_charts.funnel_chart(trends.funnel(figures), "2024-25"),
        "published rates": published_charts.rates_chart(
            trends.conversion_rates(figures), "2024-25"
        ),
        "published leavers": published_charts.leavers_chart(trends.leavers(figures), "2024-25"),
        "published budget": published_charts.budget_chart(trends.budget(figures), "2024-25"),
    }


def _stability() -> dict[str, plt.Figure]:
    data = SimpleNamespace(council=config.load("coventry"), year=FinancialYear.parse("2024-25"))
    moves = pd.DataFrame(
        {"Reason for the placement change": ["Care plan", "Other", "Rare"], "Moves": [103, 44, "c"]}
    )
    return {
        "stability trend": stability.trend_chart(data),
        "stability moves": stability.moves_chart(moves),
    }


@pytest.fixture(scope="module")
def drawn() -> dict[str, plt.Figure]:
    """Every chart, kept open for the module's tests (closed at the end)."""
    with matplotlib.rc_context({"figure.max_open_warning": 0}):
        figures = {**_recruitment(), **_retention(), **_published(), **_stability()}
    yield figures
    for fig in figures.values():
        plt.close(fig)


def _legends(fig: plt.Figure) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]


def _points(points: np.ndarray) -> list[Bbox]:
    return [Bbox.from_bounds(x - 1, y - 1, 2, 2) for x, y in points if np.isfinite([x, y]).all()]


def _data_boxes(fig: plt.Figure) -> list[Bbox]:
    """Where each drawn value is on the canvas: each bar, and each point of each line or
    scatter (the year shading and reference lines drawn across the axes aside)."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        for patch in ax.patches:
            if patch.get_data_transform() == ax.transData:  # a bar (not the year shading)
                box = patch.get_window_extent(renderer)
                if box.width > 0 and box.height > 0:
                    boxes.append(box)
        for line in ax.lines:
            if line.get_transform() != ax.transData:
                continue  # axhline / axvline: across the axes, not a value
            points = ax.transData.transform(np.asarray(line.get_xydata(), dtype=float))
            boxes += _points(points)
        for collection in ax.collections:
            if not isinstance(collection, PathCollection):  # scatter points only
                continue
            points = ax.transData.transform(np.asarray(collection.get_offsets(), dtype=float))
            boxes += _points(points)
    return boxes


with matplotlib.rc_context({"figure.max_open_warning": 0}):  # drawn only for their names
    CHARTS = [
        *_recruitment().keys(),
        *_retention().keys(),
        *_published().keys(),
        *_stability().keys(),
    ]
plt.close("all")


@pytest.mark.parametrize("name", CHARTS)
def test_every_axis_is_linear(drawn, name):
    fig = drawn[name]
    scales = {(ax.get_xscale(), ax.get_yscale()) for ax in fig.axes}
    assert scales <= {("linear", "linear")}, f"{name}: {scales}"


@pytest.mark.parametrize("name", CHARTS)
def test_no_legend_covers_a_bar_line_or_point(drawn, name):
    fig = drawn[name]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    data = _data_boxes(fig)
    assert data, f"{name}: nothing drawn"
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer)
        hits = [d for d in data if box.overlaps(d)]
        assert not hits, f"{name}: the legend covers {len(hits)} drawn value(s)"


@pytest.mark.parametrize("name", CHARTS)
def test_years_are_written_the_reports_way(drawn, name):
    fig = drawn[name]
    fig.canvas.draw()
    texts = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    texts += [t.get_text() for legend in _legends(fig) for t in legend.get_texts()]
    assert not [t for t in texts if shared.year(t) != t], name


def _contrast_on_white(colour: object) -> float:
    """WCAG 2.2's contrast ratio of an opaque colour against white."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                for c in matplotlib.colors.to_rgb(colour)]  # fmt: skip
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05)


def _cased(line: object) -> bool:
    """Whether a line is drawn inside a wider stroke of 3:1 or more on white (its casing)."""
    return any(
        isinstance(effect, patheffects.Stroke)
        and _contrast_on_white(effect._gc.get("foreground", "white")) >= 3
        for effect in line.get_path_effects()
    )


def _faint(fig: plt.Figure) -> list[str]:
    """Lines, points and bars under 3:1 against white (WCAG 2.2 1.4.11), a bar or point
    with an outline of 3:1 or more, or a line cased in one, aside; shading (alpha under 1)
    is not data."""
    found = []
    for ax in fig.axes:
        for line in ax.lines:
            drawn = line.get_visible() and len(line.get_xdata()) and (line.get_alpha() or 1) == 1
            if drawn and _contrast_on_white(line.get_color()) < 3 and not _cased(line):
                found.append(f"line in {matplotlib.colors.to_hex(line.get_color())}")
        shapes = [(p.get_facecolor(), p.get_edgecolor(), p.get_linewidth())
                  for p in ax.patches if p.get_data_transform() == ax.transData]  # fmt: skip
        for collection in ax.collections:
            if isinstance(collection, PathCollection) and len(collection.get_offsets()):
                edges = collection.get_edgecolors()
                shapes += [(face, edges[0] if len(edges) else face, collection.get_linewidths()[0])
                           for face in collection.get_facecolors()[:1]]  # fmt: skip
        for face, edge, width in shapes:
            if face[3] < 1 or _contrast_on_white(face[:3]) >= 3:
                continue
            if not (width > 0 and edge[3] == 1 and _contrast_on_white(edge[:3]) >= 3):
                found.append(f"shape in {matplotlib.colors.to_hex(face)}")
    return sorted(set(found))


@pytest.mark.parametrize("name", CHARTS)
def test_every_line_point_and_bar_stands_out_on_white(drawn, name):
    assert not _faint(drawn[name]), f"{name}: {_faint(drawn[name])}"


def test_the_contrast_check_finds_a_faint_line_and_an_unoutlined_pale_bar():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=shared.ORANGE, label="pale")
    ax.bar(["a", "b"], [1, 2], color=shared.SKY_BLUE, label="pale bars")
    ax.bar(["c"], [1], color=shared.SKY_BLUE, edgecolor=shared.EDGE, linewidth=0.6, label="ok")
    assert _faint(fig) == ["line in #e69f00", "shape in #56b4e9"]
    shared.case_light(fig)
    assert _faint(fig) == ["shape in #56b4e9"]
    plt.close(fig)


def test_the_legend_check_finds_a_legend_over_the_bars():
    fig, ax = plt.subplots()
    ax.bar(["a", "b", "c"], [10, 10, 10], label="Households")
    ax.legend(loc="center")
    fig.canvas.draw()
    box = fig.axes[0].get_legend().get_window_extent(fig.canvas.get_renderer())
    assert any(box.overlaps(d) for d in _data_boxes(fig))
    plt.close(fig)


def test_year_labels():
    assert shared.year("2024-25") == "2024/25"
    assert shared.year("approved 2018-19 to 2019-20") == "approved 2018/19 to 2019/20"
    assert shared.year("2025") == "2025"
    assert shared.years(["2023-24", 2024]) == ["2023/24", "2024"]


def test_a_bar_charts_alt_text_lists_drawn_bars_largest_first_and_counts_withheld_ones():
    shown = pd.DataFrame({"reason": ["a", "b", "c"], "n": [4, "c", 9]})
    text = bars_alt(
        shown,
        "n",
        lambda r, n: f"{r['reason']} {n:,.0f}",
        "Bars: ",
        empty="none",
        withheld="{n} withheld.",
    )
    assert text == "Bars: c 9; a 4. 1 withheld."
    every = shown.assign(n="c")
    assert bars_alt(every, "n", str, "Bars: ", empty="none", withheld="{n} withheld.") == (
        "Bars: none. 3 withheld."
    )


def test_a_span_of_one_year_is_that_year_and_one_year_is_no_trend():
    assert shared.span(["2018-19", "2019-20", "2024-25"]) == "2018/19 to 2024/25"
    assert shared.span(["2018-19", "2018/19"]) == "2018/19"
    assert shared.no_trend(["2018/19", "2019/20"]) is None
    assert shared.no_trend(["2018-19", "2018-19"]) == (
        "No trend to draw yet: 2018/19 is the only year with figures; the table above gives them."
    )
    assert shared.no_trend([]) == "No trend to draw: no year has figures."


# What each role's legend entries say on the charts above (issue 13's colour vocabulary).
ROLE_LABELS = {
    shared.ENGLAND: r"England|National",
    shared.REGION: r"West Midlands|Children in care|Target",
    shared.NEIGHBOURS: r"neighbours",
    shared.EARLIER: r"^(Other|Other reasons|Could not influence|Budget)$",
    shared.ACTIONABLE: r"^(Service can act on it|Could influence)$",
    shared.LOST: r"^Left (after|in) ",
    shared.COUNCIL: r"Coventry|\(register\)|Projection|simulated futures|^Actual$",
}


def _hex(colour: object) -> str:
    return matplotlib.colors.to_hex(colour)


def _entry_colour(handle: object) -> str:
    """The colour a legend entry shows: a line's, else a patch's or a shading's face."""
    if hasattr(handle, "get_color") and not hasattr(handle, "get_facecolor"):
        return matplotlib.colors.to_hex(handle.get_color())
    face = handle.get_facecolor()
    face = face[0] if np.ndim(face) == 2 else face
    return matplotlib.colors.to_hex(face)


def _role(label: str, labels: list[str]) -> str | None:
    """The role colour ``label`` stands for, or None for a series with no role. In a legend
    of financial years the latest is the selected year, the others earlier years."""
    if all(re.fullmatch(r"\d{4}/\d{2}", x) for x in labels):
        return shared.SELECTED if label == max(labels) else shared.EARLIER
    found = [colour for colour, pattern in ROLE_LABELS.items() if re.search(pattern, label)]
    return found[0] if found else None


def test_each_role_has_one_colour_and_no_other_series_takes_it():
    roles = list(shared.ROLES.values())
    assert len(set(roles)) == len(roles)
    assert not set(shared.CATEGORIES) & set(roles)
    assert set(shared.CATEGORIES) <= set(shared.OKABE_ITO) | set(shared.TOL_MUTED)
    assert len(set(shared.CATEGORIES)) == len(shared.CATEGORIES) == 6


def test_no_two_stages_or_channels_share_a_colour():
    """Issue 13's review: six stages in four colours (stage 2 pink like enquiries), and a
    channel in one colour in the channel mix and another in the outcomes by channel."""
    from analysis.recruitment.charts import CHANNEL_COLOURS, group_colours

    stages = [colour for colour, _, _ in shared.STAGE_STYLES.values()]
    assert len(set(stages)) == len(stages) == 6
    assert len(set(CHANNEL_COLOURS.values())) == len(CHANNEL_COLOURS) == 6
    assert CHANNEL_COLOURS["Other"] == shared.EARLIER
    order = ["Foster carer referral", "Website", "Other"]
    assert group_colours(order) == [CHANNEL_COLOURS[c] for c in order]
    assert {shared.COUNCIL, shared.ENGLAND, shared.LOST, shared.ACTIONABLE} <= set(shared.OKABE_ITO)
    assert shared.SELECTED == shared.COUNCIL and shared.COMPARATOR == shared.REGION


@pytest.mark.parametrize("name", CHARTS)
def test_every_legend_entry_is_in_its_roles_colour(drawn, name):
    """A series with a role is drawn in that role's colour, and a role's colour is never
    worn by a series with another meaning (vermilion was five things on five pages)."""
    roles = {_hex(c) for c in shared.ROLES.values()}
    for legend in _legends(drawn[name]):
        labels = [t.get_text() for t in legend.get_texts()]
        for label, handle in zip(labels, legend.legend_handles, strict=True):
            colour, role = _entry_colour(handle), _role(label, labels)
            role = role and _hex(role)
            if role is not None:
                assert colour == role, f"{name}: {label!r} is {colour}, not {role}"
            else:
                assert colour not in roles, f"{name}: {label!r} wears a role's colour {colour}"


def test_leavers_are_drawn_in_the_colour_of_households_lost(drawn):
    bars = drawn["retention waterfall"].axes[0].patches
    faces = [_hex(b.get_facecolor()) for b in bars]
    council, joined, lost = _hex(shared.COUNCIL), _hex(shared.GREEN), _hex(shared.LOST)
    assert faces == [council, joined, lost, lost, council]
    leavers = [_hex(b.get_facecolor()) for b in drawn["published leavers"].axes[0].patches]
    assert leavers[-1] == _hex(shared.SELECTED)  # 2024/25, the selected year
    assert set(leavers[:-1]) == {_hex(shared.EARLIER)}


def test_a_recruitment_stage_wears_one_style_on_every_page(drawn):
    """Stage 1 was green in the published trends and sky blue in the recruitment appendix."""

    def styles(fig: plt.Figure) -> dict[str, str]:
        return {
            t.get_text(): _entry_colour(h)
            for legend in _legends(fig)
            for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
        }

    events = styles(drawn["recruitment funnel over time"])
    published = styles(drawn["published funnel"])
    assert events["Approvals"] == published["Households approved"] == _hex(shared.GREEN)
    assert events["Expressions of interest"] == published["Expressions of interest"]
    assert _hex(shared.STAGE_STYLES["enquiry"][0]) == published["Initial enquiries"]
    standing = styles(drawn["recruitment cohort status"])
    assert standing["Approved"] == _hex(shared.GREEN)
    assert standing["Left after enquiry"] == _hex(shared.LOST)
