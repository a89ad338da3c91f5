"""Benchmark: national-size SSDA903 returns, read, validated and measured for every council.

``.venv/bin/python benchmarks/bench_stability.py [--councils 150] [--children 110000]
[--runs 3] [--baseline COMMIT]``

Generates synthetic returns for 2018-19 to 2024-25 the size of England's (about 150
councils, 110,000 children, 1.5 million episode rows across the seven years' files,
pooled with an ``LA`` column as regional hubs pool them), then times, each in a fresh
process and as the median of ``--runs``:

- the package's engine in this checkout: reading and validating every file, stitching
  the years, and the three DfE indicators for every council and year;
- the same from the source of ``--baseline`` (the engine before issue 15), and whether
  the two give identical figures for every council-year;
- the candidates' floor: reading the 14 files as text with pyarrow, polars, DuckDB and
  pandas (what any pipeline on that engine pays before validating);
- the candidates themselves (the bench extra): the first indicator (looked after on 31
  March, with 3 or more placements in the year) for every council and year, from the seven
  episodes files, written in polars (expressions) and in DuckDB (SQL, window functions over
  each child's rows) under the package's counting rules (stitching, periods of care,
  short-break periods, temporary placements and the return from one), and whether their
  figures are the package's for every council-year.

The candidates are honest about what they leave out, and it is to their advantage: they
read no header files, validate nothing (no code lists, no quarantine, no overlapping or
repeated episodes, no layout or year checks: the synthetic returns have nothing to set
aside, so the figures can agree) and compute one indicator, not three. Their time is a
lower bound for a pipeline on that engine; the package's is the whole job. That is the
evidence for the engine: pandas on pyarrow's reader and compute, which does all of it in
less time than either candidate takes for its slice.

Wall time, CPU time (all threads) and peak memory (VmHWM) of each process. Not a test:
the goals (3x today, under 1 GB) are reported, not asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.sources.ssda903.load import EPISODE_LAYOUT

REPO = Path(__file__).resolve().parents[1]
# The engine as it was before issue 15 ("today" in its goals), run from its own source.
BASELINE = "2b4a25b4ac11"
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


def measure(folder: Path, figures: Path | None = None) -> dict:
    """Read, validate, stitch and compute every council's indicators; time it. With
    ``figures``, write the indicator table there (CSV) to compare engines."""
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
    if figures is not None:
        table.sort_values(["year", "LA"]).to_csv(figures, index=False)
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


def read_only(folder: Path, engine: str) -> dict:
    """Only the reading of the 14 files as text, by one engine: the floor any pipeline on
    that engine starts from (validation and indicators come on top)."""
    files = sorted(folder.glob("*.csv"))
    t0, c0 = time.perf_counter(), time.process_time()
    rows = 0
    if engine == "pyarrow":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        words = pa.dictionary(pa.int32(), pa.string())
        for path in files:
            names = path.open().readline().strip().split(",")
            table = pacsv.read_csv(
                path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, words))
            )
            rows += table.num_rows
    elif engine == "polars":
        import polars as pl

        for path in files:
            rows += pl.read_csv(path, infer_schema=False).height
    elif engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        for path in files:
            query = f"SELECT count(*) FROM read_csv('{path}', all_varchar=true)"
            rows += con.execute(query).fetchone()[0]
    elif engine == "pandas":
        import pandas as pd

        for path in files:
            rows += len(pd.read_csv(path, dtype=str, keep_default_na=False))
    t1, c1 = time.perf_counter(), time.process_time()
    return {
        "wall_s": round(t1 - t0, 2),
        "cpu_s": round(c1 - c0, 2),
        "peak_memory_mb": round(_peak_memory_mb()),
        "rows": rows,
    }


# ---- candidates: the first indicator on other engines, side by side -------------------------

CANDIDATE_COLUMNS = ["LA", "CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "PL_POST"]
FIGURES_1 = ["year", "LA", "cla_31_march", "cla_31_march_3_plus"]


def candidate(folder: Path, engine: str, figures: Path) -> dict:
    """The first indicator (looked after on 31 March, with 3 or more placements in the year)
    for every council and year, read from the episodes files by ``engine`` (polars or
    DuckDB) under the package's counting rules, its figures written to ``figures``; timed."""
    files = sorted(folder.glob("episodes_*.csv"))  # named by year: the latest return last
    t0, c0 = time.perf_counter(), time.process_time()
    table = _polars_first(files) if engine == "polars" else _duckdb_first(files)
    t1, c1 = time.perf_counter(), time.process_time()
    peak_mb = _peak_memory_mb()
    table.sort_values(["year", "LA"]).to_csv(figures, index=False)
    return {
        "wall_s": round(t1 - t0, 2),
        "cpu_s": round(c1 - c0, 2),
        "peak_memory_mb": round(peak_mb),
        "council_years": len(table),
    }


