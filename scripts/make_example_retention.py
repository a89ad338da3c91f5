"""Write the SYNTHETIC household register extracts, 2018-19 to 2024-25.

``python scripts/make_example_retention.py [FOLDER] [--council SLUG]`` writes
``data/raw/example/<slug>/retention/household_register_<year>_SYNTHETIC.csv`` in the
layouts the council declares (``councils/<slug>/layouts/retention.toml``). The data
describe no real household: they are drawn with a fixed seed and constrained so
that the counts the council has published (households ceasing to foster by
reason, approvals, approved households, places and occupancy at 31 March, the
scheme and connected persons figures) come out exactly; see the targets below,
each with its source, and docs/assumptions.md "Retention and capacity" for every
choice. Rerunning reproduces the files byte for byte.

Household ids: households approved in 2018-19 onwards are the approvals in the
recruitment example (``analysis.recruitment.measures.approved_households``: same id,
approval date, household type, ethnic group and transfer flag);
households approved before April 2018 take ids H000001-H049999 and connected
persons households H050001-H099999, below the recruitment example's range
(H100000-H999999); the generator stops if an id would be used twice.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.layouts import Layout
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.council.config import Council
from analysis.recruitment.measures import approved_households
from analysis.retention.load import layouts
from analysis.retention.schema import CANONICAL, YES_NO, file_name
from analysis.sources.published import load as published

SEED = 20250331
YEARS = [FinancialYear(y) for y in range(2018, 2025)]

# ---- Published targets (mainstream unless said) ------------------------------------
# Approvals per year: recruitment funnel, 2022/23 report (2018/19-2022/23) and
# 2024/25 report (2023/24-2024/25).
APPROVALS = {2018: 33, 2019: 21, 2020: 23, 2021: 20, 2022: 16, 2023: 17, 2024: 20}
# Households ceasing to foster by reason: 2022/23 report table (2018/19-2019/20) and
# 2024/25 report table (2020/21-2024/25, identical to the 2022/23 report where they
# overlap). 2018/19's printed rows sum to 16 although its printed total is 15: the
# register follows the rows.
LEAVERS = {
    2018: {"permanence": 2, "transfer_la": 1, "personal": 10, "resigned_quality": 2, "other": 1},
    2019: {"permanence": 4, "transfer_la": 1, "personal": 12, "resigned_quality": 1},
    2020: {
        "transfer_la": 1,
        "transfer_ifa": 1,
        "personal": 4,
        "not_for_them": 5,
        "dissatisfied": 1,
        "resigned_quality": 1,
        "other": 1,
    },
    2021: {
        "permanence": 1,
        "transfer_ifa": 1,
        "personal": 7,
        "not_for_them": 3,
        "resigned_quality": 2,
    },
    2022: {
        "transfer_ifa": 1,
        "personal": 6,
        "not_for_them": 3,
        "dissatisfied": 1,
        "safeguarding": 2,
        "resigned_quality": 1,
    },
    2023: {"permanence": 3, "transfer_ifa": 1, "personal": 8, "not_for_them": 1, "safeguarding": 3},
    2024: {
        "permanence": 3,
        "transfer_ifa": 1,
        "personal": 12,
        "not_for_them": 4,
        "resigned_quality": 2,
    },
}
# Exits from the mainstream register that the reports do not count as ceasing to
# foster. 12 in 2024/25 bring 205 + 20 - 22 = 203 down to the published 191.
OTHER_EXITS = {2024: 12}
# Approved households at 1 April 2018: 184 (31/3/19) - 33 approvals + 16 leavers.
STOCK_2018 = 167
# Places at 31 March (keyed by the year ending then): approved, filled, and why the
# unoccupied ones are unoccupied. Published: 389 approved on 31/3/22 (2022/23
# report, date as printed), occupancy 70% (2021), 68% (2022), 66.6% (2023), 76%
# (2024), 65% (2025), 266 children placed 31/3/23, 379 approved 31/3/25,
# unoccupied 2023: ~40% carers not considering more, ~17% vacant; 2025: 23.7% of
# approved unavailable, 11.3% on hold or blocked. Other values are synthetic.
PLACES = {
    2018: (
        350,
        252,
        dict(
            vacant=20,
            carer_not_considering=38,
            matching_difficulties=4,
            introductions=8,
            short_stay=7,
            reducing_approval=8,
            allegation=5,
            complexity=8,
        ),
    ),
    2019: (
        357,
        254,
        dict(
            vacant=21,
            carer_not_considering=41,
            matching_difficulties=4,
            introductions=9,
            short_stay=7,
            reducing_approval=8,
            allegation=5,
            complexity=8,
        ),
    ),
    2020: (
        372,
        260,
        dict(
            vacant=20,
            carer_not_considering=45,
            matching_difficulties=5,
            introductions=10,
            short_stay=8,
            reducing_approval=9,
            allegation=6,
            complexity=9,
        ),
    ),
    2021: (
        389,
        265,
        dict(
            vacant=22,
            carer_not_considering=50,
            matching_difficulties=5,
            introductions=11,
            short_stay=9,
            reducing_approval=10,
            allegation=7,
            complexity=10,
        ),
    ),
    2022: (
        399,
        266,
        dict(
            vacant=23,
            carer_not_considering=53,
            matching_difficulties=0,
            introductions=12,
            short_stay=9,
            reducing_approval=14,
            allegation=8,
            complexity=14,
        ),
    ),
    2023: (
        390,
        296,
        dict(
            vacant=10,
            carer_not_considering=40,
            matching_difficulties=12,
            introductions=6,
            short_stay=8,
            reducing_approval=8,
            allegation=5,
            complexity=5,
        ),
    ),
    2024: (
        379,
        246,
        dict(
            vacant=0,
            carer_not_considering=62,
            matching_difficulties=28,
            introductions=8,
            short_stay=7,
            reducing_approval=12,
            allegation=9,
            complexity=7,
        ),
    ),
}
# Mainstream schemes: households joining (and leaving) each scheme per year.
# Next Steps: 7 households at 31/3/23 (2022/23 report), 11 at 31/3/25 (2024/25).
# Out of hours: 2 joined in 2022/23; 6 approved and 1 lost in 2024/25.
# Parent and child: 2 carers approved at 31/3/25. Short stay: synthetic.
SCHEME_JOINS = {
    "next_steps": {2018: 2, 2019: 1, 2020: 1, 2021: 2, 2022: 1, 2023: 2, 2024: 2},
    "out_of_hours": {2022: 2, 2024: 6},
    "parent_and_child": {2018: 3},
    "short_stay": {2018: 3, 2021: 1, 2023: 1},
}
SCHEME_LEAVES = {"out_of_hours": {2024: 1}, "parent_and_child": {2024: 1}}
# Connected persons households: stock, approvals and deregistrations per year.
# Deregistrations 33 (2021/22) and 30 (2022/23) are the panel's "resignations and
# de-registrations" (2022/23 report); the rest are synthetic.
CP_STOCK_2018 = 75
CP_APPROVALS = {2018: 36, 2019: 38, 2020: 37, 2021: 29, 2022: 25, 2023: 41, 2024: 44}
CP_EXITS = {2018: 31, 2019: 34, 2020: 33, 2021: 33, 2022: 30, 2023: 30, 2024: 30}
# Children in connected persons households at 31 March: 105 (2022), 98 (2023),
# 132 (2025) published; others synthetic.
CP_CHILDREN = {2018: 100, 2019: 104, 2020: 110, 2021: 105, 2022: 98, 2023: 112, 2024: 132}
CP_REASONS = {
    "permanence": 0.62,
    "personal": 0.2,
    "other": 0.1,
    "resigned_quality": 0.05,
    "safeguarding": 0.03,
}

# The recruitment example's groups (ONS five groups, plus not known).
ETHNIC_GROUPS = [
    "White",
    "Asian or Asian British",
    "Black or Black British",
    "Mixed or multiple",
    "Other ethnic group",
    "Not known",
]
ETHNIC_WEIGHTS = [0.81, 0.07, 0.05, 0.04, 0.01, 0.02]
AGE_BANDS = [
    (0, 35, "Under 35"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65 and over"),
]


def _day_in(rng: np.random.Generator, first: pd.Timestamp, last: pd.Timestamp) -> pd.Timestamp:
    return first + pd.Timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _attributes(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "single_or_couple": rng.choice(["couple", "single"], n, p=[0.65, 0.35]),
            "ethnic_group": rng.choice(ETHNIC_GROUPS, n, p=ETHNIC_WEIGHTS),
            "birth_year": rng.integers(1950, 1992, n),
        }
    )


def published_approvals(council: Council) -> dict[int, int]:
    """Approvals per year as the council published them (read through the published-figures
    loader), else the constants above for years it did not publish."""
    figures = published.load_all(council.published)
    out = dict(APPROVALS)
    for fy in YEARS:
        if not published.select(figures, "households_approved", fy.label).empty:
            out[fy.start_year] = int(published.figure(figures, "households_approved", fy.label))
    return out


def mainstream_approvals(rng: np.random.Generator, council: Council) -> pd.DataFrame:
    """Households approved 2018-19 to 2024-25: the recruitment example's approvals.

    Same id, approval date, single or couple, ethnic group and transfer flag; only
    the main carer's birth year is drawn here.
    """
    approved = approved_households(paths.raw_dir("example", council.slug), council=council)
    counts = approved["approval_year"].value_counts().to_dict()
    targets = published_approvals(council)
    wanted = {fy.label: targets[fy.start_year] for fy in YEARS}
    if {k: counts.get(k, 0) for k in wanted} != wanted:
        raise RuntimeError(f"recruitment example approvals {counts} differ from {wanted}")
    approved = approved[approved["approval_year"].isin(wanted)].reset_index(drop=True)
    return pd.DataFrame(
        {
            "household_id": approved["household_id"].astype(str),
            "approval_date": pd.to_datetime(approved["approval_date"]),
            "single_or_couple": approved["household_type"].astype(str),
            "ethnic_group": approved["ethnic_group"].astype(str),
            "birth_year": rng.integers(1960, 1995, len(approved)),
            "transferred_in": approved["transferred_from_agency"].astype(bool),
        }
    )


def stock(
    rng: np.random.Generator,
    n: int,
    first_id: int,
    earliest: int,
    recent_share: float,
    recent_from: int,
) -> pd.DataFrame:
    """Households approved before April 2018 and still approved on 1 April 2018."""
    recent = rng.random(n) < recent_share
    days_old = pd.Timestamp(earliest, 4, 1)
    days_recent = pd.Timestamp(recent_from, 4, 1)
    end = pd.Timestamp(2018, 3, 31)
    dates = [_day_in(rng, days_recent if r else days_old, end) for r in recent]
    frame = pd.DataFrame(
        {"household_id": [f"H{first_id + i:06d}" for i in range(n)], "approval_date": dates}
    )
    frame = pd.concat([frame, _attributes(rng, n)], axis=1)
    frame["transferred_in"] = rng.random(n) < 0.05
    return frame


def _leaver_weight(reason: str, tenure_years: np.ndarray) -> np.ndarray:
    """How likely a household of each tenure is to leave for ``reason``."""
    if reason in ("not_for_them", "dissatisfied", "transfer_la", "transfer_ifa"):
        return np.exp(-tenure_years / 2.5)
    if reason in ("personal", "other"):
        return 0.3 + np.minimum(tenure_years, 20) / 5
    if reason == "permanence":
        return np.exp(-((tenure_years - 4) ** 2) / 18)
    return np.ones_like(tenure_years)


def choose_exits(
    rng: np.random.Generator,
    households: pd.DataFrame,
    fy: FinancialYear,
    counts: dict[str, int],
    min_days: int = 60,
) -> None:
    """Pick who leaves in ``fy`` for each reason; set their deregistration date and reason."""
    for reason, count in counts.items():
        for _ in range(count):
            active = households["deregistration_date"].isna() & (
                households["approval_date"] <= fy.end - pd.Timedelta(days=min_days)
            )
            candidates = households.index[active]
            tenure = (fy.start - households.loc[candidates, "approval_date"]).dt.days / 365.25
            weights = _leaver_weight(reason, np.clip(tenure.to_numpy(), 0, None))
            pick = rng.choice(candidates, p=weights / weights.sum())
            earliest = max(
                fy.start, households.at[pick, "approval_date"] + pd.Timedelta(days=min_days)
            )
            households.at[pick, "deregistration_date"] = _day_in(rng, earliest, fy.end)
            households.at[pick, "reason"] = reason


def assign_schemes(rng: np.random.Generator, households: pd.DataFrame) -> dict[str, dict]:
    """Scheme membership by year for mainstream households that stay to 31 March 2025."""
    membership: dict[str, dict[int, str]] = {}
    survivors = households.index[households["mainstream"]]
    taken: set = set()
    for scheme, joins in SCHEME_JOINS.items():
        members = []
        for start_year, count in sorted(joins.items()):
            end = FinancialYear(start_year).end
            pool = [
                i for i in survivors if i not in taken and households.at[i, "approval_date"] <= end
            ]
            chosen = rng.choice(pool, count, replace=False)
            taken.update(chosen)
            members += [(i, start_year) for i in chosen]
        leaving = {}
        for stop_year, count in SCHEME_LEAVES.get(scheme, {}).items():
            earlier = [i for i, start in members if start < stop_year]
            leaving.update(dict.fromkeys(rng.choice(earlier, count, replace=False), stop_year))
        for index, start_year in members:
            hid = households.at[index, "household_id"]
            stop = leaving.get(index, 9999)
            membership[hid] = {
                y.start_year: scheme for y in YEARS if start_year <= y.start_year < stop
            }
    return membership


def _spread(rng: np.random.Generator, capacity: np.ndarray, total: int) -> np.ndarray:
    """Spread ``total`` units over slots with the given capacities, at random."""
    out = np.zeros_like(capacity)
    for _ in range(total):
        spare = capacity - out
        out[rng.choice(len(capacity), p=spare / spare.sum())] += 1
    return out


def _reasons_for(
    rng: np.random.Generator, unoccupied: np.ndarray, fixed: dict[int, str], totals: dict[str, int]
) -> list[str | None]:
    """One reason per household for its unoccupied places, meeting each reason's total."""
    for _ in range(200):
        left = dict(totals)
        chosen: list[str | None] = [None] * len(unoccupied)
        for i, reason in fixed.items():
            chosen[i] = reason
            left[reason] -= unoccupied[i]
        order = [i for i in rng.permutation(len(unoccupied)) if unoccupied[i] and i not in fixed]
        order.sort(key=lambda i: -unoccupied[i])
        ok = True
        for i in order:
            fits = [r for r, n in left.items() if n >= unoccupied[i]]
            if not fits:
                ok = False
                break
            weights = np.array([left[r] for r in fits], dtype=float)
            pick = fits[rng.choice(len(fits), p=weights / weights.sum())]
            chosen[i] = pick
            left[pick] -= unoccupied[i]
        if ok and not any(left.values()):
            return chosen
    raise RuntimeError("could not split unoccupied places into the target reasons")


