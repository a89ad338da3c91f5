"""Build every appendix: each notebook for each year with data, executed and exported to HTML.

``python -m analysis.build [--year 2024-25] [--only NAME] [--jobs N]
[--disclosure public|internal] [--raw example|extracts|DIR] [--pdf]``

- Incremental: a notebook is executed only when the hash of what it depends on
  (the notebook, the ``analysis`` modules it imports and the export code, the
  year's input files, the parameters, the installed package versions) differs from
  the one recorded in ``reports/.build-manifest.json`` or its HTML is missing or
  altered. The decision uses content, never file times.
- Parallel: ``--jobs`` worker processes, each importing papermill and nbconvert
  once, run the notebooks (each in its own fresh kernel) and export them in
  process; progress shows each analysis and year, elapsed time and what is left.
- Contained failure: a notebook that raises is reported with its analysis, year,
  cell and error; its HTML is removed and the executed notebook kept as
  ``reports/<year>/<name>.failed.ipynb``; the other years still build, and the
  command exits non-zero.
- Nothing half-written: only this process writes under ``reports/``, each file via
  a temporary file and ``os.replace``; an interruption stops the workers, which
  clean up their scratch space, and leaves every report either complete or absent.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import fcntl
import hashlib
import html
import json
import multiprocessing
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from analysis import paths
from analysis.errors import InputError
from analysis.registry import Analysis
from analysis.years import FinancialYear, YearError, require_year

PACKAGE = Path(__file__).resolve().parent
MANIFEST = ".build-manifest.json"
LOCK = ".build.lock"
# Modules that shape every export whatever the notebook imports (followed through
# their imports), and the build itself (hashed, not followed: it imports the registry).
ALWAYS = ("__init__", "export", "present", "disclosure", "paths")
BUILD = "build.py"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


# --------------------------------------------------------------------------- hashing


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _imported_modules(source: str) -> set[str]:
    """Names of ``analysis`` submodules a piece of Python imports."""
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
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "analysis":
                found |= {a.name for a in node.names}
            elif node.module.startswith("analysis."):
                found.add(node.module.split(".")[1])
    return found


def module_closure(notebook: Path, package: Path = PACKAGE) -> list[Path]:
    """The package files a notebook depends on: what it imports, transitively, plus export code."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    )
    todo = _imported_modules(source) | set(ALWAYS)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        module = package / f"{name}.py"
        if not module.exists():
            module = package / name / "__init__.py"
        if module.exists():
            todo |= _imported_modules(module.read_text(encoding="utf-8")) - seen
    files = [package / f"{n}.py" for n in seen if (package / f"{n}.py").exists()]
    files += [p for n in seen if (package / n).is_dir() for p in (package / n).rglob("*.py")]
    files += [package / BUILD, *(p for p in (package / "templates").rglob("*") if p.is_file())]
    return sorted(set(files))


