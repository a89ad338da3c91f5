"""The DfE's published placement-stability figures: a council, England, its region, its neighbours.

Reads ``data/raw/dfe/la_cla_placement_stability.csv`` (real, published) and the DfE's
2025 statistical-neighbour model ``sn_model_2025_wide.csv``. Reporting year 2025 is
financial year 2024-25. Neighbours' figures are pooled (sum of counts, percentage of
the sum) so the comparison is on the same basis as England and the region.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.errors import InputError

FILE = "la_cla_placement_stability.csv"
NEIGHBOURS = "sn_model_2025_wide.csv"
COVENTRY = "331"
GROUPS = {
    ("CLA on 31 March", "Total children"): "cla_31_march",
    ("CLA on 31 March", "With 3 or more placements during the year"): "cla_31_march_3_plus",
    ("CLA 2 years on 31 March", "Total children"): "cla_2_years",
    (
        "CLA 2 years on 31 March",
        "With 3 or more placements during the previous 2 years",
    ): "cla_2_years_3_plus",
    (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
        "Total children",
    ): "long_term",
    (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
        "Living with the same carer for at least 2 years",
    ): "long_term_same_carer",
}
INDICATORS = {
    "3+ placements in the year": ("cla_31_march_3_plus", "cla_31_march"),
    "3+ placements in 2 years": ("cla_2_years_3_plus", "cla_2_years"),
    "Same carer 2+ years (under 16s)": ("long_term_same_carer", "long_term"),
}


def year_label(reporting_year: int) -> str:
    """Reporting year 2025 -> financial year "2024-25"."""
    return f"{reporting_year - 1}-{reporting_year % 100:02d}"


def load(folder: Path | None = None) -> pd.DataFrame:
    """Published counts, wide: one row per area and year (area = England, region or LA code)."""
    path = (folder or paths.DFE) / FILE
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    needed = ["time_period", "geographic_level", "region_name", "old_la_code", "la_name"]
    needed += ["cla_group", "placement_stability", "children_count"]
    missing = [c for c in needed if c not in raw]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", row=1, column=missing[0])
    raw["measure"] = [
        GROUPS.get((g, s))
        for g, s in zip(raw["cla_group"], raw["placement_stability"], strict=True)
    ]
    raw = raw.loc[raw["measure"].notna()].copy()
    raw["area"] = raw["old_la_code"].where(raw["geographic_level"] == "Local authority")
    raw.loc[raw["geographic_level"] == "National", "area"] = "England"
    regional = raw["geographic_level"] == "Regional"
    raw.loc[regional, "area"] = raw.loc[regional, "region_name"]
    raw["name"] = raw["la_name"].fillna(raw["area"])
    raw["count"] = pd.to_numeric(raw["children_count"], errors="coerce")
    raw["year"] = raw["time_period"].astype(int).map(year_label)
    wide = raw.pivot_table(
        index=["area", "name", "year"], columns="measure", values="count", aggfunc="first"
    )
    return wide.reset_index()


def statistical_neighbours(la_code: str = COVENTRY, folder: Path | None = None) -> list[str]:
    """The council's ten DfE statistical neighbours (old LA codes), closest first."""
    path = (folder or paths.DFE) / NEIGHBOURS
    model = pd.read_csv(path, dtype=str, encoding="utf-8-sig").set_index("old_la_code")
    if la_code not in model.index:
        raise InputError(
            path, "council not in the neighbour model", column="old_la_code", value=la_code
        )
    return [model.loc[la_code, f"SN_{i}"] for i in range(1, 11)]


def comparison(la_code: str = COVENTRY, folder: Path | None = None) -> pd.DataFrame:
    """Counts per year for the council, England, its region and its neighbours (pooled)."""
    wide = load(folder)
    council = wide.loc[wide["area"] == la_code]
    if council.empty:
        raise InputError((folder or paths.DFE) / FILE, "council not found", value=la_code)
    region = load_region_name(la_code, folder)
    neighbours = wide.loc[wide["area"].isin(statistical_neighbours(la_code, folder))]
    measures = list(GROUPS.values())
    pooled = neighbours.groupby("year")[measures].sum(min_count=1).reset_index()
    pooled["area"], pooled["name"] = "neighbours", "Statistical neighbours"
    parts = [
        council.assign(area="council"),
        wide.loc[wide["area"] == "England"],
        wide.loc[wide["area"] == region],
        pooled,
    ]
    return pd.concat(parts, ignore_index=True)[["area", "name", "year", *measures]]


def load_region_name(la_code: str, folder: Path | None = None) -> str:
    raw = pd.read_csv(
        (folder or paths.DFE) / FILE, dtype=str, usecols=["old_la_code", "region_name"]
    )
    return raw.loc[raw["old_la_code"] == la_code, "region_name"].iloc[0]


def rates(table: pd.DataFrame) -> pd.DataFrame:
    """Each indicator as a whole-number percentage, long format (area name, year, indicator)."""
    rows = []
    for label, (part, whole) in INDICATORS.items():
        pct = (100 * table[part] / table[whole]).round(0)
        rows.append(table[["name", "year"]].assign(indicator=label, percent=pct))
    return pd.concat(rows, ignore_index=True)
