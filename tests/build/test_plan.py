"""Planning: what the years and inputs of each analysis are, found once and kept until
anything they depend on changes; a no-op plan imports neither pandas nor the analyses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analysis.build.plan import DISCOVERY, discover
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.council import config
from analysis.registry import Analysis, by_name

LEICESTER = paths.EXAMPLE / "leicester" / "ssda903"


@dataclass(frozen=True)
class Counting(Analysis):
    """The stability analysis, counting how often it is asked for its years."""

    asked: list[str] = field(default_factory=list, compare=False, hash=False)

    def years(self, council, raw="example"):
        self.asked.append(raw)
        return super().years(council, raw)


def _stability(tmp_path: Path) -> tuple[Counting, Path]:
    """The stability analysis reading a copy of Leicester's example returns."""
    raw = tmp_path / "raw"
    shutil.copytree(LEICESTER, raw / "ssda903")
    entry = by_name()["placement_stability"]
    return Counting(entry.name, entry.title, entry.source, entry.needs), raw


def test_years_are_found_once_and_asked_again_when_a_file_changes(tmp_path):
    analysis, raw = _stability(tmp_path)
    council = config.load("leicester")
    store = tmp_path / DISCOVERY
    first = discover([analysis], council, str(raw), store=store)
    years = sorted(first["placement_stability"])
    assert years == ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert council.layouts / "ssda903.toml" in first["placement_stability"]["2020-21"]
    assert discover([analysis], council, str(raw), store=store) == first
    assert len(analysis.asked) == 1  # the second answer came from the store
    # A changed file (same name, new content) is read again: its year comes from its dates.
    episodes = sorted((raw / "ssda903").glob("*episodes_2024-25*"))[0]
    episodes.write_text(episodes.read_text() + "\n")
    assert discover([analysis], council, str(raw), store=store) == first
    assert len(analysis.asked) == 2
    # So is one whose dates now say another year: the build stops naming it.
    text = episodes.read_text()
    episodes.write_text(text.replace("/2024", "/2019").replace("/2025", "/2020"))
    with pytest.raises(InputError, match=re.escape(episodes.name)):
        discover([analysis], council, str(raw), store=store)


def test_a_damaged_store_is_ignored_and_rewritten(tmp_path):
    analysis, raw = _stability(tmp_path)
    council = config.load("leicester")
    store = tmp_path / DISCOVERY
    store.write_text("{not json")
    found = discover([analysis], council, str(raw), store=store)
    assert "2024-25" in found["placement_stability"]
    assert json.loads(store.read_text())["placement_stability"]["key"]


def test_a_no_op_plan_imports_neither_pandas_nor_matplotlib(tmp_path):
    council = config.load(None)
    store = tmp_path / DISCOVERY
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from analysis.build.plan import plan\n"
        "from analysis.council import config\n"
        "from analysis.core import paths\n"
        "from analysis.registry import ANALYSES\n"
        f"council = config.load({council.slug!r})\n"
        f"jobs, _ = plan(ANALYSES, paths.ROOT, council, store=Path({str(store)!r}))\n"
        "heavy = ('pandas', 'matplotlib', 'seaborn')\n"
        "print(len(jobs), sorted(m for m in heavy if m in sys.modules))\n"
    )
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    again = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert int(first[0]) > 0 and again[0] == first[0]
    assert again[1].strip() == "[]", again


def test_the_store_keeps_paths_from_the_repository_root_so_a_moved_checkout_reuses_it(
    tmp_path,
):
    analysis, _ = _stability(tmp_path / "first")
    council = config.load("leicester")
    first = tmp_path / "first"
    found = discover([analysis], council, str(first / "raw"), root=first, store=first / DISCOVERY)
    stored = (first / DISCOVERY).read_text()
    assert str(tmp_path) not in stored and '"raw/ssda903/' in stored
    moved = tmp_path / "moved"
    first.rename(moved)
    again = discover([analysis], council, str(moved / "raw"), root=moved, store=moved / DISCOVERY)
    assert len(analysis.asked) == 1  # answered from the moved store, not asked again
    assert sorted(again["placement_stability"]) == sorted(found["placement_stability"])
    files = again["placement_stability"]["2024-25"]
    inside = [p for p in files if moved in p.parents]
    assert inside and all(p.exists() for p in inside)
    assert [p.name for p in files] == [p.name for p in found["placement_stability"]["2024-25"]]
