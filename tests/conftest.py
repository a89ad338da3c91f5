"""Shared fixtures: one build of the stand-in repository, one build of the real reports.

Building is the slow part of the suite, so each build happens once per session and
every test that needs exported appendices reuses it:

- ``demo_site``: the fixture notebooks (``tests/fixtures``) built into a temporary
  stand-in repository. Tests that change things copy it first (``demo_copy``).
- ``built_reports``: every registered analysis built into the repository's own
  ``reports/`` with ``analysis.build.cli`` (incremental, so an up-to-date checkout costs
  about a second). Tests for any analysis can use it.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from fixtures import demo_repo

from analysis import build
from analysis.core import paths
from analysis.council import config
from analysis.registry import ANALYSES


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stand-in repository with every fixture appendix built (public rule)."""
    root = demo_repo.make(tmp_path_factory.mktemp("demo") / "repo")
    log = io.StringIO()
    outcome = build.run(
        demo_repo.analyses(root),
        root,
        demo_repo.council(root),
        jobs=2,
        out=log,
    )
    assert outcome.code == 0, log.getvalue() + str(outcome.failed)
    return root


@pytest.fixture
def demo_copy(demo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built stand-in repository, with the kernel pointed at it."""
    root = tmp_path / "repo"
    shutil.copytree(demo_site, root, ignore=shutil.ignore_patterns(".build.lock"))
    monkeypatch.setenv("FOSTERING_ROOT", str(root))
    return root


def _build_council(slug: str | None) -> Path:
    council = config.load(slug)
    log = io.StringIO()
    outcome = build.run(ANALYSES, paths.ROOT, council, jobs=os.cpu_count() or 2, out=log)
    assert outcome.code == 0, log.getvalue() + "\n".join(
        f"{slot}: {error}" for slot, error in outcome.failed.items()
    )
    return build.reports_dir(paths.ROOT, council, "example")


@pytest.fixture(scope="session")
def built_reports() -> Path:
    """Every registered analysis built for the default council on the example data, into
    ``reports/<council>/example/`` (what ``make report`` makes)."""
    return _build_council(None)


@pytest.fixture(scope="session")
def built_councils(built_reports: Path) -> dict[str, Path]:
    """Every council's appendices on the example data: slug -> its reports folder."""
    folders = {config.default_slug(): built_reports}
    for slug in config.available():
        folders.setdefault(slug, _build_council(slug))
    return folders