def _same_first(package: Path, candidate: Path) -> bool:
    """Whether a candidate's first-indicator figures are the package's for every council and
    year (a council with no child in a year's cohort is a row of zeros in the package's)."""
    ours = pd.read_csv(package, dtype=str)[FIGURES_1]
    theirs = pd.read_csv(candidate, dtype=str)
    both = ours.merge(theirs, on=["year", "LA"], how="outer", suffixes=("", "_c"), indicator=True)
    only_theirs = both.pop("_merge").eq("right_only").any()
    both = both.fillna("0")
    return bool(
        not only_theirs
        and both["cla_31_march"].eq(both["cla_31_march_c"]).all()
        and both["cla_31_march_3_plus"].eq(both["cla_31_march_3_plus_c"]).all()
    )


def _years() -> list[tuple[str, str, str]]:
    """Each year's label, 1 April and 31 March (ISO dates)."""
    years = range(FIRST, LAST + 1)
    return [(f"{y}-{(y + 1) % 100:02d}", f"{y}-04-01", f"{y + 1}-03-31") for y in years]


def _polars_first(files: list[Path]) -> pd.DataFrame:
    """The first indicator in polars: stitch (latest return per child and start), periods of
    care, short-break periods left out, placements (temporary stays and the return from one
    not moves), the cohort on 31 March and its placements in the year."""
    import datetime as dt

    import polars as pl

    text = dict.fromkeys(CANDIDATE_COLUMNS, pl.String)
    epi = pl.concat(
        [
            pl.read_csv(
                path, columns=CANDIDATE_COLUMNS, schema_overrides=text, infer_schema=False
            ).with_columns(file=pl.lit(i))
            for i, path in enumerate(files)
        ]
    )
    day = "%d/%m/%Y"
    epi = (
        epi.with_columns(
            decom=pl.col("DECOM").str.strptime(pl.Date, day, strict=False),
            dec=pl.col("DEC").str.strptime(pl.Date, day, strict=False),
        )
        .sort(["LA", "CHILD", "decom", "file"])
        .unique(["LA", "CHILD", "decom"], keep="last", maintain_order=True)
    )
    first = (pl.col("LA") != pl.col("LA").shift()) | (pl.col("CHILD") != pl.col("CHILD").shift())
    joined = pl.col("decom") == pl.col("dec").shift()
    epi = epi.with_columns(first=first.fill_null(True)).with_columns(
        child=pl.col("first").cum_sum(),
        starts=pl.col("first") | ~joined.fill_null(False) | (pl.col("RNE") == "S").fill_null(False),
        short=pl.col("LS").is_in(["V3", "V4"]).fill_null(False),
    )
    epi = epi.with_columns(period=pl.col("starts").cum_sum()).filter(
        ~pl.col("short").first().over("period")
    )
    temp = pl.col("PLACE").is_in(["T0", "T1", "T2", "T3", "T4"]).fill_null(False) | pl.col("short")
    key = pl.concat_str([pl.col("PL_POST").fill_null(""), pl.col("PLACE")], separator="\x1f")
    epi = epi.with_columns(temp=temp, key=key).with_columns(
        # the last placement that is not temporary, within the period (a forward fill)
        base=pl.when(~pl.col("temp")).then(pl.col("key")).forward_fill().over("period"),
    )
    back = ~pl.col("starts") & pl.col("temp").shift().fill_null(False)
    back = back & (pl.col("key") == pl.col("base").shift()).fill_null(False)
    moved = pl.col("RNE").is_in(["S", "P", "B"]).fill_null(False) & ~pl.col("temp") & ~back
    new = pl.col("starts") | moved
    epi = epi.with_columns(placement=new.cum_sum())
    placements = epi.group_by("placement", maintain_order=True).agg(
        pl.col("child").first(), start=pl.col("decom").first(), end=pl.col("dec").last()
    )
    parts = []
    for label, start, end in _years():
        s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        open_then = (pl.col("decom") <= e) & (pl.col("dec").is_null() | (pl.col("dec") > e))
        cohort = (
            epi.filter(open_then)
            .group_by("child")
            .agg(pl.col("LA").last(), pl.col("short").last())
            .filter(~pl.col("short"))
        )
        occupied = (pl.col("start") <= e) & (pl.col("end").is_null() | (pl.col("end") > s))
        counts = placements.filter(occupied).group_by("child").agg(n=pl.len())
        per_la = (
            cohort.join(counts, on="child", how="left")
            .group_by("LA")
            .agg(cla_31_march=pl.len(), cla_31_march_3_plus=(pl.col("n") >= 3).sum())
            .with_columns(year=pl.lit(label))
        )
        parts.append(per_la)
    return pl.concat(parts).select(FIGURES_1).to_pandas()


