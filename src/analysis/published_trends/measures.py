"""The tables and sentences behind the published-trends appendix, from the published figures.

Each function takes the frame :func:`analysis.sources.published.load.load_all` returns and gives
one view: the recruitment funnel, conversion rates (recomputed with the reports'
definitions, beside the printed ones), households ceasing by reason, budget against
actual, the selected year against the previous one, and the key findings. Where two
reports print the same year the later report's figure is used unless it is lost
(:func:`analysis.sources.published.load.preferred`).

The key findings (:func:`findings`) are at most five sentences
(:data:`analysis.presentation.appendix.MAX_FINDINGS`): the recruitment funnel (enquiries
and approvals, conversion, the largest drop-off), approved households and households
ceasing to foster. The other sentences go with their topic: spending against budget
under the budget section (:func:`budget_note`), England's figures as the papers quote
them under the national comparison (:func:`benchmarks`), and, in the technical annex,
whether the figures add up (:func:`checks_note`) and what is not published for the year
(:func:`not_published_note`).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.presentation.charts import year as as_printed_years
from analysis.published_trends import consistency, dfe_check
from analysis.sources.published.load import FUNNEL_TABLE, preferred

STAGE_NAMES = {
    "initial_enquiries": "Initial enquiries",
    "expressions_of_interest": "Expressions of interest",
    "stage1_started": "Stage 1 assessments started",
    "stage2_started": "Stage 2 (full) assessments started",
    "households_approved": "Households approved",
}
# The conversion rates drawn, each as the reports define it: numerator / denominator.
RATE_NAMES = {
    "Enquiry to full assessment": ("stage2_started", "initial_enquiries"),
    "Expression of interest to full assessment": ("stage2_started", "expressions_of_interest"),
    "Stage 2 assessment to approval": ("households_approved", "stage2_started"),
    "Enquiry to approval": ("households_approved", "initial_enquiries"),
    "Expression of interest to approval": ("households_approved", "expressions_of_interest"),
}
# Where each drawn rate is printed: (measure, basis or bases accepted).
RATE_PRINTED = {
    "Enquiry to full assessment": ("rate_enquiry_to_full_assessment", ("", "enquiries")),
    "Expression of interest to full assessment": (
        "rate_enquiry_to_full_assessment",
        ("expressions_of_interest",),
    ),
    "Stage 2 assessment to approval": ("rate_stage2_to_approval", ("",)),
    "Enquiry to approval": ("rate_enquiry_to_approval", ("", "enquiries")),
    "Expression of interest to approval": (
        "rate_enquiry_to_approval",
        ("expressions_of_interest",),
    ),
}
REASON_NAMES = {
    "permanence_plan": "Permanence plan for child (incl. Staying Put)",
    "transfer_other_la": "Transfer to another local authority",
    "transfer_ifa": "Transfer to an independent agency",
    "personal_circumstances": "Personal circumstances",
    "not_for_them": "Decided fostering not for them",
    "dissatisfied": "Dissatisfied with quality of service",
    "safeguarding_termination": "Safeguarding (termination)",
    "resigned_prior_to_concerns": "Resigned before quality or safeguarding concerns",
    "other_including_death": "Other, including death",
}
BUDGET_LINES = {
    "internal_fostering_team": "Internal fostering team",
    "fees_mainstream": "Fees: mainstream",
    "fees_specialist": "Fees: specialist",
    "connected_person_fees": "Connected person fees",
    "total": "Total",
}


LEAVERS_TABLE = "mainstream_households_ceasing"
BUDGET_TABLE = "fostering_budget"
# Readable names for measures a finding quotes against England (else the measure's words).
MEASURE_NAMES = {
    "children_with_3plus_placement_moves_share": "Children with three or more placement moves",
    "lado_concerns_substantiated": "Concerns about foster carers referred to the LADO "
    "and substantiated",
    "adm_decisions_placed_for_adoption": "Agency decisions that a child should be placed for "
    "adoption",
    "adm_decisions_decrease": "Fall in agency decisions that a child should be placed for adoption",
}
_NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _best(figures: pd.DataFrame) -> pd.DataFrame:
    return preferred(figures)


def _order(years: object) -> list[str]:
    return sorted(set(years), key=lambda y: FinancialYear.parse(y).start_year)


def years(figures: pd.DataFrame) -> list[str]:
    """Every year with a usable published figure (as ``load.available_years`` defines them)."""
    return _order(figures.loc[figures["status"] == "value", "year"])


def _table_years(figures: pd.DataFrame, table: str, measures: object = None) -> list[str]:
    rows = _best(figures)
    rows = rows[rows["table"] == table]
    if measures is not None:
        rows = rows[rows["measure"].isin(measures)]
    return _order(rows["year"])


def period(years_shown: list[str]) -> str:
    """``2018/19 to 2024/25``; ``2024/25`` for one year; empty for none."""
    if not years_shown:
        return ""
    first, last = (y.replace("-", "/") for y in (years_shown[0], years_shown[-1]))
    return first if first == last else f"{first} to {last}"


def span(years_shown: list[str]) -> str:
    """``the seven years 2018/19 to 2024/25``; ``2024/25`` for one year; empty for none."""
    if len(years_shown) < 2:
        return period(years_shown)
    count = len(years_shown)
    word = _NUMBER_WORDS[count - 1] if count <= len(_NUMBER_WORDS) else str(count)
    return f"the {word} years {period(years_shown)}"


def budget_years(figures: pd.DataFrame) -> list[str]:
    """The years the budget table is printed for."""
    return _table_years(figures, BUDGET_TABLE)


def name(row: pd.Series) -> str:
    """A figure's name in words: :data:`MEASURE_NAMES` or :data:`STAGE_NAMES`, else the
    measure's own words (:func:`~analysis.published_trends.consistency.words`)."""
    known = MEASURE_NAMES.get(row["measure"]) or STAGE_NAMES.get(row["measure"])
    text = consistency.describe(row)
    return text if known is None else known + text.removeprefix(consistency.words(row["measure"]))


