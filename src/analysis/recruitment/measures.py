"""Recruitment drop-off: the funnel, the cohorts, conversion, exits, timings, channels, diversity.

Two ways of counting, both needed:

* **period counts** (as the annual report counts): events dated in the financial
  year, whoever they belong to. A stage 2 start in May 2024 counts in 2024-25 even if
  the household enquired in 2022.
* **cohort view**: the households that enquired in a year, followed to where they
  stood at the end of the appendix year. Only this view says what share of a year's
  enquirers get through, because period counts mix people from different years.

Every function takes the household table from :func:`analysis.recruitment.load.load`
and returns a DataFrame; nothing here reads files or draws.

The key findings (:func:`key_findings`) are at most five sentences
(:data:`analysis.presentation.appendix.MAX_FINDINGS`): the year's events, how far the
previous year's enquirers got, where people left, the largest avoidable losses, and the
time to approval against statutory guidance. The other sentences are notes in the
section on their topic: the step whose conversion changed most (:func:`conversion_change`),
channels (:func:`channel_note`), who gets through (:func:`groups_note`), and, being about
the data, the extract against the published funnel (:func:`funnel_check_note`) and values
counted as "other" (:func:`mapped_to_other`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.years import FinancialYear, YearError, comparator_year, financial_year_labels
from analysis.council.config import Council
from analysis.disclosure import members
from analysis.presentation.charts import year as shown_year
from analysis.recruitment.load import available_years, folder, load, reason_avoidable

if TYPE_CHECKING:
    from analysis.presentation.appendix import Appendix
from analysis.recruitment.schema import (
    MINORITY_ETHNIC,
    STAGE_LABELS,
    STAGES,
    UNRECOGNISED_REASON,
)


def load_clean(
    raw: str = "example", year: str | None = None, council: Council | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, quarantine) from every extract up to ``year`` (default: the latest).

    One row per household (id ``H`` + six digits, unique across all years) with the
    columns of the documented schema plus ``exit_reason_text`` (as typed),
    ``transferred_from_agency``, ``extract_year`` (the extract the record came from),
    ``source_file`` and ``source_row``.
    """
    if year is None:
        years = available_years(raw)
        if not years:
            raise YearError(f"no enquiry extract in {folder(raw)}")
        year = years[-1]
    loaded = load(year, raw, council)
    return loaded.households, loaded.quarantine


def approved_households(
    raw: str = "example", year: str | None = None, council: Council | None = None
) -> pd.DataFrame:
    """Every household approved in the extracts up to ``year``: the retention analysis's input.

    Columns: household_id, approval_date, approval_year, household_type, ethnic_group,
    channel, transferred_from_agency.
    """
    households, _ = load_clean(raw, year, council)
    approved = households[households["approval_date"].notna()].copy()
    approved["approval_year"] = financial_year_labels(approved["approval_date"])
    columns = [
        "household_id",
        "approval_date",
        "approval_year",
        "household_type",
        "ethnic_group",
        "channel",
        "transferred_from_agency",
    ]
    return approved[columns].sort_values(["approval_date", "household_id"]).reset_index(drop=True)


FUNNEL_MEASURES = {
    "enquiry": "initial_enquiries",
    "eoi": "expressions_of_interest",
    "stage1": "stage1_started",
    "stage2": "stage2_started",
    "approval": "households_approved",
}
PANEL_MEASURE = ("cases_presented", "form_f_mainstream_applications")
CHILDREN_MINORITY_MEASURE = "ethnic_minority_share_of_children_looked_after"
DAYS_PER_MONTH = 30.44  # a month's mean length: durations in days, months only in brackets
# Statutory guidance's "about eight months" from application to approval, in days (the
# headline tile's comparator, a key finding's and Figure 3's; 8 x 30.44 rounded).
EIGHT_MONTHS_DAYS = round(8 * DAYS_PER_MONTH)
# Where households leave. A household not approved at panel is counted as leaving in
# stage 2: only one or two a year are, and the council prints the households presented and
# approved, so a panel row of its own would tell a reader the reason of each (17 presented
# and 16 approved in 2022/23: one household, whose reason the row would give).
LEAVING_STAGES = ["enquiry", "eoi", "stage1", "stage2"]
LEAVING_LABELS = {**STAGE_LABELS, "stage2": "Stage 2 assessment or panel"}


def stage_left(households: pd.DataFrame) -> pd.Series:
    """The stage each household left (:data:`LEAVING_STAGES`: panel counted in stage 2)."""
    return households["exit_stage"].astype("string").replace({"panel": "stage2"})


def _in_year(dates: pd.Series, year: str) -> pd.Series:
    fy = FinancialYear.parse(year)
    return dates.between(fy.start, fy.end)


def household_records(households: pd.DataFrame) -> pd.Series:
    """Each household's record for the page's disclosure decision
    (:mod:`analysis.disclosure.members`): ``household:<enquiry year>:<household id>``.

    A household id is unique across every extract and a household has one enquiry, so
    the record is the same in every table of the page: a count of enquiries, of events at
    a stage, or of households reaching, leaving or waiting at one, counts these records."""
    cohort = financial_year_labels(households["enquiry_date"]).astype(str)
    return "household:" + cohort + ":" + households["household_id"].astype(str)


def _where(ids: pd.Series, mask: pd.Series) -> frozenset[str]:
    """The records in ``ids`` whose row of ``mask`` is True."""
    return frozenset(ids[mask.fillna(False).astype(bool).to_numpy()])


def eoi_recorded(households: pd.DataFrame, year: str) -> bool:
    """Whether expressions of interest were recorded in the year: some household has one
    dated in it. A system that kept no EOI date (a layout without the column) has none, so
    the year's EOI count is shown as not recorded rather than as zero."""
    return bool(_in_year(households["eoi_date"], year).any())


