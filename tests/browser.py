"""Open exported HTML in Debian's headless Chromium, offline, through Playwright.

One browser per test session; each page gets a fresh context. Playwright drives the
installed Chromium (``executable_path``): ``playwright install`` is never needed. Every
request other than the page itself or an embedded ``data:`` URI is recorded and, unless
it is a local file, aborted, so a page that is not self-contained fails its check.

For every page we record console errors, uncaught exceptions, those requests and any
failed load, whether every image decodes and is not blank, whether every in-page link
(the table of contents) has a target, a full-page screenshot, and what axe-core finds
against the WCAG 2.2 A and AA rules.
"""

from __future__ import annotations

import importlib.resources
import multiprocessing
import multiprocessing.util
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import Playwright, Request, Route, sync_playwright

from analysis.build.worker import find_chromium

INSTALL = (
    "Chromium is not installed, so the offline browser checks cannot run. Install it with "
    "`sudo apt-get install -y chromium` (Debian/Ubuntu); CI installs it in .ci/run."
)

# axe-core as shipped inside the pinned PyPI package axe-playwright-python (its
# axe.min.js); only the script is used, injected into the page from disk.
AXE = Path(str(importlib.resources.files("axe_playwright_python") / "axe.min.js"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """options => axe.run(document, options).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length})))"""

CHECK = """
async () => {
  const out = {images: [], links: [], toc: document.querySelectorAll('nav.appendix-toc a').length};
  for (const img of [...document.images]) {
    const seen = {src: img.src.slice(0, 30), decoded: true, width: 0, height: 0, blank: true};
    try { await img.decode(); } catch (e) { seen.decoded = false; }
    seen.width = img.naturalWidth; seen.height = img.naturalHeight;
    if (seen.decoded && seen.width && seen.height) {
      const canvas = document.createElement('canvas');
      canvas.width = seen.width; canvas.height = seen.height;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const d = context.getImageData(0, 0, seen.width, seen.height).data;
      for (let i = 4; i < d.length; i += 4) {
        if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) {
          seen.blank = false; break;
        }
      }
    }
    out.images.push(seen);
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    const resolves = id === '' || !!document.getElementById(id);
    out.links.push({href: a.getAttribute('href'), resolves});
  }
  return out;
}
"""


TOO_WIDE = """() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) found.push('the page scrolls sideways');
  for (const figure of document.querySelectorAll('figure.table')) {
    const table = figure.querySelector('table');
    if (!table) continue;
    const box = table.getBoundingClientRect();
    if (box.width > figure.getBoundingClientRect().width + 1 || box.left < 0 ||
        box.right > innerWidth + 1) found.push(figure.id + ': wider than the page');
    for (let e = figure.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) {
        found.push(figure.id + ': scrolls or is cut off inside ' + e.className); break;
      }
    }
  }
  return found;
}"""


@dataclass
class PageReport:
    """What the browser saw on one page."""

    path: Path
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    toc: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that makes the page fail to load cleanly and offline."""
        found = [f"console/exception: {e}" for e in self.errors]
        found += [f"request: {r}" for r in self.requests]
        for image in self.images:
            if not image["decoded"] or not image["width"]:
                found.append(f"image does not decode: {image['src']}")
            elif image["blank"]:
                found.append(f"image is blank: {image['src']}")
        found += [
            f"link has no target: {link['href']}" for link in self.links if not link["resolves"]
        ]
        return found

    def barriers(self) -> list[str]:
        """axe-core's WCAG 2.2 A/AA violations: id, impact, help, first offending selectors."""
        return [
            f"{v['id']} ({v['impact']}): {v['help']}; {v['count']} element(s), e.g. "
            + " | ".join(v["targets"])
            for v in self.violations
        ]


class Browser:
    """The installed headless Chromium under Playwright, with the network cut off."""

    def __init__(self, binary: str) -> None:
        self._playwright: Playwright = sync_playwright().start()
        try:
            self._browser: PlaywrightBrowser = self._playwright.chromium.launch(
                executable_path=binary,
                args=[
                    "--disable-quic",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--hide-scrollbars",
                ],
                proxy={"server": "http://127.0.0.1:9"},
            )
        except BaseException:
            self._playwright.stop()
            raise

    def check(self, page: Path, screenshot: Path) -> PageReport:
        """Load ``page`` offline, run the checks and axe-core, save a full-page screenshot."""
        own = page.resolve().as_uri()
        report = PageReport(page)

        def request(route: Route, asked: Request) -> None:
            url = asked.url
            if url.split("#")[0] == own or url.startswith("data:"):
                route.continue_()
                return
            report.requests.append(url)
            if url.startswith("file:"):
                route.continue_()  # local, but the page is not self-contained: recorded
            else:
                route.abort("internetdisconnected")

        context = self._browser.new_context(service_workers="block")
        try:
            context.route("**/*", request)
            tab = context.new_page()
            tab.on(
                "console",
                lambda message: (
                    report.errors.append(message.text)
                    if message.type in ("error", "assert")
                    else None
                ),
            )
            tab.on("pageerror", lambda error: report.errors.append(str(error)))
            tab.on(
                "requestfailed",
                lambda failed: report.requests.append(f"failed: {failed.url[:80]}"),
            )
            tab.on("websocket", lambda socket: report.requests.append(socket.url))
            tab.goto(own, wait_until="load")
            seen = tab.evaluate(CHECK)
            report.images, report.links, report.toc = seen["images"], seen["links"], seen["toc"]
            tab.screenshot(path=screenshot, full_page=True)
            tab.add_script_tag(path=AXE)
            report.violations = tab.evaluate(
                AXE_RUN, {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
            )
        finally:
            context.close()
        return report

    def too_wide(self, page: Path, width: int, height: int, media: str = "screen") -> list[str]:
        """The tables of ``page`` that do not fit a ``width`` x ``height`` window (``media``
        "print": an A4 sheet is 794 x 1123): wider than their figure, cut off by the
        window, or scrolled or clipped by a box around them; and the page itself scrolling
        sideways."""
        context = self._browser.new_context(viewport={"width": width, "height": height})
        try:
            tab = context.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.emulate_media(media=media)
            return tab.evaluate(TOO_WIDE)
        finally:
            context.close()

    def sheets(self, page: Path) -> list[str]:
        """How each sheet ``page`` prints on lies ("portrait" or "landscape"), as Chromium
        prints it to PDF on A4: a named page (``@page wide``) may turn one."""
        context = self._browser.new_context()
        try:
            tab = context.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            pdf = tab.pdf(format="A4", prefer_css_page_size=True)
        finally:
            context.close()
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        return ["landscape" if float(w) > float(h) else "portrait" for w, h in boxes]

    def close(self) -> None:
        """Close the browser and stop Playwright's driver."""
        try:
            self._browser.close()
        finally:
            self._playwright.stop()


_SHARED: list[Browser] = []  # one Playwright per process: its sync API cannot nest
_WORKER: list[Browser] = []  # a checking process's own browser (:func:`check_all`)


def _start_worker() -> None:
    binary = find_chromium()
    assert binary is not None, INSTALL
    _WORKER.append(Browser(binary))
    multiprocessing.util.Finalize(None, _WORKER[0].close, exitpriority=10)


def _check_in_worker(pages: tuple[Path, Path]) -> PageReport:
    return _WORKER[0].check(*pages)


def check_all(pages: Sequence[tuple[Path, Path]]) -> list[PageReport]:
    """:meth:`Browser.check` on every (page, screenshot), one browser per CPU at once:
    each check is independent, and the browser's rendering and axe-core, not this
    process, take the time (about 5 s a page; a council's appendices are dozens)."""
    workers = min(os.cpu_count() or 1, len(pages))
    if workers == 0:
        return []
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
    ) as pool:
        return list(pool.map(_check_in_worker, pages))


_USERS = [0]


def session() -> Iterator[Browser]:
    """The session's browser, shared by every module's fixture: skipped with instructions
    where Chromium is missing, failed instead in CI (``CI=true``), where the browser checks
    must run. Closed when the last fixture using it is torn down."""
    import pytest

    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(INSTALL)
        pytest.skip(INSTALL)
    if not _SHARED:
        _SHARED.append(Browser(binary))
    _USERS[0] += 1
    try:
        yield _SHARED[0]
    finally:
        _USERS[0] -= 1
        if not _USERS[0]:
            _SHARED.pop().close()