def mainstream_places(rng: np.random.Generator, active: pd.DataFrame, year: int) -> pd.DataFrame:
    """Approved, filled, vacant and unavailable places at 31 March for active households."""
    approved_total, filled_total, reasons = PLACES[year]
    kind = active["household_type"].to_numpy()
    fixed_one = np.isin(kind, ["next_steps", "out_of_hours", "short_stay", "parent_and_child"])
    approved = np.where(fixed_one, 1, 2)
    free = np.flatnonzero(~fixed_one)
    gap = approved_total - approved.sum()
    swaps = rng.choice(free, 2 * 12 + abs(gap), replace=False)
    approved[swaps[:12]] += 1
    approved[swaps[12:24]] -= 1
    approved[swaps[24:]] += 1 if gap > 0 else -1
    filled = np.zeros_like(approved)
    filled[kind == "next_steps"] = 1
    open_slots = np.isin(kind, ["mainstream", "parent_and_child"])
    filled[open_slots] = _spread(rng, approved[open_slots], filled_total - filled.sum())
    unoccupied = approved - filled
    fixed = {i: "short_stay" for i in np.flatnonzero(kind == "short_stay")}
    why = _reasons_for(rng, unoccupied, fixed, reasons)
    out = pd.DataFrame({"approved_places": approved, "filled_places": filled}, index=active.index)
    vacant = np.array([r == "vacant" for r in why])
    out["vacant_places"] = np.where(vacant, unoccupied, 0)
    out["unavailable_places"] = np.where(vacant, 0, unoccupied)
    out["unavailable_reason"] = [None if r in (None, "vacant") else r for r in why]
    return out


