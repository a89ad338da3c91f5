"""Build every appendix: each notebook for each year with data, executed and exported to HTML.

``python -m analysis.build [--council SLUG|all] [--year 2024-25] [--only NAME] [--jobs N]
[--disclosure public|internal] [--raw example|extracts|DIR] [--pdf]``

Reports go to ``reports/<council>/<data source>/<year>/<analysis>.html`` with an
``index.html`` per council and source; building one council never touches another's.
See :mod:`analysis.build.plan` (what is out of date) and :mod:`analysis.build.runner`
(how it is built).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.build.plan import DISCOVERY, discover, reports_dir
from analysis.build.runner import run
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import YearError
from analysis.registry import ANALYSES, Analysis

if TYPE_CHECKING:
    from analysis.council.config import Council


def _has_year(
    analyses: Sequence[Analysis], council: Council, args: argparse.Namespace, root: Path
) -> bool:
    """Whether any selected analysis has data for the requested year for ``council``
    (from what the last build found, when nothing it depends on has changed)."""
    selected = [a for a in analyses if not args.only or a.name in args.only]
    store = reports_dir(root, council, args.raw) / DISCOVERY
    found = discover(selected, council, args.raw, root=root, store=store, save=False)
    return any(args.year in by_year for by_year in found.values())


def main(
    argv: list[str] | None = None,
    analyses: Sequence[Analysis] | None = None,
    root: Path | None = None,
) -> int:
    """The command line; ``analyses`` and ``root`` let tests build a stand-in repository."""
    from analysis.council import config

    analyses = ANALYSES if analyses is None else analyses
    root = root or paths.ROOT
    parser = argparse.ArgumentParser(
        prog="python -m analysis.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--council",
        help="the council's folder name under councils/, or 'all' "
        "(default: the default council in councils/settings.toml)",
    )
    parser.add_argument("--year", help="only this financial year, e.g. 2024-25")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(a.name for a in analyses),
        default=[],
        help="only this analysis (repeatable)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks run at once (default: number of CPUs)",
    )
    parser.add_argument(
        "--disclosure",
        default="public",
        choices=["public", "internal"],
        help="'public' suppresses small numbers (default); 'internal' does "
        "not, and marks every page not for circulation",
    )
    parser.add_argument("--raw", default="example", help="'example', 'extracts' or a folder")
    parser.add_argument("--pdf", action="store_true", help="also print each appendix to PDF")
    args = parser.parse_args(argv)
    code = 0
    try:
        slugs = config.available(root) if args.council == "all" else [args.council]
        for slug in slugs:
            council = config.load(slug, root)
            if len(slugs) > 1 and args.year and not _has_year(analyses, council, args, root):
                print(f"{council.name}: no data for {args.year}; skipped", file=sys.stderr)
                continue
            outcome = run(
                analyses,
                root,
                council,
                year=args.year,
                only=args.only,
                jobs=max(1, args.jobs),
                disclosure=args.disclosure,
                raw=args.raw,
                pdf=args.pdf,
            )
            code = max(code, outcome.code)
            if outcome.interrupted:
                break
    except (YearError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a read-only or full reports folder, before any build
        print(f"error: cannot write the reports: {error.strerror or error}", file=sys.stderr)
        return 2
    return code
