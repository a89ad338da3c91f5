"""What to build: every (analysis, year) for a council and data source, with its content hash.

A notebook is executed only when the hash of what it depends on (the notebook, the
``analysis`` modules it imports and the export code, the year's input files, the
council's configuration, the parameters, the installed package versions) differs from the
one recorded in the manifest. The decision uses content, never file times.

Which years an analysis has, and which files each year reads, may come from the files'
content (an SSDA903 return's year is read from its dates), which means importing pandas
and reading every file. Planning does that only when something it could depend on has
changed: the answers are kept in the build's store (:data:`DISCOVERY`, beside the
manifest), keyed by the SHA-256 of every file in the council's data source and
configuration, of the domain code that answers, and of the installed packages. A no-op
rebuild therefore imports neither pandas nor the analyses.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths
from analysis.core.atomic import atomic_write
from analysis.core.cache import sha256_file
from analysis.core.years import FinancialYear, require_year
from analysis.registry import Analysis

if TYPE_CHECKING:
    from analysis.council.config import Council

PACKAGE = Path(__file__).resolve().parents[1]
# Modules that shape every export whatever the notebook imports (followed through
# their imports), and the build itself (hashed, not followed: it imports the registry).
ALWAYS = ("presentation.appendix", "presentation.export", "disclosure.suppression", "core.paths")
BUILD = "build"
SCRATCH = ".scratch"
DISCOVERY = ".build-discovery.json"


class Hashes(dict):
    """SHA-256 per file, each file read once per plan (a file may be hashed as a data
    source file, a council file and an input)."""

    def __missing__(self, path: Path) -> str:
        self[path] = value = sha256_file(path)
        return value


def _statements(nodes: list[ast.AST]) -> Iterator[ast.AST]:
    """Every statement in ``nodes`` and the blocks inside them (imports are statements:
    expressions, most of a module's nodes, need not be visited)."""
    for node in nodes:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                yield from _statements(inner)


@functools.lru_cache(maxsize=1024)
def _imported_modules(source: str) -> frozenset[str]:
    """Dotted names (below ``analysis``) of the modules a piece of Python imports.

    ``from analysis.x import y`` yields ``x`` and ``x.y`` (``y`` may be a module); names
    that are not modules are dropped when resolved to files. Kept per source text: one
    plan follows the same modules for every notebook.
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
    for node in _statements(tree.body):
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
    return frozenset(found)


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


def _closure(todo: set[str], package: Path) -> set[Path]:
    """The package files that importing the modules ``todo`` runs, transitively."""
    todo = set(todo)
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
    return files


def module_closure(notebook: Path, package: Path = PACKAGE) -> list[Path]:
    """The package files a notebook depends on: what it imports, transitively, plus export
    code, templates and the build itself."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    )
    files = _closure(_imported_modules(source) | set(ALWAYS), package)
    files |= set((package / BUILD).rglob("*.py"))
    files |= {p for p in (package / "presentation" / "templates").rglob("*") if p.is_file()}
    return sorted(files)


def environment_fingerprint() -> str:
    """Python version and every installed distribution's name and version, as one hash.

    Read from the names of the ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path``
    (``name-version.dist-info``: installing another version renames it), which is what
    ``importlib.metadata`` reports without parsing every distribution's metadata file.
    """
    names = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                names |= {e.name for e in found if e.name.endswith((".dist-info", ".egg-info"))}
        except OSError:  # a zip file or a folder that is not there
            continue
    return hashlib.sha256("\n".join([sys.version, *sorted(names)]).encode()).hexdigest()


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
    # The job whose page this one is decided against (last year's, where the analysis
    # follows it: analysis.disclosure.earlier): built first; its key is in this one's.
    after: str | None = None

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


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder``, in a fixed order (none when it does not exist)."""
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.as_posix())


def _read_store(store: Path | None) -> dict:
    """What an earlier plan found (empty when there is none or it is unreadable)."""
    if store is None or not store.exists():
        return {}
    try:
        kept = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _portable(path: Path | str, root: Path) -> str:
    """A path as the discovery store keeps it: from the repository root when it lies
    inside it (a moved or copied checkout then reads the same store), else absolute."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def discover(
    analyses: Sequence[Analysis],
    council: Council,
    raw: str,
    *,
    root: Path = paths.ROOT,
    store: Path | None = None,
    environment: str | None = None,
    hashes: Hashes | None = None,
    package: Path = PACKAGE,
    save: bool = True,
) -> dict[str, dict[str, list[Path]]]:
    """Per analysis, each year with data and the files that year reads.

    Asks the analysis (``years`` and ``inputs``, which may read every file) unless
    ``store`` holds an answer under the same key: the SHA-256 of every file in the data
    source folder and the council's folder, of the ``analysis`` modules the analysis's
    source module runs, the installed packages, the data source and the council. Any
    change to any of them asks again, so a file whose content changed is read again.
    Only analyses whose source module lies in ``package`` are kept. Paths inside
    ``root`` (the repository) are kept relative to it, and the modules' relative to
    ``package``, so that the store still serves a checkout moved elsewhere.
    """
    hashes = Hashes() if hashes is None else hashes
    kept = _read_store(store)
    context: list | None = None
    out: dict[str, dict[str, list[Path]]] = {}
    changed = False
    for analysis in analyses:
        key = None
        if store is not None and analysis.source.startswith("analysis."):
            if context is None:
                folder = paths.raw_dir(raw, council.slug)
                files = [*_files(folder), *_files(council.folder)]
                context = [
                    _portable(folder, root),
                    _portable(council.folder, root),
                    council.slug,
                    raw if raw in ("example", "extracts") else _portable(raw, root),
                    environment or environment_fingerprint(),
                    [(_portable(p, root), hashes[p]) for p in files],
                ]
            code = sorted(_closure({analysis.source.removeprefix("analysis.")}, package))
            modules = [(p.relative_to(package).as_posix(), hashes[p]) for p in code]
            key = hashlib.sha256(
                json.dumps([context, analysis.source, modules]).encode()
            ).hexdigest()
            entry = kept.get(analysis.name)
            if isinstance(entry, dict) and entry.get("key") == key:
                years = entry["years"].items()
                out[analysis.name] = {y: [root / p for p in f] for y, f in years}
                continue
        found = {
            label: sorted(set(analysis.inputs(council, label, raw)))
            for label in analysis.years(council, raw)
        }
        out[analysis.name] = found
        if key is not None:
            years = {label: [_portable(p, root) for p in files] for label, files in found.items()}
            kept[analysis.name] = {"key": key, "years": years}
            changed = True
    if changed and save and store is not None and store.parent.is_dir():
        atomic_write(store, json.dumps(kept, indent=1, sort_keys=True))
    return out


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
    store: Path | None = None,
) -> tuple[list[Job], list[Analysis]]:
    """Every (analysis, year) to consider for ``council``, newest year first, each with its
    content hash; and the analyses for which the council supplied no data.

    ``package`` is the ``analysis`` source folder whose files are hashed; ``store`` the
    file that keeps what :func:`discover` found (none: ask the analyses every time).
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
    hashes = Hashes()
    found = discover(
        selected,
        council,
        raw,
        root=root,
        store=store,
        environment=environment,
        hashes=hashes,
        package=package,
    )
    years = {name: sorted(by_year) for name, by_year in found.items()}
    if year is not None:
        require_year(year, sorted({y for ys in years.values() for y in ys}), "data to build")
    council_files = [(_relative(p, root), hashes[p]) for p in _files(council.folder)]
    jobs = []
    for analysis in selected:
        notebook = notebooks / f"{analysis.name}.ipynb"
        modules = module_closure(notebook, package)
        code = [(f"notebooks/{notebook.name}", hashes[notebook])]
        code += [(f"analysis/{p.relative_to(package).as_posix()}", hashes[p]) for p in modules]
        last: tuple[str, str] | None = None  # (year, key) of the year before, for `follows`
        for label in sorted(years[analysis.name]):
            inputs = [
                (_relative(p, root), hashes[p] if p.exists() else "missing")
                for p in found[analysis.name][label]
            ]
            parameters = {
                "year": label,
                "disclosure": disclosure,
                "raw": raw,
                "council": council.slug,
            }
            after = None
            if analysis.follows and last and last[0] == FinancialYear.parse(label).previous.label:
                after = last
            key = hashlib.sha256(
                json.dumps(
                    [code, inputs, council_files, parameters, environment, after and after[1]],
                    sort_keys=True,
                ).encode()
            ).hexdigest()
            last = (label, key)
            if year is not None and label != year:
                continue
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
                    f"{after[0]}/{analysis.name}" if after else None,
                )
            )
    jobs.sort(key=lambda j: (j.year, j.name), reverse=True)
    missing = [a for a in selected if not years[a.name]]
    return jobs, missing
