"""Ofsted's national fostering figures ("Fostering in England"), each with its source.

Reads ``data/raw/ofsted/fostering_in_england_national.csv`` (copied unchanged from the
project's shared reference): one row per year, sector (``all``, ``LA`` for local-authority
fostering services, ``IFA``) and measure, with the page it was read from and the words
quoted there. Only some rows come from Ofsted's own pages; the rest restate Ofsted's
figures in news or sector reports, and are cited as "reported by" that publisher. When
both exist for a figure the official row is used, and a differing restatement is kept
so the page can say figures disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, YearError

FILE = paths.RAW / "ofsted" / "fostering_in_england_national.csv"
COLUMNS = [
    "year",
    "sector",
    "measure",
    "value",
    "unit",
    "source_url",
    "quote",
    "source_type",
    "note",
]
SECTORS = {
    "all": "all fostering agencies in England",
    "LA": "local-authority fostering services in England",
    "IFA": "independent fostering agencies in England",
}
UNITS = ("count", "percent", "ratio")
RELEASE = "Fostering in England"
# What the reference's README tells every reader (definition changes; second-hand rows).
ENQUIRY_CAVEAT = (
    "Ofsted clarified what counts as an initial enquiry for 2023/24 and changed how enquiries "
    "are collected for 2024/25, so enquiry counts and enquiry-to-application rates are not "
    "strictly comparable across those years."
)
ROUNDING = "Ofsted rounds its published counts to the nearest five."


class OfstedError(InputError):
    """The national figures file of the repository is malformed (named from the root)."""

    whole_path = True


@dataclass(frozen=True)
class Figure:
    """One national figure as quoted, with where it was read."""

    year: str
    sector: str
    measure: str
    value: float
    unit: str
    url: str
    quote: str
    official: bool
    publisher: str  # "Ofsted" for an official row, else who restated it
    note: str
    others: tuple[float, ...] = ()  # differing values other sources give for the same figure

    @property
    def year_label(self) -> str:
        """``2022/23``: the year style the appendices print."""
        return FinancialYear.parse(self.year).report_label

    @property
    def shown(self) -> str:
        """The value as a reader sees it: ``12%``, ``2,540``, ``8 to 1``."""
        if self.unit == "percent":
            return f"{self.value:g}%"
        if self.unit == "ratio":
            return f"{self.value:g} to 1"
        return f"{self.value:,.0f}"

    @property
    def citation(self) -> str:
        """Who says so and for which year, as a page quotes it."""
        if self.official:
            return _official_title(self.url, self.year)
        return f"Ofsted's figure for {self.year_label}, as reported by {self.publisher}"


def _publisher(source_type: str) -> tuple[bool, str]:
    """Whether a row is Ofsted's own, and who published it, as the file says
    (``secondary: CYPNow (May 2023)`` -> ``CYPNow (May 2023)``)."""
    if source_type.startswith("official"):
        return True, "Ofsted"
    return False, source_type.removeprefix("secondary:").strip()


def _official_title(url: str, year: str) -> str:
    """The Ofsted publication an official row's address belongs to."""
    if "recruitment-and-retention" in url:
        return "Ofsted, Recruitment and retention in mainstream fostering (25 March 2024)"
    fy = FinancialYear.parse(year)
    return f"Ofsted, {RELEASE}, 1 April {fy.start_year} to 31 March {fy.start_year + 1}"


def load(file: Path = FILE) -> pd.DataFrame:
    """The national figures, checked: known years, sectors and units, numeric values.

    Adds ``official`` (an Ofsted page) and ``publisher``; a bad row stops with the file,
    spreadsheet row, column and value.
    """
    if not file.is_file():
        raise OfstedError(file, "the national fostering figures are missing")
    frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise OfstedError(file, f"missing columns: {', '.join(missing)}", row=1)
    for i, row in frame.iterrows():
        line = int(i) + 2  # the header is row 1
        try:
            FinancialYear.parse(row["year"])
        except YearError as error:
            raise OfstedError(
                file, str(error), row=line, column="year", value=row["year"]
            ) from None
        for column, allowed in (("sector", tuple(SECTORS)), ("unit", UNITS)):
            if row[column] not in allowed:
                raise OfstedError(
                    file,
                    f"{column} must be one of {', '.join(allowed)}",
                    row=line,
                    column=column,
                    value=row[column],
                )
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", row["value"]):
            raise OfstedError(file, "not a number", row=line, column="value", value=row["value"])
        if not row["source_url"].startswith(("https://", "http://")):
            raise OfstedError(
                file, "every figure needs the address it was read from", row=line,
                column="source_url", value=row["source_url"],
            )  # fmt: skip
    who = frame["source_type"].map(_publisher)
    return frame.assign(
        value=frame["value"].astype(float),
        official=[o for o, _ in who],
        publisher=[p for _, p in who],
    )


def figure(frame: pd.DataFrame, year: str, sector: str, measure: str) -> Figure | None:
    """The figure for a year, sector and measure (None when no source gives it).

    Ofsted's own row is preferred, then the file's order; other sources' differing values
    are kept in ``others``.
    """
    rows = frame.loc[
        (frame["year"] == year) & (frame["sector"] == sector) & (frame["measure"] == measure)
    ]
    if rows.empty:
        return None
    rows = rows.sort_values("official", ascending=False, kind="stable")
    best = rows.iloc[0]
    others = tuple(dict.fromkeys(v for v in rows["value"] if v != best["value"]))
    return Figure(
        year=year,
        sector=sector,
        measure=measure,
        value=float(best["value"]),
        unit=best["unit"],
        url=best["source_url"],
        quote=best["quote"],
        official=bool(best["official"]),
        publisher=best["publisher"],
        note=best["note"],
        others=others,
    )


def latest(frame: pd.DataFrame, year: str, sector: str, measure: str) -> Figure | None:
    """The figure for ``year``, or failing that for the latest earlier year that has one."""
    years = sorted(
        y
        for y in frame.loc[(frame["sector"] == sector) & (frame["measure"] == measure), "year"]
        if y <= year
    )
    return figure(frame, years[-1], sector, measure) if years else None


def caveats(measure: str) -> list[str]:
    """What a reader must be told beside a figure for ``measure``."""
    notes = [ROUNDING] if "percent" not in measure else []
    if "enquir" in measure:
        notes.append(ENQUIRY_CAVEAT)
    return notes


def context_table(figures: list[Figure]) -> pd.DataFrame:
    """National figures for display: what, for whom, the year, the figure and its source."""
    return pd.DataFrame(
        {
            "Figure": [MEASURES.get(f.measure, f.measure) for f in figures],
            "Sector": [SECTORS[f.sector] for f in figures],
            "Year": [f.year_label for f in figures],
            "National figure": [f.shown for f in figures],
            "Source": [f"{f.citation}: {f.url}" for f in figures],
        }
    )


# Reader's names for the measures the appendices compare a council with.
MEASURES = {
    "enquiry_to_application_percent": "Applications per 100 initial enquiries in the year (%)",
    "initial_enquiries_per_application": "Initial enquiries per application",
    "initial_enquiries": "Initial enquiries",
    "applications_received": "Applications received",
    "households_approved": "Households newly approved (still active at 31 March)",
    "households_deregistered": "Households deregistered in the year",
    "approved_households_31_march": "Approved households at 31 March",
    "fostering_households_31_march": "Fostering households at 31 March",
    "mainstream_households_31_march": "Mainstream fostering households at 31 March",
    "approved_places_31_march": "Approved places at 31 March",
    "filled_places_percent": "Approved places filled (%)",
}
