"""Open exported HTML in headless Chromium with the network cut off, through the DevTools protocol.

One browser per test session; each page gets a fresh tab. For every page we record
console errors, uncaught exceptions, any request to an address other than the file
itself or an embedded ``data:`` URI, failed loads, whether every image decodes and
is not blank, whether every in-page link (the table of contents) has a target, and
a full-page screenshot.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

from analysis.build.worker import CHROMIUM_FLAGS

INSTALL = (
    "Chromium is not installed, so the offline browser checks cannot run. Install it with "
    "`sudo apt-get install -y chromium` (Debian/Ubuntu); CI installs it in .ci/run."
)

CHECK = """
(async () => {
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
})()
"""


@dataclass
class PageReport:
    """What the browser saw on one page."""

    path: Path
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    toc: int = 0

    def problems(self) -> list[str]:
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


class Browser:
    """A headless Chromium driven over the DevTools protocol, offline."""

    def __init__(self, binary: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--proxy-server=127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--hide-scrollbars",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.socket = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=60)
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None):
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self.events
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.socket.recv()))

    def check(self, page: Path, screenshot: Path) -> PageReport:
        """Load ``page`` offline, run the checks, save a full-page screenshot."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Network.emulateNetworkConditions",
            {
                "offline": True,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
            session,
        )
        self.events.clear()
        self.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        self.wait_for("Page.loadEventFired", session)
        result = self.send(
            "Runtime.evaluate",
            {
                "expression": CHECK,
                "awaitPromise": True,
                "returnByValue": True,
            },
            session,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"check script failed on {page}: {result['exceptionDetails']}")
        seen = result["result"]["value"]
        metrics = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": metrics["width"],
                    "height": metrics["height"],
                    "scale": 1,
                },
            },
            session,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        report = PageReport(page, images=seen["images"], links=seen["links"], toc=seen["toc"])
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                report.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.errors.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                report.errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("data:", page.resolve().as_uri())):
                    report.requests.append(url)
            elif method == "Network.loadingFailed":
                report.requests.append(f"failed: {params.get('errorText')}")
        self.send("Target.closeTarget", {"targetId": target})
        return report

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
