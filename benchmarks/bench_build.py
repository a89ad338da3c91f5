"""Time the report build against the naive loop, in one run, on the example data.

``make bench`` (or ``python benchmarks/bench_build.py [--jobs N]``) copies the
notebooks and data to a scratch folder and times, there:

1. naive: for each notebook and year, the ``papermill`` command line, then
   ``jupyter nbconvert --to html --no-input``, one after the other;
2. cold: ``python -m analysis.build`` (what ``make report`` runs) with no reports;
3. no-op: the same again, with nothing changed;
4. one year: after changing one input file of the newest year.

It prints each time and the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(label: str, commands: list[list[str]], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            output = result.stdout[-2000:] + result.stderr[-2000:]
            sys.exit(f"{label}: {' '.join(command)} failed:\n{output}")
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:7.1f} s", flush=True)
    return seconds


def _stage(root: Path) -> tuple[dict[str, list[str]], list[str], dict]:
    """Copy what the build reads into ``root``; return {name: years}, the build command, env.

    Times the default council on the shipped example data.
    """
    from analysis.council import config
    from analysis.registry import ANALYSES

    for folder in ("notebooks", "data", "councils"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "reports").mkdir()
    env = {**os.environ, "FOSTERING_ROOT": str(root)}
    council = config.load(None, root)
    years = {a.name: a.years(council) for a in ANALYSES}
    return years, [sys.executable, "-m", "analysis.build"], env


def _change_one_input(root: Path, year: str) -> None:
    """Add a blank line to a CSV input of ``year`` (readers skip it; its hash changes)."""
    candidates = sorted(p for p in (root / "data").rglob("*.csv") if year in p.as_posix())
    if not candidates:
        sys.exit(f"no CSV input for {year} to change")
    with open(candidates[0], "a") as handle:
        handle.write("\n")
    print(f"changed {candidates[0].relative_to(root)}")


def main() -> None:
    from analysis.council import config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fostering-bench-") as scratch:
        root = Path(scratch) / "repo"
        root.mkdir()
        years, build, env = _stage(root)
        council = config.default_slug(root)
        count = sum(len(y) for y in years.values())
        print(
            f"{count} notebooks ({', '.join(sorted(years))}); {os.cpu_count()} CPUs; "
            f"--jobs {args.jobs}\n"
        )
        naive_out = Path(scratch) / "naive"
        naive_out.mkdir()
        naive = []
        for name, labels in years.items():
            for year in labels:
                executed = naive_out / f"{name}_{year}.ipynb"
                naive.append(
                    [
                        str(BIN / "papermill"),
                        "--no-progress-bar",
                        "--cwd",
                        str(root),
                        str(root / "notebooks" / f"{name}.ipynb"),
                        str(executed),
                        "-p",
                        "year",
                        year,
                        "-p",
                        "council",
                        council,
                    ]
                )
                naive.append(
                    [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
                )
        build = [*build, "--jobs", str(args.jobs)]
        t_naive = _timed("naive papermill+nbconvert", naive, env, root)
        t_cold = _timed("make report (cold)", [build], env, root)
        t_noop = _timed("make report (nothing changed)", [build], env, root)
        newest = max(y for labels in years.values() for y in labels)
        _change_one_input(root, newest)
        t_year = _timed(f"make report ({newest} changed)", [build], env, root)
        print(
            f"\ncold build is {t_naive / t_cold:.1f}x faster than the naive loop (goal: 4x)\n"
            f"no-op rebuild: {t_noop:.1f} s ({t_naive / t_noop:.0f}x faster than naive)\n"
            f"one-year rebuild: {t_year:.1f} s ({t_cold / t_year:.1f}x faster than cold)"
        )


if __name__ == "__main__":
    main()
