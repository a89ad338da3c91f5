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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.years import FinancialYear, YearError, financial_year_labels
from analysis.council.config import Council
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
LEAVING_STAGES = ["enquiry", "eoi", "stage1", "stage2", "panel"]


def _in_year(dates: pd.Series, year: str) -> pd.Series:
    fy = FinancialYear.parse(year)
    return dates.between(fy.start, fy.end)


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


def children_minority_share(folder: object = None) -> tuple[float, str]:
    """The published minority-ethnic share of children looked after, and its year."""
    from analysis.sources.published import load as published

    figures = published.preferred(published.load("children_in_care_and_capacity", folder))
    hit = figures[figures["measure"] == CHILDREN_MINORITY_MEASURE].sort_values("year")
    row = hit.iloc[-1]
    return float(row["number"]), str(row["year"])


def funnel_comparison(
    households: pd.DataFrame, year: str, published: pd.DataFrame, quarantined: pd.DataFrame
) -> pd.DataFrame:
    """The year's period counts beside the published figures, each difference explained."""
    ours = period_counts(households, year)
    held = quarantined[quarantined.get("extract_year", pd.Series(dtype=str)) == year]
    rows = []
    for stage in [*FUNNEL_MEASURES, "panel"]:
        count = ours.get(stage, pd.NA)
        printed = published.at[year, stage] if year in published.index else pd.NA
        if pd.isna(count):
            why = (
                f"Not recorded in the {year} extract (the system kept no EOI date before 2020/21)."
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
                "Events in the year (extract)": "" if pd.isna(count) else int(count),
                "Published": "" if pd.isna(printed) else int(printed),
                "Difference": "" if pd.isna(count) or pd.isna(printed) else int(count - printed),
                "Explanation": why,
            }
        )
    return pd.DataFrame(rows)