def trend_years(figures: pd.DataFrame) -> list[str]:
    """The years the trend views (funnel, leavers, budget) cover."""
    return _order(
        [
            *_table_years(figures, FUNNEL_TABLE, STAGE_NAMES),
            *_table_years(figures, LEAVERS_TABLE),
            *_table_years(figures, BUDGET_TABLE),
        ]
    )


def funnel(figures: pd.DataFrame) -> pd.DataFrame:
    """Year by stage: the mainstream recruitment funnel, every year it is printed."""
    best = _best(figures)
    rows = best[(best["table"] == FUNNEL_TABLE) & best["measure"].isin(STAGE_NAMES)]
    wide = rows.pivot(index="year", columns="measure", values="number")
    wide = wide.reindex(index=_order(rows["year"]), columns=list(STAGE_NAMES)).astype(float)
    wide.index.name = "year"
    wide.columns.name = None
    return wide


def conversion_rates(figures: pd.DataFrame) -> pd.DataFrame:
    """Year, rate, the printed rate (%) and the rate recomputed from the funnel (%)."""
    stages = funnel(figures)
    best = _best(figures)
    best = best[best["table"] == FUNNEL_TABLE]
    rows = []
    for name, (num, den) in RATE_NAMES.items():
        measure, bases = RATE_PRINTED[name]
        for year in stages.index:
            shown = best[
                (best["measure"] == measure) & (best["year"] == year) & best["basis"].isin(bases)
            ]
            rows.append(
                {
                    "year": year,
                    "rate": name,
                    "printed": float(shown["number"].iloc[0]) if not shown.empty else None,
                    "recomputed": 100 * stages.loc[year, num] / stages.loc[year, den],
                }
            )
    columns = ["year", "rate", "printed", "recomputed"]
    return pd.DataFrame(rows, columns=columns).astype({"printed": float, "recomputed": float})


