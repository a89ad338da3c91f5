"""Running one job in a worker process: its notebook in a fresh kernel, exported to HTML."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.build.plan import Job
from analysis.core import cache, paths
from analysis.core.years import FinancialYear

CACHE = "cache"  # inside the build's scratch folder: see analysis.core.cache
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


def warm_up() -> None:
    """Import papermill, nbconvert and what kernels use, and load the export template,
    once, before the workers are forked, so that they share it instead of each paying.

    jsonschema (imported by nbformat) imports ``rfc3987_syntax``, which compiles a
    grammar (1 to 3 s here), only to check the "iri" string format; the notebook
    schema never uses it, so it is left out.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import papermill  # noqa: F401

    from analysis.build import kernels
    from analysis.presentation import export

    export.exporter()
    kernels.preload()


_ZYGOTE: Any = None  # this worker's kernel zygote (see analysis.build.kernels)
_CTRL_C = False  # Ctrl-C reached this worker: the build is stopping


def _note_ctrl_c(signum: int, frame: Any) -> None:
    """Remember Ctrl-C without acting on it (the parent decides to stop)."""
    global _CTRL_C
    _CTRL_C = True


_STARTED: Any = None  # where this worker says which job it runs: (slot, process id)


def _init_worker(root: str, lock: int, started: Any = None) -> None:
    """Each worker: let go of the build lock (only the parent holds it), note Ctrl-C but
    go on (the parent decides), clean up on SIGTERM, and start its kernel zygote. ``started``
    (a queue) is told each job's slot and this process's id, so that the parent can tell
    which job a worker that died was running."""
    global _STARTED, _ZYGOTE
    # Signals wait until the zygote is forked: a handler's exception raised while forking
    # is lost (Python ignores it), and a worker that missed its SIGTERM hangs the build.
    stops = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    _STARTED = started
    os.close(lock)
    os.environ["FOSTERING_ROOT"] = root
    signal.signal(signal.SIGINT, _note_ctrl_c)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from analysis.build.kernels import Zygote

    _ZYGOTE = Zygote()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)


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


_INPUT_ERROR = re.compile(r"^(?P<where>[^,:\n]+(?:, row \d+)?(?:, column '[^'\n]*')?)")


def safe_summary(error: BaseException) -> str:
    """What failed, for the index page: the cell and the kind of error, and for an input
    error its file, row and column, never a value from the data (the full message goes to
    the terminal and the kept ``.failed.ipynb``, which stay with the analyst)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        where = ""
        if error.ename.endswith(("InputError", "CouncilError", "PublishedError")):
            match = _INPUT_ERROR.match(error.evalue)
            where = f" in {match.group('where')}" if match else ""
        return f"cell {error.cell_index} raised {error.ename}{where}"
    return f"the build raised {type(error).__name__}"


def _interrupted(error: BaseException) -> bool:
    """A cell stopped by Ctrl-C reaching the kernel: the build was interrupted, the
    notebook did not fail."""
    from papermill.exceptions import PapermillExecutionError

    return isinstance(error, PapermillExecutionError) and error.ename == "KeyboardInterrupt"


def _run_notebook(job: Job, executed: Path) -> bool:
    """Execute ``job``'s notebook into ``executed``, in a kernel forked from this worker's
    zygote. If that kernel fails for any reason other than a cell raising (it died
    starting up, say), run the notebook once more in an ordinary kernel: a notebook in a
    fresh kernel gives the same result however it was started. Not after Ctrl-C, which
    kills a kernel that is starting up: the build is stopping, and a new kernel would
    keep this worker busy after it. True when it fell back."""
    import papermill

    from analysis.build.kernels import ForkedKernelManager

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
        return False
    kernel = ForkedKernelManager(_ZYGOTE)
    try:
        run(kernel)
        return False
    except papermill.PapermillExecutionError:
        raise
    except Exception as error:
        if _CTRL_C:
            raise
        print(
            f"{job.slot}: forked kernel failed ({_failure(error)}); retrying in an ordinary kernel",
            file=sys.stderr,
            flush=True,
        )
        executed.unlink(missing_ok=True)
        run(None)
        return True
    finally:
        kernel.stop()


def _staged(staging: Path) -> dict[str, bytes]:
    """The derived tables an appendix wrote, by path under ``data/processed/``."""
    if not staging.is_dir():
        return {}
    files = [f for f in sorted(staging.rglob("*")) if f.is_file()]
    return {str(f.relative_to(staging)): f.read_bytes() for f in files}


def execute(job: Job) -> dict[str, Any]:
    """Run one notebook in a fresh kernel and export it; return the results to write.

    Runs in a worker process and writes only to its own scratch folder: the parent
    writes the reports, so a worker killed half-way leaves nothing behind.
    """
    import nbformat

    from analysis.presentation import appendix, export

    if _STARTED is not None:
        _STARTED.put((job.slot, os.getpid()))
    started = time.monotonic()
    Path(job.scratch).mkdir(parents=True, exist_ok=True)
    # What one appendix parsed or checked, for this build's others (its kernel inherits
    # this; the folder goes with the scratch space when the build ends).
    os.environ[cache.ENV] = str(Path(job.scratch) / CACHE)
    os.environ[appendix.DRAW_AT_CLOSE] = "1"
    fell_back = False
    with tempfile.TemporaryDirectory(prefix="job-", dir=job.scratch) as scratch:
        executed = Path(scratch) / f"{job.name}.ipynb"
        staging = Path(scratch) / "processed"
        os.environ[paths.STAGING_ENV] = str(staging)
        try:
            fell_back = _run_notebook(job, executed)
            notebook = nbformat.read(executed, as_version=4)
            page = export.to_html(
                notebook,
                title=job.title,
                service=job.service,
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
                "interrupted": _CTRL_C or _interrupted(error),
                "error": _failure(error),
                "summary": safe_summary(error),
                "notebook": kept,
                "fell_back": fell_back,
                "seconds": time.monotonic() - started,
            }
        return {
            "ok": True,
            "processed": _staged(staging),
            "html": page,
            "notebook": executed.read_text(encoding="utf-8"),
            "pdf": pdf,
            "findings_first": export.findings_first(page),
            "fell_back": fell_back,
            "seconds": time.monotonic() - started,
        }