def _duckdb_first(files: list[Path]) -> pd.DataFrame:
    """The first indicator in DuckDB SQL, under the same rules as :func:`_polars_first`, each
    child's rows a window partition."""
    import duckdb

    listed = ", ".join(f"'{p}'" for p in files)
    columns = ", ".join(c for c in CANDIDATE_COLUMNS if c not in ("DECOM", "DEC"))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""
        CREATE TEMP TABLE epi AS
        WITH raw AS (
            SELECT {columns}, filename,
                strptime(DECOM, '%d/%m/%Y')::DATE AS day_in,
                try_strptime(DEC, '%d/%m/%Y')::DATE AS day_out
            FROM read_csv([{listed}], all_varchar = true, filename = true)
        ), stitched AS (
            SELECT * FROM raw
            QUALIFY row_number() OVER (PARTITION BY LA, CHILD, day_in ORDER BY filename DESC) = 1
        ), periods AS (
            SELECT *,
                coalesce(lag(day_out) OVER w <> day_in, true) OR coalesce(RNE = 'S', false)
                    AS starts,
                coalesce(LS IN ('V3', 'V4'), false) AS short
            FROM stitched
            WINDOW w AS (PARTITION BY LA, CHILD ORDER BY day_in)
        ), numbered AS (
            SELECT *, sum(starts::INT) OVER (
                PARTITION BY LA, CHILD ORDER BY day_in ROWS UNBOUNDED PRECEDING) AS period
            FROM periods
        ), kept AS (
            SELECT *,
                coalesce(PLACE IN ('T0', 'T1', 'T2', 'T3', 'T4'), false) OR short AS temp,
                concat_ws(chr(31), coalesce(PL_POST, ''), PLACE) AS key
            FROM numbered
            QUALIFY NOT first_value(short) OVER (PARTITION BY LA, CHILD, period ORDER BY day_in)
        ), based AS (
            SELECT *,
                last_value(CASE WHEN NOT temp THEN key END IGNORE NULLS) OVER (
                    PARTITION BY LA, CHILD, period ORDER BY day_in ROWS UNBOUNDED PRECEDING
                ) AS base
            FROM kept
        ), moves AS (
            SELECT *,
                starts OR (coalesce(RNE IN ('S', 'P', 'B'), false) AND NOT temp AND NOT (
                    NOT starts AND coalesce(lag(temp) OVER c, false)
                    AND coalesce(key = lag(base) OVER c, false)
                )) AS new
            FROM based
            WINDOW c AS (PARTITION BY LA, CHILD ORDER BY day_in)
        )
        SELECT *, sum(new::INT) OVER (
            PARTITION BY LA, CHILD ORDER BY day_in ROWS UNBOUNDED PRECEDING) AS placement
        FROM moves
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE placements AS
        SELECT LA, CHILD, min(day_in) AS day_in, max(day_out) AS day_out,
            bool_or(day_out IS NULL) AS still_open
        FROM epi GROUP BY LA, CHILD, placement
        """
    )
    parts = []
    for label, start, end in _years():
        parts.append(
            con.execute(
                f"""
                WITH cohort AS (
                    SELECT LA, CHILD, arg_max(short, day_in) AS short FROM epi
                    WHERE day_in <= DATE '{end}' AND (day_out IS NULL OR day_out > DATE '{end}')
                    GROUP BY LA, CHILD
                ), counts AS (
                    SELECT LA, CHILD, count(*) AS n FROM placements
                    WHERE day_in <= DATE '{end}' AND (still_open OR day_out > DATE '{start}')
                    GROUP BY LA, CHILD
                )
                SELECT '{label}' AS year, LA, count(*) AS cla_31_march,
                    count(*) FILTER (WHERE n >= 3) AS cla_31_march_3_plus
                FROM cohort LEFT JOIN counts USING (LA, CHILD) WHERE NOT short GROUP BY LA
                """
            ).df()
        )
    return pd.concat(parts, ignore_index=True)[FIGURES_1]


def _child(args: list[str], pythonpath: str | None = None) -> dict:
    """Run this script with ``args`` in a fresh process; its JSON result."""
    env = {**os.environ, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(done.stdout)


def _median(runs: list[dict]) -> dict:
    """Each number's median over the runs (medians of three, the machine being shared)."""
    return {
        k: statistics.median(r[k] for r in runs) if isinstance(v, int | float) else v
        for k, v in runs[0].items()
    }