def leavers(figures: pd.DataFrame) -> pd.DataFrame:
    """Year by reason: mainstream households ceasing to foster, with the printed total."""
    best = _best(figures)
    rows = best[(best["table"] == LEAVERS_TABLE)]
    wide = rows.pivot(index="year", columns="breakdown", values="number")
    wide = wide.reindex(index=_order(rows["year"]), columns=[*REASON_NAMES, "total"])
    wide = wide.astype(float)
    wide = wide.rename(columns={**REASON_NAMES, "total": "Total (as printed)"})
    wide.index.name = "year"
    wide.columns.name = None
    return wide


def budget(figures: pd.DataFrame) -> pd.DataFrame:
    """Year, budget line, budget, actual and variance (actual - budget), all in £000."""
    best = _best(figures)
    rows = best[best["table"] == BUDGET_TABLE]
    columns = ["year", "line", "budget", "actual", "variance"]
    if rows.empty:
        return pd.DataFrame(columns=columns).astype({c: float for c in columns[2:]})
    wide = rows.pivot_table(
        index=["year", "breakdown"], columns="measure", values="number", aggfunc="first"
    ).reset_index()
    wide["line"] = wide["breakdown"].map(BUDGET_LINES)
    wide["variance"] = wide["actual"] - wide["budget"]
    order = {key: i for i, key in enumerate(BUDGET_LINES)}
    wide = wide.sort_values(
        ["year", "breakdown"], key=lambda s: s.map(order) if s.name == "breakdown" else s
    )
    return wide[columns].reset_index(drop=True)


def households(figures: pd.DataFrame) -> pd.DataFrame:
    """Every printed count of approved mainstream households at 31 March, with its source."""
    rows = figures[(figures["measure"] == "approved_households") & (figures["status"] == "value")]
    out = rows[["year", "number", "document", "section"]].rename(columns={"number": "households"})
    return out.sort_values("year", kind="stable").reset_index(drop=True)