def eoi_note(households: pd.DataFrame, years: list[str]) -> str:
    """Which years of the extracts record expressions of interest, said from the data."""
    recorded = [y for y in years if eoi_recorded(households, y)]
    if len(recorded) == len(years):
        return ""
    if not recorded:
        return (
            "The extracts record no expressions of interest, so households leaving after one "
            "appear as leaving after the enquiry."
        )
    first = FinancialYear.parse(recorded[0]).report_label
    return (
        f"Expressions of interest are recorded from {first}; before that, households leaving "
        "after one appear as leaving after the enquiry."
    )


def funnel_sources(folder: object = None) -> str:
    """The documents the published funnel and panel figures come from, for a table's note."""
    from analysis.sources.published import load as published

    names = []
    for topic, table in (("recruitment_funnel", published.FUNNEL_TABLE), ("panel_business", None)):
        if topic not in published.topics(folder):
            continue
        figures = published.load(topic, folder)
        if table:
            figures = figures[figures["table"] == table]
        names += list(dict.fromkeys(figures.sort_values("date")["document"].dropna()))
    listed = "; ".join(dict.fromkeys(names))
    return f"Published: {listed}." if listed else "The council has published no funnel figures."


def period_counts(households: pd.DataFrame, year: str) -> pd.Series:
    """Events dated in the year at each stage, as the annual report counts them."""
    counts = {s: int(_in_year(households[f"{s}_date"], year).sum()) for s in STAGES}
    if not eoi_recorded(households, year):
        counts["eoi"] = pd.NA
    return pd.Series(counts, name=year, dtype="Int64")


def published_funnel(folder: object = None) -> pd.DataFrame:
    """The published mainstream funnel: one row per year, a column per stage (and panel)."""
    from analysis.sources.published import load as published

    figures = published.preferred(published.load("recruitment_funnel", folder))
    funnel = figures[figures["table"] == published.FUNNEL_TABLE]
    wide = funnel.pivot_table(index="year", columns="measure", values="number", aggfunc="first")
    out = pd.DataFrame(index=wide.index)
    for stage, measure in FUNNEL_MEASURES.items():
        out[stage] = wide.get(measure, pd.NA)
    panel = published.preferred(published.load("panel_business", folder))
    panel = panel[(panel["measure"] == PANEL_MEASURE[0]) & (panel["breakdown"] == PANEL_MEASURE[1])]
    out["panel"] = panel.set_index("year")["number"].reindex(out.index)
    return out.astype("Float64").round().astype("Int64")


def printed_twins(
    households: pd.DataFrame, years: list[str], published: pd.DataFrame
) -> list[frozenset[str]]:
    """The households of each of ``years``' period counts (events dated in the year at a
    stage, and presented to panel) that the council printed, where the extract counts
    the printed number: a reader takes the two to be the same households, so the page
    treats the extract's count as the printed figure (:meth:`Ledger.printed`)."""
    ids = household_records(households)
    twins = []
    for y in years:
        if y not in published.index:
            continue
        counts = period_counts(households, y)
        for stage in [*FUNNEL_MEASURES, "panel"]:
            printed, count = published.at[y, stage], counts.get(stage, pd.NA)
            if not pd.isna(printed) and not pd.isna(count) and int(count) == int(printed):
                twins.append(_where(ids, _in_year(households[f"{stage}_date"], y)))
    return twins


def children_minority_share(folder: object, year: str) -> tuple[float, str]:
    """The published minority-ethnic share of children looked after, and when it is for as
    a page for ``year`` says it: the latest figure for ``year`` or earlier, or failing that
    the nearest later one, dated "the nearest figure, for 2022/23 (published January 2024)"
    (:func:`analysis.core.years.comparator_year`)."""
    from analysis.sources.published import load as published

    figures = published.preferred(published.load("children_in_care_and_capacity", folder))
    hit = figures[figures["measure"] == CHILDREN_MINORITY_MEASURE].sort_values("year")
    earlier = hit[hit["year"] <= year]
    row = earlier.iloc[-1] if len(earlier) else hit.iloc[0]
    dates = published.sources(folder).set_index("source")["date"]
    issued = pd.Timestamp(dates[row["source"]]).strftime("%B %Y") if row["source"] in dates else ""
    return float(row["number"]), comparator_year(str(row["year"]), year, issued)


EVENT_COLUMNS = {
    "enquiry": "Enquiries",
    "eoi": "Expressions of interest",
    "stage1": "Stage 1 starts",
    "stage2": "Stage 2 starts",
    "panel": "Presented to panel",
    "approval": "Approvals",
}
NOT_RECORDED = "not recorded"
EXTRACT, PUBLISHED = "Households in the extract", "Households as published"


def funnel_comparison(
    households: pd.DataFrame, year: str, published: pd.DataFrame, quarantined: pd.DataFrame
) -> pd.DataFrame:
    """The year's period counts beside the published figures, each difference explained.

    The extract's counts carry the households they count (so the page withholds them as
    it withholds any count from the extract); the published figures carry none: they are
    as printed and known to any reader. The difference and its explanation state the
    extract's count, so the page withholds them with it (rates on it)."""
    ours = period_counts(households, year)
    ids = household_records(households)
    held = quarantined[quarantined.get("extract_year", pd.Series(dtype=str)) == year]
    rows, cells = [], {}
    for i, stage in enumerate([*FUNNEL_MEASURES, "panel"]):
        count = ours.get(stage, pd.NA)
        printed = published.at[year, stage] if year in published.index else pd.NA
        if pd.isna(count):
            why = (
                f"Not recorded in the {shown_year(year)} extract (the system kept no EOI date "
                "before 2020/21)."
            )
        elif pd.isna(printed):
            why = "Not published for this year."
        elif count == printed:
            why = "Matches the published figure."
        else:
            why = (
                f"Differs by {int(count - printed):+d}: {len(held)} row(s) of this year's "
                "extract were set aside (see Data quality); records edited after the report "
                "was written also change counts."
            )
        rows.append(
            {
                "Stage": STAGE_LABELS[stage],
                EXTRACT: "" if pd.isna(count) else int(count),
                PUBLISHED: "" if pd.isna(printed) else int(printed),
                "Difference (households)": ""
                if pd.isna(count) or pd.isna(printed)
                else int(count - printed),
                "Explanation": why,
            }
        )
        if not pd.isna(count):
            cells[(i, EXTRACT)] = _where(ids, _in_year(households[f"{stage}_date"], year))
    return members.attach(pd.DataFrame(rows), cells)


