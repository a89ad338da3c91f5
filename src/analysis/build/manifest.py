"""What was built from what, kept beside the reports, and where each job's files go."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.build.plan import Job, sha256_file
from analysis.core.atomic import atomic_write

MANIFEST = ".build-manifest.json"


def sweep(reports: Path) -> None:
    """Remove temporary files a killed build may have left (they never look like reports)."""
    for stray in reports.rglob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()


def outputs(reports: Path, job: Job) -> dict[str, Path]:
    base = reports / job.year / job.name
    return {
        "html": base.with_suffix(".html"),
        "ipynb": base.with_suffix(".ipynb"),
        "pdf": base.with_suffix(".pdf"),
        "png": base.with_suffix(".png"),
        "failed": base.with_name(f"{job.name}.failed.ipynb"),
    }


@dataclass
class Manifest:
    """What was built from what: one entry per ``<year>/<name>``, kept beside the reports."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, reports: Path, warn: Callable[[str], None] = print) -> Manifest:
        """The manifest beside ``reports``; a damaged one is set aside (renamed ``.damaged``)
        with a warning, and the build then decides from the files alone (rebuilding all)."""
        path = reports / MANIFEST
        if not path.exists():
            return cls(path)
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
            if not isinstance(entries, dict) or not all(
                isinstance(e, dict) and {"status", "name", "year", "title"} <= set(e)
                for e in entries.values()
            ):
                raise ValueError("entries are not records of built appendices")
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            aside = path.with_name(path.name + ".damaged")
            path.replace(aside)
            warn(f"warning: the build manifest was damaged ({error}); set aside as {aside.name}")
            return cls(path)
        return cls(path, entries)

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"entries": self.entries}, indent=1, sort_keys=True))

    def current(self, job: Job, reports: Path) -> bool:
        """True when the report on disk was built from exactly this job's content."""
        entry = self.entries.get(job.slot)
        files = outputs(reports, job)
        if not entry or entry.get("status") != "built" or entry.get("key") != job.key:
            return False
        if not files["html"].exists() or sha256_file(files["html"]) != entry.get("html"):
            return False
        if not files["ipynb"].exists():  # the executed notebook is part of the build
            return False
        return not job.pdf or (files["pdf"].exists() and entry.get("pdf") == entry.get("html"))