def environment_fingerprint() -> str:
    """Python version and every installed distribution's version, as one hash."""
    from importlib import metadata

    versions = sorted(
        f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in metadata.distributions()
    )
    return hashlib.sha256("\n".join([sys.version, *versions]).encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- planning


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


def plan(
    analyses: Mapping[str, Analysis],
    root: Path,
    *,
    year: str | None = None,
    only: Sequence[str] = (),
    disclosure: str = "public",
    raw: str = "example",
    pdf: bool = False,
    package: Path = PACKAGE,
) -> list[Job]:
    """Every (analysis, year) to consider, newest year first, each with its content hash.

    ``package`` is the ``analysis`` source folder whose files are hashed.
    """
    environment = environment_fingerprint()
    commit, dirty = git_state(root)
    notebooks = root / "notebooks"
    selected = {n: a for n, a in analyses.items() if not only or n in only}
    unknown = sorted(set(only) - set(analyses))
    if unknown:
        raise SystemExit(f"unknown analysis {unknown}; registered: {sorted(analyses)}")
    for name in selected:
        if not (notebooks / f"{name}.ipynb").exists():
            raise SystemExit(
                f"analysis {name!r} is registered but {notebooks / name}.ipynb is missing"
            )
    years = {n: a.years(raw=raw) for n, a in selected.items()}
    if year is not None:
        require_year(year, sorted({y for ys in years.values() for y in ys}), "data to build")
    jobs = []
    for name, analysis in selected.items():
        notebook = notebooks / f"{name}.ipynb"
        modules = module_closure(notebook, package)
        code = [(f"notebooks/{notebook.name}", sha256_file(notebook))]
        code += [(f"analysis/{p.relative_to(package).as_posix()}", sha256_file(p)) for p in modules]
        for label in sorted(years[name], reverse=True):
            if year is not None and label != year:
                continue
            inputs = [
                (_relative(p, root), sha256_file(p) if p.exists() else "missing")
                for p in sorted(set(analysis.inputs(label, raw=raw)))
            ]
            parameters = {"year": label, "disclosure": disclosure, "raw": raw}
            key = hashlib.sha256(
                json.dumps([code, inputs, parameters, environment], sort_keys=True).encode()
            ).hexdigest()
            jobs.append(
                Job(
                    name,
                    analysis.title,
                    label,
                    str(notebook),
                    parameters,
                    inputs,
                    key,
                    commit,
                    dirty,
                    str(root),
                    pdf,
                )
            )
    jobs.sort(key=lambda j: (j.year, j.name), reverse=True)
    return jobs


# --------------------------------------------------------------------------- files


def atomic_write(target: Path, data: str | bytes) -> None:
    """Write ``data`` to ``target`` so that it is either complete or not there at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
    def load(cls, reports: Path) -> Manifest:
        path = reports / MANIFEST
        try:
            return cls(path, json.loads(path.read_text(encoding="utf-8"))["entries"])
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return cls(path)

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
        return not job.pdf or (files["pdf"].exists() and entry.get("pdf") == entry.get("html"))


# --------------------------------------------------------------------------- worker


def warm_up() -> None:
    """Import papermill, nbconvert and what kernels use, and load the export template,
    once, before the workers are forked, so that they share it instead of each paying.

    jsonschema (imported by nbformat) imports ``rfc3987_syntax``, which compiles a
    grammar (1 to 3 s here), only to check the "iri" string format; the notebook
    schema never uses it, so it is left out.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import papermill  # noqa: F401

    from analysis import export, kernels

    export.exporter()
    kernels.preload()


_ZYGOTE: Any = None  # this worker's kernel zygote (see analysis.kernels)


def _init_worker(root: str, lock: int) -> None:
    """Each worker: let go of the build lock (only the parent holds it), ignore Ctrl-C
    (the parent decides), clean up on SIGTERM, and start its kernel zygote."""
    os.close(lock)
    os.environ["FOSTERING_ROOT"] = root
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    global _ZYGOTE
    from analysis.kernels import Zygote

    _ZYGOTE = Zygote()


def find_chromium() -> str | None:
    """The headless browser used for PDFs and the browser tests, if installed."""
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def print_pdf(html_file: Path, pdf_file: Path, scratch: Path) -> None:
    """Print an HTML file to PDF with headless Chromium, offline."""
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("--pdf needs Chromium: apt-get install -y chromium")
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={scratch / 'profile'}",
            "--proxy-server=127.0.0.1:9",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_file}",
            html_file.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _failure(error: BaseException) -> str:
    """One line naming the failing cell and the error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        first = next((line for line in error.source.splitlines() if line.strip()), "")
        return (
            f"cell {error.cell_index} of the executed notebook (In [{error.exec_count}], "
            f"starting {first.strip()[:60]!r}): {error.ename}: {error.evalue}"
        )
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(error).__name__}: {error}{at}"


def _run_notebook(job: Job, executed: Path) -> None:
    """Execute ``job``'s notebook into ``executed``, in a kernel forked from this worker's
    zygote. If that kernel fails for any reason other than a cell raising (it died
    starting up, say), run the notebook once more in an ordinary kernel: a notebook in a
    fresh kernel gives the same result however it was started."""
    import papermill

    from analysis.kernels import ForkedKernelManager

    def run(kernel: ForkedKernelManager | None) -> None:
        papermill.execute_notebook(
            job.notebook,
            str(executed),
            parameters=job.parameters,
            cwd=job.root,
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            km=kernel,
        )

    if _ZYGOTE is None:
        run(None)
        return
    kernel = ForkedKernelManager(_ZYGOTE)
    try:
        run(kernel)
    except papermill.PapermillExecutionError:
        raise
    except Exception as error:
        print(
            f"{job.slot}: forked kernel failed ({_failure(error)}); retrying in an ordinary kernel",
            file=sys.stderr,
            flush=True,
        )
        executed.unlink(missing_ok=True)
        run(None)
    finally:
        kernel.stop()


def execute(job: Job) -> dict[str, Any]:
    """Run one notebook in a fresh kernel and export it; return the results to write.

    Runs in a worker process and writes only to its own scratch folder: the parent
    writes the reports, so a worker killed half-way leaves nothing behind.
    """
    import nbformat

    from analysis import export

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fostering-build-") as scratch:
        executed = Path(scratch) / f"{job.name}.ipynb"
        try:
            _run_notebook(job, executed)
            notebook = nbformat.read(executed, as_version=4)
            page = export.to_html(
                notebook,
                title=job.title,
                year_label=FinancialYear.parse(job.year).report_label,
                provenance=export.Provenance(
                    inputs=job.inputs,
                    commit=job.commit,
                    dirty=job.dirty,
                    parameters=job.parameters,
                    built=datetime.now(UTC).isoformat(timespec="seconds"),
                    rule=job.parameters["disclosure"],
                ),
            )
            pdf = None
            if job.pdf:
                page_file = Path(scratch) / f"{job.name}.html"
                page_file.write_text(page, encoding="utf-8")
                print_pdf(page_file, Path(scratch) / f"{job.name}.pdf", Path(scratch))
                pdf = (Path(scratch) / f"{job.name}.pdf").read_bytes()
        except Exception as error:  # contained: reported by the parent, other jobs go on
            kept = executed.read_text(encoding="utf-8") if executed.exists() else None
            return {
                "ok": False,
                "error": _failure(error),
                "notebook": kept,
                "seconds": time.monotonic() - started,
            }
        return {
            "ok": True,
            "html": page,
            "notebook": executed.read_text(encoding="utf-8"),
            "pdf": pdf,
            "findings_first": export.findings_first(page),
            "seconds": time.monotonic() - started,
        }


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


def _record(job: Job, result: dict[str, Any], reports: Path, manifest: Manifest) -> None:
    """Write one job's results into place (parent process only)."""
    files = outputs(reports, job)
    if result["ok"]:
        atomic_write(files["ipynb"], result["notebook"])
        atomic_write(files["html"], result["html"])
        if result["pdf"] is not None:
            atomic_write(files["pdf"], result["pdf"])
        else:
            files["pdf"].unlink(missing_ok=True)
        files["failed"].unlink(missing_ok=True)
        files["png"].unlink(missing_ok=True)  # a screenshot of the old page would mislead
        digest = sha256_file(files["html"])
        manifest.entries[job.slot] = {
            "status": "built",
            "key": job.key,
            "html": digest,
            "pdf": digest if result["pdf"] is not None else None,
            "title": job.title,
            "name": job.name,
            "year": job.year,
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
            "disclosure": job.parameters["disclosure"],
            "inputs": job.inputs,
        }
    else:
        for kind in ("html", "ipynb", "pdf", "png"):
            files[kind].unlink(missing_ok=True)
        if result["notebook"] is not None:
            atomic_write(files["failed"], result["notebook"])
        manifest.entries[job.slot] = {
            "status": "failed",
            "title": job.title,
            "name": job.name,
            "year": job.year,
            "error": result["error"],
            "disclosure": job.parameters["disclosure"],
        }
    manifest.save()


