"""Time the report build against the naive loop, in one run, on the example data.

``make bench`` (or ``python benchmarks/bench_build.py [--jobs N] [--runs 3] [--only NAME]``)
copies the notebooks, data, councils and the DfE validator to a scratch folder and
measures, there, for the default council (every analysis, or those named by ``--only``):

1. naive: for each notebook and year, the ``papermill`` command line, then
   ``jupyter nbconvert --to html --no-input``, one after the other (once: it is slow);
2. cold: ``python -m analysis.build`` (what ``make report`` runs) with no reports, with
   ``--jobs 1`` and with ``--jobs N``;
3. per-appendix floor: an empty notebook (its parameters cell only) built for every
   year through the same build, ``--jobs 1``: what the build costs per appendix before
   any analysis runs;
4. no-op: the build again, with nothing changed;
5. one year: after changing one input file of the newest year;
6. per appendix, before and after: the cold ``--jobs 1`` build's own time for each
   appendix, analysis and year (the build's "built ... in N s" lines), with each
   analysis's total, this checkout beside the commit
   ``--before`` (by default :data:`BEFORE`, the last before issue 14's time-to-event
   analyses), whose sources, notebooks and data are unpacked with ``git archive`` and built
   with this environment (``--before ''`` skips it). ``--per-appendix`` measures only
   this step, once (issue 14's "time per appendix before and after").

Each is measured in its own session: wall time, CPU time (user + system of every
process of the session, kernels included, read from ``/proc`` every 0.1 s, so a
process shorter than that may be missed) and peak memory (the largest total resident
memory of the session's processes at any sample). Steps 2-5 are medians of ``--runs``.
The machine is shared, so the ratios (measured in the same run) matter more than the
times. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
FLOOR = "floor"
# The last commit before issue 14's time-to-event analyses (lifelines, Aalen-Johansen,
# projections), also issue 15's baseline.
BEFORE = "2b4a25b4ac11e2ffd29291c66959f8ad7e0c0095"
BUILT = re.compile(r"built  (\S+) (\S+) in ([\d.]+) s")


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_mb: float
    log: str = ""

    def line(self, label: str) -> str:
        return f"{label:<34} {self.wall:7.1f} {self.cpu:7.1f} {self.peak_mb:8.0f}"


def _session(sid: int) -> dict[int, tuple[float, int]]:
    """CPU seconds and resident bytes of every process in session ``sid``, by pid."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state ppid pgrp session ... utime(12) stime(13) ... rss(22)
        if int(fields[3]) == sid:
            found[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / TICK, int(fields[21]))
    return found


def _measured(label: str, commands: list[list[str]], env: dict[str, str], cwd: Path) -> Measured:
    """Run ``commands`` one after another, each in a new session; wall, CPU and peak."""
    wall = cpu = peak = 0.0
    log = ""
    for command in commands:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        seen: dict[int, float] = {}
        while process.poll() is None:
            now = _session(process.pid)
            for pid, (seconds, _) in now.items():
                seen[pid] = max(seen.get(pid, 0.0), seconds)
            peak = max(peak, sum(rss for _, rss in now.values()) * PAGE / 2**20)
            time.sleep(0.1)
        out, err = process.communicate()
        wall += time.perf_counter() - started
        cpu += sum(seen.values())
        if process.returncode != 0:
            sys.exit(f"{label}: {' '.join(command)} failed:\n{out[-2000:]}{err[-2000:]}")
        log += out + err
    return Measured(wall, cpu, peak, log)


def _median(runs: list[Measured]) -> Measured:
    return Measured(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.peak_mb for r in runs),
        sorted(runs, key=lambda r: r.wall)[len(runs) // 2].log,  # the middle run's log
    )


def _stage(root: Path, only: list[str]) -> tuple[dict[str, list[str]], dict[str, str], str]:
    """Copy what the build reads into ``root``; return {name: years}, env, council slug."""
    from analysis.council import config
    from analysis.registry import ANALYSES

    for folder in ("notebooks", "data", "councils", "tools"):
        shutil.copytree(REPO / folder, root / folder)
    validator = REPO / ".venv-903"  # the DfE validator's environment, used where it is
    if validator.exists():
        (root / ".venv-903").symlink_to(validator.resolve())
    (root / "reports").mkdir()
    env = {**os.environ, "FOSTERING_ROOT": str(root)}
    council = config.load(None, root)
    years = {a.name: a.years(council) for a in ANALYSES if not only or a.name in only}
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "floor-0",
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": 'year = "2024-25"\ndisclosure = "public"\nraw = "example"\ncouncil = ""',
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "notebooks" / f"{FLOOR}.ipynb").write_text(json.dumps(notebook))
    return years, env, council.slug


