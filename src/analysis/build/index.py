"""The index page of one council's and data source's reports."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.build.manifest import Manifest
from analysis.core.atomic import atomic_write
from analysis.core.years import FinancialYear, built_on
from analysis.presentation import source as data_source
from analysis.registry import Analysis

if TYPE_CHECKING:
    from analysis.council.config import Council


def write_index(
    reports: Path,
    manifest: Manifest,
    council: Council,
    raw: str,
    missing: Sequence[Analysis] = (),
) -> Path:
    """``index.html`` for one council and data source: every year and analysis, newest
    year first, and the analyses with no extract supplied."""
    by_year: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest.entries.values():
        by_year.setdefault(entry["year"], []).append(entry)
    blocks = []
    for year in sorted(by_year, reverse=True):
        items = []
        for entry in sorted(by_year[year], key=lambda e: e["title"]):
            title = html.escape(entry["title"])
            page_exists = (reports / year / f"{entry['name']}.html").exists()
            if entry["status"] in ("built", "outdated") and page_exists:
                extra = (
                    " <span class='internal'>internal: not for circulation</span>"
                    if (entry["disclosure"] == "internal")
                    else ""
                )
                pdf = (
                    f" (<a href='{year}/{entry['name']}.pdf'>PDF</a>)"
                    if (reports / year / f"{entry['name']}.pdf").exists()
                    else ""
                )
                if entry["status"] == "outdated":
                    extra += (
                        " <strong class='outdated'>out of date</strong>: its data or code "
                        "changed after it was built, and it has not been rebuilt yet"
                    )
                items.append(
                    f"<li><a href='{year}/{entry['name']}.html'>{title}</a>{pdf}{extra} "
                    f"<small>built {html.escape(built_on(entry['built']))}</small></li>"
                )
            elif entry["status"] == "failed":
                items.append(
                    f"<li>{title}: <strong>failed to build</strong>, no appendix "
                    f"<small>({html.escape(entry['error'])}; the terminal and "
                    f"{year}/{entry['name']}.failed.ipynb say more)</small></li>"
                )
        if items:
            label = FinancialYear.parse(year).report_label
            blocks.append(
                f"<section id='year-{year}'><h2>{label}</h2><ul>{''.join(items)}</ul></section>"
            )
    if missing:
        items = "".join(
            f"<li>{html.escape(a.title)}: no extract supplied "
            f"<small>(no {html.escape(a.needs)} for {html.escape(council.name)})</small></li>"
            for a in missing
        )
        blocks.append(f"<section id='not-built'><h2>Not built</h2><ul>{items}</ul></section>")
    source = {
        "example": "the shipped synthetic example data (not real people)",
        "extracts": "the council's own extracts",
    }.get(raw, "extracts from a folder given by path")
    # An index listing any internal copy carries the internal band across the page, as
    # the copies do (issue 12's red team: only each entry was labelled).
    internal = any(e.get("disclosure") == "internal" for e in manifest.entries.values())
    band = (
        "<div role='note' style='background:#b00020;color:#fff;font-weight:700;"
        "text-align:center;padding:0.3rem'>INTERNAL: NOT FOR CIRCULATION (this index lists "
        "internal copies)</div>"
        if internal
        else ""
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Fostering service appendices: {html.escape(council.service)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        ".internal,.outdated{color:#b00020;font-weight:700}</style></head><body>"
        f"{band}{data_source.banner(data_source.of(raw, council.slug))}"
        "<h1>Fostering service: appendices to the annual report</h1>"
        f"<p>{html.escape(council.service)}. Data source: {html.escape(source)}. "
        "Newest year first.</p>"
        f"{''.join(blocks) or '<p>No appendices have been built yet.</p>'}</body></html>"
    )
    target = reports / "index.html"
    atomic_write(target, page)
    return target