def funnel_history(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Period counts for each of ``years`` (rows years, columns stages)."""
    return pd.DataFrame([period_counts(households, y) for y in years], index=list(years))


def status_as_at(households: pd.DataFrame) -> pd.Series:
    """Where each household stands: 'approved', 'in progress', or 'left at <stage>'."""
    left = "left at " + households["exit_stage"].astype("string")
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
    "left at stage2": "Left in stage 2",
    "left at panel": "Not approved at panel",
    "in progress": "Still in progress",
}


def _last(years: list[str], n: int) -> list[str]:
    """The last ``n`` of the extract years (oldest first): earlier years' enquirers are
    only partly in the extracts, so views never reach back before the first extract."""
    return sorted(years)[-n:]


def cohort_view(households: pd.DataFrame, years: list[str], cohorts: int = 3) -> pd.DataFrame:
    """Enquiry cohorts (the last ``cohorts`` of ``years``) and where each household stands.

    ``households`` must be the table as at the end of the last year (``load(year)``),
    so the view says where each cohort stood then. Columns: cohort, enquiries, one
    column per status, reached stage 1, approved share.
    """
    wanted = _last(years, cohorts)
    frame = households.assign(
        cohort=financial_year_labels(households["enquiry_date"]), status=status_as_at(households)
    )
    frame = frame[frame["cohort"].isin(wanted)]
    table = pd.crosstab(frame["cohort"], frame["status"]).reindex(
        index=wanted, columns=list(COHORT_COLUMNS), fill_value=0
    )
    table = table.rename(columns=COHORT_COLUMNS)
    table.insert(0, "Enquiries", table.sum(axis=1))
    reached = frame.groupby("cohort")["stage1_date"].count().reindex(wanted, fill_value=0)
    table["Reached stage 1"] = reached
    table["% approved"] = (100 * table["Approved"] / table["Enquiries"]).round(1)
    return table.rename_axis(index="Enquiry year", columns=None).reset_index()


def period_vs_cohort(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Per year: the report's ratio (approvals in the year / enquiries in the year) beside
    the share of that year's enquirers approved by now, and how many approvals came from
    households that enquired in an earlier year."""
    rows = []
    cohort = financial_year_labels(households["enquiry_date"])
    for year in years:
        approved_in_year = _in_year(households["approval_date"], year)
        enquirers = cohort.eq(year)
        rows.append(
            {
                "Year": year,
                "Enquiries": int(enquirers.sum()),
                "Approvals": int(approved_in_year.sum()),
                "Approvals from earlier enquiries": int((approved_in_year & cohort.lt(year)).sum()),
                "Enquirers approved by now": int(
                    (enquirers & households["approval_date"].notna()).sum()
                ),
            }
        )
    table = pd.DataFrame(rows)
    table["Report's ratio (%)"] = (100 * table["Approvals"] / table["Enquiries"]).round(1)
    table["% of enquirers approved by now"] = (
        100 * table["Enquirers approved by now"] / table["Enquiries"]
    ).round(1)
    return table


PAIRS = [("enquiry", "eoi"), ("eoi", "stage1"), ("stage1", "stage2"), ("stage2", "panel"),
         ("panel", "approval")]  # fmt: skip


def conversion(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """For each stage pair and each of ``years``: of those entering the first stage that
    year, how many reached the next by now, and how many are still waiting."""
    rows = []
    status = status_as_at(households)
    for y in years:
        for first, second in PAIRS:
            if "eoi" in (first, second) and not eoi_recorded(households, y):
                continue
            entered = _in_year(households[f"{first}_date"], y)
            moved = entered & households[f"{second}_date"].notna()
            waiting = entered & ~moved & status.eq("in progress")
            rows.append(
                {
                    "Year": y,
                    "From": STAGE_LABELS[first],
                    "To": STAGE_LABELS[second],
                    "Entered": int(entered.sum()),
                    "Moved on": int(moved.sum()),
                    "Still waiting": int(waiting.sum()),
                }
            )
    table = pd.DataFrame(rows)
    table["% moved on"] = (100 * table["Moved on"] / table["Entered"]).round(1)
    return table


def dropout_by_stage(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Households whose record closed in the year, by the stage they left and who ended it."""
    left = households[_in_year(households["exit_date"], year)]
    stages = [s for s in LEAVING_STAGES if s != "eoi" or eoi_recorded(households, year)]
    table = pd.crosstab(left["exit_stage"], left["outcome"]).reindex(
        index=stages, columns=["withdrew", "not progressed"], fill_value=0
    )
    table.index = [STAGE_LABELS[s] for s in table.index]
    table.columns = ["Withdrew", "Not progressed by the service"]
    table["Total"] = table.sum(axis=1)
    table["% of all leavers"] = (100 * table["Total"] / max(int(table["Total"].sum()), 1)).round(1)
    return table.rename_axis("Stage left").reset_index()


SERVICE_DECISION = "none (the service's decision)"


def dropout_reasons(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Households that left in the year, by stage left and reason, with code and avoidability."""
    left = households[_in_year(households["exit_date"], year)]
    # A closure the service decided has no Ofsted code: it keeps its row, labelled so.
    code = left["exit_reason_code"].astype("string").fillna(SERVICE_DECISION)
    grouped = (
        left.assign(exit_reason_code=code)
        .groupby(["exit_stage", "exit_reason", "exit_reason_code"], observed=True)
        .size()
        .rename("Households")
        .reset_index()
    )
    grouped["Avoidable"] = reason_avoidable(grouped["exit_reason"]).map({True: "yes", False: "no"})
    grouped["order"] = grouped["exit_stage"].map(LEAVING_STAGES.index)
    grouped = grouped.sort_values(["order", "Households"], ascending=[True, False], kind="stable")
    grouped["exit_stage"] = grouped["exit_stage"].map(STAGE_LABELS)
    return (
        grouped.drop(columns="order")
        .rename(
            columns={
                "exit_stage": "Stage left",
                "exit_reason": "Reason",
                "exit_reason_code": "Code",
            }
        )
        .reset_index(drop=True)
    )


def largest_avoidable(reasons: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The avoidable stage-and-reason losses with most households, later stages first on ties."""
    avoidable = reasons[reasons["Avoidable"] == "yes"].copy()
    avoidable["depth"] = avoidable["Stage left"].map(
        {STAGE_LABELS[s]: i for i, s in enumerate(LEAVING_STAGES)}
    )
    ranked = avoidable.sort_values(["Households", "depth"], ascending=False, kind="stable")
    return ranked.head(top).drop(columns="depth").reset_index(drop=True)


INTERVALS = [
    ("Enquiry to expression of interest", "enquiry_date", "eoi_date"),
    ("Expression of interest to stage 1", "eoi_date", "stage1_date"),
    ("Stage 1 to stage 2", "stage1_date", "stage2_date"),
    ("Stage 2 to panel", "stage2_date", "panel_date"),
    ("Panel to approval", "panel_date", "approval_date"),
    ("Start of assessment (stage 1) to approval", "stage1_date", "approval_date"),
    ("Enquiry to approval", "enquiry_date", "approval_date"),
]


def stage_durations(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Days spent between stages, for steps completed in the year: median and quartiles."""
    rows = []
    for label, start, end in INTERVALS:
        if "eoi_date" in (start, end) and not eoi_recorded(households, year):
            continue
        done = households[_in_year(households[end], year) & households[start].notna()]
        days = (done[end] - done[start]).dt.days
        rows.append(
            {
                "Step": label,
                "Households": len(days),
                "Median (days)": days.median(),
                "Lower quartile": days.quantile(0.25),
                "Upper quartile": days.quantile(0.75),
                "Mean (months)": round(days.mean() / 30.44, 1),
            }
        )
    return pd.DataFrame(rows)


def approval_time_trend(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Median months from enquiry, and from stage 1, to approval, by year of approval."""
    approved = households[households["approval_date"].notna()].copy()
    approved["Year approved"] = financial_year_labels(approved["approval_date"])
    approved = approved[approved["Year approved"].isin(years)]
    approved["enquiry"] = (approved["approval_date"] - approved["enquiry_date"]).dt.days / 30.44
    approved["assessment"] = (approved["approval_date"] - approved["stage1_date"]).dt.days / 30.44
    table = approved.groupby("Year approved").agg(
        Approvals=("household_id", "size"),
        **{
            "Median months from enquiry": ("enquiry", "median"),
            "Median months from stage 1": ("assessment", "median"),
            "Mean months from stage 1": ("assessment", "mean"),
        },
    )
    return table.round(1).reset_index()


def channel_mix(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Share of each year's enquiries by how they heard (rows years, columns channels, %)."""
    frame = households.assign(cohort=financial_year_labels(households["enquiry_date"]))
    frame = frame[frame["cohort"].isin(years)]
    return (100 * pd.crosstab(frame["cohort"], frame["channel"], normalize="index")).round(1)


def channel_counts(households: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Each year's enquiries by how they heard (rows years, columns channels and Total)."""
    frame = households.assign(cohort=financial_year_labels(households["enquiry_date"]))
    frame = frame[frame["cohort"].isin(years)]
    table = pd.crosstab(frame["cohort"], frame["channel"])
    table["Total"] = table.sum(axis=1)
    return table.rename_axis(index="Year", columns=None).reset_index()


def channel_conversion(
    households: pd.DataFrame, years: list[str], cohorts: int = 3
) -> pd.DataFrame:
    """Enquirers of the last ``cohorts`` of ``years`` by channel: how many reached stage 1
    and approval by the end of the last year."""
    wanted = _last(years, cohorts)
    frame = households[financial_year_labels(households["enquiry_date"]).isin(wanted)]
    table = frame.groupby("channel").agg(
        Enquiries=("household_id", "size"),
        **{"Reached stage 1": ("stage1_date", "count"), "Approved": ("approval_date", "count")},
    )
    table["% to stage 1"] = (100 * table["Reached stage 1"] / table["Enquiries"]).round(1)
    table["% approved"] = (100 * table["Approved"] / table["Enquiries"]).round(1)
    return (
        table.sort_values("Enquiries", ascending=False).rename_axis("How they heard").reset_index()
    )


GROUPS = {
    "Enquirers": "enquiry_date",
    "Applicants (started stage 1)": "stage1_date",
    "Approved households": "approval_date",
}


def who_gets_through(households: pd.DataFrame, years: list[str], pooled: int = 3) -> pd.DataFrame:
    """Household type and ethnicity of enquirers, applicants and approved households.

    A household counts in a group when its stage date falls in the last ``pooled`` of
    ``years``. The minority-ethnic share is of households whose ethnicity is known.
    """
    wanted = _last(years, pooled)
    rows = []
    for group, column in GROUPS.items():
        members = households[financial_year_labels(households[column]).isin(wanted)]
        known = members[members["ethnic_group"].ne("Not known") & members["ethnic_group"].notna()]
        minority = int(known["ethnic_group"].isin(MINORITY_ETHNIC).sum())
        couples = int(members["household_type"].eq("couple").sum())
        rows.append(
            {
                "Group": group,
                "Households": len(members),
                "Couples": couples,
                "% couples": round(100 * couples / len(members), 1) if len(members) else pd.NA,
                "Ethnicity known": len(known),
                "Minority ethnic": minority,
                "% minority ethnic": round(100 * minority / len(known), 1) if len(known) else pd.NA,
            }
        )
    return pd.DataFrame(rows)


def ethnic_breakdown(households: pd.DataFrame, years: list[str], pooled: int = 3) -> pd.DataFrame:
    """Ethnic group of enquirers, applicants and approved over the last ``pooled`` of ``years``."""
    wanted = _last(years, pooled)
    columns = {}
    for group, column in GROUPS.items():
        members = households[financial_year_labels(households[column]).isin(wanted)]
        columns[group] = members["ethnic_group"].value_counts()
    table = pd.DataFrame(columns).fillna(0).astype(int)
    order = ["White", *MINORITY_ETHNIC, "Not known"]
    return (
        table.reindex([g for g in order if g in table.index])
        .rename_axis("Ethnic group")
        .reset_index()
    )


def quarantine_summary(held: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside: file, spreadsheet row, column and reason (not the value: may be an id)."""
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


def _conversion_change(households: pd.DataFrame, years: list[str], app: Appendix) -> str | None:
    """A sentence on the stage step whose conversion moved most against earlier years."""
    table = conversion(households, years)
    year = sorted(years)[-1]
    now = table[(table["Year"] == year) & (table["Entered"] > 5)]
    before = table[table["Year"] < year].groupby(["From", "To"])["% moved on"].mean()
    if now.empty or before.empty:
        return None
    now = now.set_index(["From", "To"]).join(before.rename("earlier"), how="inner")
    if now.empty:
        return None
    now["gap"] = now["% moved on"] - now["earlier"]
    (first, second), row = next(
        iter(now.reindex(now["gap"].abs().sort_values().index[::-1]).iterrows())
    )
    direction = "up" if row["gap"] > 0 else "down"
    step = f"conversion {year} {first} to {second}"
    on = [f"{step}: {c}" for c in ("Entered", "Moved on")]
    for key, column in zip(on, ("Entered", "Moved on"), strict=True):
        app.count(int(row[column]), key)
    waiting = int(row["Still waiting"])
    caveat = (
        f" ({app.count(waiting, f'{step}: Still waiting')} still waiting, so this year's "
        "figure may rise)"
        if waiting
        else ""
    )
    moved = app.share(f"{row['% moved on']}%", on)
    return (
        f"The step that changed most: {moved} of "
        f"households entering {first.lower()} in {year.replace('-', '/')} had reached "
        f"{second.lower()} by 31 March, {direction} from an average of {row['earlier']:.1f}% in "
        f"earlier years{caveat}."
    )


def key_findings(
    households: pd.DataFrame,
    year: str,
    years: list[str],
    published: pd.DataFrame,
    children_share: float,
    app: Appendix,
    other: pd.DataFrame | None = None,
) -> list[str]:
    """The appendix's key findings, written from the figures.

    Counts and shares go through ``app.count`` / ``app.share`` under the keys of the
    tables they come from (table names as the notebook gives them: ``cohorts``,
    ``leavers by stage``, ``channels``, ``groups``), so the page withholds a count in a
    sentence exactly when it withholds it in its table; :func:`relate_leavers` ties the
    remaining ones to the leavers' tables. ``other`` is :attr:`Loaded.other`: values the
    council's ``unknown_to_other`` setting counted as "other"; the year's extract's are said
    in a sentence, so none is hidden."""
    fy = FinancialYear.parse(year)
    counts = period_counts(households, year)
    sentences = []
    match = funnel_comparison(households, year, published, pd.DataFrame())
    difference = pd.to_numeric(match["Difference"], errors="coerce")
    compared = int(difference.notna().sum())
    differ = int((difference.dropna() != 0).sum())
    if not compared:
        agree = "have no published figures to be checked against"
    elif differ:
        agree = f"differ from the published figures at {differ} stage(s) (see the funnel table)"
    elif compared < len(match):
        agree = f"match the published figures at the {compared} stages the council published"
    else:
        agree = "match the published figures"
    sentences.append(
        f"In {fy.report_label} the service received {counts['enquiry']:,} enquiries, started "
        f"{counts['stage1']:,} stage 1 assessments and approved {counts['approval']:,} "
        f"households; these counts of events in the year {agree}."
    )
    cohorts = cohort_view(households, years, cohorts=2)
    previous = cohorts.iloc[0]
    if previous["Enquiries"]:
        cohort = previous["Enquiry year"]

        def cell(column: str) -> str:
            key = app.cell("cohorts", cohort, column)
            app.count(int(previous[column]), key)
            return key

        enquiries, approved = cell("Enquiries"), cell("Approved")
        left_first = _pct(previous["Left after enquiry"], previous["Enquiries"])
        left_share = app.share(f"{left_first}%", [cell("Left after enquiry"), enquiries])
        approved_share = app.share(f"{previous['% approved']}%", [approved, enquiries])
        sentences.append(
            "Following people rather than events: of the "
            f"{app.count(int(previous['Enquiries']), enquiries)} households "
            f"that enquired in {cohort.replace('-', '/')}, "
            f"{app.count(int(previous['Approved']), approved)} "
            f"({approved_share}) had been "
            f"approved by 31 March {fy.end.year}, {left_share} left at the first enquiry "
            f"and {app.count(int(previous['Still in progress']), cell('Still in progress'))} "
            "were still in progress."
        )
    by_stage = dropout_by_stage(households, year)
    total = int(by_stage["Total"].sum())
    if total:
        first = int(by_stage.loc[0, "Total"])
        later = total - first
        reasons = dropout_reasons(households, year)
        committed = reasons[reasons["Stage left"] != STAGE_LABELS["enquiry"]]
        avoidable_later = int(committed.loc[committed["Avoidable"] == "yes", "Households"].sum())
        first_key = app.cell("leavers by stage", STAGE_LABELS["enquiry"], "Total")
        app.count(first, first_key)
        app.relate("leavers", [first_key, "leavers after enquiry"])
        sentences.append(
            f"Of the {app.count(total, 'leavers')} households whose record closed in the year, "
            f"{app.share(f'{_pct(first, total)}%', ['leavers', first_key])} "
            "left at the first enquiry, before any commitment; "
            f"{app.count(later, 'leavers after enquiry')} left after expressing interest or "
            f"during assessment, {app.count(avoidable_later, 'avoidable leavers after enquiry')} "
            "of them for reasons the service can act on."
        )
        top = largest_avoidable(reasons)
        if not top.empty:
            named = "; ".join(
                f"{r.Reason.lower()} ({r['Stage left'].lower()}, "
                f"{app.count(int(r.Households), f'largest avoidable {i + 1}')})"
                for i, r in top.iterrows()
            )
            sentences.append(f"The largest avoidable losses this year: {named}.")
    change = _conversion_change(households, years, app)
    if change:
        sentences.append(change)
    durations = stage_durations(households, year).set_index("Step")
    assessment = durations.loc["Start of assessment (stage 1) to approval"]
    if assessment["Households"] > 5 or app.disclosure == "internal":
        median, low, high = (
            assessment[c] / 30.44 for c in ("Median (days)", "Lower quartile", "Upper quartile")
        )
        sentences.append(
            f"Households approved in {fy.report_label} took a median of {median:.1f} months "
            f"from starting stage 1 to approval (mean {assessment['Mean (months)']} months; "
            f"middle half {low:.1f} to {high:.1f} months). Statutory guidance expects about "
            "eight months; scrutiny heard 'an average of two years'."
        )
    mix = channel_mix(households, years)
    channels = channel_conversion(households, years).set_index("How they heard")
    if "Foster carer referral" in mix.columns and "Foster carer referral" in channels.index:
        referral_now = mix.loc[year, "Foster carer referral"]
        referral_then = mix.iloc[0]["Foster carer referral"]
        first_year = mix.index[0].replace("-", "/")

        def to_stage1(channel: str) -> str:
            if channel not in channels.index:
                return "0.0%"
            on = [app.cell("channels", channel, c) for c in ("Reached stage 1", "Enquiries")]
            for key, column in zip(on, ("Reached stage 1", "Enquiries"), strict=True):
                app.count(int(channels.loc[channel, column]), key)
            return app.share(f"{channels.loc[channel, '% to stage 1']}%", on)

        referred, social = to_stage1("Foster carer referral"), to_stage1("Social media")
        sentences.append(
            f"Foster carer referrals made {referral_now}% of {fy.report_label} enquiries "
            f"(from {referral_then}% in {first_year}); of enquirers since "
            f"{_last(years, 3)[0].replace('-', '/')}, {referred} "
            f"of referred enquirers started an assessment, against {social} of social media "
            "enquirers."
        )
    groups = who_gets_through(households, years).set_index("Group")

    def minority(group: str) -> str:
        on = [app.cell("groups", group, c) for c in ("Minority ethnic", "Ethnicity known")]
        for key, column in zip(on, ("Minority ethnic", "Ethnicity known"), strict=True):
            app.count(int(groups.loc[group, column]), key)
        return app.share(f"{groups.loc[group, '% minority ethnic']}%", on)

    pooled = _last(years, 3)
    span = pooled[0].replace("-", "/") + (
        f" to {year.replace('-', '/')}" if len(pooled) > 1 else ""
    )
    sentences.append(
        f"In {span}, "
        f"{minority('Enquirers')} of enquirers (whose ethnicity is known) were from minority "
        f"ethnic backgrounds, {minority('Applicants (started stage 1)')} of those starting "
        f"assessment and {minority('Approved households')} of those approved, against about "
        f"{children_share:g}% of children in care."
    )
    mapped = mapped_to_other(other, year, app.disclosure)
    if mapped:
        sentences.append(mapped)
    return sentences


# How a sentence names an enquiry's value of a column that may be mapped to "other".
_OTHER_PHRASES = {
    "channel": "from channels",
    "ethnic_group": "with ethnic groups",
    "exit_reason": "with exit reasons",
}


def _count(n: int, rule: str) -> str:
    """A count for a sentence that no table shows: withheld as 'fewer than six' under the
    public rule (nothing else on the page bears on it, so primary suppression suffices)."""
    if rule == "public" and 1 <= n <= 5:
        return "fewer than six"
    return f"{n:,}"


def mapped_to_other(other: pd.DataFrame | None, year: str, rule: str) -> str | None:
    """A sentence saying how many of ``year``'s enquiries had a value not declared for the
    year and were counted as "other" (``Loaded.other``), or None when there were none."""
    if other is None or other.empty:
        return None
    rows = other[other["extract_year"] == year] if "extract_year" in other else other
    totals = rows.groupby("column", sort=False)["count"].sum()
    shown = {column: _count(int(n), rule) for column, n in totals.items() if n}
    if not shown:
        return None
    parts = [
        f"{text} {'enquiry' if text == '1' else 'enquiries'} "
        f"{_OTHER_PHRASES.get(column, f'with {column} values')}"
        for column, text in shown.items()
    ]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    verb = "is" if list(shown.values()) == ["1"] else "are"
    return (
        f"{listed[:1].upper()}{listed[1:]} not declared for {year} {verb} counted as other, "
        "as the council's configuration allows (unknown_to_other)."
    )


def relate_leavers(app: Appendix, reasons: pd.DataFrame, largest: pd.DataFrame) -> None:
    """Tie the leavers' counts together once their tables are shown: each stage's total
    is the sum of its reasons, the findings' avoidable leavers after enquiry and largest
    losses are reasons' rows, and the largest-losses table repeats reasons' rows.

    Tables as the notebook names them: ``leavers by stage``, ``reasons``, ``largest``."""
    keys = app.keys("reasons", "Households")
    stages = reasons["Stage left"].tolist()
    for stage in dict.fromkeys(stages):
        parts = [k for k, s in zip(keys, stages, strict=True) if s == stage]
        app.relate(app.cell("leavers by stage", stage, "Total"), parts)
    later = (reasons["Stage left"] != STAGE_LABELS["enquiry"]) & (reasons["Avoidable"] == "yes")
    app.relate(
        "avoidable leavers after enquiry", [k for k, x in zip(keys, later, strict=True) if x]
    )
    where = dict(zip(zip(stages, reasons["Reason"], strict=True), keys, strict=True))
    pairs = zip(largest["Stage left"], largest["Reason"], strict=True)
    for i, (pair, key) in enumerate(zip(pairs, app.keys("largest", "Households"), strict=True)):
        app.relate(where[pair], [key])
        app.relate(f"largest avoidable {i + 1}", [key])


def relate_conversion(app: Appendix, recent: pd.DataFrame) -> None:
    """Tie the findings' conversion counts to the rows of the ``conversion`` table."""
    for column in ("Entered", "Moved on", "Still waiting"):
        for row, key in zip(recent.itertuples(), app.keys("conversion", column), strict=True):
            app.relate(f"conversion {row.Year} {row.From} to {row.To}: {column}", [key])


def relate_enquiries(
    app: Appendix, cohorts: pd.DataFrame, counts: pd.DataFrame, years: list[str]
) -> None:
    """One year's enquirers counted in several tables are one number: the ``cohorts`` and
    ``period vs cohort`` tables and the year's total of ``channel mix``; each channel's
    enquirers in ``channels`` add up its years in ``channel mix``."""
    for year in cohorts["Enquiry year"]:
        app.relate(
            app.cell("cohorts", year, "Enquiries"),
            [app.cell("period vs cohort", year, "Enquiries")],
        )
        app.relate(
            app.cell("cohorts", year, "Approved"),
            [app.cell("period vs cohort", year, "Enquirers approved by now")],
        )
    for year in counts["Year"]:
        app.relate(
            app.cell("channel mix", year, "Total"),
            [app.cell("period vs cohort", year, "Enquiries")],
        )
    for channel in [c for c in counts.columns if c not in ("Year", "Total")]:
        app.relate(
            app.cell("channels", channel, "Enquiries"),
            [app.cell("channel mix", year, channel) for year in _last(years, 3)],
        )


def relate_groups(app: Appendix, ethnic: pd.DataFrame) -> None:
    """Each group's households of known ethnicity, and of minority ethnicity, in the
    ``groups`` table add up rows of the ``ethnic`` table."""
    for group in GROUPS:
        keys = app.keys("ethnic", group)
        known = [k for k, g in zip(keys, ethnic["Ethnic group"], strict=True) if g != "Not known"]
        minority = [
            k for k, g in zip(keys, ethnic["Ethnic group"], strict=True) if g in MINORITY_ETHNIC
        ]
        app.relate(app.cell("groups", group, "Ethnicity known"), known)
        app.relate(app.cell("groups", group, "Minority ethnic"), minority)
