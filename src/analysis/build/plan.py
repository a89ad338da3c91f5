"""What to build: every (analysis, year) for a council and data source, with its content hash.

A notebook is executed only when the hash of what it depends on (the notebook, the
``analysis`` modules it imports and the export code, the year's input files, the
council's configuration, the parameters, the installed package versions) differs from the
one recorded in the manifest. The decision uses content, never file times.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths
from analysis.core.years import require_year
from analysis.registry import Analysis

if TYPE_CHECKING:
    from analysis.council.config import Council

PACKAGE = Path(__file__).resolve().parents[1]
# Modules that shape every export whatever the notebook imports (followed through
# their imports), and the build itself (hashed, not followed: it imports the registry).
ALWAYS = ("presentation.appendix", "presentation.export", "disclosure.suppression", "core.paths")
BUILD = "build"
SCRATCH = ".scratch"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _imported_modules(source: str) -> set[str]:
    """Dotted names (below ``analysis``) of the modules a piece of Python imports.

    ``from analysis.x import y`` yields ``x`` and ``x.y`` (``y`` may be a module); names
    that are not modules are dropped when resolved to files.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to a line scan
        tree = ast.parse(
            "\n".join(
                line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
            )
        )
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {
                a.name[len("analysis.") :] for a in node.names if a.name.startswith("analysis.")
            }
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "analysis":
                found |= {a.name for a in node.names}
            elif node.module.startswith("analysis."):
                base = node.module[len("analysis.") :]
                found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return found


def _module_files(name: str, package: Path) -> list[Path]:
    """The files that importing ``analysis.<name>`` runs: the module and each package's
    ``__init__`` on the way to it (empty when ``name`` is not a module)."""
    parts = name.split(".")
    target = package.joinpath(*parts)
    module = (
        target.with_suffix(".py") if target.with_suffix(".py").exists() else target / "__init__.py"
    )
    if not module.exists():
        return []
    inits = [package.joinpath(*parts[:i], "__init__.py") for i in range(len(parts))]
    return [module, *(p for p in inits if p.exists())]


def module_closure(notebook: Path, package: Path = PACKAGE) -> list[Path]:
    """The package files a notebook depends on: what it imports, transitively, plus export
    code, templates and the build itself."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    )
    todo = _imported_modules(source) | set(ALWAYS)
    seen: set[str] = set()
    files: set[Path] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = _module_files(name, package)
        files |= set(found)
        if found:
            todo |= _imported_modules(found[0].read_text(encoding="utf-8")) - seen
    files |= set((package / BUILD).rglob("*.py"))
    files |= {p for p in (package / "presentation" / "templates").rglob("*") if p.is_file()}
    return sorted(files)


def environment_fingerprint() -> str:
    """Python version and every installed distribution's version, as one hash."""
    from importlib import metadata

    versions = sorted(
        f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in metadata.distributions()
    )
    return hashlib.sha256("\n".join([sys.version, *versions]).encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    """A file as the provenance footer names it: from the repository root, or by its name
    alone when it lies elsewhere (a folder's path can name a person, such as a user)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


@dataclass(frozen=True)
class Job:
    """One notebook for one year: what to run, where it goes, and its content hash."""

    name: str
    title: str
    year: str
    notebook: str
    parameters: dict[str, str]
    inputs: list[tuple[str, str]]  # (relative path, sha256)
    key: str
    commit: str
    dirty: bool
    root: str
    service: str
    scratch: str  # this build's own scratch folder, inside its reports folder
    pdf: bool = False

    @property
    def slot(self) -> str:
        return f"{self.year}/{self.name}"


def git_state(root: Path) -> tuple[str, bool]:
    """The commit checked out and whether the working tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)", True
    return commit, bool(status.strip())


def reports_dir(root: Path, council: Council, raw: str) -> Path:
    """``reports/<council>/<data source>/``: one council's and source's pages, kept apart."""
    return root / "reports" / council.slug / paths.source_slug(raw)


def plan(
    analyses: Sequence[Analysis],
    root: Path,
    council: Council,
    *,
    year: str | None = None,
    only: Sequence[str] = (),
    disclosure: str = "public",
    raw: str = "example",
    pdf: bool = False,
    package: Path = PACKAGE,
) -> tuple[list[Job], list[Analysis]]:
    """Every (analysis, year) to consider for ``council``, newest year first, each with its
    content hash; and the analyses for which the council supplied no data.

    ``package`` is the ``analysis`` source folder whose files are hashed.
    """
    environment = environment_fingerprint()
    commit, dirty = git_state(root)
    notebooks = root / "notebooks"
    known = {a.name for a in analyses}
    unknown = sorted(set(only) - known)
    if unknown:
        raise SystemExit(f"unknown analysis {unknown}; registered: {sorted(known)}")
    selected = [a for a in analyses if not only or a.name in only]
    for analysis in selected:
        if not (notebooks / f"{analysis.name}.ipynb").exists():
            raise SystemExit(
                f"analysis {analysis.name!r} is registered but "
                f"{notebooks / analysis.name}.ipynb is missing"
            )
    years = {a.name: a.years(council, raw) for a in selected}
    if year is not None:
        require_year(year, sorted({y for ys in years.values() for y in ys}), "data to build")
    configuration = sorted(
        (p for p in council.folder.rglob("*") if p.is_file()), key=lambda p: p.as_posix()
    )
    council_files = [(_relative(p, root), sha256_file(p)) for p in configuration]
    jobs = []
    for analysis in selected:
        notebook = notebooks / f"{analysis.name}.ipynb"
        modules = module_closure(notebook, package)
        code = [(f"notebooks/{notebook.name}", sha256_file(notebook))]
        code += [(f"analysis/{p.relative_to(package).as_posix()}", sha256_file(p)) for p in modules]
        for label in sorted(years[analysis.name], reverse=True):
            if year is not None and label != year:
                continue
            inputs = [
                (_relative(p, root), sha256_file(p) if p.exists() else "missing")
                for p in sorted(set(analysis.inputs(council, label, raw)))
            ]
            parameters = {
                "year": label,
                "disclosure": disclosure,
                "raw": raw,
                "council": council.slug,
            }
            key = hashlib.sha256(
                json.dumps(
                    [code, inputs, council_files, parameters, environment], sort_keys=True
                ).encode()
            ).hexdigest()
            jobs.append(
                Job(
                    analysis.name,
                    analysis.title,
                    label,
                    str(notebook),
                    parameters,
                    inputs,
                    key,
                    commit,
                    dirty,
                    str(root),
                    council.service,
                    str(reports_dir(root, council, raw) / SCRATCH),
                    pdf,
                )
            )
    jobs.sort(key=lambda j: (j.year, j.name), reverse=True)
    missing = [a for a in selected if not years[a.name]]
    return jobs, missing