def _baseline_source(ref: str, into: Path) -> str | None:
    """The ``src`` folder of commit ``ref`` of this repository, exported into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "src"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return str(into / "src")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--children", type=int, default=110_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each, median reported")
    parser.add_argument(
        "--baseline",
        default=BASELINE,
        help="the commit whose engine is 'today' (default: the last one before issue 15)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--figures", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--read-only", help=argparse.SUPPRESS)
    parser.add_argument("--candidate", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure and args.read_only:
        print(json.dumps(read_only(args.measure, args.read_only)))
        return 0
    if args.measure and args.candidate:
        print(json.dumps(candidate(args.measure, args.candidate, args.figures)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure, args.figures)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "returns"
        folder.mkdir()
        t0 = time.perf_counter()
        rows = generate(folder, args.councils, args.children)
        print(
            f"generated {rows:,} episode rows for {args.children:,} children in "
            f"{args.councils} councils ({time.perf_counter() - t0:.1f}s, not timed); "
            f"medians of {args.runs} runs, each in a fresh process\n"
        )
        old_src = _baseline_source(args.baseline, Path(tmp))
        results: dict[str, dict] = {}
        figures: dict[str, str] = {}
        engines = {"pandas, this checkout": None}
        if old_src:
            engines[f"pandas, {args.baseline[:10]} (today)"] = old_src
        outs = {label: Path(tmp) / f"figures-{i}.csv" for i, label in enumerate(engines)}
        measured: dict[str, list[dict]] = {label: [] for label in engines}
        for _ in range(args.runs):  # interleaved, so that both see the same machine
            for label, src in engines.items():
                given = ["--measure", str(folder), "--figures", str(outs[label])]
                measured[label].append(_child(given, src))
        for label in engines:
            results[label] = _median(measured[label])
            figures[label] = outs[label].read_text()
        for engine in ("pyarrow", "polars", "duckdb", "pandas"):
            if importlib.util.find_spec(engine) is None:  # polars, duckdb: the bench extra
                print(f"read only: {engine} not installed (pip install -e '.[bench]')")
                continue
            reads = [
                _child(["--measure", str(folder), "--read-only", engine]) for _ in range(args.runs)
            ]
            results[f"read only: {engine}"] = _median(reads)
        same_first: dict[str, bool] = {}
        for engine in ("polars", "duckdb"):
            if importlib.util.find_spec(engine) is None:
                continue
            out = Path(tmp) / f"first-{engine}.csv"
            given = ["--measure", str(folder), "--candidate", engine, "--figures", str(out)]
            runs = [_child(given) for _ in range(args.runs)]
            results[f"1st indicator only: {engine}"] = _median(runs)
            same_first[engine] = _same_first(outs["pandas, this checkout"], out)
    print(f"{'':34} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
    for label, result in results.items():
        print(
            f"{label:34} {result['wall_s']:7.2f} {result['cpu_s']:7.2f} "
            f"{result['peak_memory_mb']:8.0f}"
        )
    now = results["pandas, this checkout"]
    print("\nthis checkout, in detail:")
    for key, value in now.items():
        print(f"{key:>26}: {value}")
    if same_first:
        said = ", ".join(f"{e} {'yes' if same else 'NO'}" for e, same in same_first.items())
        print(f"\nfirst indicator, identical to the package's for every council-year: {said}")
    if len(figures) > 1:
        before = results[next(k for k in results if k.endswith("(today)"))]
        same = len(set(figures.values())) == 1
        print(
            f"\nidentical figures for all {now['council_years']} council-years: "
            f"{'yes' if same else 'NO'}\n"
            f"speed-up on today: {before['wall_s'] / now['wall_s']:.1f}x wall, "
            f"{before['cpu_s'] / now['cpu_s']:.1f}x CPU (goal: 3x); "
            f"peak {now['peak_memory_mb']:.0f} MB (goal: under 1024)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