def funnel_history(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Events dated in each of ``years`` at each stage, as the annual report counts them
    (one row per year, "not recorded" for a year whose system kept no EOI date), each
    count with the households it counts."""
    ids = household_records(households)
    rows, cells = [], {}
    for i, y in enumerate(years):
        counts = period_counts(households, y)
        row: dict[str, object] = {"Year": shown_year(y)}
        for stage, column in EVENT_COLUMNS.items():
            if pd.isna(counts[stage]):
                row[column] = NOT_RECORDED
                continue
            row[column] = int(counts[stage])
            cells[(i, column)] = _where(ids, _in_year(households[f"{stage}_date"], y))
        rows.append(row)
    return members.attach(pd.DataFrame(rows), cells)


def status_as_at(households: pd.DataFrame) -> pd.Series:
    """Where each household stands: 'approved', 'in progress', or 'left at <stage>'."""
    left = "left at " + stage_left(households)
    status = (
        households["outcome"]
        .astype("string")
        .where(households["outcome"].isin(["approved", "in progress"]), left)
    )
    return status


COHORT_COLUMNS = {
    "approved": "Approved",
    "left at enquiry": "Left after enquiry",
    "left at eoi": "Left after expression of interest",
    "left at stage1": "Left in stage 1",
    "left at stage2": "Left in stage 2 or at panel",
    "in progress": "Still in progress",
}


def _last(years: list[str], n: int) -> list[str]:
    """The last ``n`` of the extract years (oldest first): earlier years' enquirers are
    only partly in the extracts, so views never reach back before the first extract."""
    return sorted(years)[-n:]


def cohort_view(households: pd.DataFrame, years: list[str], cohorts: int = 3) -> pd.DataFrame:
    """Enquiry cohorts (the last ``cohorts`` of ``years``) and where each household stands.

    ``households`` must be the table as at the end of the last year (``load(year)``),
    so the view says where each cohort stood then. Columns: cohort (2024/25), enquiries,
    one column per status, reached stage 1, approved share; each count with the
    households it counts.
    """
    wanted = _last(years, cohorts)
    cohort = financial_year_labels(households["enquiry_date"])
    status = status_as_at(households)
    ids = household_records(households)
    rows, cells = [], {}
    for i, y in enumerate(wanted):
        these = cohort.eq(y)
        masks = {"Enquiries": these}
        masks.update({label: these & status.eq(s) for s, label in COHORT_COLUMNS.items()})
        masks["Reached stage 1"] = these & households["stage1_date"].notna()
        rows.append({"Enquiry year": shown_year(y), **{c: int(m.sum()) for c, m in masks.items()}})
        cells.update({(i, c): _where(ids, m) for c, m in masks.items()})
    table = pd.DataFrame(rows)
    table["Approved (%)"] = (100 * table["Approved"] / table["Enquiries"]).round(1)
    return members.attach(table, cells)


def period_vs_cohort(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Per year: the report's ratio (approvals in the year / enquiries in the year) beside
    the share of that year's enquirers approved by now, and how many approvals came from
    households that enquired in an earlier year; each count with its households."""
    rows, cells = [], {}
    cohort = financial_year_labels(households["enquiry_date"])
    ids = household_records(households)
    for i, year in enumerate(years):
        approved_in_year = _in_year(households["approval_date"], year)
        enquirers = cohort.eq(year)
        masks = {
            "Enquiries": enquirers,
            "Approvals": approved_in_year,
            "Approvals from earlier enquiries": approved_in_year & cohort.lt(year),
            "Enquirers approved by now": enquirers & households["approval_date"].notna(),
        }
        rows.append({"Year": shown_year(year), **{c: int(m.sum()) for c, m in masks.items()}})
        cells.update({(i, c): _where(ids, m) for c, m in masks.items()})
    table = pd.DataFrame(rows)
    table["Report's ratio (%)"] = (100 * table["Approvals"] / table["Enquiries"]).round(1)
    table["Enquirers approved by now (%)"] = (
        100 * table["Enquirers approved by now"] / table["Enquiries"]
    ).round(1)
    return members.attach(table, cells)


PAIRS = [("enquiry", "eoi"), ("eoi", "stage1"), ("stage1", "stage2"), ("stage2", "panel"),
         ("panel", "approval")]  # fmt: skip


def conversion(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """For each stage pair and each of ``years``: of those entering the first stage that
    year, how many reached the next by now, and how many are still waiting (each count
    with its households)."""
    rows, cells = [], {}
    status = status_as_at(households)
    ids = household_records(households)
    for y in years:
        for first, second in PAIRS:
            if "eoi" in (first, second) and not eoi_recorded(households, y):
                continue
            entered = _in_year(households[f"{first}_date"], y)
            moved = entered & households[f"{second}_date"].notna()
            waiting = entered & ~moved & status.eq("in progress")
            masks = {"Entered": entered, "Moved on": moved, "Still waiting": waiting}
            cells.update({(len(rows), c): _where(ids, m) for c, m in masks.items()})
            rows.append(
                {
                    "Year": shown_year(y),
                    "From": STAGE_LABELS[first],
                    "To": STAGE_LABELS[second],
                    **{c: int(m.sum()) for c, m in masks.items()},
                }
            )
    table = pd.DataFrame(rows)
    table["Moved on (%)"] = (100 * table["Moved on"] / table["Entered"]).round(1)
    return members.attach(table, cells)


def dropout_by_stage(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Households whose record closed in the year, by the stage they left and who ended it,
    each count with its households."""
    closed = _in_year(households["exit_date"], year)
    ids = household_records(households)
    left = stage_left(households)
    stages = [s for s in LEAVING_STAGES if s != "eoi" or eoi_recorded(households, year)]
    who = {"Withdrew": "withdrew", "Not progressed by the service": "not progressed"}
    rows, cells = [], {}
    for i, stage in enumerate(stages):
        here = closed & left.eq(stage)
        masks = {c: here & households["outcome"].eq(o) for c, o in who.items()}
        masks["Total"] = masks["Withdrew"] | masks["Not progressed by the service"]
        rows.append(
            {"Stage left": LEAVING_LABELS[stage], **{c: int(m.sum()) for c, m in masks.items()}}
        )
        cells.update({(i, c): _where(ids, m) for c, m in masks.items()})
    table = pd.DataFrame(rows)
    table["Of all leavers (%)"] = (100 * table["Total"] / max(int(table["Total"].sum()), 1)).round(
        1
    )
    return members.attach(table, cells)


SERVICE_DECISION = "none (the service's decision)"


POOLED = 6  # public pages list a stage's reason only when this many households gave it
ANY_STAGE = "Any stage"


def dropout_reasons(households: pd.DataFrame, year: str, pooled: int = 0) -> pd.DataFrame:
    """Households that left in the year, by stage left and reason, with code and
    avoidability; each count with the households it counts.

    With ``pooled``, a stage's reason given by fewer households is not listed: those
    households are counted together, whatever their stage, in one row of avoidable and
    one of other reasons ("Any stage"). A public page pools (:data:`POOLED`): a row of a
    reason given by one household says that household's reason to a reader who can tell
    it apart (one household presented to panel and not approved, from the council's
    printed 17 presented and 16 approved), which a ``c`` in its count does not hide."""
    left = households[_in_year(households["exit_date"], year)]
    # A closure the service decided has no Ofsted code: it keeps its row, labelled so.
    code = left["exit_reason_code"].astype("string").fillna(SERVICE_DECISION)
    grouped = (
        left.assign(exit_stage=stage_left(left), exit_reason_code=code)
        .assign(record=household_records(left))
        .groupby(["exit_stage", "exit_reason", "exit_reason_code"], observed=True)["record"]
        .agg(frozenset)
        .reset_index()
    )
    grouped["Households"] = grouped["record"].map(len).astype(int)
    grouped["Avoidable"] = reason_avoidable(grouped["exit_reason"]).map({True: "yes", False: "no"})
    grouped["order"] = grouped["exit_stage"].map(LEAVING_STAGES.index)
    grouped = grouped.sort_values(["order", "Households"], ascending=[True, False], kind="stable")
    grouped["exit_stage"] = grouped["exit_stage"].map(LEAVING_LABELS)
    few = grouped["Households"] < pooled
    pools = [
        {
            "exit_stage": ANY_STAGE,
            "exit_reason": f"{kind}, each given by fewer than {pooled} households at its stage",
            "exit_reason_code": "various",
            "record": frozenset().union(*rows["record"]),
            "Households": sum(len(r) for r in rows["record"]),
            "Avoidable": avoidable,
        }
        for avoidable, kind in (("yes", "Other avoidable reasons"), ("no", "Other reasons"))
        for rows in [grouped[few & grouped["Avoidable"].eq(avoidable)]]
        if len(rows)
    ]
    grouped = pd.concat([grouped[~few], pd.DataFrame(pools)], ignore_index=True)
    table = (
        grouped.rename(
            columns={
                "exit_stage": "Stage left",
                "exit_reason": "Reason",
                "exit_reason_code": "Code",
            }
        )
        .reset_index(drop=True)
        .astype({"Stage left": str, "Reason": str, "Code": str, "Households": int})
    )
    cells = {(i, "Households"): r for i, r in enumerate(table["record"])}
    columns = ["Stage left", "Reason", "Code", "Households", "Avoidable"]
    return members.attach(table[columns], cells)


def largest_avoidable(reasons: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The avoidable stage-and-reason losses with most households, later stages first on
    ties (with the households of ``reasons``' rows)."""
    avoidable = reasons[(reasons["Avoidable"] == "yes") & (reasons["Stage left"] != ANY_STAGE)]
    avoidable = avoidable.copy()
    avoidable["depth"] = avoidable["Stage left"].map(
        {LEAVING_LABELS[s]: i for i, s in enumerate(LEAVING_STAGES)}
    )
    ranked = avoidable.sort_values(["Households", "depth"], ascending=False, kind="stable")
    chosen = ranked.head(top).drop(columns="depth")
    found = members.of(reasons)
    cells = {
        (i, "Households"): found[(label, "Households")]
        for i, label in enumerate(chosen.index)
        if (label, "Households") in found
    }
    return members.attach(chosen.reset_index(drop=True), cells)


INTERVALS = [
    ("Enquiry to expression of interest", "enquiry_date", "eoi_date"),
    ("Expression of interest to stage 1", "eoi_date", "stage1_date"),
    ("Stage 1 to stage 2", "stage1_date", "stage2_date"),
    ("Stage 2 to panel", "stage2_date", "panel_date"),
    ("Panel to approval", "panel_date", "approval_date"),
    ("Start of assessment (stage 1) to approval", "stage1_date", "approval_date"),
    ("Enquiry to approval", "enquiry_date", "approval_date"),
]
DURATION_STATS = ["Median days", "Lower quartile (days)", "Upper quartile (days)", "Mean days"]


def stage_durations(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Days spent between stages, for steps completed in the year: median and quartiles
    (each step's count of households with the households it counts)."""
    ids = household_records(households)
    rows, cells = [], {}
    for label, start, end in INTERVALS:
        if "eoi_date" in (start, end) and not eoi_recorded(households, year):
            continue
        mask = _in_year(households[end], year) & households[start].notna()
        done = households[mask]
        days = (done[end] - done[start]).dt.days
        cells[(len(rows), "Households")] = _where(ids, mask)
        stats = days.median(), days.quantile(0.25), days.quantile(0.75), days.mean()
        rows.append(
            {
                "Step": label,
                "Households": len(days),
                **dict(zip(DURATION_STATS, stats, strict=True)),
            }
        )
    table = pd.DataFrame(rows, columns=["Step", "Households", *DURATION_STATS])
    # whole days, as every page prints a duration in days
    table[DURATION_STATS] = table[DURATION_STATS].astype(float).round().astype("Int64")
    return members.attach(table, cells)


def approval_time_trend(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Median whole days from enquiry, and from stage 1, to approval, and the mean from
    stage 1, by year of approval (each year's approvals with the households approved)."""
    approved = households[households["approval_date"].notna()].copy()
    approved["year"] = financial_year_labels(approved["approval_date"])
    approved = approved[approved["year"].isin(years)]
    approved["record"] = household_records(approved)
    approved["enquiry"] = (approved["approval_date"] - approved["enquiry_date"]).dt.days
    approved["assessment"] = (approved["approval_date"] - approved["stage1_date"]).dt.days
    stats = {
        "Median days from enquiry": ("enquiry", "median"),
        "Median days from stage 1": ("assessment", "median"),
        "Mean days from stage 1": ("assessment", "mean"),
    }
    table = approved.groupby("year").agg(Approvals=("household_id", "size"), **stats)
    table[list(stats)] = table[list(stats)].round().astype("Int64")
    table = table.reset_index()
    cells = {
        (i, "Approvals"): frozenset(approved.loc[approved["year"].eq(y), "record"])
        for i, y in enumerate(table["year"])
    }
    table.insert(0, "Year approved", [shown_year(y) for y in table.pop("year")])
    return members.attach(table, cells)


def channel_mix(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Share of each year's enquiries by how they heard (rows years, columns channels, %)."""
    frame = households.assign(cohort=financial_year_labels(households["enquiry_date"]))
    frame = frame[frame["cohort"].isin(years)]
    return (100 * pd.crosstab(frame["cohort"], frame["channel"], normalize="index")).round(1)


def channel_counts(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Each year's enquiries by how they heard (rows years, columns channels and Total),
    each count with the households it counts."""
    cohort = financial_year_labels(households["enquiry_date"])
    ids = household_records(households)
    seen = households.loc[cohort.isin(years), "channel"].dropna()
    channels = sorted(seen.astype(str).unique())
    shown = [y for y in years if cohort.eq(y).any()]
    rows, cells = [], {}
    for i, y in enumerate(shown):
        these = cohort.eq(y)
        masks = {c: these & households["channel"].astype("string").eq(c) for c in channels}
        masks["Total"] = these & households["channel"].notna()
        rows.append({"Year": shown_year(y), **{c: int(m.sum()) for c, m in masks.items()}})
        cells.update({(i, c): _where(ids, m) for c, m in masks.items()})
    return members.attach(pd.DataFrame(rows, columns=["Year", *channels, "Total"]), cells)


def channel_conversion(
    households: pd.DataFrame, years: list[str], cohorts: int = 3
) -> pd.DataFrame:
    """Enquirers of the last ``cohorts`` of ``years`` by channel: how many reached stage 1
    and approval by the end of the last year, each count with its households."""
    wanted = _last(years, cohorts)
    frame = households[financial_year_labels(households["enquiry_date"]).isin(wanted)]
    frame = frame.assign(record=household_records(frame))
    table = frame.groupby("channel", observed=True).agg(
        Enquiries=("household_id", "size"),
        **{"Reached stage 1": ("stage1_date", "count"), "Approved": ("approval_date", "count")},
    )
    table["To stage 1 (%)"] = (100 * table["Reached stage 1"] / table["Enquiries"]).round(1)
    table["Approved (%)"] = (100 * table["Approved"] / table["Enquiries"]).round(1)
    table = (
        table.sort_values("Enquiries", ascending=False).rename_axis("How they heard").reset_index()
    )
    cells = {}
    for i, channel in enumerate(table["How they heard"]):
        here = frame["channel"].astype("string").eq(str(channel))
        for column, mask in (
            ("Enquiries", here),
            ("Reached stage 1", here & frame["stage1_date"].notna()),
            ("Approved", here & frame["approval_date"].notna()),
        ):
            cells[(i, column)] = _where(frame["record"], mask)
    return members.attach(table, cells)


GROUPS = {
    "Enquirers": "enquiry_date",
    "Applicants (started stage 1)": "stage1_date",
    "Approved households": "approval_date",
}


def who_gets_through(households: pd.DataFrame, years: list[str], pooled: int = 3) -> pd.DataFrame:
    """Household type and ethnicity of enquirers, applicants and approved households.

    A household counts in a group when its stage date falls in the last ``pooled`` of
    ``years``. The minority-ethnic share is of households whose ethnicity is known. Each
    count carries the households it counts.
    """
    wanted = _last(years, pooled)
    ids = household_records(households)
    ethnic = households["ethnic_group"]
    rows, cells = [], {}
    for i, (group, column) in enumerate(GROUPS.items()):
        inside = financial_year_labels(households[column]).isin(wanted)
        known = inside & ethnic.ne("Not known") & ethnic.notna()
        masks = {
            "Households": inside,
            "Couples": inside & households["household_type"].eq("couple"),
            "Ethnicity known": known,
            "Minority ethnic": known & ethnic.isin(MINORITY_ETHNIC),
        }
        n = {c: int(m.sum()) for c, m in masks.items()}
        rows.append(
            {
                "Group": group,
                "Households": n["Households"],
                "Couples": n["Couples"],
                "Couples (%)": _share(n["Couples"], n["Households"]),
                "Ethnicity known": n["Ethnicity known"],
                "Minority ethnic": n["Minority ethnic"],
                "Minority ethnic (%)": _share(n["Minority ethnic"], n["Ethnicity known"]),
            }
        )
        cells.update({(i, c): _where(ids, m) for c, m in masks.items()})
    return members.attach(pd.DataFrame(rows), cells)


def _share(part: int, whole: int) -> object:
    """``part`` as a percentage of ``whole`` to one decimal, missing when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else pd.NA


def ethnic_breakdown(households: pd.DataFrame, years: list[str], pooled: int = 3) -> pd.DataFrame:
    """Ethnic group of enquirers, applicants and approved over the last ``pooled`` of
    ``years``, each count with the households it counts."""
    wanted = _last(years, pooled)
    ids = household_records(households)
    ethnic = households["ethnic_group"].astype("string")
    inside = {g: financial_year_labels(households[c]).isin(wanted) for g, c in GROUPS.items()}
    present = set(ethnic[pd.concat(inside, axis=1).any(axis=1)].dropna())
    order = [g for g in ["White", *MINORITY_ETHNIC, "Not known"] if g in present]
    rows, cells = [], {}
    for i, value in enumerate(order):
        masks = {g: m & ethnic.eq(value) for g, m in inside.items()}
        rows.append({"Ethnic group": value, **{g: int(m.sum()) for g, m in masks.items()}})
        cells.update({(i, g): _where(ids, m) for g, m in masks.items()})
    return members.attach(pd.DataFrame(rows, columns=["Ethnic group", *GROUPS]), cells)


def _row_records(held: pd.DataFrame) -> pd.Series:
    """Each row set aside as a record of its own (``row:<file>:<spreadsheet row>``)."""
    return pd.Series(
        [f"row:{f}:{int(n)}" for f, n in zip(held["source_file"], held["source_row"], strict=True)],
        index=held.index,
        dtype=object,
    )


def data_quality(reconciliation: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """The loader's rows read, clean and set aside by extract, its years written 2024/25;
    each count of rows set aside carries its rows (``held``, the loader's quarantine), so a
    withheld one cannot be read off another table of the page."""
    table = reconciliation.assign(Extract=[shown_year(y) for y in reconciliation["Extract"]])
    ids = _row_records(held)
    cells = {
        (i, "Rows set aside"): frozenset(ids[held["source_file"].eq(f)])
        for i, f in zip(table.index, table["File"], strict=True)
    }
    return members.attach(table, cells)


def set_aside_by_reason(held: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside by extract, column (as the file names it) and reason, each count with
    the rows it counts: what a public page shows of the quarantine."""
    if held.empty:
        return pd.DataFrame(columns=["Extract", "Column", "Reason", "Rows"])
    keys = ["extract_year", "column", "reason"]
    table = held.groupby(keys, sort=True).size().reset_index(name="Rows")
    ids = _row_records(held)
    cells = {
        (i, "Rows"): frozenset(
            ids[(held["extract_year"].eq(y) & held["column"].eq(c) & held["reason"].eq(r))]
        )
        for i, (y, c, r) in enumerate(zip(*(table[k] for k in keys), strict=True))
    }
    table["extract_year"] = [shown_year(y) for y in table["extract_year"]]
    table["reason"] = [r[:1].upper() + r[1:] for r in table["reason"]]
    names = {"extract_year": "Extract", "column": "Column", "reason": "Reason"}
    table = table.rename(columns=names)
    return members.attach(table, cells)


def quarantine_summary(held: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside: file, spreadsheet row, column and reason (not the value: may be an
    id), for the internal copy, where the analyst finds and mends each row."""
    if held.empty:
        return pd.DataFrame(columns=["File", "Row", "Column", "Reason"])
    table = held[["source_file", "source_row", "column", "reason"]].copy()
    table.columns = ["File", "Row", "Column", "Reason"]
    return table.sort_values(["File", "Row"], kind="stable").reset_index(drop=True)


def unrecognised_reasons(households: pd.DataFrame) -> int:
    """Households whose typed reason matched no declared spelling (add it to the schema)."""
    return int(households["exit_reason"].eq(UNRECOGNISED_REASON).sum())


def _pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def conversion_change(households: pd.DataFrame, years: list[str], app: Appendix) -> str | None:
    """A sentence on the stage step whose conversion moved most against earlier years (None
    when no step of the year can be compared), for the conversion section. ``years`` are the
    years the conversion table shows: the earlier years' average is of their rates, and the
    comparison is said only while every count it rests on is shown (the year's and each
    earlier year's households entering and moving on), so that "up from an average of
    66.2%" never carries a withheld rate."""
    table = conversion(households, years)
    found = members.of(table)
    year = shown_year(sorted(years)[-1])
    now = table[(table["Year"] == year) & (table["Entered"] > 5)]
    earlier = table[table["Year"] < year]
    before = earlier.groupby(["From", "To"])["Moved on (%)"].mean()
    now = now.assign(label=now.index).set_index(["From", "To"])
    now = now.join(before.rename("earlier"), how="inner")
    if now.empty:
        return None
    now["gap"] = now["Moved on (%)"] - now["earlier"]
    (first, second), row = next(
        iter(now.reindex(now["gap"].abs().sort_values().index[::-1]).iterrows())
    )
    direction = "up" if row["gap"] > 0 else "down"
    step = f"conversion {year} {first} to {second}"

    def count(column: str) -> str:
        key = f"{step}: {column}"
        return app.count(int(row[column]), key, records=found[(row["label"], column)])

    on = [f"{step}: {c}" for c in ("Entered", "Moved on")]
    count("Entered"), count("Moved on")
    rested = list(on)
    for i, r in earlier[(earlier["From"] == first) & (earlier["To"] == second)].iterrows():
        for column in ("Entered", "Moved on"):
            key = f"conversion {r['Year']} {first} to {second}: {column}"
            app.count(int(r[column]), key, records=found[(i, column)])
            rested.append(key)
    caveat = (
        f" ({count('Still waiting')} still waiting, so this year's figure may rise)"
        if row["Still waiting"]
        else ""
    )
    moved = app.share(f"{row['Moved on (%)']}%", on)
    against = app.share(
        f", {direction} from an average of {row['earlier']:.1f}% in earlier years", rested, ""
    )
    return (
        f"The step that changed most: {moved} of households entering {first.lower()} in "
        f"{year} had reached {second.lower()} by 31 March{against}{caveat}."
    )


def _stated(app: Appendix, table: pd.DataFrame, name: str, row: str, column: str) -> str:
    """The count in ``column`` of the row labelled ``row`` (first column) of ``table`` for
    a sentence, under the key of the page's table ``name`` and with its records."""
    i = int(table.index[table.iloc[:, 0].astype(str).eq(row)][0])
    key = app.cell(name, row, column)
    app.count(int(table.at[i, column]), key, records=members.of(table)[(i, column)])
    return key


def funnel_check_note(
    households: pd.DataFrame, year: str, published: pd.DataFrame, app: Appendix
) -> str:
    """Whether the extract's counts of the year's events match the published funnel, for
    the section that compares them (withheld with the extract's counts it rests on)."""
    match = funnel_comparison(households, year, published, pd.DataFrame())
    difference = pd.to_numeric(match["Difference (households)"], errors="coerce")
    compared = int(difference.notna().sum())
    differ = int((difference.dropna() != 0).sum())
    if not compared:
        agree = "have no published figures to be checked against"
    elif differ:
        agree = f"differ from the published figures at {differ} stage(s) (see the table below)"
    elif compared < len(match):
        agree = f"match the published figures at the {compared} stages the council published"
    else:
        agree = "match the published figures"
    checked = [
        app.cell("funnel", row["Stage"], EXTRACT)
        for _, row in match.iterrows()
        if pd.notna(pd.to_numeric(row["Difference (households)"], errors="coerce"))
    ]
    verdict = app.share(agree, checked, withheld="are compared with the published figures below")
    return f"The extract's counts of events in {FinancialYear.parse(year).report_label} {verdict}."


def key_findings(
    households: pd.DataFrame,
    year: str,
    years: list[str],
    published: pd.DataFrame,
    app: Appendix,
) -> list[str]:
    """The appendix's key findings, at most five, written from the figures.

    Counts go through ``app.count`` with the households they count, under the keys of
    the tables they come from where a table shows them (table names as the notebook
    gives them: ``funnel``, ``cohorts``, ``leavers by stage``, ``durations``), and shares
    through ``app.share`` on those counts, so the page withholds a figure in a sentence
    exactly when it withholds what it is built on."""
    fy = FinancialYear.parse(year)
    sentences = []
    match = funnel_comparison(households, year, published, pd.DataFrame())
    events = {
        s: _stated(app, match, "funnel", STAGE_LABELS[s], EXTRACT)
        for s in ("enquiry", "stage1", "approval")
    }
    said = {s: app.count(app.ledger.values[k], k) for s, k in events.items()}
    sentences.append(
        f"In {fy.report_label} the service received {said['enquiry']} enquiries, started "
        f"stage 1 assessments for {said['stage1']} households and approved "
        f"{said['approval']} households."
    )
    cohorts = cohort_view(households, years, cohorts=2)
    previous = cohorts.iloc[0]
    if previous["Enquiries"]:
        cohort = previous["Enquiry year"]

        def cell(column: str) -> str:
            return _stated(app, cohorts, "cohorts", cohort, column)

        enquiries, approved = cell("Enquiries"), cell("Approved")
        left_first = _pct(previous["Left after enquiry"], previous["Enquiries"])
        left_share = app.share(f"{left_first}%", [cell("Left after enquiry"), enquiries])
        waiting = cell("Still in progress")
        # A clause whose count the page withholds is left out, not said as "a withheld
        # number" (issue 13's review): its numbers are the cohorts table's, shown with it.
        approved_clause = app.share(
            f"{int(previous['Approved'])} ({previous['Approved (%)']}%) had been approved by "
            f"31 March {fy.end.year}, ",
            [approved, enquiries],
            withheld="",
        )
        waiting_clause = app.share(
            f" and {int(previous['Still in progress'])} were still in progress",
            [waiting],
            withheld="",
        )
        sentences.append(
            "Following people rather than events: of the "
            f"{app.count(int(previous['Enquiries']), enquiries)} households "
            f"that enquired in {cohort}, {approved_clause}{left_share} left at the first "
            f"enquiry{waiting_clause}."
        )
    by_stage = dropout_by_stage(households, year)
    total = int(by_stage["Total"].sum())
    if total:
        reasons = dropout_reasons(households, year)
        stages, leavers = members.of(by_stage), members.of(reasons)
        later = frozenset().union(*(stages[(i, "Total")] for i in by_stage.index[1:]))
        avoidable = frozenset().union(
            *(
                leavers[(i, "Households")]
                for i in reasons.index
                if reasons.at[i, "Stage left"] != STAGE_LABELS["enquiry"]
                and reasons.at[i, "Avoidable"] == "yes"
            )
        )
        first_key = _stated(app, by_stage, "leavers by stage", STAGE_LABELS["enquiry"], "Total")
        first = int(app.ledger.values[first_key])
        everyone = stages[(by_stage.index[0], "Total")] | later
        total_text = app.count(total, "leavers", records=everyone)
        later_text = app.count(len(later), "leavers after enquiry", records=later)
        app.count(len(avoidable), "avoidable leavers after enquiry", records=avoidable)
        # said only while the page shows the count (not "a withheld number of them")
        avoidable_clause = app.share(
            f", {len(avoidable)} of them for reasons the service can act on",
            ["avoidable leavers after enquiry"],
            withheld="",
        )
        sentences.append(
            f"Of the {total_text} households whose record closed in the year, "
            f"{app.share(f'{_pct(first, total)}%', ['leavers', first_key])} "
            "left at the first enquiry, before any commitment; "
            f"{later_text} left after expressing interest or during assessment"
            f"{avoidable_clause}."
        )
        pooled = POOLED if app.disclosure == "public" else 0
        top = largest_avoidable(dropout_reasons(households, year, pooled))
        if not top.empty:
            found = members.of(top)
            named = "; ".join(
                f"{r.Reason.lower()} ({r['Stage left'].lower()}, "
                + app.count(
                    int(r.Households),
                    f"largest avoidable {i + 1}",
                    records=found[(i, "Households")],
                )
                + ")"
                for i, r in top.iterrows()
            )
            sentences.append(f"The largest avoidable losses this year: {named}.")
    durations = stage_durations(households, year)
    step = "Start of assessment (stage 1) to approval"
    assessment = durations.set_index("Step").loc[step]
    if assessment["Households"] > 5 or app.disclosure == "internal":
        median = int(assessment["Median days"])
        on = [_stated(app, durations, "durations", step, "Households")]
        # one sentence (issue 13's review): the mean and middle half are the section's
        # said against the guidance inside the figure: withheld, the gap goes with it
        gap = median - EIGHT_MONTHS_DAYS
        than = f"{abs(gap):,} days {'more' if gap > 0 else 'less'} than" if gap else "exactly"
        figures = app.share(
            f"a median of {median:,} days ({median / DAYS_PER_MONTH:.1f} months) from stage 1 "
            f"to approval, {than}",
            on,
        )
        sentences.append(
            f"Households approved in {fy.report_label} took {figures} statutory guidance's "
            f"about eight months ({EIGHT_MONTHS_DAYS} days)."
        )
    return sentences


def channel_note(
    households: pd.DataFrame, year: str, years: list[str], app: Appendix
) -> str | None:
    """Foster carer referrals' share of the year's enquiries and how many referred
    enquirers started an assessment against social media's, for the channels section
    (None without referrals), withheld with the ``channel mix`` and ``channels`` counts."""
    fy = FinancialYear.parse(year)
    mix = channel_counts(households, years)
    channels = channel_conversion(households, years)
    referral = "Foster carer referral"
    if referral in mix.columns and referral in set(channels["How they heard"]):
        now, then = mix.iloc[-1], mix.iloc[0]

        def mix_share(row: pd.Series) -> str:
            on = [_stated(app, mix, "channel mix", row["Year"], c) for c in (referral, "Total")]
            return app.share(f"{_pct(row[referral], row['Total'])}%", on)

        def to_stage1(channel: str) -> str:
            if channel not in set(channels["How they heard"]):
                return "0.0%"
            on = [
                _stated(app, channels, "channels", channel, c)
                for c in ("Reached stage 1", "Enquiries")
            ]
            row = channels.set_index("How they heard").loc[channel]
            return app.share(f"{row['To stage 1 (%)']}%", on)

        referred, social = to_stage1(referral), to_stage1("Social media")
        return (
            f"Foster carer referrals made {mix_share(now)} of {fy.report_label} enquiries "
            f"(from {mix_share(then)} in {then['Year']}); of enquirers since "
            f"{shown_year(_last(years, 3)[0])}, {referred} "
            f"of referred enquirers started an assessment, against {social} of social media "
            "enquirers."
        )
    return None


def groups_note(
    households: pd.DataFrame, year: str, years: list[str], children_share: float, app: Appendix
) -> str:
    """The minority-ethnic share of enquirers, applicants and approved households against
    the children in care, for the section on who gets through (withheld with the
    ``groups`` counts)."""
    groups = who_gets_through(households, years)

    def minority(group: str) -> str:
        on = [
            _stated(app, groups, "groups", group, c) for c in ("Minority ethnic", "Ethnicity known")
        ]
        row = groups.set_index("Group").loc[group]
        return app.share(f"{row['Minority ethnic (%)']}%", on)

    pooled = _last(years, 3)
    span = shown_year(pooled[0]) + (f" to {shown_year(year)}" if len(pooled) > 1 else "")
    return (
        f"In {span}, "
        f"{minority('Enquirers')} of enquirers (whose ethnicity is known) were from minority "
        f"ethnic backgrounds, {minority('Applicants (started stage 1)')} of those starting "
        f"assessment and {minority('Approved households')} of those approved, against about "
        f"{children_share:g}% of children in care."
    )


# How a sentence names an enquiry's value of a column that may be mapped to "other".
_OTHER_PHRASES = {
    "channel": "from channels",
    "ethnic_group": "with ethnic groups",
    "exit_reason": "with exit reasons",
}


def mapped_to_other(other: pd.DataFrame | None, year: str, rule: str) -> str | None:
    """A sentence saying that (and, in an internal copy, how many of) ``year``'s enquiries
    had a value not declared for the year and were counted as "other" (``Loaded.other``),
    or None when there were none. A public page leaves the numbers out: those enquiries
    are in the "other" rows the tables count, so a number here could be subtracted."""
    if other is None or other.empty:
        return None
    rows = other[other["extract_year"] == year] if "extract_year" in other else other
    totals = rows.groupby("column", sort=False)["count"].sum()
    found = {column: int(n) for column, n in totals.items() if n}
    if not found:
        return None
    public = rule == "public"
    parts = [
        ("enquiries " if public else f"{n:,} {'enquiry' if n == 1 else 'enquiries'} ")
        + _OTHER_PHRASES.get(column, f"with {column} values")
        for column, n in found.items()
    ]
    if public:
        parts[1:] = [p.removeprefix("enquiries ") for p in parts[1:]]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    verb = "is" if not public and list(found.values()) == [1] else "are"
    return (
        f"{listed[:1].upper()}{listed[1:]} not declared for {year} {verb} counted as other, "
        "as the council's configuration allows (unknown_to_other)"
        + ("; the internal copy says how many." if public else ".")
    )
