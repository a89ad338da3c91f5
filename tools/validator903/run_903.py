"""Run the DfE's SSDA903 validator (csc-validator-be-903) on one year's header and episodes.

Runs in the validator's own environment (``.venv-903``, made by ``make`` from
``tools/validator903/requirements.txt``): the package pins pandas<2 and numpy<1.25, so the
project's environment cannot import it. ``analysis.sources.ssda903.validator`` calls this
script as a subprocess and reads the JSON it prints:

    .venv-903/bin/python tools/validator903/run_903.py --year 2024-25 --la E08000026 \
        --header H.csv --episodes E.csv [--header-last H0.csv --episodes-last E0.csv]

Output: {"ruleset", "note", "status": {rule: pass|fail|skipped|error},
"failures": [{"rule", "message", "table", "rows": [0-based data rows]}]}.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import json
import logging
import sys
from pathlib import Path

from lac_validator.lac_validator import LacValidator  # loads the reference data

logging.getLogger().setLevel(logging.WARNING)  # the package sets INFO at import
RULES_DIR = Path(importlib.import_module("lac_validator.rules").__path__[0])
RULESETS = sorted(p.name for p in RULES_DIR.glob("lac20*_*"))
# The collection that changed SEX from 1/2 to M/F/U (rule 101 in the lac2024_25 rules).
NEW_SEX_FROM = 2024
NEW_SEX = {"1": "M", "2": "F"}


def ruleset_for(year: str) -> tuple[str, dict, str]:
    """'2024-25' -> (name, registry, note): the year's rules or the nearest the package has."""
    start = int(year[:4])
    name = f"lac{start}_{(start + 1) % 100:02d}"
    note = ""
    if name not in RULESETS:
        fallback = max([r for r in RULESETS if r < name], default=RULESETS[0])
        note = f"the validator has no rules for {year}; the {fallback} rules were used"
        name = fallback
    return name, importlib.import_module(f"lac_validator.rules.{name}").registry, note


def recode_sex(content: bytes) -> bytes:
    """A previous year's header with SEX 1/2 rewritten as M/F, so rule 202 compares like codes."""
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    if not rows:
        return content
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row, SEX=NEW_SEX.get(row["SEX"], row["SEX"])))
    return out.getvalue().encode("utf-8")


def validate(year: str, la: str, files: dict[str, str | None]) -> dict:
    """Every rule's status and the failing rows of each failed rule, per table."""
    name, registry, note = ruleset_for(year)
    uploads = []
    for table, path in files.items():
        if not path:
            continue
        content = Path(path).read_bytes()
        if table == "Header_last" and int(year[:4]) >= NEW_SEX_FROM:
            content = recode_sex(content)
        uploads.append(
            {
                "name": Path(path).name,  # only the extension is used
                "description": "Prev year" if table.endswith("_last") else "This year",
                "file_content": content,
            }
        )
    metadata = {"collectionYear": str(int(year[:4]) + 1), "localAuthority": la}
    with contextlib.redirect_stdout(sys.stderr):  # a few rules print() as they run
        v = LacValidator(metadata=metadata, files=uploads, registry=registry)
    status = dict.fromkeys(v.dones, "pass") | dict.fromkeys(v.skips, "skipped")
    status |= dict.fromkeys(v.fails, "error")
    failures = []
    for code, rule in registry.items():
        for table, df in v.ds_results.items():
            column = f"ERR_{code}"
            if table == "metadata" or column not in df:
                continue
            rows = [int(i) for i in df.index[df[column].eq(True)]]
            if rows:
                status[code] = "fail"
                failures.append(
                    {"rule": str(code), "message": rule.message, "table": table, "rows": rows}
                )
    return {"ruleset": name, "note": note, "status": status, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--year", required=True, help="collection year, e.g. 2024-25")
    p.add_argument("--la", required=True, help="the council's new LA code, e.g. E08000026")
    for table in ("header", "episodes", "header-last", "episodes-last"):
        p.add_argument(f"--{table}", required=not table.endswith("last"))
    a = p.parse_args(argv)
    files = {
        "Header": a.header,
        "Episodes": a.episodes,
        "Header_last": a.header_last,
        "Episodes_last": a.episodes_last,
    }
    json.dump(validate(a.year, a.la, files), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
