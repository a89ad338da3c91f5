"""Every shipped council builds end to end on its example data, each under its own name."""

from __future__ import annotations

import re

import pytest

from analysis.council import config

pytestmark = pytest.mark.notebook


def test_every_council_builds_with_its_own_name_and_nothing_of_another(built_councils):
    assert sorted(built_councils) == config.available()
    for slug, folder in built_councils.items():
        council = config.load(slug)
        others = [config.load(s) for s in built_councils if s != slug]
        pages = sorted(folder.rglob("*.html"))
        assert folder / "index.html" in pages and len(pages) > 1
        for page in pages:
            text = page.read_text()
            assert council.service in text, page
            for other in others:
                assert other.short_name not in text, (page, other.short_name)
        index = (folder / "index.html").read_text()
        linked = re.findall(r"href='([^']+)'", index)
        assert linked and all((folder / link).exists() for link in linked)
        assert all(not link.startswith(("/", "..")) for link in linked)


def test_a_council_with_only_returns_gets_stability_and_says_what_was_not_supplied(
    built_councils,
):
    leicester = built_councils["leicester"]
    index = (leicester / "index.html").read_text()
    assert "no extract supplied" in index
    assert index.count("no extract supplied") == 2  # recruitment and retention
    page = (leicester / "2024-25" / "placement_stability.html").read_text()
    assert "East Midlands" in page and "Statistical neighbours" in page
    assert "West Midlands" not in page
