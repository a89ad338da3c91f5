"""The report build on a stand-in repository: exports, rebuilds, failure and interruption."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures import demo_repo

from analysis import build

pytestmark = pytest.mark.notebook
TESTS = Path(__file__).resolve().parents[1]
PACKAGE = Path(build.__file__).resolve().parents[1]


def _stale(root: Path, package: Path = PACKAGE) -> list[str]:
    """Which (year/name) the build would execute now."""
    manifest = build.Manifest.load(demo_repo.reports(root))
    jobs, _ = build.plan(demo_repo.analyses(root), root, demo_repo.council(root), package=package)
    return sorted(job.slot for job in jobs if not manifest.current(job, demo_repo.reports(root)))


def test_every_year_and_analysis_is_exported_with_contents_numbering_and_provenance(demo_site):
    reports = demo_repo.reports(demo_site)
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*.html")) == [
        "2023-24/demo.html",
        "2023-24/other.html",
        "2024-25/demo.html",
        "2024-25/other.html",
        "index.html",
    ]
    page = (reports / "2024-25" / "demo.html").read_text()
    # no code, no prompts, nothing fetched from elsewhere
    assert "read_csv" not in page and "import pandas" not in page and "In&nbsp;[" not in page
    assert not re.search(r"<script[^>]+src=|require\.js|mathjax|cdn\.", page, re.I)
    # title, service, year; key findings before the contents; numbered table and figure
    assert "<title>Demo placements: 2024/25 (Demo Fostering Service)</title>" in page
    assert (
        page.index("Key findings")
        < page.index("<nav class='appendix-toc'")
        < page.index("Table 1: Children")
    )
    assert "href='#table-1'" in page and "href='#figure-1'" in page
    assert re.search(r"id=[\"']figure-1", page) and re.search(r"id=[\"']table-1", page)
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page)
    # suppression: the band of 3 and the next smallest (7) are withheld, total kept
    assert re.search(r"<td>c</td>", page) and "<td>37</td>" in page and "<td>7</td>" not in page
    # provenance: input with its SHA-256, code version, parameters, time, rule
    digest = build.sha256_file(demo_site / "data/raw/example/demo/children_2024-25.csv")
    assert f"<td>Children 2024-25</td><td><code>{digest}</code>" in page
    assert re.search(r"<strong>Built</strong> on \d{1,2} [A-Z][a-z]+ 20\d\d at \d\d:\d\d UTC", page)
    assert "-p year 2024-25 -p disclosure public -p raw example" in page
    assert (
        "Disclosure control (DfE convention): 'c' marks a withheld figure: a count of 1 to" in page
    )
    assert "NOT FOR CIRCULATION" not in page


def test_index_links_every_appendix_newest_year_first(demo_site):
    index = (demo_repo.reports(demo_site) / "index.html").read_text()
    links = re.findall(r"href='([^']+\.html)'", index)
    assert links == [
        "2024-25/demo.html",
        "2024-25/other.html",
        "2023-24/demo.html",
        "2023-24/other.html",
    ]
    assert all((demo_repo.reports(demo_site) / link).exists() for link in links)


def test_nothing_changed_means_nothing_runs(demo_copy):
    log = io.StringIO()
    outcome = build.run(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        jobs=2,
        out=log,
    )
    assert outcome.built == [] and outcome.code == 0
    assert sorted(outcome.skipped) == [
        "2023-24/demo",
        "2023-24/other",
        "2024-25/demo",
        "2024-25/other",
    ]
    assert "0 to build, 4 up to date" in log.getvalue()


def test_changing_one_years_input_rebuilds_only_that_year(demo_copy):
    data = demo_copy / "data/raw/example/demo/children_2023-24.csv"
    data.write_text(data.read_text().replace("CH230001", "CH239999"))
    assert _stale(demo_copy) == ["2023-24/demo", "2023-24/other"]
    before = (demo_repo.reports(demo_copy) / "2024-25/demo.html").read_bytes()
    outcome = build.run(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        jobs=2,
        out=io.StringIO(),
    )
    assert sorted(outcome.built) == ["2023-24/demo", "2023-24/other"]
    assert (demo_repo.reports(demo_copy) / "2024-25/demo.html").read_bytes() == before
    assert _stale(demo_copy) == []


def test_a_forked_kernel_that_dies_at_start_is_replaced_by_an_ordinary_one(
    demo_copy, monkeypatch, capfd
):
    """The zygote's kernels are a speed-up, never a point of failure: here every forked
    kernel dies before answering, and the notebooks still build (in ordinary kernels)."""
    from analysis.build import kernels

    monkeypatch.setattr(kernels, "_become_kernel", lambda *args: os._exit(1))
    data = demo_copy / "data/raw/example/demo/children_2023-24.csv"
    data.write_text(data.read_text().replace("CH230001", "CH239999"))
    outcome = build.run(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        only=["demo"],
        jobs=1,
        out=io.StringIO(),
    )
    assert outcome.failed == {}
    assert outcome.built == ["2023-24/demo"]
    assert "forked kernel failed" in capfd.readouterr().err
    assert (demo_repo.reports(demo_copy) / "2023-24/demo.html").exists()


def test_a_touched_but_identical_file_rebuilds_nothing(demo_copy):
    data = demo_copy / "data/raw/example/demo/children_2024-25.csv"
    os.utime(data, (time.time() + 3600, time.time() + 3600))
    assert _stale(demo_copy) == []


def test_changing_a_module_rebuilds_only_the_notebooks_that_import_it(demo_copy, tmp_path):
    package = tmp_path / "analysis"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    assert _stale(demo_copy, package) == []
    (package / "core" / "quarantine.py").write_text(
        (package / "core" / "quarantine.py").read_text() + "\n# changed\n"
    )
    assert _stale(demo_copy, package) == ["2023-24/demo", "2024-25/demo"]  # only demo imports it
    (package / "disclosure" / "suppression.py").write_text(
        (package / "disclosure" / "suppression.py").read_text() + "\n# changed\n"
    )
    assert len(_stale(demo_copy, package)) == 4  # every export applies the rule


def test_changing_a_notebook_rebuilds_only_that_notebook(demo_copy):
    notebook = demo_copy / "notebooks/other.ipynb"
    content = json.loads(notebook.read_text())
    content["cells"][-1]["source"].append("\n# changed")
    notebook.write_text(json.dumps(content))
    assert _stale(demo_copy) == ["2023-24/other", "2024-25/other"]


def test_other_parameters_are_a_different_build(demo_copy):
    manifest = build.Manifest.load(demo_repo.reports(demo_copy))
    jobs, _ = build.plan(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        disclosure="internal",
    )
    assert not any(manifest.current(job, demo_repo.reports(demo_copy)) for job in jobs)


def test_a_failing_notebook_is_named_contained_and_leaves_no_stale_html(
    demo_copy, monkeypatch, capsys
):
    reports = demo_repo.reports(demo_copy)
    assert (reports / "2023-24/other.html").exists()  # built earlier: must not survive
    notebook = demo_copy / "notebooks/other.ipynb"  # edited: both years are due
    notebook.write_text(notebook.read_text().replace("Households", "Households and children"))
    monkeypatch.setenv("BREAK_YEAR", "2023-24")
    code = build.main(["--only", "other", "--jobs", "2"], demo_repo.analyses(demo_copy), demo_copy)
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(
        r"FAILED 2023-24 other: cell \d+ .*ValueError: deliberate failure for 2023-24", err
    )
    assert not (reports / "2023-24/other.html").exists()
    assert not (reports / "2023-24/other.ipynb").exists()
    failed = json.loads((reports / "2023-24/other.failed.ipynb").read_text())
    assert any(
        o.get("ename") == "ValueError" for c in failed["cells"] for o in c.get("outputs", [])
    )
    assert (reports / "2024-25/other.html").exists()  # the other year finished
    index = (reports / "index.html").read_text()
    assert "2023-24/other.html" not in index and "failed to build" in index
    # fixed: the next build retries it, and the failed notebook goes
    monkeypatch.delenv("BREAK_YEAR")
    outcome = build.run(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        only=["other"],
        out=io.StringIO(),
    )
    assert (
        outcome.built == ["2023-24/other"] and not (reports / "2023-24/other.failed.ipynb").exists()
    )


def test_a_failing_notebook_writes_nothing_to_data_processed(demo_copy, monkeypatch):
    """Derived tables reach data/processed/ only from an appendix that succeeded."""
    processed = demo_copy / "data" / "processed" / "demo" / "example"
    shutil.rmtree(processed, ignore_errors=True)
    notebook = demo_copy / "notebooks/other.ipynb"  # edited: both years are due
    notebook.write_text(notebook.read_text().replace("A second appendix", "Another appendix"))
    monkeypatch.setenv("BREAK_YEAR", "2023-24")
    code = build.main(["--only", "other", "--jobs", "2"], demo_repo.analyses(demo_copy), demo_copy)
    assert code == 1
    assert not (processed / "households_2023-24.csv").exists()  # it failed after writing
    assert (processed / "households_2024-25.csv").read_text().startswith("household_id\n")


def test_an_unknown_year_is_refused_with_the_years_available(demo_copy):
    with pytest.raises(Exception, match=r"2023-24.*2024-25|2024-25.*2023-24"):
        build.plan(
            demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy), year="2019-20"
        )


# The build as a user starts it, with hooks that hold it at one point: the notebook
# sleeping (DEMO_SLEEP), the export, or the staging of a derived table into
# data/processed/ (each prints a line when it is there).
BUILD = """
import os, signal, sys, time
from pathlib import Path
if os.environ.get("IGNORE_SIGINT"):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
from analysis import build
from analysis.build import runner
from analysis.presentation import export
from fixtures import demo_repo
at = os.environ.get("HOLD_AT")
if at == "export":
    to_html = export.to_html
    def slow_html(notebook, **kwargs):
        print("exporting", kwargs["title"], flush=True)
        time.sleep(60)
        return to_html(notebook, **kwargs)
    export.to_html = slow_html