def connected_places(rng: np.random.Generator, active: pd.DataFrame, year: int) -> pd.DataFrame:
    """Connected persons: approved for the children placed, some with a place pending review."""
    n = len(active)
    filled = 1 + _spread(rng, np.full(n, 2), CP_CHILDREN[year] - n)
    pending = rng.random(n) < 0.05
    return pd.DataFrame(
        {
            "approved_places": filled + pending,
            "filled_places": filled,
            "vacant_places": 0,
            "unavailable_places": pending.astype(int),
            "unavailable_reason": np.where(pending, "reducing_approval", None),
        },
        index=active.index,
    )


def build_households(rng: np.random.Generator, council: Council) -> tuple[pd.DataFrame, dict]:
    """Every household on the register at any time from April 2018, with its exits."""
    main = pd.concat(
        [stock(rng, STOCK_2018, 1, 1995, 0.45, 2015), mainstream_approvals(rng, council)],
        ignore_index=True,
    )
    main["mainstream"] = True
    cp_rows = []
    serial = 50001 + CP_STOCK_2018
    for fy in YEARS:
        for _ in range(CP_APPROVALS[fy.start_year]):
            cp_rows.append(
                {"household_id": f"H{serial:06d}", "approval_date": _day_in(rng, fy.start, fy.end)}
            )
            serial += 1
    cp_new = pd.DataFrame(cp_rows)
    cp_new = pd.concat([cp_new, _attributes(rng, len(cp_new))], axis=1)
    cp_new["transferred_in"] = False
    cp = pd.concat([stock(rng, CP_STOCK_2018, 50001, 2015, 0.7, 2017), cp_new], ignore_index=True)
    cp["transferred_in"] = False
    cp["mainstream"] = False
    households = pd.concat([main, cp], ignore_index=True)
    twice = households["household_id"].duplicated()
    if twice.any():
        raise RuntimeError(f"household ids used twice: {households.loc[twice, 'household_id']}")
    households["deregistration_date"] = pd.NaT
    households["reason"] = None
    membership = assign_schemes_after_exits(rng, households)
    return households, membership


