"""Building what is out of date, on worker processes, writing only from this process.

- Parallel: ``jobs`` worker processes, each importing papermill and nbconvert once, run
  the notebooks (each in its own fresh kernel) and export them in process.
- Contained failure: a notebook that raises is reported with its analysis, year, cell
  and error; its HTML is removed and the executed notebook kept as
  ``<year>/<name>.failed.ipynb``; the other years still build.
- Nothing half-written: only this process writes under ``reports/``, each file via a
  temporary file and ``os.replace``; an interruption (Ctrl-C, or SIGTERM from a
  scheduler or ``kill``) stops the workers, which clean up their scratch space (one
  that has not stopped 10 s later is killed), and leaves every report either complete
  or absent.
- Interrupted is never failed: while building, SIGINT and SIGTERM are handled here (in
  the main thread, which waits for results with a timeout so that it notices at once
  whichever thread the signal was delivered to); a notebook result that arrives after
  the signal is not recorded, since its kernel may have been stopped by the same signal.
  A signal that arrives while a finished job's files are being written into place takes
  effect once they all are (:data:`_SIGNALS`): never a new executed notebook or derived
  table beside an old page.
- A worker killed (by the out-of-memory killer, or ``kill -9``) fails its job, named,
  instead of leaving the build waiting for a result that never comes.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analysis.build.index import write_index
from analysis.build.manifest import Manifest, outputs, sweep
from analysis.build.plan import DISCOVERY, PACKAGE, SCRATCH, Job, plan, reports_dir, sha256_file
from analysis.build.worker import _init_worker, execute, find_chromium, warm_up
from analysis.core import paths
from analysis.core.atomic import atomic_write
from analysis.core.errors import InputError
from analysis.registry import Analysis

if TYPE_CHECKING:
    from analysis.council.config import Council

LOCK = ".build.lock"
STOP_GRACE = 10.0  # seconds a stopped worker has to exit before it is killed


class WriteError(RuntimeError):
    """The reports folder cannot be written (full disk, read-only): the build stops."""


class Terminated(KeyboardInterrupt):
    """SIGTERM reached the build: stopped like Ctrl-C, with the exit status of SIGTERM."""


class _Signals:
    """SIGINT and SIGTERM while building: raised at once, or, inside :meth:`held`, when
    the block ends (the first signal wins)."""

    def __init__(self) -> None:
        self.holding = 0
        self.pending: type[KeyboardInterrupt] | None = None

    def handle(self, signum: int, frame: Any) -> None:
        stop = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        if self.holding:
            self.pending = self.pending or stop
            return
        raise stop

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Finish the block before acting on a signal that arrives during it."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding and self.pending is not None:
            stop, self.pending = self.pending, None
            raise stop


_SIGNALS = _Signals()


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """Turn SIGINT into :class:`KeyboardInterrupt` and SIGTERM into :class:`Terminated` in
    this (the main) thread while building; the previous handlers afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _SIGNALS.pending = None
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, _SIGNALS.handle),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _SIGNALS.handle),
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    # notebooks whose forked kernel failed and that ran again in an ordinary kernel
    fell_back: list[str] = field(default_factory=list)
    interrupted: bool = False
    terminated: bool = False  # by SIGTERM (else by Ctrl-C)
    write_error: str | None = None

    @property
    def code(self) -> int:
        if self.interrupted:
            return 143 if self.terminated else 130
        return 1 if self.failed or self.write_error else 0


def check_source(root: Path, council: Council, raw: str) -> None:
    """A data source that is a folder (``--raw DIR``) or the council's own extracts must exist
    and hold something: a missing or empty folder is an error, never "0 to build"."""
    if raw == "example":
        return
    folder = paths.raw_dir(raw, council.slug)
    if not folder.is_absolute():
        folder = root / folder
    if not folder.is_dir():
        raise InputError(folder, f"the data source folder {folder} does not exist")
    if not any(folder.iterdir()):
        raise InputError(folder, f"the data source folder {folder} is empty")


def _record(job: Job, result: dict[str, Any], reports: Path, manifest: Manifest) -> None:
    """Write one job's results into place (parent process only). If the reports folder
    cannot be written, remove what this job left there (never an executed notebook beside
    a page it does not match) and stop with :class:`WriteError`. A signal waits until the
    job's files are all written."""
    try:
        with _SIGNALS.held():
            _write(job, result, reports, manifest)
    except OSError as error:
        for path in outputs(reports, job).values():
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        manifest.entries.pop(job.slot, None)
        with contextlib.suppress(OSError):
            manifest.save()
        raise WriteError(
            f"cannot write the reports in {reports}: {error.strerror or error}"
        ) from None


