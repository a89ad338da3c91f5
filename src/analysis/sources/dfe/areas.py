"""English local authorities as the DfE files name them: codes, names, regions, neighbours.

Read with the standard library (no pandas) so that loading a council's configuration
stays cheap. Sources: ``la_cla_placement_stability.csv`` (old and new LA codes, names,
regions) and ``sn_model_2025_wide.csv`` (the DfE's 2025 statistical-neighbour model).
"""

from __future__ import annotations

import csv
import difflib
from functools import cache
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import InputError

STABILITY = "la_cla_placement_stability.csv"
NEIGHBOURS = "sn_model_2025_wide.csv"


@cache
def _authorities(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / STABILITY
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            r["old_la_code"]: {
                "la_code": r["old_la_code"],
                "name": r["la_name"],
                "new_la_code": r["new_la_code"],
                "region": r["region_name"],
            }
            for r in rows
            if r["geographic_level"] == "Local authority"
        }


def authorities(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """Every LA in the DfE file, by old (three-digit) LA code."""
    return _authorities(folder or paths.DFE)


def authority(
    la_code: str, source: Path | None = None, *, column: str = "la_code", folder: Path | None = None
) -> dict[str, str]:
    """One LA's codes, name and region, or an error listing the nearest codes and names."""
    known = authorities(folder)
    if la_code in known:
        return known[la_code]
    names = {f"{a['la_code']} {a['name']}": a for a in known.values()}
    near = difflib.get_close_matches(str(la_code), list(known), n=3, cutoff=0.5)
    near += [
        k.split(" ", 1)[0]
        for k in difflib.get_close_matches(str(la_code), list(names), n=3, cutoff=0.3)
    ]
    listed = ", ".join(f"{c} ({known[c]['name']})" for c in dict.fromkeys(near)) or "none close"
    raise InputError(
        source or (folder or paths.DFE) / STABILITY,
        "not an LA code in the DfE's placement-stability file",
        column=column,
        value=la_code,
        hint=f"nearest LA codes: {listed}",
    )


def statistical_neighbours(la_code: str, folder: Path | None = None) -> list[str]:
    """The council's ten DfE statistical neighbours (old LA codes), closest first."""
    path = (folder or paths.DFE) / NEIGHBOURS
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["old_la_code"] == la_code:
                return [row[f"SN_{i}"] for i in range(1, 11)]
    raise InputError(
        path, "council not in the neighbour model", column="old_la_code", value=la_code
    )
