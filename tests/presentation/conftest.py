"""Shared fixtures of the presentation tests."""

from __future__ import annotations

import pytest

from analysis.presentation import appendix


@pytest.fixture
def shown(monkeypatch) -> dict[str, dict]:
    """What each display id shows now (the last display or update of it), in the order
    first shown: the page as a reader would see it once the decision is taken."""
    latest: dict[str, dict] = {}

    def show(bundle, *, raw=False, display_id=None, metadata=None):
        latest[display_id] = bundle

    monkeypatch.setattr(appendix, "display", show)
    monkeypatch.setattr(appendix, "update_display", show)
    return latest