def write_index(reports: Path, manifest: Manifest) -> Path:
    """``reports/index.html``: every year and analysis, newest year first."""
    by_year: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest.entries.values():
        by_year.setdefault(entry["year"], []).append(entry)
    blocks = []
    for year in sorted(by_year, reverse=True):
        items = []
        for entry in sorted(by_year[year], key=lambda e: e["title"]):
            title = html.escape(entry["title"])
            if entry["status"] == "built" and (reports / year / f"{entry['name']}.html").exists():
                extra = (
                    " <span class='internal'>internal: not for circulation</span>"
                    if (entry["disclosure"] == "internal")
                    else ""
                )
                pdf = (
                    f" (<a href='{year}/{entry['name']}.pdf'>PDF</a>)"
                    if (reports / year / f"{entry['name']}.pdf").exists()
                    else ""
                )
                items.append(
                    f"<li><a href='{year}/{entry['name']}.html'>{title}</a>{pdf}{extra} "
                    f"<small>built {html.escape(entry['built'])}</small></li>"
                )
            elif entry["status"] == "failed":
                items.append(
                    f"<li>{title}: <strong>failed to build</strong>, no appendix "
                    f"<small>({html.escape(entry['error'])})</small></li>"
                )
        if items:
            label = FinancialYear.parse(year).report_label
            blocks.append(
                f"<section id='year-{year}'><h2>{label}</h2><ul>{''.join(items)}</ul></section>"
            )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Fostering service appendices</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        ".internal{color:#b00020;font-weight:700}</style></head><body>"
        "<h1>Fostering service: appendices to the annual report</h1>"
        "<p>Coventry City Council Fostering Service. Newest year first.</p>"
        f"{''.join(blocks) or '<p>No appendices have been built yet.</p>'}</body></html>"
    )
    target = reports / "index.html"
    atomic_write(target, page)
    return target


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"


@contextlib.contextmanager
def _locked(reports: Path) -> Iterator[int]:
    """One build at a time per reports folder; yields the lock's file descriptor."""
    reports.mkdir(parents=True, exist_ok=True)
    with open(reports / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"another build is running on {reports}") from None
        yield handle.fileno()