def assign_schemes_after_exits(rng: np.random.Generator, households: pd.DataFrame) -> dict:
    """Choose exits year by year, then scheme members among those who stay."""
    main = households["mainstream"]
    for fy in YEARS:
        sub = households[main]
        choose_exits(rng, sub, fy, LEAVERS[fy.start_year])
        choose_exits(rng, sub, fy, {"change_of_approval": OTHER_EXITS.get(fy.start_year, 0)})
        households.loc[main, ["deregistration_date", "reason"]] = sub[
            ["deregistration_date", "reason"]
        ]
        cp = households[~main]
        total = CP_EXITS[fy.start_year]
        reasons = list(CP_REASONS)
        drawn = rng.multinomial(total, list(CP_REASONS.values()))
        choose_exits(rng, cp, fy, dict(zip(reasons, drawn, strict=True)), min_days=30)
        households.loc[~main, ["deregistration_date", "reason"]] = cp[
            ["deregistration_date", "reason"]
        ]
    stayers = households[main & households["deregistration_date"].isna()]
    membership = assign_schemes(rng, stayers)
    return membership


def snapshot(
    rng: np.random.Generator, households: pd.DataFrame, membership: dict, fy: FinancialYear
) -> pd.DataFrame:
    """The register extract for one year, in canonical columns and codes."""
    on_register = (households["approval_date"] <= fy.end) & (
        households["deregistration_date"].isna() | (households["deregistration_date"] >= fy.start)
    )
    rows = households[on_register].copy()
    future = rows["deregistration_date"] > fy.end
    rows.loc[future, ["deregistration_date", "reason"]] = [pd.NaT, None]
    rows["household_type"] = [
        "connected_persons" if not m else membership.get(h, {}).get(fy.start_year, "mainstream")
        for h, m in zip(rows["household_id"], rows["mainstream"], strict=True)
    ]
    active = rows["deregistration_date"].isna()
    places = pd.concat(
        [
            mainstream_places(rng, rows[active & rows["mainstream"]], fy.start_year),
            connected_places(rng, rows[active & ~rows["mainstream"]], fy.start_year),
        ]
    )
    rows = rows.join(places)
    rows["transferred_out"] = rows["reason"].isin(["transfer_la", "transfer_ifa"])
    age = fy.end.year - rows["birth_year"]
    rows["age_band"] = [next(b for lo, hi, b in AGE_BANDS if lo <= a < hi) for a in age]
    return rows.sort_values(["approval_date", "household_id"])[CANONICAL]


