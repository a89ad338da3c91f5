"""The build never leaves stale, partial or mixed output, and says why it stopped."""

from __future__ import annotations

import io
import json

import pandas as pd
from fixtures import demo_repo

from analysis import build
from analysis.build import runner as build_run


def _build(root, jobs=2, **kwargs):
    log = io.StringIO()
    outcome = build.run(
        demo_repo.analyses(root), root, demo_repo.council(root), jobs=jobs, out=log, **kwargs
    )
    return outcome, log.getvalue()


def _change(root, year="2024-25"):
    data = root / f"data/raw/example/demo/children_{year}.csv"
    data.write_text(data.read_text().replace("CH240001", "CH247777"))


def test_a_missing_or_empty_raw_folder_is_an_error_not_nothing_to_build(demo_copy, capsys):
    analyses = demo_repo.analyses(demo_copy)
    code = build.main(["--raw", str(demo_copy / "nowhere")], analyses, demo_copy)
    assert code == 2
    assert "the data source folder" in capsys.readouterr().err
    (demo_copy / "empty").mkdir()
    assert build.main(["--raw", str(demo_copy / "empty")], analyses, demo_copy) == 2
    assert "is empty" in capsys.readouterr().err


def test_a_damaged_manifest_is_set_aside_and_the_build_decides_from_the_files(demo_copy):
    reports = demo_repo.reports(demo_copy)
    (reports / build.MANIFEST).write_text('{"entries": {"2024-25/demo": 7}}')
    outcome, log = _build(demo_copy)
    assert outcome.code == 0 and len(outcome.built) == 4
    assert "the build manifest was damaged" in log
    assert (reports / (build.MANIFEST + ".damaged")).exists()
    assert json.loads((reports / build.MANIFEST).read_text())["entries"]["2024-25/demo"]


def test_a_deleted_executed_notebook_is_rebuilt(demo_copy):
    (demo_repo.reports(demo_copy) / "2023-24" / "other.ipynb").unlink()
    outcome, _ = _build(demo_copy)
    assert outcome.built == ["2023-24/other"]


def test_a_full_disk_stops_the_build_and_leaves_no_notebook_beside_a_page(demo_copy, monkeypatch):
    reports = demo_repo.reports(demo_copy)
    _change(demo_copy)
    real = build_run.atomic_write

    def full(target, data):
        if target.suffix == ".html" and "2024-25" in str(target):
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(build_run, "atomic_write", full)
    outcome, log = _build(demo_copy)
    assert outcome.code == 1
    assert "cannot write the reports" in log and "No space left on device" in log
    for name in ("demo", "other"):
        page = reports / "2024-25" / f"{name}.html"
        notebook = reports / "2024-25" / f"{name}.ipynb"
        assert page.exists() == notebook.exists() or not notebook.exists()
    assert not (reports / ".scratch").exists()
    index = (reports / "index.html").read_text()
    assert "2023-24/demo.html" in index  # the untouched year is still listed


def test_an_appendix_due_for_rebuild_is_marked_out_of_date_until_it_is_rebuilt(demo_copy):
    reports = demo_repo.reports(demo_copy)
    _change(demo_copy)
    manifest = build.Manifest.load(reports)
    jobs, _ = build.plan(demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy))
    todo = [j for j in jobs if not manifest.current(j, reports)]
    build_run._mark_outdated(manifest, todo, jobs, whole=True)
    from analysis.build.index import write_index

    write_index(reports, manifest, demo_repo.council(demo_copy), "example")
    index = (reports / "index.html").read_text()
    assert index.count("out of date") == 2  # 2024-25 demo and other, not 2023-24
    outcome, _ = _build(demo_copy)
    assert outcome.code == 0 and "out of date" not in (reports / "index.html").read_text()


def test_a_build_of_one_year_marks_another_year_whose_inputs_changed(demo_copy):
    # The 2024-25 data change; only 2023-24 is built: the index must not list the old
    # 2024-25 pages as current.
    reports = demo_repo.reports(demo_copy)
    _change(demo_copy)
    outcome, _ = _build(demo_copy, year="2023-24")
    assert outcome.code == 0 and outcome.built == []
    index = (reports / "index.html").read_text()
    assert index.count("out of date") == 2  # 2024-25 demo and other
    assert (
        json.loads((reports / build.MANIFEST).read_text())["entries"]["2024-25/demo"]["status"]
        == "outdated"
    )


def test_the_index_names_where_a_notebook_failed_but_never_a_value_from_the_data(
    demo_copy, monkeypatch
):
    monkeypatch.setenv("DEMO_FAIL", "1")
    _change(demo_copy)
    outcome, _ = _build(demo_copy)
    assert outcome.code == 1 and "2024-25/demo" in outcome.failed
    index = (demo_repo.reports(demo_copy) / "index.html").read_text()
    assert "failed to build" in index
    assert "InputError in children_2024-25.csv, row 3, column &#x27;date_of_birth&#x27;" in index
    records = pd.read_csv(demo_copy / "data/raw/example/demo/children_2024-25.csv", dtype=str)
    for column in records.columns:
        for value in records[column]:
            if len(value) > 3:
                assert value not in index, (column, value)
    assert records["date_of_birth"].iloc[1] in outcome.failed["2024-25/demo"]  # terminal only


def test_no_build_falls_back_to_an_ordinary_kernel_without_a_fault(demo_copy, capfd):
    _change(demo_copy)
    older = demo_copy / "data/raw/example/demo/children_2023-24.csv"
    older.write_text(older.read_text().replace("CH230001", "CH237777"))
    outcome, log = _build(demo_copy, jobs=1)  # one worker: its kernels one after another
    assert outcome.code == 0 and outcome.fell_back == [], log
    # Kernels start and stop without tracebacks (a closed kernel's sockets left open
    # once reached the next kernel: DELIM not in msg_list, _control_lock).
    assert "Traceback" not in capfd.readouterr().err


def _deaf_to_sigterm(seconds: float) -> None:
    """A worker task that ignores SIGTERM, as one stuck on its way out does."""
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(seconds)


def test_a_worker_that_does_not_stop_when_told_is_killed_so_the_build_ends():
    import multiprocessing
    import time

    pool = multiprocessing.get_context("fork").Pool(1)
    task = pool.apply_async(_deaf_to_sigterm, (120,))
    time.sleep(1)  # the task has started and ignores SIGTERM
    began = time.monotonic()
    build_run._stop(pool, grace=1.0)
    assert time.monotonic() - began < 60  # killed after its grace, not after its 120 s
    assert not task.ready() and multiprocessing.active_children() == []
