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
validator once per year's files. A council's own column names are given to it as the DfE's
(:func:`dfe_named`). Episode rows failing a rule in :data:`UNUSABLE` (one whose failure makes
the row's contribution to the stability indicators unknowable) are set aside with the rule
as their reason (:func:`set_aside`, called by ``analysis.stability.report.load_year``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.core import paths, quarantine
from analysis.core.atomic import atomic_write
from analysis.core.layouts import normalise
from analysis.core.years import FinancialYear
from analysis.sources.ssda903.load import (
    EPISODE_LAYOUT,
    HEADER_LAYOUT,
    OPTIONAL,
    QUARANTINE_KEEP,
    Aliases,
    Returns,
    find_returns,
)

VENV = ".venv-903"
SCRIPT = Path("tools") / "validator903" / "run_903.py"
REQUIREMENTS = Path("tools") / "validator903" / "requirements.txt"
COLUMNS = ["Rule", "Message", "Table", "Rows affected", "Rows", "Known validator bug"]
# Rules that fail for reasons in the validator, not the data (csc-validator-be-903 0.1.17).
KNOWN_BUGS = {
    "231": "raises an error on CSV input (it reads a column only the XML upload has)",
    "146": "in the 2024-25 rules its code list has 'k3' in lower case, so every K3 "
    "(registered supported accommodation) placement fails",
}
# A failure of these rules makes the episode row unusable for the three indicators: what the
# row contributes (is it a placement, a move, the start or end of a period of care, a day in
# care) cannot be known, so it is set aside with the rule as its reason. The field named is
# the one the quarantine row records. See :func:`set_aside` and docs/assumptions.md.
UNUSABLE = {
    # Dates and codes the indicators read (our loader's own checks catch most of these first).
    "141": "DECOM",  # start date not a valid date
    "147": "DEC",  # end date not a valid date
    "143": "RNE",  # reason for new episode not a valid code
    "144": "LS",  # legal status not a valid code (short breaks are told by it)
    "146": "PLACE",  # placement type not a valid code
    "149": "REC",  # reason episode ceased not a valid code
    "1009": "REASON_PLACE_CHANGE",  # not a valid code
    # An end reason without an end date (or the reverse): ended or still open is unknown.
    "148": "REC",
    # A temporary placement starting a period of care or recorded as other than a move:
    # which placement the child was in cannot be told.
    "380": "PLACE",
    # The reason for new episode contradicts the episodes around it, so whether a new
    # period of care or a placement move began cannot be told.
    "431": "RNE",  # started to be looked after, but the previous episode ended that day
    "432": "RNE",  # the previous episode ended care, but this one is not a new start
    "433": "RNE",  # a continuation, but not starting the day the previous one ended
    "434": "RNE",  # legal status change only, but the placement changed (or the status did not)
    "435": "RNE",  # placement change only, but the placement did not change (or the status did)
    "436": "RNE",  # placement and legal status changed, but the data show otherwise
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
    """One year's header and episodes files in ``where`` and the previous year's (or None),
    each return's year read from its dates."""
    found = find_returns(where)
    if year not in found:
        raise FileNotFoundError(f"no SSDA903 return for {year} in {where.name}/")
    return files_for(found, year)


def validate_year(
    slug: str, la: str, where: Path, year: str, files: dict[str, Path | None] | None = None
) -> tuple[pd.DataFrame, dict]:
    """Validate one year's return; write the results CSV for the analyst.

    ``files`` are the validator's inputs (:func:`files_for`); without them the files in
    ``where`` named for the year and the previous one. Returns (results table, raw output
    with the ruleset used and its note). The CSV goes to
    ``data/processed/<council>/<source>/ssda903/validator_<year>.csv``.
    """
    raw = run(year, la, files or year_files(where, year))
    table = results(raw)
    target = paths.processed_dir(slug, where.parent) / "ssda903" / f"validator_{year}.csv"
    atomic_write(target, table.to_csv(index=False, lineterminator="\n"))
    return table, raw


def unusable(table: pd.DataFrame, episodes: pd.DataFrame, file: str) -> pd.DataFrame:
    """Episode rows of ``file`` that a failed rule makes unusable, as quarantine rows.

    ``episodes`` carries ``source_file``, ``source_row`` (spreadsheet row) and PLACE; the
    reason names the rule and the field is the one :data:`UNUSABLE` names (its value is
    recorded where ``episodes`` still has that column). A row failing several rules is
    held once, under the first. K3 rows failing rule 146 are the validator's bug, not held.
    """
    parts = []
    for row in table.loc[table["Table"].eq("Episodes") & table["Rule"].isin(UNUSABLE)].itertuples():
        numbers = {int(n) for n in row.Rows.split()}
        mine = episodes["source_file"].eq(file) & episodes["source_row"].isin(numbers)
        if row.Rule == "146":
            mine &= episodes["PLACE"].ne("K3")
        reason = f"DfE validator rule {row.Rule}: {row.Message}"
        field = UNUSABLE[row.Rule]
        held = quarantine.set_aside(episodes, mine, reason, field if field in episodes else None)[1]
        parts.append(held.assign(column=field))
    held = quarantine.combine(parts)
    return held.drop_duplicates(["source_file", "source_row"], ignore_index=True)


def dfe_named(path: Path, aliases: dict[str, str]) -> Path:
    """``path`` as the validator must read it: every column under its DfE name.

    The validator knows the DfE names only, in capitals. A file whose header row already
    has them is used as it is; otherwise a copy with the header row renamed (the council's
    declared ``aliases``, header -> DfE name, then the DfE layout's names in any case and
    spacing) is written beside the validator's cache, keyed by content like the results.
    Data rows are copied unchanged, so spreadsheet row numbers still point at the file.
    """
    names = {normalise(n): n for n in (*HEADER_LAYOUT, *EPISODE_LAYOUT, *OPTIONAL)}
    names |= {normalise(h): n for h, n in aliases.items()}
    content = Path(path).read_bytes()
    first, newline, rest = content.partition(b"\n")
    columns = next(csv.reader([first.decode("utf-8-sig").rstrip("\r")]))
    renamed = [names.get(normalise(c), c) for c in columns]
    if renamed == columns:
        return Path(path)
    line = ",".join(renamed) + ("\r" if first.endswith(b"\r") else "")
    copy = line.encode() + newline + rest
    key = hashlib.sha256(copy).hexdigest()
    target = paths.PROCESSED / ".cache" / "validator903" / "inputs" / key / Path(path).name
    if not target.exists():
        atomic_write(target, copy)
    return target


def files_for(
    found: dict[str, tuple[Path, Path]], year: str, aliases: Aliases | None = None
) -> dict[str, Path | None]:
    """The validator's inputs for ``year`` from a catalogue of returns (each year read from
    its dates, :func:`analysis.sources.ssda903.load.find_returns`): the year's header and
    episodes and the previous year's (None where absent), under DfE column names
    (:func:`dfe_named`, through the council's declared ``aliases`` per year)."""
    last = FinancialYear(FinancialYear.parse(year).start_year - 1).label
    out: dict[str, Path | None] = {}
    for label, suffix in ((year, ""), (last, "_last")):
        pair = found.get(label, (None, None))
        declared = (aliases or {}).get(label, {})
        for table, path in zip(("Header", "Episodes"), pair, strict=True):
            out[table + suffix] = dfe_named(path, declared) if path else None
    return out


def set_aside(returns: Returns, checks: dict[str, pd.DataFrame]) -> Returns:
    """``returns`` with the episode rows a failed rule makes unusable moved to its quarantine.

    ``checks`` maps each episodes file's name to the validator's results for its year
    (:func:`results`). Only rows still in use move: a row the loader has already set aside,
    or a copy superseded by a later return, stays where it is, so no row is counted twice
    in the quarantine or in the rows-read reconciliation.
    """
    held = quarantine.combine(
        [unusable(table, returns.episodes, name) for name, table in checks.items()]
    )
    if held.empty:
        return returns
    key = ["source_file", "source_row"]
    used = returns.episodes.set_index(key).index
    out = used.isin(held.set_index(key).index)
    keep = [c for c in QUARANTINE_KEEP if c in held]
    return replace(
        returns,
        episodes=returns.episodes.loc[~out].reset_index(drop=True),
        quarantine=quarantine.combine([returns.quarantine, held[keep]]),
    )
