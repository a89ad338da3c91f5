"""The council's published figures beside Ofsted's national figures for local-authority
fostering services, where a comparable national figure exists.

Comparable means a rate on the same definition: a council's count beside a national count
says nothing. Two are compared:

- **Applications per 100 initial enquiries in the year (%)**: Ofsted's "initial enquiries that
  resulted in an application" (applications received in the year over the year's initial
  enquiries, a period ratio, not the share of those enquirers who applied), against the
  council's stage 1 assessments started over initial enquiries (an assessment's stage 1
  starts when the service receives the application).
- **Households ceasing to foster as a share of approved households at 31 March (%)**:
  Ofsted's LA-sector households deregistered over its approved households at 31 March (both
  for the same year), against the council's households ceasing to foster over its approved
  households at 31 March.

A national figure is taken for the same year when Ofsted gives one, otherwise for the latest
earlier year, and the table says which year it is; for a year where the sources give
Ofsted's counts but not its rate, the rate is computed here from the counts (and says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.published_trends import measures as trends
from analysis.sources.ofsted import national

SECTOR = "LA"
ENQUIRIES = "Applications per 100 initial enquiries in the year (%)"
LEAVING = "Households ceasing to foster, as a share of approved households at 31 March (%)"


@dataclass(frozen=True)
class Comparison:
    """One rate: the council's for the year and the LA sector's, with where it is from."""

    measure: str
    council: float | None
    england: float | None
    england_year: str | None
    source: str
    caveats: tuple[str, ...] = ()
    used: tuple[national.Figure, ...] = ()  # the national figures it rests on

    @property
    def england_decimals(self) -> int:
        """The national figure's decimal places: as its source prints it when it is one
        quoted figure (Ofsted's 12%), one decimal when computed here."""
        if len(self.used) == 1:
            _, _, fraction = f"{self.used[0].value:g}".partition(".")
            return len(fraction)
        return 1


def _series_value(series: pd.Series, year: str) -> float | None:
    if year not in series.index or pd.isna(series.loc[year]):
        return None
    return float(series.loc[year])


def enquiries_to_applications(figures: pd.DataFrame, ofsted: pd.DataFrame, year: str) -> Comparison:
    """Stage 1 starts per 100 initial enquiries, beside the LA sector's enquiry-to-application
    rate."""
    stages = trends.funnel(figures)
    council = None
    if not stages.empty:
        started = _series_value(stages["stage1_started"], year)
        enquiries = _series_value(stages["initial_enquiries"], year)
        if started is not None and enquiries:
            council = round(100 * started / enquiries, 1)
    quoted, computed = _enquiry_rate(ofsted, year)
    caveats = tuple(national.caveats("enquiry_to_application_percent"))
    if quoted is not None:
        return Comparison(
            ENQUIRIES, council, quoted.value, quoted.year, quoted.citation, caveats, (quoted,)
        )
    if computed is not None:
        made, asked = computed
        source = (
            f"computed here from {made.shown} LA-sector applications received in "
            f"{made.year_label} ({made.citation}) and {asked.shown} initial enquiries "
            f"({asked.citation})"
        )
        rate = round(100 * made.value / asked.value, 1)
        return Comparison(
            ENQUIRIES, council, rate, made.year, source, (*caveats, national.ROUNDING), computed
        )
    return Comparison(ENQUIRIES, council, None, None, "", caveats)


def _enquiry_rate(
    ofsted: pd.DataFrame, year: str
) -> tuple[national.Figure | None, tuple[national.Figure, national.Figure] | None]:
    """The LA sector's enquiry-to-application rate for ``year`` or the latest earlier year
    that has one: Ofsted's quoted rate, or else its counts of applications and initial
    enquiries for that year (one rule for every national rate: the latest year first, a
    quoted figure before one computed here)."""
    for candidate in sorted(set(ofsted["year"]), reverse=True):
        if candidate > year:
            continue
        quoted = national.figure(ofsted, candidate, SECTOR, "enquiry_to_application_percent")
        if quoted is not None:
            return quoted, None
        made = national.figure(ofsted, candidate, SECTOR, "applications_received")
        asked = national.figure(ofsted, candidate, SECTOR, "initial_enquiries")
        if made is not None and asked is not None:
            return None, (made, asked)
    return None, None


def leaving_share(figures: pd.DataFrame, ofsted: pd.DataFrame, year: str) -> Comparison:
    """Households ceasing to foster per 100 approved at 31 March, council and LA sector."""
    left = trends.leavers(figures)
    homes = trends.households(figures).drop_duplicates("year").set_index("year")["households"]
    council = None
    if not left.empty:
        ceased = _series_value(left["Total (as printed)"], year)
        at_end = _series_value(homes, year)
        if ceased is not None and at_end:
            council = round(100 * ceased / at_end, 1)
    years = sorted(
        y
        for y in ofsted.loc[ofsted["measure"] == "households_deregistered", "year"]
        if y <= year
        and national.figure(ofsted, y, SECTOR, "households_deregistered")
        and national.figure(ofsted, y, SECTOR, "approved_households_31_march")
    )
    if not years:
        return Comparison(LEAVING, council, None, None, "")
    chosen = years[-1]
    gone = national.figure(ofsted, chosen, SECTOR, "households_deregistered")
    stock = national.figure(ofsted, chosen, SECTOR, "approved_households_31_march")
    assert gone is not None and stock is not None
    source = (
        f"computed here from {gone.shown} LA-sector households deregistered in "
        f"{gone.year_label} ({gone.citation}) and {stock.shown} approved at 31 March "
        f"{FinancialYear.parse(chosen).end.year} ({stock.citation})"
    )
    return Comparison(
        LEAVING,
        council,
        round(100 * gone.value / stock.value, 1),
        chosen,
        source,
        (national.ROUNDING,),
        (gone, stock),
    )


def leaving_gap(found: Comparison, ofsted: pd.DataFrame, year: str, council: str) -> str:
    """Why a page shows no households-leaving comparison for ``year`` (``found`` is
    :func:`leaving_share`'s result): the council's figures or Ofsted's are missing."""
    label = FinancialYear.parse(year).report_label
    if found.council is None:
        return (
            f"No comparison for {label}: {council} has not published both its households "
            "ceasing to foster and its approved households at 31 March for the year."
        )
    first = sorted(
        y
        for y in set(ofsted["year"])
        if national.figure(ofsted, y, SECTOR, "households_deregistered")
        and national.figure(ofsted, y, SECTOR, "approved_households_31_march")
    )
    since = f" start with {FinancialYear.parse(first[0]).report_label}" if first else " are none"
    return (
        f"No comparable national figure for {label}: the Ofsted figures held here that give "
        "local-authority services' households deregistered and approved households for the "
        f"same year{since}."
    )


def comparisons(figures: pd.DataFrame, ofsted: pd.DataFrame, year: str) -> list[Comparison]:
    """Every comparison that has both a council and a national figure for the year."""
    found = [enquiries_to_applications(figures, ofsted, year), leaving_share(figures, ofsted, year)]
    return [c for c in found if c.council is not None and c.england is not None]


def comparison_table(found: list[Comparison], year: str, council: str) -> pd.DataFrame:
    """The comparisons for display: the measure, the council, the LA sector and its year."""
    label = FinancialYear.parse(year).report_label
    return pd.DataFrame(
        {
            "Measure": [c.measure for c in found],
            f"{council}, {label} (%)": [f"{c.council:.1f}" for c in found],
            "Local-authority fostering services, England (%)": [
                f"{c.england:.{c.england_decimals}f}" for c in found
            ],
            "Year of the national figure": [
                FinancialYear.parse(c.england_year).report_label for c in found
            ],
        }
    )


def sources_note(found: list[Comparison], annexed: bool = True) -> str:
    """Where each national figure is from, and what a reader must bear in mind; with
    ``annexed``, that the words quoted and the addresses (:func:`quoted`) are in the
    page's technical annex."""
    caveats = list(dict.fromkeys(note for c in found for note in c.caveats))
    lines = [f"{c.measure}: {c.source}." for c in found]
    annex = ["Each national figure's source is in the technical annex."] if annexed else []
    return " ".join([*lines, *caveats, *annex])


def quoted(found: list[Comparison]) -> pd.DataFrame:
    """Every national figure the comparisons use, with the words quoted and the address."""
    used = list(dict.fromkeys(f for c in found for f in c.used))
    return national.context_table(used).assign(Quoted=[f"\u201c{f.quote}\u201d" for f in used])
