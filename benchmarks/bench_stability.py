"""Benchmark: national-size SSDA903 returns, read, validated and measured for every council.

``.venv/bin/python benchmarks/bench_stability.py [--councils 150] [--children 110000]``

Generates synthetic returns for 2018-19 to 2024-25 the size of England's (about 150
councils, 110,000 children, 1.5 million episode rows across the seven years' files,
pooled with an ``LA`` column as regional hubs pool them), then times, in a fresh
process, reading and validating every file, stitching the years, and computing the
three DfE indicators for every council and every year with enough history. Reports
wall time and peak memory (maximum resident set size) of that process. Not a test:
the goal (under 15 seconds and 2 GB on two cores) is reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.sources.ssda903.load import EPISODE_LAYOUT

FIRST, LAST = 2018, 2024
PLACES = np.array(["U1", "U3", "U4", "U6", "U6", "U6", "U4", "K2", "P1", "H5", "R1", "A6", "Z1"])
PROVIDERS = np.array(["PR1", "PR1", "PR1", "PR4", "PR4", "PR0"])
REASONS = np.array(["CARPL", "CREQB", "CREQO", "CHILD", "LAREQ", "ALLEG", "STAND", "OTHER"])
EXITS = np.array(["E4A", "E11", "E41", "E8", "E17", "E13"])


def generate(folder: Path, councils: int, children: int, seed: int = 1) -> int:
    """Write the seven years' header and episodes files; return the episode rows written."""
    rng = np.random.default_rng(seed)
    day0 = np.datetime64("2016-06-01")
    entry = day0 + rng.integers(0, (np.datetime64("2025-03-01") - day0).astype(int), children)
    dob = entry - rng.integers(0, 17 * 365, children)
    la = rng.integers(0, councils, children)
    k = rng.geometric(0.0355, children).clip(1, 60)
    child = np.repeat(np.arange(children), k)
    first = np.r_[0, np.cumsum(k)[:-1]]
    order = np.arange(len(child)) - np.repeat(first, k)
    length = rng.exponential(110, len(child)).astype(int) + 1
    start = np.repeat(entry, k) + _offsets(length, first, k)
    end = start + length
    last = np.r_[order[1:] == 0, True]
    still_open = last & (end > np.datetime64("2025-03-31"))
    rne = np.where(order == 0, "S", rng.choice(np.array(["P", "P", "P", "L", "B"]), len(child)))
    frame = pd.DataFrame(
        {
            "LA": (300 + la[child]).astype(str),
            "CHILD": np.char.add("C", child.astype(str)),
            "decom": start,
            "dec": np.where(still_open, np.datetime64("NaT"), end),
            "RNE": rne,
            "LS": rng.choice(np.array(["C2", "C2", "C1", "V2", "E1"]), len(child)),
            "CIN": "N1",
            "PLACE": rng.choice(PLACES, len(child)),
            "PLACE_PROVIDER": rng.choice(PROVIDERS, len(child)),
            "REC": np.where(last, rng.choice(EXITS, len(child)), "X1"),
            "REASON_PLACE_CHANGE": np.where(last, "", rng.choice(REASONS, len(child))),
            "HOME_POST": "CV1 1AA",
            "PL_POST": "CV2 2BB",
            "URN": "SC000001",
        }
    )
    header = pd.DataFrame(
        {
            "LA": (300 + la).astype(str),
            "CHILD": np.char.add("C", np.arange(children).astype(str)),
            "SEX": "1",
            "DOB": pd.Series(dob).dt.strftime("%d/%m/%Y"),
            "ETHNIC": "WBRI",
            "UPN": "UN1",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )
    rows = 0
    for y in range(FIRST, LAST + 1):
        lo, hi = np.datetime64(f"{y}-04-01"), np.datetime64(f"{y + 1}-03-31")
        dec = frame["dec"].to_numpy()
        mask = (frame["decom"].to_numpy() <= hi) & (np.isnat(dec) | (dec >= lo))
        part = frame.loc[mask].copy()
        later = part["dec"].isna() | (part["dec"] > hi)
        part["DECOM"] = _format(part["decom"])
        part["DEC"] = _format(part["dec"].where(~later))
        part.loc[later, ["REC", "REASON_PLACE_CHANGE"]] = ""
        label = f"{y}-{(y + 1) % 100:02d}"
        cols = ["LA", *EPISODE_LAYOUT]
        part[cols].to_csv(folder / f"episodes_{label}.csv", index=False)
        present = header["CHILD"].isin(part["CHILD"].unique())
        header.loc[present].to_csv(folder / f"header_{label}.csv", index=False)
        rows += int(mask.sum())
    return rows


def _offsets(length: np.ndarray, first: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Days from entry to each episode's start (episodes follow each other)."""
    total = np.cumsum(length)
    before = total - length
    return before - np.repeat(before[first], k)


def _format(dates: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(dates)
    text = pd.DatetimeIndex(uniques).strftime("%d/%m/%Y").to_numpy()
    return pd.Series(np.where(codes >= 0, text[codes], ""), index=dates.index)


def _peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(folder: Path) -> dict:
    """Read, validate, stitch and compute every council's indicators; time it."""
    from analysis.sources.ssda903.load import read_returns
    from analysis.stability.measures import compute

    t0, c0 = time.perf_counter(), time.process_time()
    returns = read_returns(
        sorted(folder.glob("header_*.csv")), sorted(folder.glob("episodes_*.csv"))
    )
    t1, c1 = time.perf_counter(), time.process_time()
    table = compute(returns)
    t2, c2 = time.perf_counter(), time.process_time()
    peak_mb = _peak_memory_mb()
    return {
        "read_and_validate_s": round(t1 - t0, 2),
        "read_and_validate_cpu_s": round(c1 - c0, 2),
        "indicators_s": round(t2 - t1, 2),
        "indicators_cpu_s": round(c2 - c1, 2),
        "wall_s": round(t2 - t0, 2),
        "cpu_s": round(c2 - c0, 2),
        "peak_memory_mb": round(peak_mb),
        "episode_rows_read": int(sum(v for k, v in returns.rows_read.items() if "episodes" in k)),
        "children": int(returns.header.shape[0]),
        "councils": int(table["LA"].nunique()),
        "council_years": len(table),
        "rows_quarantined": len(returns.quarantine),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--children", type=int, default=110_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        rows = generate(folder, args.councils, args.children)
        print(
            f"generated {rows:,} episode rows for {args.children:,} children in "
            f"{args.councils} councils ({time.perf_counter() - t0:.1f}s, not timed)"
        )
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout)
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    goal = result["wall_s"] < 15 and result["peak_memory_mb"] < 2048
    print(f"goal (< 15 s, < 2 GB): {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
