"""Build every appendix: execute each notebook per year with papermill, export HTML.

``python -m analysis.build [--year 2024-25] [--only NAME]``. Outputs go to
``reports/<year>/<name>.ipynb`` and ``.html``; each is written to a temporary file
and moved into place only when complete, so a failed run leaves no half-written
report.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from analysis import paths
from analysis.registry import ANALYSES
from analysis.years import FinancialYear


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, target)


def export_html(executed: Path) -> str:
    """The executed notebook as HTML with no code cells or prompts."""
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return body


def build_one(name: str, year: str, *, disclosure: str = "public", raw: str = "example") -> Path:
    """Execute one notebook for one year and export it; return the HTML path."""
    analysis = ANALYSES[name]
    out_dir = paths.REPORTS / year
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (out_dir / f"{name}.html", out_dir / f"{name}.ipynb"):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        executed = Path(scratch) / f"{name}.ipynb"
        papermill.execute_notebook(
            str(analysis.notebook),
            str(executed),
            parameters={"year": year, "disclosure": disclosure, "raw": raw},
            cwd=str(paths.ROOT),
            progress_bar=False,
        )
        html_text = export_html(executed)
        os.replace(executed, out_dir / f"{name}.ipynb")
    target = out_dir / f"{name}.html"
    _atomic_write(target, html_text)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", help="only this financial year, e.g. 2024-25")
    parser.add_argument("--only", choices=sorted(ANALYSES), help="only this analysis")
    parser.add_argument("--disclosure", default="public", choices=["public", "internal"])
    parser.add_argument("--raw", default="example", help="'example', 'extracts' or a folder")
    args = parser.parse_args(argv)
    if args.year:
        FinancialYear.parse(args.year)
    failures = 0
    for name, analysis in ANALYSES.items():
        if args.only and name != args.only:
            continue
        for year in analysis.years():
            if args.year and year != args.year:
                continue
            try:
                print(f"{name} {year} ...", flush=True)
                build_one(name, year, disclosure=args.disclosure, raw=args.raw)
            except Exception as exc:  # report, carry on with the other years
                failures += 1
                print(f"FAILED {name} {year}: {exc}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
