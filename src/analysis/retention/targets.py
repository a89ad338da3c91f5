"""The council's published retention and capacity figures, as targets to reconcile against.

The figures are read only through the published-figures loader
(:mod:`analysis.sources.published.load`, ``councils/<slug>/published/``): nothing is
retyped here. :data:`MEASURES` says which printed measure is which register figure;
the council's ``published/reconciliation.toml`` declares, per printed figure, any other
reading (another register measure or year) and a note, so that no council's choices live
in the package. Each target carries the range of register values that reproduce it as
printed (:func:`tolerance`), its document and section.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from analysis.council.config import Council
from analysis.sources.published import load as published
from analysis.sources.published.load import PublishedError

READINGS_FILE = "reconciliation.toml"
# Printed (table, measure, breakdown, basis) -> the register figure it is
# (analysis.retention.measures.register_figures), in the reconciliation table's order.
_REASONS = {
    "permanence_plan": "permanence",
    "transfer_other_la": "transfer_la",
    "transfer_ifa": "transfer_ifa",
    "personal_circumstances": "personal",
    "not_for_them": "not_for_them",
    "dissatisfied": "dissatisfied",
    "safeguarding_termination": "safeguarding",
    "resigned_prior_to_concerns": "resigned_quality",
    "other_including_death": "other",
    "total": "total",
}
MEASURES: dict[tuple[str, str, str, str], str] = {
    **{
        ("mainstream_households_ceasing", "households_ceasing", breakdown, ""): f"leavers: {code}"
        for breakdown, code in _REASONS.items()
    },
    ("mainstream_recruitment", "households_approved", "", ""): "approvals",
    ("mainstream_recruitment", "approved_households", "", ""): "households at 31 March",
    ("mainstream_capacity", "approved_households", "", ""): "households at 31 March",
    ("retention_text", "retention_rate", "", ""): "retention rate %",
    ("mainstream_capacity", "approved_places", "", ""): "approved places",
    ("mainstream_capacity", "approved_places_per_household", "", ""): "places per household",
    ("mainstream_capacity", "occupancy_rate", "", ""): "occupancy %",
    ("children_in_care", "children_in_internal_mainstream_placements", "", ""): "filled places",
    ("mainstream_capacity", "vacant_share_of_unoccupied", "", ""): (
        "vacant for matching, % of unoccupied"
    ),
    ("mainstream_capacity", "vacant_share_of_approved", "", ""): (
        "vacant for matching, % of approved"
    ),
    ("connected_persons", "children_with_connected_persons_carers", "", ""): (
        "connected persons: children at 31 March"
    ),
    (
        "fostering_panel_cases",
        "cases_presented",
        "resignations_and_deregistrations",
        "connected_person",
    ): ("connected persons: deregistrations"),
    ("specialist_schemes", "next_steps_households", "", ""): "Next Steps households at 31 March",
    ("specialist_schemes", "next_steps_young_people", "", ""): (
        "Next Steps children placed at 31 March"
    ),
    ("specialist_schemes", "out_of_hours_households_joined", "", ""): (
        "out of hours households joining"
    ),
    ("specialist_schemes", "out_of_hours_carers_left", "", ""): (
        "out of hours households leaving the scheme"
    ),
    ("specialist_schemes", "parent_and_child_carers", "", ""): (
        "parent and child households at 31 March"
    ),
}
# Register figures in the order the reconciliation table lists them.
ORDER = [
    *(f"leavers: {code}" for code in _REASONS.values()),
    "approvals",
    "households at 31 March",
    "retention rate %",
    "approved places",
    "places per household",
    "occupancy %",
    "filled places",
    "carer not considering more, % of unoccupied",
    "vacant for matching, % of unoccupied",
    "vacant for matching, % of approved",
    "unavailable, % of approved",
    "on hold or blocked, % of approved",
    "connected persons: children at 31 March",
    "connected persons: deregistrations",
    "Next Steps households at 31 March",
    "Next Steps children placed at 31 March",
    "out of hours households joining",
    "out of hours households leaving the scheme",
    "parent and child households at 31 March",
]
# A reading names a printed figure (table, measure, year; optionally breakdown, basis,
# source, value as printed) and may compare it with another register figure or year.
READING_KEYS = {
    "table": str,
    "measure": str,
    "year": str,
    "breakdown": str,
    "basis": str,
    "source": str,
    "value": str,
    "compare_as": str,
    "compare_year": str,
    "note": str,
}
_MATCH = ("table", "measure", "year", "breakdown", "basis", "source", "value")
COLUMNS = ["year", "measure", "published", "low", "high", "source", "note"]


def tolerance(number: float, decimals: int, qualifier: str, unit: str) -> tuple[float, float]:
    """The register values that reproduce a figure as printed (both ends included).

    A count must match exactly. Any other figure printed to ``decimals`` places (step
    ``s`` = 10^-decimals) is reproduced by a value that rounds or truncates to it:
    ``number - s/2`` to ``number + s`` (reports do both). A hedge widens or moves the range:
    "around"/"approximately" one step either side, "just over"/"over" from the number up
    (one step, or without limit), "nearly" up to one step below."""
    step = 10.0**-decimals
    if qualifier == "around":
        return number - step, number + step
    if qualifier == "just over":
        return number, number + step
    if qualifier == "over":
        return number, math.inf
    if qualifier == "nearly":
        return number - step, number
    if unit == "count":
        return number, number
    return number - step / 2, number + step


def readings(council: Council) -> list[dict[str, str]]:
    """The council's declared readings (``published/reconciliation.toml``; none without one)."""
    path = Path(council.published) / READINGS_FILE
    if not path.is_file():
        return []
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise PublishedError(path, f"not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"reading"})
    if unknown:
        raise PublishedError(path, f"unknown key {unknown[0]!r}", column=unknown[0])
    out = []
    for number, reading in enumerate(data.get("reading", []), start=1):
        where = f"[[reading]] number {number}"
        bad = sorted(set(reading) - set(READING_KEYS))
        if bad:
            raise PublishedError(
                path,
                f"unknown key {bad[0]!r} in {where}",
                column=bad[0],
                hint=f"known keys: {', '.join(READING_KEYS)}",
            )
        for key in ("table", "measure", "year"):
            if key not in reading:
                raise PublishedError(path, f"{where} must name the figure's {key}", column=key)
        for key, value in reading.items():
            if not isinstance(value, READING_KEYS[key]):
                raise PublishedError(path, f"{where} {key} must be text", column=key, value=value)
        if reading.get("compare_as", ORDER[0]) not in ORDER:
            raise PublishedError(
                path,
                f"{where} compares with {reading['compare_as']!r}, not a register figure",
                column="compare_as",
                value=reading["compare_as"],
                hint=f"register figures: {', '.join(ORDER)}",
            )
        out.append(reading)
    return out


def _matches(figures: pd.DataFrame, reading: dict[str, str]) -> pd.Series:
    hit = pd.Series(True, index=figures.index)
    for key in _MATCH:
        if key in reading:
            column = "value_text" if key == "value" else key
            hit &= figures[column] == reading[key]
    return hit


def _document(title: str) -> str:
    """A document's title without the meeting it was printed for (the bracket)."""
    return title.split(" (")[0]


def targets(council: Council) -> pd.DataFrame:
    """Every published figure the register can be reconciled with: year, register measure,
    the number printed, the range that reproduces it, its document and section, and a note.

    Where several documents print the same value for the same year, the latest is kept;
    different values are each a target (the register cannot match both). A council
    with no published retention figures gets an empty table."""
    figures = published.load_all(council.published)
    figures = figures[figures["status"] == "value"].copy()
    keys = zip(
        figures["table"], figures["measure"], figures["breakdown"], figures["basis"], strict=True
    )
    figures["target"] = [MEASURES.get(key) for key in keys]
    figures["target_year"] = figures["year"]
    figures["reading_note"] = ""
    for reading in readings(council):
        hit = _matches(figures, reading)
        if not hit.any():
            raise PublishedError(
                Path(council.published) / READINGS_FILE,
                f"the reading of {reading['measure']} {reading['year']} names no printed figure",
                column="measure",
                value=reading["measure"],
            )
        if "compare_as" in reading:
            figures.loc[hit, "target"] = reading["compare_as"]
        figures.loc[hit, "target_year"] = reading.get("compare_year", reading["year"])
        figures.loc[hit, "reading_note"] = reading.get("note", "")
    figures = figures[figures["target"].notna()]
    if figures.empty:
        return pd.DataFrame(columns=COLUMNS)
    latest = figures.sort_values(["date", "source"], ascending=False, kind="stable")
    kept = latest.drop_duplicates(["target_year", "target", "number"]).sort_index()
    rows = []
    for f in kept.itertuples(index=False):
        low, high = tolerance(f.number, f.decimals, f.qualifier, f.unit)
        # The council's reading note replaces the transcription's note about the cell.
        said = f.reading_note or f.note
        notes = [*([f"printed '{f.value_text}'"] if f.qualifier else []), *([said] if said else [])]
        rows.append(
            {
                "year": f.target_year,
                "measure": f.target,
                "published": f.number,
                "low": low,
                "high": high,
                "source": f"{_document(f.document)}, {f.section}",
                "note": "; ".join(notes),
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["order"] = out["measure"].map(ORDER.index)
    return (
        out.sort_values(["order", "year"], kind="stable")
        .drop(columns="order")
        .reset_index(drop=True)
    )
