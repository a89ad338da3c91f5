"""The DfE's own SSDA903 validator, run on a council's returns before the DfE runs it.

The DfE checks every return with ``csc-validator-be-903`` (Social Finance / DfE,
PyPI ``csc-validator-be-903==0.1.17``, the rules of the 2022-23 to 2026-27 collections).
It pins pandas<2 and numpy<1.25, so it lives in its own environment, ``.venv-903`` (made by
``make`` from ``tools/validator903/requirements.txt``), and :func:`run` calls
``tools/validator903/run_903.py`` there as a subprocess. Each year is checked with the
previous year's return, as the DfE does, so the rules comparing years run too.

Results are one row per failed rule and table: rule code, the validator's message, rows
affected and the rows as a spreadsheet shows them (header is row 1). Never a child's
identifier: a row number points the analyst at the file, which stays on their machine.
Results are cached by the content of the files, so a build over several years runs the
validator once per year's files.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pandas as pd

from analysis.core import paths, quarantine
from analysis.core.atomic import atomic_write
from analysis.core.years import FinancialYear

VENV = ".venv-903"
SCRIPT = Path("tools") / "validator903" / "run_903.py"
REQUIREMENTS = Path("tools") / "validator903" / "requirements.txt"
COLUMNS = ["Rule", "Message", "Table", "Rows affected", "Rows", "Known validator bug"]
TABLE_FILES = {"Header": "header", "Episodes": "episodes"}
# Rules that fail for reasons in the validator, not the data (csc-validator-be-903 0.1.17).
KNOWN_BUGS = {
    "231": "raises an error on CSV input (it reads a column only the XML upload has)",
    "146": "in the 2024-25 rules its code list has 'k3' in lower case, so every K3 "
    "(registered supported accommodation) placement fails",
}
# A failure of these rules makes the row unusable for the indicators: the field it names.
UNUSABLE = {
    "141": "DECOM",
    "147": "DEC",
    "143": "RNE",
    "144": "LS",
    "146": "PLACE",
    "149": "REC",
    "1009": "REASON_PLACE_CHANGE",
}


class ValidatorMissing(RuntimeError):
    """The validator's environment has not been made."""


def python(root: Path | None = None) -> Path:
    """The validator environment's interpreter; a clear error when it is missing."""
    exe = (root or paths.ROOT) / VENV / "bin" / "python"
    if not exe.exists():
        raise ValidatorMissing(
            f"The DfE SSDA903 validator's environment {VENV}/ is missing. "
            "Run `make` (or `make validator`) in the repository to create it."
        )
    return exe


def _digest(year: str, la: str, files: dict[str, Path | None]) -> str:
    """A key for the inputs: the year, council, the files' bytes and the runner's version."""
    h = hashlib.sha256(f"{year}|{la}".encode())
    for extra in (SCRIPT, REQUIREMENTS):
        h.update((paths.ROOT / extra).read_bytes())
    for table, path in files.items():
        h.update(f"|{table}|".encode())
        if path:
            h.update(Path(path).read_bytes())
    return h.hexdigest()


def run(year: str, la: str, files: dict[str, Path | None]) -> dict:
    """The validator's raw output for one year (cached by input content).

    ``files`` maps "Header", "Episodes", "Header_last", "Episodes_last" to paths (the
    last two may be None).
    """
    key = _digest(year, la, files)
    cache = paths.PROCESSED / ".cache" / "validator903" / f"{key}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    args = [str(python()), str(paths.ROOT / SCRIPT), "--year", year, "--la", la]
    for table, path in files.items():
        if path:
            args += [f"--{table.lower().replace('_', '-')}", str(path)]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        # Its traceback may quote a value from the return, so it goes to a local log only.
        log = cache.with_suffix(".log")
        atomic_write(log, done.stderr)
        raise RuntimeError(
            f"the DfE SSDA903 validator stopped with an error on the {year} return; "
            f"its message is in {log.relative_to(paths.ROOT)} (kept on this machine)"
        )
    out = json.loads(done.stdout)
    atomic_write(cache, json.dumps(out))
    return out


def results(raw: dict) -> pd.DataFrame:
    """Failed rules as a table: rule, message, table, rows affected, spreadsheet rows."""
    rows = [
        {
            "Rule": f["rule"],
            "Message": f["message"].strip(),
            "Table": f["table"],
            "Rows affected": len(f["rows"]),
            "Rows": " ".join(str(r + 2) for r in f["rows"]),
            "Known validator bug": f["rule"] in KNOWN_BUGS,
        }
        for f in raw["failures"]
    ]
    errors = [code for code, status in raw["status"].items() if status == "error"]
    rows += [
        {
            "Rule": code,
            "Message": "the rule raised an error and could not check the data",
            "Table": "",
            "Rows affected": 0,
            "Rows": "",
            "Known validator bug": code in KNOWN_BUGS,
        }
        for code in errors
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["Known validator bug", "Rule", "Table"], ignore_index=True)


def year_files(where: Path, year: str) -> dict[str, Path | None]:
    """One year's header and episodes files in ``where`` and the previous year's (or None)."""
    fy = FinancialYear.parse(year)
    last = FinancialYear(fy.start_year - 1).label
    out: dict[str, Path | None] = {}
    for label, suffix in ((year, ""), (last, "_last")):
        for table, kind in TABLE_FILES.items():
            found = sorted(where.glob(f"*{kind}*{label}*.csv"))
            if not found and not suffix:
                raise FileNotFoundError(f"no SSDA903 {kind} file for {year} in {where.name}/")
            out[table + suffix] = found[0] if found else None
    return out


def validate_year(slug: str, la: str, where: Path, year: str) -> tuple[pd.DataFrame, dict]:
    """Validate one year's return; write the results CSV for the analyst.

    Returns (results table, raw output with the ruleset used and its note). The CSV goes
    to ``data/processed/<council>/<source>/ssda903/validator_<year>.csv``.
    """
    raw = run(year, la, year_files(where, year))
    table = results(raw)
    target = paths.processed_dir(slug, where.parent) / "ssda903" / f"validator_{year}.csv"
    atomic_write(target, table.to_csv(index=False, lineterminator="\n"))
    return table, raw


def unusable(table: pd.DataFrame, episodes: pd.DataFrame, file: str) -> pd.DataFrame:
    """Episode rows of ``file`` that a failed rule makes unusable, as quarantine rows.

    ``episodes`` carries ``source_file``, ``source_row`` (spreadsheet row) and PLACE; the
    reason names the rule. K3 rows failing rule 146 are the validator's bug, not held back.
    """
    parts = []
    for row in table.loc[table["Table"].eq("Episodes") & table["Rule"].isin(UNUSABLE)].itertuples():
        numbers = {int(n) for n in row.Rows.split()}
        mine = episodes["source_file"].eq(file) & episodes["source_row"].isin(numbers)
        if row.Rule == "146":
            mine &= episodes["PLACE"].ne("K3")
        reason = f"DfE validator rule {row.Rule}: {row.Message}"
        parts.append(quarantine.set_aside(episodes, mine, reason, UNUSABLE[row.Rule])[1])
    return quarantine.combine(parts)