if at == "staging":
    atomic_write = runner.atomic_write
    def slow_write(target, data):
        if "processed" in Path(target).parts:
            print("staging", Path(target).name, flush=True)
            time.sleep(3)
        atomic_write(target, data)
    runner.atomic_write = slow_write
root = Path(sys.argv[1])
sys.exit(build.main(sys.argv[2:], demo_repo.analyses(root), root))
"""


def _start_build(demo_copy: Path, *args: str, **env: str) -> subprocess.Popen:
    """The build of the changed 2024-25 appendices, in a new session (its own process
    group), with ``env`` added to its environment."""
    data = demo_copy / "data/raw/example/demo/children_2024-25.csv"
    data.write_text(data.read_text().replace("CH240001", "CH248888"))
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, str(demo_copy), *args],
        env={
            **os.environ,
            "FOSTERING_ROOT": str(demo_copy),
            # this checkout's package first, then the tests' fixtures
            "PYTHONPATH": os.pathsep.join([str(PACKAGE.parent), str(TESTS)]),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for(process: subprocess.Popen, marker: str) -> list[str]:
    """The build's output up to the first line holding ``marker``."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError("".join(lines))


def _nothing_half_written(demo_copy: Path, old: bytes, session: int) -> None:
    """Every page listed as built matches its manifest and is beside its own executed
    notebook; 2024-25/demo is the old page or none, and still due; no process is left."""
    reports = demo_repo.reports(demo_copy)
    assert not list(reports.rglob("*.tmp")) and not list(reports.rglob(".*tmp*"))
    assert not (reports / ".scratch").exists()
    manifest = json.loads((reports / build.MANIFEST).read_text())
    jobs, _ = build.plan(demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy))
    for job in jobs:
        entry = manifest["entries"][job.slot]
        html, notebook = (reports / f"{job.slot}.{kind}" for kind in ("html", "ipynb"))
        if entry["status"] == "built":
            assert entry["key"] == job.key, job.slot  # listed as built: built from this
            assert build.sha256_file(html) == entry["html"] and notebook.exists()
        if notebook.exists() and html.exists():  # the notebook the page was made from
            assert notebook.stat().st_mtime <= html.stat().st_mtime + 1, job.slot
    index = (reports / "index.html").read_text()
    for slot, entry in manifest["entries"].items():
        assert entry["status"] != "failed", slot  # interrupted, never failed
        if entry["status"] == "outdated" and (reports / f"{slot}.html").exists():
            assert re.search(rf"{slot}\.html'>[^<]+</a> <strong class='outdated'>", index)
    page = reports / "2024-25/demo.html"
    assert not page.exists() or page.read_bytes() == old  # complete, never partial
    assert "2024-25/demo" in _stale(demo_copy)  # and still due to be rebuilt
    assert not list(reports.rglob("*.failed.ipynb"))
    _no_survivors(session)