def run(
    analyses: Mapping[str, Analysis],
    root: Path,
    *,
    year: str | None = None,
    only: Sequence[str] = (),
    jobs: int | None = None,
    disclosure: str = "public",
    raw: str = "example",
    pdf: bool = False,
    out: TextIO = sys.stdout,
    package: Path = PACKAGE,
) -> Outcome:
    """Build what is out of date; return what was built, skipped and failed."""
    started = time.monotonic()
    reports = root / "reports"
    outcome = Outcome()

    def say(text: str) -> None:
        print(f"[{_clock(time.monotonic() - started)}] {text}", file=out, flush=True)

    if pdf and find_chromium() is None:
        raise SystemExit("--pdf needs Chromium: install it with `sudo apt-get install -y chromium`")
    with _locked(reports) as lock:
        sweep(reports)
        manifest = Manifest.load(reports)
        planned = plan(
            analyses,
            root,
            year=year,
            only=only,
            disclosure=disclosure,
            raw=raw,
            pdf=pdf,
            package=package,
        )
        todo = [job for job in planned if not manifest.current(job, reports)]
        outcome.skipped = [job.slot for job in planned if job not in todo]
        say(f"{len(todo)} to build, {len(outcome.skipped)} up to date")
        try:
            if todo:
                _execute_all(
                    todo, reports, manifest, outcome, jobs or os.cpu_count() or 1, say, lock
                )
        except KeyboardInterrupt:
            outcome.interrupted = True
            say("interrupted: workers stopped; finished reports kept, nothing half-written")
        finally:
            sweep(reports)
            write_index(reports, manifest)
    for slot, error in outcome.failed.items():
        print(f"FAILED {slot.replace('/', ' ')}: {error}", file=sys.stderr, flush=True)
    say(
        f"done: {len(outcome.built)} built, {len(outcome.skipped)} up to date, "
        f"{len(outcome.failed)} failed; index at {reports / 'index.html'}"
    )
    return outcome


def _execute_all(
    todo: list[Job],
    reports: Path,
    manifest: Manifest,
    outcome: Outcome,
    jobs: int,
    say: Any,
    lock: int,
) -> None:
    """Run ``todo`` on ``jobs`` worker processes, recording each as it finishes."""
    warm_up()
    context = multiprocessing.get_context("fork")
    results: queue.SimpleQueue[tuple[Job, dict[str, Any]]] = queue.SimpleQueue()
    pool = context.Pool(
        min(jobs, len(todo)), initializer=_init_worker, initargs=(str(reports.parent), lock)
    )
    pending = list(todo)
    running: dict[str, float] = {}
    durations: list[float] = []
    try:

        def submit() -> None:
            job = pending.pop(0)
            running[job.slot] = time.monotonic()
            say(f"start  {job.name} {job.year} ({len(pending)} waiting)")
            pool.apply_async(
                execute,
                (job,),
                callback=lambda r, job=job: results.put((job, r)),
                error_callback=lambda e, job=job: results.put(
                    (
                        job,
                        {
                            "ok": False,
                            "error": f"{type(e).__name__}: {e!r}",
                            "notebook": None,
                            "seconds": 0.0,
                            "trace": traceback.format_exception(e),
                        },
                    )
                ),
            )

        while pending and len(running) < jobs:
            submit()
        while running:
            job, result = results.get()
            seconds = time.monotonic() - running.pop(job.slot)
            durations.append(seconds)
            _record(job, result, reports, manifest)
            if "trace" in result:  # the worker itself failed, not the notebook
                print("".join(result["trace"]), file=sys.stderr, flush=True)
            left = len(pending) + len(running)
            estimate = sum(durations) / len(durations) * left / jobs
            if result["ok"]:
                outcome.built.append(job.slot)
                say(
                    f"built  {job.name} {job.year} in {seconds:.1f} s "
                    f"({left} left, about {estimate:.0f} s)"
                )
                if not result["findings_first"]:
                    say(f"warning: {job.name} {job.year} does not open with its key findings")
            else:
                outcome.failed[job.slot] = result["error"]
                say(
                    f"FAILED {job.name} {job.year}: {result['error']}"
                    f" (kept {outputs(reports, job)['failed'].relative_to(reports.parent)})"
                    if result["notebook"]
                    else f"FAILED {job.name} {job.year}: {result['error']}"
                )
            if pending:
                submit()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def main(
    argv: list[str] | None = None,
    analyses: Mapping[str, Analysis] | None = None,
    root: Path | None = None,
) -> int:
    """The command line; ``analyses`` and ``root`` let tests build a stand-in repository."""
    if analyses is None:
        from analysis.registry import ANALYSES as analyses
    parser = argparse.ArgumentParser(
        prog="python -m analysis.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--year", help="only this financial year, e.g. 2024-25")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(analyses),
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
    try:
        outcome = run(
            analyses,
            root or paths.ROOT,
            year=args.year,
            only=args.only,
            jobs=max(1, args.jobs),
            disclosure=args.disclosure,
            raw=args.raw,
            pdf=args.pdf,
        )
    except (YearError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