def _floor_build(root: Path, years: list[str]) -> list[str]:
    """The build of the empty notebook for ``years``, through ``analysis.build.main``."""
    script = (
        "import sys\n"
        "from dataclasses import dataclass\n"
        "from pathlib import Path\n"
        "from analysis.build import main\n"
        "from analysis.registry import Analysis\n"
        "@dataclass(frozen=True)\n"
        "class Floor(Analysis):\n"
        f"    def years(self, council, raw='example'): return {years!r}\n"
        "    def inputs(self, council, year, raw='example'): return []\n"
        f"floor = Floor({FLOOR!r}, 'An empty appendix', '')\n"
        "sys.exit(main(['--jobs', '1'], [floor], Path(sys.argv[1])))\n"
    )
    return [sys.executable, "-c", script, str(root)]


def _per_appendix(log: str) -> dict[tuple[str, str], float]:
    """Seconds per appendix (analysis, year) from a build's "built" lines."""
    return {(name, year): float(seconds) for name, year, seconds in BUILT.findall(log)}


def _before(revision: str, scratch: Path) -> tuple[list[str], dict[str, str], Path]:
    """The cold ``--jobs 1`` build of ``revision``, unpacked from git: command, env, root."""
    root = scratch / "before"
    root.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    validator = REPO / ".venv-903"
    if validator.exists():
        (root / ".venv-903").symlink_to(validator.resolve())
    (root / "reports").mkdir(exist_ok=True)
    env = {**os.environ, "FOSTERING_ROOT": str(root), "PYTHONPATH": str(root / "src")}
    return [sys.executable, "-m", "analysis.build", "--jobs", "1"], env, root


def _compare(
    now: dict[tuple[str, str], float], before: dict[tuple[str, str], float], revision: str
) -> str:
    """Seconds per appendix, this checkout beside ``revision``: each analysis's years, then
    the analysis in all (an appendix one side lacks shows ``-``)."""

    def row(label: str, old: float | None, new: float | None) -> str:
        ratio = f"{new / old:5.2f}x" if old and new else "     -"
        return (
            f"  {label:<34} {old if old is not None else float('nan'):7.1f} "
            f"{new if new is not None else float('nan'):7.1f}  {ratio}"
        )

    lines = [f"\ncold build per appendix, --jobs 1 (seconds): {revision[:12]} -> now"]
    for name in sorted({n for n, _ in now} | {n for n, _ in before}):
        years = sorted({y for n, y in now if n == name} | {y for n, y in before if n == name})
        for year in years:
            lines.append(row(f"{name} {year}", before.get((name, year)), now.get((name, year))))
        total = [
            sum(v for (n, _), v in side.items() if n == name) or None for side in (before, now)
        ]
        lines.append(row(f"{name}, all years", *total))
    return "\n".join(lines)


def _change_one_input(root: Path, year: str) -> None:
    """Add a blank line to a CSV input of ``year`` (readers skip it; its hash changes)."""
    raw = root / "data" / "raw"
    candidates = sorted(p for p in raw.rglob("*.csv") if year in p.as_posix())
    if not candidates:
        sys.exit(f"no CSV input for {year} to change")
    with open(candidates[0], "a") as handle:
        handle.write("\n")
    print(f"changed {candidates[0].relative_to(root)}")