def _no_survivors(session: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        survivors = subprocess.run(["pgrep", "-s", str(session)], capture_output=True, text=True)
        if not survivors.stdout.strip():
            break
        time.sleep(0.5)
    assert survivors.stdout.strip() == "", "worker or kernel processes outlived the build"


# Case -> the signal, whether to the process group (as Ctrl-C and many schedulers send
# it) or to the build alone (as ``kill`` does), what the build's environment adds, the
# line of output after which to send it, and how long to wait after that line.
INTERRUPTIONS = {
    "ctrl-c-in-notebook": (signal.SIGINT, True, {}, "start  demo 2024-25", 4),
    # the build having inherited SIGINT ignored, as a process started in the background
    # by a non-interactive shell does (a full test run started that way once saw Ctrl-C
    # reported as a cell failure)
    "ctrl-c-inherited-ignored": (
        signal.SIGINT,
        True,
        {"IGNORE_SIGINT": "1"},
        "start  demo 2024-25",
        4,
    ),
    # as the workers start their kernels (a signal lost while one forked once hung the build)
    "ctrl-c-as-kernels-start": (signal.SIGINT, True, {}, "start  demo 2024-25", 0),
    "sigterm-in-notebook": (signal.SIGTERM, False, {}, "start  demo 2024-25", 4),
    "sigterm-to-group-in-export": (
        signal.SIGTERM,
        True,
        {"HOLD_AT": "export", "DEMO_SLEEP": "0"},
        "exporting Demo placements",
        0,
    ),
    # while a finished appendix's derived table is staged into data/processed/
    "ctrl-c-in-staging": (signal.SIGINT, True, {"HOLD_AT": "staging"}, "staging households", 0),
}


@pytest.mark.parametrize("case", INTERRUPTIONS)
def test_an_interrupted_build_leaves_nothing_half_written_and_rebuilds_what_is_not_current(
    demo_copy, case
):
    signum, group, env, marker, wait = INTERRUPTIONS[case]
    reports = demo_repo.reports(demo_copy)
    old = (reports / "2024-25/demo.html").read_bytes()
    process = _start_build(demo_copy, "--jobs", "2", **{"DEMO_SLEEP": "60", **env})
    lines = _wait_for(process, marker)
    time.sleep(wait)
    (os.killpg if group else os.kill)(process.pid, signum)
    rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert process.returncode == (143 if signum == signal.SIGTERM else 130), output
    said = "stopped by SIGTERM" if signum == signal.SIGTERM else "interrupted"
    assert f"{said}: workers stopped" in output and "FAILED" not in output
    _nothing_half_written(demo_copy, old, process.pid)
    processed = demo_copy / "data/processed/demo/example/households_2024-25.csv"
    if case == "ctrl-c-in-staging":  # the table staged when Ctrl-C came, and its page
        assert "CH248888" not in processed.read_text()  # (households, not children)
        assert _stale(demo_copy) == ["2024-25/demo"]
    # The next build rebuilds exactly what is not current.
    due = _stale(demo_copy)
    outcome = build.run(
        demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy), out=io.StringIO()
    )
    assert sorted(outcome.built) == due and _stale(demo_copy) == []


