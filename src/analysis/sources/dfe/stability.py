"""The DfE's published placement-stability figures: a council, England, its region, its neighbours.

Reads ``data/raw/dfe/la_cla_placement_stability.csv`` (real, published) and the DfE's
2025 statistical-neighbour model (through the council's configuration). Reporting year 2025 is
financial year 2024-25. Neighbours' figures are pooled (sum of counts, percentage of
the sum) so the comparison is on the same basis as England and the region.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core import paths
from analysis.core.errors import InputError

if TYPE_CHECKING:
    from analysis.council.config import Council

FILE = "la_cla_placement_stability.csv"
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


def comparison(council: Council, folder: Path | None = None) -> pd.DataFrame:
    """Counts per year for the council, England, its region and its neighbours (pooled)."""
    wide = load(folder)
    found = wide.loc[wide["area"] == council.la_code]
    if found.empty:
        raise InputError((folder or paths.DFE) / FILE, "council not found", value=council.la_code)
    neighbours = wide.loc[wide["area"].isin(council.neighbours)]
    measures = list(GROUPS.values())
    pooled = neighbours.groupby("year")[measures].sum(min_count=1).reset_index()
    pooled["area"], pooled["name"] = "neighbours", "Statistical neighbours"
    parts = [
        found.assign(area="council", name=council.short_name),
        wide.loc[wide["area"] == "England"],
        wide.loc[wide["area"] == council.region],
        pooled,
    ]
    return pd.concat(parts, ignore_index=True)[["area", "name", "year", *measures]]


def rates(table: pd.DataFrame) -> pd.DataFrame:
    """Each indicator as a whole-number percentage, long format (area name, year, indicator)."""
    rows = []
    for label, (part, whole) in INDICATORS.items():
        pct = (100 * table[part] / table[whole]).round(0)
        rows.append(table[["name", "year"]].assign(indicator=label, percent=pct))
    return pd.concat(rows, ignore_index=True)