def _count(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    """A rate under a row label that gives its unit ("(%)"): the number alone."""
    return "" if value is None or pd.isna(value) else f"{value:.1f}"


def _change(now: float | None, then: float | None, percent: bool) -> str:
    """The change in the table's column headed with its units: a count's, or a rate's in
    percentage points, between the two values as shown (14.7 to 38.5 is +23.8); no change
    is 0, not "+0"."""
    if now is None or then is None or pd.isna(now) or pd.isna(then):
        return ""
    change = round(now, 1) - round(then, 1) if percent else now - then
    if not round(change, 1 if percent else 0):
        return "0"
    return f"{change:+.1f}" if percent else f"{change:+,.0f}"


CHANGE = "Change (count; percentage points for rates)"
# The period ratios as the table names them: approvals in the year per 100 of the year's
# enquiries (or EOIs), not the share of those enquirers approved (review 13, #2).
KEY_RATES = {
    "Enquiry to approval": "Approvals per 100 initial enquiries in the year (%)",
    "Expression of interest to approval": (
        "Approvals per 100 expressions of interest in the year (%)"
    ),
}


def _previous_label(figures: pd.DataFrame, year: str) -> str | None:
    before = FinancialYear.parse(year).previous.label
    return before if before in years(figures) else None


def key_figures(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """The selected year's headline figures beside the previous year's, with the change.

    Only the figures the council published for one of the two years have rows; no rows
    when it published none of them. With nothing published for the previous year the table
    has the selected year alone (no blank column: :func:`key_figures_note` says why).
    """
    before = _previous_label(figures, year)
    stages = funnel(figures)
    rates = conversion_rates(figures).set_index(["rate", "year"])["recomputed"]
    left = leavers(figures)["Total (as printed)"]
    money = budget(figures)
    money = money[money["line"] == "Total"].set_index("year")
    homes = households(figures).drop_duplicates("year").set_index("year")["households"]

    def get(series: pd.Series, key: object) -> float | None:
        return None if key is None or key not in series.index else series.loc[key]

    rows: list[tuple[str, float | None, float | None, bool]] = []
    if not stages.empty:
        rows += [
            (STAGE_NAMES[s], get(stages[s], before), get(stages[s], year), False)
            for s in STAGE_NAMES
        ]
        for name, label in KEY_RATES.items():
            rows.append((label, get(rates, (name, before)), get(rates, (name, year)), True))
    if not left.empty:
        rows.append(("Households ceasing to foster", get(left, before), get(left, year), False))
    if not homes.empty:
        rows.append(
            ("Approved households at 31 March", get(homes, before), get(homes, year), False)
        )
    if not money.empty:
        rows += [
            ("Budget (£000)", get(money["budget"], before), get(money["budget"], year), False),
            (
                "Actual spend (£000)",
                get(money["actual"], before),
                get(money["actual"], year),
                False,
            ),
        ]
    rows = [row for row in rows if row[1] is not None or row[2] is not None]
    label_then = FinancialYear.parse(year).previous.report_label
    fmt = {True: _pct, False: _count}
    table = pd.DataFrame(
        [
            {
                "Figure": name,
                label_then: fmt[percent](then),
                year.replace("-", "/"): fmt[percent](now),
                CHANGE: _change(now, then, percent),
            }
            for name, then, now, percent in rows
        ],
        columns=["Figure", label_then, year.replace("-", "/"), CHANGE],
    )
    return table if before else table.drop(columns=[label_then, CHANGE])


def key_figures_note(figures: pd.DataFrame, year: str) -> str | None:
    """The note under :func:`key_figures`: a previous year with nothing published, blank
    cells (a figure not published that year), a year printing two household counts."""
    table = key_figures(figures, year)
    notes = []
    if _previous_label(figures, year) is None:
        then = FinancialYear.parse(year).previous.report_label
        notes.append(f"Nothing is published for {then}, so there is no change to show.")
    if table.iloc[:, 1:3].eq("").any(axis=None):
        notes.append("A blank cell is a figure not published for that year.")
    notes.append(households_note(figures, year) or "")
    return " ".join(n for n in notes if n) or None


def not_published(figures: pd.DataFrame, year: str) -> list[str]:
    """The views the papers give no figures for in the year, in words (for findings and notes)."""
    missing = []
    if year not in funnel(figures).index:
        missing.append("recruitment funnel (enquiries, assessments and approvals)")
    if year not in leavers(figures).index:
        missing.append("table of households ceasing to foster")
    if year not in set(budget(figures)["year"]):
        missing.append("budget")
    return missing


def never_published_note(figures: pd.DataFrame, year: str, council: str) -> str:
    """The views the papers give no figures for in the year or any year before it, in one
    sentence ('' when each has some): said once on the page, not as an empty section each.
    ``figures`` are the figures up to the year (:func:`up_to`)."""
    missing = [
        what
        for what, frame in [
            ("recruitment funnel (enquiries, assessments and approvals)", funnel(figures)),
            ("table of households ceasing to foster", leavers(figures)),
            ("budget", budget(figures)),
        ]
        if frame.empty
    ]
    if not missing:
        return ""
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    return (
        f"The published papers we hold for {council} give no {listed} for "
        f"{year.replace('-', '/')} or any year before it."
    )


def _many(count: int, noun: str) -> str:
    """``one document``, ``6 figures``."""
    if count == 1:
        return f"one {noun}"
    return f"{count:,} {noun}s"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def year_figures(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """Every printed cell for the year, once each, in file order (the rows behind the figures)."""
    rows = figures[figures["year"] == year].drop_duplicates(["source_file", "source_row"])
    return rows.sort_values(["date", "source_file", "source_row"], kind="stable").reset_index(
        drop=True
    )


def benchmarks(figures: pd.DataFrame, year: str) -> list[str]:
    """Sentences for figures the papers print beside the same measure for England."""
    best = _best(figures)
    best = best[(best["year"] == year) & (best["basis"] == "")]
    out = []
    for _, row in best[best["breakdown"] == "england"].iterrows():
        own = best[(best["measure"] == row["measure"]) & (best["breakdown"] == "")]
        if own.empty:
            continue
        out.append(
            f"{name(own.iloc[0])}: {consistency.shown(own.iloc[0])} in "
            f"{year.replace('-', '/')}, against {consistency.shown(row)} for England as the "
            "papers quote it."
        )
    return out


def findings(figures: pd.DataFrame, year: str) -> list[str]:
    """At most five plain sentences for a strategic lead, built from the figures (never
    typed in): recruitment (or, without a funnel for the year, the papers' placement-moves
    rate beside the DfE's England figure and how many figures they give), approved
    households and households ceasing to foster."""
    shown = year.replace("-", "/")
    before = _previous_label(figures, year)
    then = before.replace("-", "/") if before else None
    stages = funnel(figures)
    sentences = []
    if year in stages.index:
        sentences += _funnel_findings(stages, year, before)
    else:
        # what the papers say of the service against England leads (issue 13's review: the
        # only finding was about the page), England as the tile gives it (the DfE's whole
        # percentage for the year, not the earlier year's the papers quote: review 16)
        moves, england = dfe_check.printed(figures, year), dfe_check.england(year)
        if moves is not None and england is not None:
            sentences.append(
                f"The papers print {moves:.0f}% of children with three or more placement moves "
                f"in {shown}, against {round(england):.0f}% for England in the DfE's statistics "
                "for the year (three or more placements, the nearest published measure)."
            )
        printed = year_figures(figures, year)
        documents = printed["source"].nunique()
        sentences.append(
            f"For {shown} the published papers we hold give {_many(len(printed), 'figure')} "
            f"from {_many(documents, 'document')}; each is listed, as printed, under 'Every "
            f"figure published for {shown}'."
        )
    printed = households(figures)
    printed = printed[printed["year"] == year]
    counts, sections = printed["households"].tolist(), [_section(s) for s in printed["section"]]
    if counts:
        # where the report prints two counts, each is named by the section printing it
        # (review 16: "(the report also gives 194)" said nothing of where or why)
        pairs = zip(sections[1:], counts[1:], strict=True)
        others = "; ".join(f"{where} gives {count:,.0f}" for where, count in pairs)
        where = f", as {sections[0]} of the report prints it ({others})" if others else ""
        sentences.append(
            f"There were {counts[0]:,.0f} approved mainstream fostering households at 31 March "
            f"{FinancialYear.parse(year).end.year}{where}."
        )
    left = leavers(figures)
    if year in left.index:
        total = left.loc[year, "Total (as printed)"]
        reasons = left.loc[year, list(REASON_NAMES.values())].dropna()
        top = reasons.idxmax()
        text = f"{total:,.0f} mainstream households stopped fostering"
        if before in left.index:
            text += f" ({left.loc[before, 'Total (as printed)']:,.0f} in {then})"
        sentences.append(
            text
            + f"; the most common reason was '{top.lower()}' ({reasons.max():,.0f} households)."
        )
    return sentences


def budget_note(figures: pd.DataFrame, year: str) -> str | None:
    """The year's fostering spending against its budget, for the budget section (None
    when the papers give no total for the year)."""
    money = budget(figures)
    total_line = money[(money["line"] == "Total") & (money["year"] == year)]
    if total_line.empty:
        return None
    spend, plan = float(total_line["actual"].iloc[0]), float(total_line["budget"].iloc[0])
    gap = spend - plan
    return (
        f"Fostering spending was £{spend / 1000:.1f} million against a budget of "
        f"£{plan / 1000:.1f} million: an {'overspend' if gap > 0 else 'underspend'} of "
        f"£{abs(gap):,.0f} thousand ({100 * abs(gap) / plan:.1f}% of the budget)."
    )


def not_published_note(figures: pd.DataFrame, year: str) -> str | None:
    """The views the papers give no figures for in the year, in a sentence for the
    annex's list of the year's figures (None when every view is published)."""
    missing = not_published(figures, year)
    if not missing:
        return None
    return f"The published papers we hold give no {_listed(missing)} for {year.replace('-', '/')}."


def _funnel_findings(stages: pd.DataFrame, year: str, before: str | None) -> list[str]:
    """The recruitment sentences: enquiries and approvals, conversion, largest drop-off."""
    shown = year.replace("-", "/")
    before = before if before in stages.index else None
    then = before.replace("-", "/") if before else None
    enquiries, approved = (
        stages.loc[year, "initial_enquiries"],
        stages.loc[year, "households_approved"],
    )
    text = (
        f"In {shown} the service received {enquiries:,.0f} initial enquiries from people "
        f"interested in fostering and approved {approved:,.0f} new mainstream fostering households"
    )
    if before:
        text += (
            f", against {stages.loc[before, 'initial_enquiries']:,.0f} enquiries and "
            f"{stages.loc[before, 'households_approved']:,.0f} approvals in {then}"
        )
    sentences = [text + "."]
    rate = 100 * approved / enquiries
    # A period ratio, as the reports print it: most of a year's approvals enquired in an
    # earlier year, so it is not the share of the year's enquirers approved.
    text = f"The year's approvals were {rate:.1f} for every 100 of its enquiries"
    eoi = stages.loc[year, "expressions_of_interest"]
    if pd.notna(eoi):
        text += f" and {100 * approved / eoi:.1f} for every 100 of its expressions of interest"
    if before:
        prior = (
            100
            * stages.loc[before, "households_approved"]
            / stages.loc[before, "initial_enquiries"]
        )
        text += f" ({prior:.1f} for every 100 enquiries in {then})"
    sentences.append(
        text + "; most approvals follow an earlier year's enquiry, so this is not the share "
        "of the year's enquirers approved (the recruitment appendix follows each cohort)."
    )
    steps = stages.loc[year].dropna()
    kept = (steps / steps.shift(1)).iloc[1:]
    worst = kept.idxmin()
    came_from = steps.index[steps.index.get_loc(worst) - 1]
    sentences.append(
        f"The largest drop-off is from {STAGE_NAMES[came_from].lower()} to "
        f"{STAGE_NAMES[worst].lower()}: {steps[worst]:,.0f} of {steps[came_from]:,.0f} "
        f"({100 * kept[worst]:.1f}%), counting each stage's events in the year."
    )
    return sentences


def checks_note(checks: pd.DataFrame, year: str) -> str:
    """Whether the year's published figures follow from the figures they are built on,
    for the annex's consistency section (the disagreements are its tables)."""
    shown = year.replace("-", "/")
    if checks[checks["year"] == year].empty:
        return (
            f"None of the figures published for {shown} can be recomputed from other published "
            "figures, so none could be checked."
        )
    wrong = consistency.disagreements(checks, year)
    if wrong.empty:
        return (
            f"Every published figure for {shown} that can be recomputed from its parts agrees "
            "with them."
        )
    if len(wrong) == 1:
        return (
            f"One published figure for {shown} does not follow from the figures it is built "
            "on; it is listed below, with the likely cause."
        )
    return (
        f"{len(wrong)} published figures for {shown} do not follow from the figures they "
        "are built on; they are listed below, with the likely cause."
    )


def _section(section: str) -> str:
    """A report's section as a sentence names it: "section 3.2.1" where it is numbered,
    else its title quoted."""
    number = re.match(r"\d+(\.\d+)*", str(section).strip())
    return f"section {number.group(0)}" if number else f"its section '{section}'"


def households_note(figures: pd.DataFrame, year: str) -> str | None:
    """A note when a report prints more than one count of households for the year."""
    counts = households(figures)
    counts = counts[counts["year"] == year]
    if len(counts) < 2:
        return None
    listed = " and ".join(
        f"{n:,.0f} ({s})" for n, s in zip(counts["households"], counts["section"], strict=True)
    )
    return (
        f"The report prints {len(counts)} counts of approved households for 31 March "
        f"{FinancialYear.parse(year).end.year}: {listed}. The table shows the first."
    )


def funnel_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The funnel for display: one row per year, counts as printed."""
    table = funnel(figures).rename(columns=STAGE_NAMES)
    table = table.map(_count)
    table.insert(0, "Year", [y.replace("-", "/") for y in table.index])
    return table.reset_index(drop=True)


def rates_table(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """The selected year's conversion rates: as printed and as recomputed from the funnel."""
    rates = conversion_rates(figures)
    rates = rates[rates["year"] == year]
    return pd.DataFrame(
        {
            "Conversion rate": rates["rate"],
            "As printed": rates["printed"].map(_printed_pct),
            "Recomputed from the funnel": rates["recomputed"].map(_pct),
        }
    ).reset_index(drop=True)


def _printed_pct(value: float | None) -> str:
    return "not printed" if value is None or pd.isna(value) else f"{value:g}%"


def leavers_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Reasons down, years across: households ceasing to foster as printed."""
    table = leavers(figures).T.map(_count)
    table.columns = [y.replace("-", "/") for y in table.columns]
    table.insert(0, "Reason for ceasing to foster", table.index)
    return table.reset_index(drop=True)


def budget_table(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """The selected year's budget, actual and variance by line (£000)."""
    money = budget(figures)
    money = money[money["year"] == year]
    return pd.DataFrame(
        {
            "Budget line": money["line"],
            "Budget (£000)": money["budget"].map(_count),
            "Actual (£000)": money["actual"].map(_count),
            "Actual minus budget (£000)": money["variance"].map(lambda v: f"{v:+,.0f}"),
        }
    ).reset_index(drop=True)


def _number(value: float | None) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def checks_table(checks: pd.DataFrame) -> pd.DataFrame:
    """Comparisons for display: both values, how the check recomputed, cause and sources."""
    return pd.DataFrame(
        {
            "Year": checks["year"].str.replace("-", "/"),
            "Figure": checks["figure"],
            "As printed": checks["printed"],
            "Recomputed": checks["recomputed"].map(_number),
            "How recomputed": checks["formula"].map(as_printed_years),
            "Verdict": checks["verdict"],
            "Likely cause": checks["likely_cause"].map(as_printed_years),
            "Printed in": checks["printed_in"],
            "Parts from": checks["parts_from"],
        }
    ).reset_index(drop=True)


# What each kind of check compares, in a reader's words: the "total" check is a row of
# the summary like the others, not the sum of its columns, so it is not labelled "Total".
CHECK_KINDS = {
    "average": "Average (places per household)",
    "change": "Change on the year",
    "cross-table": "Same figure in two tables",
    "rate": "Rate from its counts",
    "same figure twice": "Same figure printed twice",
    "share": "Share from its counts",
    "stock and flow": "Stock and flow (start + joiners - leavers = end)",
    "total": "Parts adding to a printed total",
}


def check_summary(checks: pd.DataFrame) -> pd.DataFrame:
    """How many comparisons of each kind agree, disagree or cannot be made."""
    table = pd.crosstab(checks["check"], checks["verdict"]).reset_index()
    table.columns.name = None
    table["check"] = [CHECK_KINDS.get(k, k.capitalize()) for k in table["check"]]
    return table.rename(columns=lambda c: "Kind of check" if c == "check" else c.capitalize())


def first_recorded(table: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """``'X' was first recorded in 2020/21`` for each column that starts after the first year."""
    out = []
    for column in table.columns:
        present = table[column].dropna()
        if not present.empty and present.index[0] != table.index[0]:
            name = (names or {}).get(column, column)
            out.append(f"'{name}' was first recorded in {present.index[0].replace('-', '/')}.")
    return out


def funnel_note(figures: pd.DataFrame) -> str | None:
    """Which funnel stages the reports began to record after the first year shown."""
    stages = funnel(figures)
    notes = [
        f"{STAGE_NAMES[s]} were first recorded in {stages[s].dropna().index[0].replace('-', '/')}."
        for s in STAGE_NAMES
        if not stages[s].dropna().empty and stages[s].dropna().index[0] != stages.index[0]
    ]
    return " ".join(notes) or None


def leavers_note(figures: pd.DataFrame) -> str:
    """What the leavers chart shows, and any year whose reasons do not add to its printed total."""
    return "Bars add up the reasons as printed. " + reasons_note(figures)


def reasons_note(figures: pd.DataFrame) -> str:
    """When each printed reason was first recorded, and any year whose reasons do not add
    to its printed total (said the same way on every page that prints the table)."""
    table = leavers(figures)
    sums = table.drop(columns="Total (as printed)").sum(axis=1)
    totals = table["Total (as printed)"]
    off = [
        f"in {year.replace('-', '/')} the reasons add to {sums[year]:,.0f} against a printed "
        f"total of {totals[year]:,.0f}"
        for year in table.index
        if pd.notna(totals[year]) and sums[year] != totals[year]
    ]
    text = " ".join(first_recorded(table.drop(columns="Total (as printed)")))
    if off:
        text += " The printed totals differ from the reasons: " + "; ".join(off) + "."
    return text.strip()


# The transcriptions' units as a reader reads them.
UNITS = {"count": "number", "percent": "%", "text": "words", "currency": "£"}


def year_table(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """Every printed cell for the year for display: what it is, the words, the text as
    printed, once (a cell transcribed twice in the same words is one row)."""
    rows = year_figures(figures, year)
    return (
        pd.DataFrame(
            {
                "Figure": [name(r) for _, r in rows.assign(basis="").iterrows()],
                # a line break in the printed text (transcribed "\\n") reads as a space
                "Printed words": rows["label"].map(
                    lambda s: " ".join(str(s).replace("\\n", " ").split())
                ),
                "As printed": rows["value"].map(
                    lambda v: " ".join(str(v).split()) or "left blank in the report"
                ),
                "Unit": rows["unit"].map(lambda u: UNITS.get(u, u)),
                "Printed in": rows["document"] + ", " + rows["section"],
                "Note": rows["note"],
            }
        )
        .drop_duplicates()
        .reset_index(drop=True)
    )


def up_to(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """The rows (figures or checks) of ``year`` and the years before it: a year's appendix
    describes the service up to the end of that year, never after it. A figure for those
    years printed in a later document is kept (it is still a figure about those years)."""
    return frame[frame["year"] <= year].reset_index(drop=True)


def sources_table(sources: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """The documents the page's ``figures`` come from, for a reader: title, publisher,
    date (a document that gives none of them is not listed).

    The stored text copy each was read from (``seed_file``) is a hashed name no reader can
    use; it stays in ``sources.csv``, which the provenance footer lists with its hash.
    """
    sources = sources[sources["source"].isin(set(figures["source"]))]
    return pd.DataFrame(
        {
            "Document": sources["title"],
            "Published by": sources["publisher"],
            "Date": sources["date"].map(consistency.printed_date),
        }
    ).reset_index(drop=True)


def _as_text(value: object) -> str:
    """A printed cell for a reader: a line break PDF extraction left in it (stored as
    ``\\n``) is named, and an empty cell says so."""
    text = str(value).replace("\\n", " [line break] ").replace("\n", " [line break] ")
    return " ".join(text.split()) or "left blank in the report"


def repairs_table(repairs: pd.DataFrame) -> pd.DataFrame:
    """Repairs made to printed text, for display: the year, the figure in words, the text
    before and after, and why."""
    rows = repairs.assign(basis="")
    return pd.DataFrame(
        {
            "Year": rows["year"].str.replace("-", "/"),
            "Figure": [name(r) for _, r in rows.iterrows()],
            "As printed": rows["original"].map(_as_text),
            "As read": rows["repaired"].map(_as_text),
            "Why": rows["reason"],
        }
    ).reset_index(drop=True)