def test_a_killed_worker_fails_its_appendix_and_the_next_build_rebuilds_it(demo_copy):
    """A worker killed with SIGKILL (as the out-of-memory killer does) while its notebook
    runs: the build does not wait for it for ever, lists the appendix as failed (no page),
    and the next build rebuilds it."""
    reports = demo_repo.reports(demo_copy)
    process = _start_build(demo_copy, "--jobs", "1", "--only", "demo", DEMO_SLEEP="60")
    lines = _wait_for(process, "start  demo 2024-25")
    time.sleep(3)
    workers = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    assert len(workers) == 1, workers
    os.kill(int(workers[0]), signal.SIGKILL)
    rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert process.returncode == 1, output
    assert re.search(r"FAILED demo 2024-25: the worker process running it \(pid \d+\) died", output)
    assert not (reports / "2024-25/demo.html").exists()
    assert not (reports / "2024-25/demo.ipynb").exists()
    index = (reports / "index.html").read_text()
    assert "the build&#x27;s worker process died before it finished" in index
    assert "2024-25/demo.html" not in index and "2023-24/demo.html" in index
    _no_survivors(process.pid)
    assert _stale(demo_copy) == ["2024-25/demo", "2024-25/other"]
    outcome = build.run(
        demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy), out=io.StringIO()
    )
    assert sorted(outcome.built) == ["2024-25/demo", "2024-25/other"]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def test_a_killed_kernel_is_replaced_and_its_appendix_built_whole(demo_copy):
    """The notebook's kernel killed while a cell runs: the notebook runs again, from the
    start, in an ordinary kernel; the page is built from that run alone."""
    reports = demo_repo.reports(demo_copy)
    process = _start_build(demo_copy, "--jobs", "1", "--only", "demo", DEMO_SLEEP="5")
    lines = _wait_for(process, "start  demo 2024-25")
    time.sleep(3)
    (worker,) = _children(process.pid)
    (zygote,) = _children(worker)
    (kernel,) = _children(zygote)
    os.kill(kernel, signal.SIGKILL)
    rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert process.returncode == 0, output
    assert "2024-25/demo: forked kernel failed" in output and "built  demo 2024-25" in output
    executed = json.loads((reports / "2024-25/demo.ipynb").read_text())
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert _stale(demo_copy) == ["2024-25/other"]  # demo current; other not asked for
    _no_survivors(process.pid)