def to_layout(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Canonical rows written the way the council declares that year's system exported them."""
    out = frame.copy()
    for column in ("household_type", "reason", "unavailable_reason", "single_or_couple"):
        labels = {code: label for label, code in layout.values[column].items()}
        out[column] = out[column].map(labels).where(out[column].notna(), "")
        missing = frame[column].notna() & out[column].eq("")
        assert not missing.any(), (
            f"{layout.year}: no {column} label for {set(frame[column][missing])}"
        )
    for column in ("transferred_in", "transferred_out"):
        labels = {YES_NO[code]: label for label, code in layout.values[column].items()}
        out[column] = out[column].map(labels)
    for column in ("approval_date", "deregistration_date"):
        out[column] = frame[column].dt.strftime(layout.date_format).fillna("")
    for column in ("approved_places", "filled_places", "vacant_places", "unavailable_places"):
        out[column] = frame[column].astype("Int64").astype("string").fillna("")
    return out.rename(columns={v: k for k, v in layout.columns.items()})


def write(frame: pd.DataFrame, target: Path) -> None:
    """Write atomically so a failed run leaves no half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        frame.to_csv(out, index=False, lineterminator="\n")
    os.replace(tmp, target)


def main(out: Path | None = None, council: Council | None = None) -> list[Path]:
    """Write every year's file for ``council`` (the default council) into ``out`` (its
    example folder), each in the layout the council declares for the year."""
    council = council or config.load()
    out = out or paths.raw_dir("example", council.slug) / "retention"
    declared = layouts(council)
    rng = np.random.default_rng(SEED)
    households, membership = build_households(rng, council)
    written = []
    for fy in YEARS:
        target = out / file_name(fy, synthetic=True)
        frame = snapshot(rng, households, membership, fy)
        write(to_layout(frame, declared[fy.label]), target)
        written.append(target)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the synthetic household register.")
    parser.add_argument("out", nargs="?", type=Path, help="folder (default: the example's)")
    parser.add_argument("--council", help="council slug (default: the default council)")
    args = parser.parse_args()
    for path in main(args.out, config.load(args.council)):
        print(path)
