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
    assert f"<code>data/raw/example/demo/children_2024-25.csv</code></td><td><code>{digest}" in page
    assert "Code version:" in page and "year = 2024-25, disclosure = public, raw = example" in page
    assert "Built:</strong> 20" in page and "Disclosure control: counts of 1 to 5" in page
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


def _build_then_signal(demo_copy: Path, signum: int, *, group: bool, sigint_ignored: bool):
    """Start a build of the changed 2024-25 notebooks in a new session, send ``signum``
    (to the whole process group, as Ctrl-C does, or to the build alone, as ``kill``
    does) while a notebook sleeps; the build's exit status, output and its session id.

    ``sigint_ignored``: the build inherits SIGINT ignored, as a process started in the
    background by a non-interactive shell does (a full test run started that way once
    saw Ctrl-C reported as a cell failure)."""
    data = demo_copy / "data/raw/example/demo/children_2024-25.csv"
    data.write_text(data.read_text().replace("CH240001", "CH248888"))
    script = (
        "import signal, sys; from pathlib import Path; "
        f"{'signal.signal(signal.SIGINT, signal.SIG_IGN); ' if sigint_ignored else ''}"
        "from analysis import build; "
        "from fixtures import demo_repo; root = Path(sys.argv[1]); "
        "sys.exit(build.main(['--jobs', '2'], demo_repo.analyses(root), root))"
    )
    env = {
        **os.environ,
        "DEMO_SLEEP": "60",
        "FOSTERING_ROOT": str(demo_copy),
        # this checkout's package first, then the tests' fixtures
        "PYTHONPATH": os.pathsep.join([str(PACKAGE.parent), str(TESTS)]),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(demo_copy)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "start  demo 2024-25" in line:
            break
    time.sleep(4)  # inside the notebook, sleeping
    if group:
        os.killpg(process.pid, signum)
    else:
        os.kill(process.pid, signum)
    rest, _ = process.communicate(timeout=60)
    return process.returncode, "".join(lines) + rest, process.pid


def _nothing_half_written(demo_copy: Path, old: bytes, session: int) -> None:
    reports = demo_repo.reports(demo_copy)
    assert not list(reports.rglob("*.tmp")) and not list(reports.rglob(".*tmp*"))
    manifest = json.loads((reports / build.MANIFEST).read_text())
    for slot, entry in manifest["entries"].items():
        if entry["status"] == "built":
            assert build.sha256_file(reports / f"{slot}.html") == entry["html"]
        assert entry["status"] != "failed", slot  # interrupted, never failed
    page = reports / "2024-25/demo.html"
    assert not page.exists() or page.read_bytes() == old  # complete, never partial
    assert "2024-25/demo" in _stale(demo_copy)  # and still due to be rebuilt
    assert not list(reports.rglob("*.failed.ipynb"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        survivors = subprocess.run(["pgrep", "-s", str(session)], capture_output=True, text=True)
        if not survivors.stdout.strip():
            break
        time.sleep(0.5)
    assert survivors.stdout.strip() == "", "worker or kernel processes outlived the build"


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["ctrl-c", "inherited-ignored"])
def test_interrupting_leaves_nothing_half_written(demo_copy, sigint_ignored):
    old = (demo_repo.reports(demo_copy) / "2024-25/demo.html").read_bytes()
    code, output, session = _build_then_signal(
        demo_copy, signal.SIGINT, group=True, sigint_ignored=sigint_ignored
    )
    assert code == 130, output
    assert "interrupted: workers stopped" in output and "FAILED" not in output
    _nothing_half_written(demo_copy, old, session)


def test_sigterm_stops_the_build_like_ctrl_c(demo_copy):
    old = (demo_repo.reports(demo_copy) / "2024-25/demo.html").read_bytes()
    code, output, session = _build_then_signal(
        demo_copy, signal.SIGTERM, group=False, sigint_ignored=False
    )
    assert code == 143, output
    assert "stopped by SIGTERM: workers stopped" in output and "FAILED" not in output
    _nothing_half_written(demo_copy, old, session)