def _write(job: Job, result: dict[str, Any], reports: Path, manifest: Manifest) -> None:
    files = outputs(reports, job)
    if result["ok"]:
        processed = Path(job.root) / paths.PROCESSED.relative_to(paths.ROOT)
        for name, data in result["processed"].items():
            atomic_write(processed / name, data)
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
            "error": result["summary"],
            "disclosure": job.parameters["disclosure"],
        }
    manifest.save()


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
    analyses: Sequence[Analysis],
    root: Path,
    council: Council,
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
    reports = reports_dir(root, council, raw)
    outcome = Outcome()

    def say(text: str) -> None:
        print(f"[{_clock(time.monotonic() - started)}] {text}", file=out, flush=True)

    if pdf and find_chromium() is None:
        raise SystemExit("--pdf needs Chromium: install it with `sudo apt-get install -y chromium`")
    check_source(root, council, raw)
    with _stoppable(), _locked(reports) as lock:
        sweep(reports)
        shutil.rmtree(reports / SCRATCH, ignore_errors=True)  # a killed build's scratch
        manifest = Manifest.load(reports, warn=say)
        planned, missing = plan(
            analyses,
            root,
            council,
            year=year,
            only=only,
            disclosure=disclosure,
            raw=raw,
            pdf=pdf,
            package=package,
            store=reports / DISCOVERY,
        )
        todo = [job for job in planned if not manifest.current(job, reports)]
        outcome.skipped = [job.slot for job in planned if job not in todo]
        say(
            f"{council.name}, data source {raw!r}: "
            f"{len(todo)} to build, {len(outcome.skipped)} up to date"
        )
        for analysis in missing:
            say(f"{analysis.name}: no {analysis.needs} supplied for {council.name}; not built")
        # A run limited to a year or an analysis still checks every built appendix: one
        # whose inputs changed (a later year reads earlier years' files) is marked.
        everything = (
            planned
            if not year and not only
            else plan(
                analyses,
                root,
                council,
                disclosure=disclosure,
                raw=raw,
                pdf=pdf,
                package=package,
                store=reports / DISCOVERY,
            )[0]
        )
        stale = [job for job in everything if not manifest.current(job, reports)]
        todo = _with_earlier(todo, stale)
        _mark_outdated(manifest, [*todo, *stale], everything, whole=True)
        try:
            if todo:
                _execute_all(
                    todo, reports, manifest, outcome, jobs or os.cpu_count() or 1, say, lock
                )
        except KeyboardInterrupt as stop:
            outcome.interrupted = True
            outcome.terminated = isinstance(stop, Terminated)
            say(
                f"{'stopped by SIGTERM' if outcome.terminated else 'interrupted'}: workers "
                "stopped; finished reports kept, nothing half-written; "
                "what was not rebuilt is marked out of date in the index"
            )
        except WriteError as error:
            outcome.write_error = str(error)
            say(f"stopped: {error}")
        finally:
            sweep(reports)
            shutil.rmtree(reports / SCRATCH, ignore_errors=True)
            with contextlib.suppress(OSError):
                write_index(reports, manifest, council, raw, missing)
    for slot, error in outcome.failed.items():
        print(f"FAILED {slot.replace('/', ' ')}: {error}", file=sys.stderr, flush=True)
    fell_back = (
        f", {len(outcome.fell_back)} ran again in an ordinary kernel after their forked kernel "
        f"failed ({', '.join(outcome.fell_back)})"
        if outcome.fell_back
        else ""
    )
    say(
        f"done: {len(outcome.built)} built, {len(outcome.skipped)} up to date, "
        f"{len(outcome.failed)} failed{fell_back}; index at {reports / 'index.html'}"
    )
    return outcome


def _with_earlier(todo: list[Job], stale: list[Job]) -> list[Job]:
    """``todo`` with every out-of-date page a page in it is decided against (last year's,
    and so on back), in build order: the pages that follow one another first, oldest year
    first (each waits for the one before it: :func:`_ready`), then the rest as planned."""
    by_slot = {job.slot: job for job in stale}
    wanted = {job.slot: job for job in todo}
    for job in todo:
        while job.after in by_slot and job.after not in wanted:
            job = wanted.setdefault(job.after, by_slot[job.after])
    linked = {j.after for j in wanted.values() if j.after in wanted}
    linked |= {j.slot for j in wanted.values() if j.after in wanted}
    chains = sorted((wanted[s] for s in linked), key=lambda j: (j.name, j.year))
    return chains + [j for j in wanted.values() if j.slot not in linked]