def _naive(root: Path, scratch: Path, years: dict[str, list[str]], council: str) -> list:
    """The papermill and nbconvert command lines, one pair per notebook and year."""
    out = scratch / "naive"
    out.mkdir()
    commands = []
    for name, labels in years.items():
        for year in labels:
            executed = out / f"{name}_{year}.ipynb"
            notebook = root / "notebooks" / f"{name}.ipynb"
            papermill = [str(BIN / "papermill"), "--no-progress-bar", "--cwd", str(root)]
            parameters = ["-p", "year", year, "-p", "council", council]
            commands.append([*papermill, str(notebook), str(executed), *parameters])
            commands.append(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
            )
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--runs", type=int, default=3, help="runs of each build, median kept")
    parser.add_argument(
        "--only", action="append", default=[], help="only this analysis (repeatable)"
    )
    parser.add_argument(
        "--before",
        default=BEFORE,
        help="the commit to compare each appendix's cold build time with ('' to skip)",
    )
    parser.add_argument(
        "--per-appendix",
        action="store_true",
        help="only step 6: each appendix's cold --jobs 1 build, this checkout and --before",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fostering-bench-") as scratch:
        root = Path(scratch) / "repo"
        root.mkdir()
        years, env, council = _stage(root, args.only)
        reports = root / "reports"
        count = sum(len(y) for y in years.values())
        newest = max(y for labels in years.values() for y in labels)
        build = [sys.executable, "-m", "analysis.build", *(f"--only={n}" for n in args.only)]
        print(
            f"{count} notebooks ({', '.join(sorted(years))}); {os.cpu_count()} CPUs; "
            f"--jobs {args.jobs}; medians of {args.runs}\n"
        )
        print(f"{'':34} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")

        def runs(label: str, command: list[str], before=None) -> Measured:
            done = []
            for _ in range(args.runs):
                if before:
                    before()
                done.append(_measured(label, [command], env, root))
            result = _median(done)
            print(result.line(label), flush=True)
            return result

        def clean() -> None:
            shutil.rmtree(reports / council, ignore_errors=True)

        if args.per_appendix:
            now = _measured("cold build, --jobs 1", [[*build, "--jobs", "1"]], env, root)
            print(now.line("cold build, --jobs 1 (once)"), flush=True)
            command, before_env, before_root = _before(args.before or BEFORE, Path(scratch))
            command += [f"--only={n}" for n in args.only]
            then = _measured("before", [command], before_env, before_root)
            print(then.line(f"cold build at {(args.before or BEFORE)[:10]}, --jobs 1"))
            print(_compare(_per_appendix(now.log), _per_appendix(then.log), args.before or BEFORE))
            return
        naive = _measured("naive", _naive(root, Path(scratch), years, council), env, root)
        print(naive.line("naive papermill+nbconvert (once)"), flush=True)
        cold_1 = runs("cold build, --jobs 1", [*build, "--jobs", "1"], clean)
        cold_n = runs(f"cold build, --jobs {args.jobs}", [*build, "--jobs", str(args.jobs)], clean)
        labels = sorted({y for ys in years.values() for y in ys})
        floor = runs(
            f"empty notebook x {len(labels)}, --jobs 1",
            _floor_build(root, labels),
            lambda: shutil.rmtree(reports, ignore_errors=True),
        )
        clean()
        _measured("prime", [[*build, "--jobs", str(args.jobs)]], env, root)
        noop = runs("no-op (nothing changed)", [*build, "--jobs", str(args.jobs)])

        def change() -> None:
            _change_one_input(root, newest)

        year = runs(f"one year ({newest} changed)", [*build, "--jobs", str(args.jobs)], change)
        print(
            f"\ncold build ({args.jobs} jobs) is {naive.wall / cold_n.wall:.1f}x faster than "
            f"the naive loop; --jobs {args.jobs} is {cold_1.wall / cold_n.wall:.1f}x --jobs 1\n"
            f"per-appendix floor: {floor.wall / len(labels):.2f} s wall, "
            f"{floor.cpu / len(labels):.2f} s CPU (an empty notebook through the build)\n"
            f"no-op rebuild: {noop.wall:.2f} s (goal: under 1 s)\n"
            f"one-year rebuild: {year.wall:.1f} s ({cold_n.wall / year.wall:.1f}x faster than cold)"
        )
        if args.before:
            command, before_env, before_root = _before(args.before, Path(scratch))
            command += [f"--only={n}" for n in args.only]
            then = _measured("before", [command], before_env, before_root)
            print(_compare(_per_appendix(cold_1.log), _per_appendix(then.log), args.before))


if __name__ == "__main__":
    main()
