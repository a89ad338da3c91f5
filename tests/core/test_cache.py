"""The per-build cache: each file parsed and each check run once per build, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import cache, paths
from analysis.council import config
from analysis.published_trends import consistency
from analysis.recruitment import load as recruitment
from analysis.retention import load as retention
from analysis.sources.published import load as published
from analysis.sources.ssda903 import load as ssda903

LEICESTER = paths.EXAMPLE / "leicester" / "ssda903"


@pytest.fixture
def in_a_build(tmp_path, monkeypatch):
    """The cache folder a report build gives its kernels."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_outside_a_build_everything_is_computed(monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    calls = []
    for _ in range(2):
        assert cache.once("x", lambda: [1], lambda: calls.append(1) or len(calls)) == len(calls)
    assert calls == [1, 1]


def test_inside_a_build_a_result_is_reused_until_its_key_changes(in_a_build):
    calls = []
    assert cache.once("x", lambda: [1], lambda: calls.append(1) or "first") == "first"
    assert cache.once("x", lambda: [1], lambda: calls.append(1) or "again") == "first"
    assert cache.once("x", lambda: [2], lambda: calls.append(1) or "other") == "other"
    assert len(calls) == 2


def test_the_consistency_check_runs_once_per_build_and_again_on_other_figures(
    in_a_build, monkeypatch
):
    council = config.load("coventry")
    figures = published.load_all(council.published)
    monkeypatch.delenv(cache.ENV)
    expected = consistency.run(figures, own=council.short_name)
    monkeypatch.setenv(cache.ENV, str(in_a_build))
    runs = []
    real = consistency._run
    monkeypatch.setattr(consistency, "_run", lambda *a: runs.append(1) or real(*a))
    for _ in range(3):
        pd.testing.assert_frame_equal(consistency.run(figures, own=council.short_name), expected)
    assert runs == [1]
    changed = figures.copy()
    changed.loc[changed.index[0], "value"] = 1e9
    consistency.run(changed, own=council.short_name)
    assert runs == [1, 1]


def test_each_return_is_validated_once_per_build_and_again_when_it_changes(
    in_a_build, tmp_path, monkeypatch
):
    folder = tmp_path / "ssda903"
    shutil.copytree(LEICESTER, folder)
    headers, episodes = sorted(folder.glob("*header*.csv")), sorted(folder.glob("*episodes*.csv"))
    monkeypatch.delenv(cache.ENV)
    expected = ssda903.read_returns(headers, episodes)
    monkeypatch.setenv(cache.ENV, str(in_a_build))
    validated = []
    real = ssda903._episodes  # what read_returns validates each episodes file with
    monkeypatch.setattr(ssda903, "_episodes", lambda *a: validated.append(a[0].name) or real(*a))
    first = ssda903.read_returns(headers, episodes)
    again = ssda903.read_returns(headers[-3:], episodes[-3:])  # the next year's window
    assert len(validated) == len(episodes)  # the window's files came from the cache
    pd.testing.assert_frame_equal(first.episodes, expected.episodes)
    pd.testing.assert_frame_equal(first.reconciliation(), expected.reconciliation())
    assert again.years == expected.years[-3:]
    # A file whose content changed is read again.
    episodes[-1].write_text(episodes[-1].read_text() + "\n")
    ssda903.read_returns(headers[-1:], episodes[-1:])
    assert validated[-1] == episodes[-1].name and len(validated) == len(episodes) + 1


@pytest.mark.parametrize(
    ("module", "reader", "load", "listed"),
    [
        (recruitment, "read_extract", "load", "extract_files"),
        (retention, "read_year", "load_register", "available_files"),
    ],
)
def test_each_extract_is_parsed_once_per_build_and_again_when_it_changes(
    module, reader, load, listed, in_a_build, tmp_path, monkeypatch
):
    council = config.load("coventry")
    shutil.copytree(paths.EXAMPLE / "coventry" / module.DATASET, tmp_path / module.DATASET)
    files = getattr(module, listed)(tmp_path)
    years, names = list(files), [p.name for p in files.values()]
    monkeypatch.delenv(cache.ENV)
    expected = getattr(module, load)(years[-1], tmp_path, council)
    monkeypatch.setenv(cache.ENV, str(in_a_build))
    parsed = []
    real = getattr(module, reader)
    monkeypatch.setattr(module, reader, lambda *a: parsed.append(Path(a[0]).name) or real(*a))
    first = getattr(module, load)(years[-1], tmp_path, council)
    getattr(module, load)(years[-2], tmp_path, council)  # the year before's appendix
    getattr(module, load)(years[-1], tmp_path, council)  # another page's shared counts
    assert parsed == names  # each file parsed once: the other reads came from the cache
    for name, value in vars(expected).items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(first, name), value)
    # A file whose content changed is parsed again, the others not.
    last = files[years[-1]]
    last.write_bytes(last.read_bytes() + b"\n")
    getattr(module, load)(years[-1], tmp_path, council)
    assert parsed == [*names, last.name]