def _ready(pending: list[Job], running: dict[str, float]) -> Job | None:
    """The first pending job whose earlier page is not still to be built."""
    waiting = {job.slot for job in pending} | set(running)
    return next((job for job in pending if job.after not in waiting), None)


def _mark_outdated(manifest: Manifest, todo: list[Job], planned: list[Job], *, whole: bool) -> None:
    """Before building, mark as out of date every built appendix that is about to be rebuilt
    (and, when the whole plan is built, every one that no longer has data), so that an
    interrupted or failed build never leaves an old page listed as current."""
    due = {job.slot for job in todo}
    if whole:
        due |= set(manifest.entries) - {job.slot for job in planned}
    for slot in due:
        entry = manifest.entries.get(slot)
        if entry and entry["status"] == "built":
            entry["status"] = "outdated"
    manifest.save()


def _alive(pid: int) -> bool:
    """Whether the worker process ``pid`` still runs (the pool reaps a dead one)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _after_failed(job: Job) -> dict[str, Any]:
    """The result of a job not run because the page it is decided against failed."""
    before = job.after.split("/")[0] if job.after else "last year"
    return {
        "ok": False,
        "error": f"not built: it is decided against the {before} page, which failed",
        "summary": f"not built because the {before} page failed",
        "notebook": None,
        "seconds": 0.0,
    }


def _died(pid: int) -> dict[str, Any]:
    """The result of a job whose worker died before answering (killed by the system or by
    hand): failed, so that it is listed as such and built again next time."""
    return {
        "ok": False,
        "error": f"the worker process running it (pid {pid}) died before it finished "
        "(killed, or out of memory?)",
        "summary": "the build's worker process died before it finished",
        "notebook": None,
        "seconds": 0.0,
    }


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
    started = context.SimpleQueue()  # (slot, worker's process id), as each job starts
    pool = context.Pool(
        min(jobs, len(todo)), initializer=_init_worker, initargs=(todo[0].root, lock, started)
    )
    pending = list(todo)
    running: dict[str, float] = {}
    workers: dict[str, int] = {}
    lost = False  # a worker died: its task never answers, so the pool cannot be closed
    by_slot = {job.slot: job for job in todo}
    durations: list[float] = []
    try:

        def submit() -> bool:
            """Start the next job that can start; False when every pending job waits."""
            job = _ready(pending, running)
            if job is None:
                return False
            pending.remove(job)
            if job.after in outcome.failed:  # decided against a page that failed
                results.put((job, _after_failed(job)))
                running[job.slot] = time.monotonic()
                return True
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
                            "summary": f"the build's worker raised {type(e).__name__}",
                            "notebook": None,
                            "seconds": 0.0,
                            "trace": traceback.format_exception(e),
                        },
                    )
                ),
            )
            return True

        while pending and len(running) < jobs and submit():
            pass
        while running:
            try:  # a timeout, so that a signal is acted on whichever thread received it
                job, result = results.get(timeout=0.2)
            except queue.Empty:
                while not started.empty():
                    slot, pid = started.get()
                    workers[slot] = pid
                for slot in [s for s in running if s in workers and not _alive(workers[s])]:
                    results.put((by_slot[slot], _died(workers.pop(slot))))
                    lost = True
                continue
            if job.slot not in running:  # its worker was found dead as it answered
                continue
            seconds = time.monotonic() - running.pop(job.slot)
            if result.get("interrupted"):  # Ctrl-C reached the kernel before this process
                raise KeyboardInterrupt
            durations.append(seconds)
            if result.get("fell_back"):
                outcome.fell_back.append(job.slot)
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
                    f" (kept {outputs(reports, job)['failed'].relative_to(todo[0].root)})"
                    if result["notebook"]
                    else f"FAILED {job.name} {job.year}: {result['error']}"
                )
            while pending and len(running) < jobs and submit():
                pass
        if lost:
            _stop(pool)
        else:
            pool.close()
            pool.join()
    except BaseException:
        _stop(pool)
        raise


def _stop(pool: Any, grace: float = STOP_GRACE) -> None:
    """Stop the workers now (SIGTERM); kill any still running after ``grace`` seconds (one
    stuck on its way out, waiting on a kernel), so that an interrupted build always ends.
    A killed worker's kernels follow it (see :mod:`analysis.build.kernels`)."""
    killer = threading.Timer(grace, _kill_workers)
    killer.daemon = True
    killer.start()
    try:
        pool.terminate()
        pool.join()
    finally:
        killer.cancel()


def _kill_workers() -> None:
    for worker in multiprocessing.active_children():
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
            print(
                f"worker process {worker.pid} had not stopped {STOP_GRACE:.0f} s after it was "
                "told to: killed",
                file=sys.stderr,
                flush=True,
            )
