"""Turn an executed notebook into one self-contained HTML appendix.

The export has no code and makes no request to any other address when opened:
it uses the ``appendix`` nbconvert template (the lab layout without require.js,
MathJax, Mermaid or widget scripts), embeds charts as data URIs, and is checked for
anything that would still fetch from the network. It adds a banner (service,
analysis, year), a table of contents with anchors to every section, table and
figure, a red "internal" band on working copies, and a provenance footer.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from analysis.disclosure import suppression as disclosure

TEMPLATES = Path(__file__).parent / "templates"
# Anything that would make a browser fetch from elsewhere when the page opens.
EXTERNAL = re.compile(
    r"""(<script[^>]+src\s*=|<link[^>]+href\s*=\s*["']?(https?:)?//|<(img|iframe|source|video|audio)"""
    r"""[^>]+src\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|import\(\s*["'](https?:)?//)""",
    re.IGNORECASE,
)


class ExportError(RuntimeError):
    """The HTML would not be safe to send (e.g. it would load something from the network)."""


@dataclass(frozen=True)
class Provenance:
    """What the footer records about how an appendix was made."""

    inputs: list[tuple[str, str]]  # (path relative to the repository, SHA-256)
    commit: str
    dirty: bool
    parameters: dict[str, str]
    built: str  # UTC, ISO 8601
    rule: str


@dataclass
class _Outline(HTMLParser):
    """Collects headings (h2) and numbered tables/figures, with their anchors, in order."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, id, text)
    _open: tuple[str, str] | None = None
    _text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id") or ""
        if tag == "h2" and ident:
            self._open, self._text = ("section", ident), []
        elif tag == "figure" and ident.startswith("table-"):
            self._open, self._text = ("table", ident), []
        elif tag == "p" and ident.startswith("figure-"):
            self._open, self._text = ("figure", ident), []

    def handle_endtag(self, tag: str) -> None:
        ends = {"section": "h2", "table": "figcaption", "figure": "p"}
        if self._open and tag == ends[self._open[0]]:
            text = " ".join("".join(self._text).replace("\u00b6", "").split())
            self.entries.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def outline(page: str) -> list[tuple[str, str, str]]:
    """(kind, anchor, text) for every section heading, table and figure, in page order."""
    parser = _Outline()
    parser.feed(page)
    return parser.entries


def contents(entries: list[tuple[str, str, str]]) -> str:
    """The table of contents: sections, with their tables and figures beneath them."""
    items: list[str] = []
    children: list[str] = []

    def close() -> None:
        if items and children:
            items[-1] = items[-1].replace("</li>", f"<ol>{''.join(children)}</ol></li>")
        children.clear()

    for kind, anchor, text in entries:
        link = f"<a href='#{html.escape(anchor)}'>{html.escape(text)}</a>"
        if kind == "section":
            close()
            items.append(f"<li>{link}</li>")
        else:
            (children if items else items).append(f"<li>{link}</li>")
    close()
    return (
        "<nav class='appendix-toc' aria-label='Contents'><h2 id='contents'>Contents</h2>"
        f"<ol>{''.join(items)}</ol></nav>"
    )


def footer(provenance: Provenance) -> str:
    """The provenance footer: inputs and their hashes, code version, parameters, time, rule."""
    rows = (
        "".join(
            f"<tr><td><code>{html.escape(path)}</code></td><td><code>{digest}</code></td></tr>"
            for path, digest in provenance.inputs
        )
        or "<tr><td colspan='2'>none</td></tr>"
    )
    state = "with uncommitted changes" if provenance.dirty else "clean working tree"
    params = ", ".join(f"{k} = {html.escape(str(v))}" for k, v in provenance.parameters.items())
    return (
        "<footer class='appendix-provenance'><h2 id='provenance'>How this appendix was made</h2>"
        f"<p><strong>Code version:</strong> <code>{html.escape(provenance.commit)}</code> "
        f"({state}). <strong>Parameters:</strong> {params}. "
        f"<strong>Built:</strong> {html.escape(provenance.built)}.</p>"
        f"<p><strong>Disclosure rule:</strong> {html.escape(disclosure.describe(provenance.rule))}"
        "</p><table><thead><tr><th>Input file</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></footer>"
    )


def _findings(heading: str) -> bool:
    return heading.lower().startswith("key findings")


def findings_first(page: str) -> bool:
    """True when the page's first section is its key findings (the build warns otherwise)."""
    sections = [text for kind, _, text in outline(page) if kind == "section"]
    return bool(sections) and _findings(sections[0])


def _insert_contents(page: str, toc: str, *, after_findings: bool) -> str:
    """Put the contents after the key findings (or before the first section)."""
    starts = [m.start() for m in re.finditer(r"<h2[\s>]", page)]
    at = starts[1] if after_findings and len(starts) > 1 else (starts[0] if starts else -1)
    if at < 0:
        return page.replace("<!--appendix:bottom-->", toc + "<!--appendix:bottom-->", 1)
    return page[:at] + toc + page[at:]


class _AppendixExporter(HTMLExporter):
    """nbconvert's HTML exporter without its re-validation after every preprocessor.

    With ``relax_add_props`` nbformat compiles the notebook schema afresh on each call
    (about 0.1 s, a dozen times per export); the notebook here comes straight from
    papermill, which has validated it.
    """

    def _validate_preprocessor(self, nbc: nbformat.NotebookNode, preprocessor: object) -> None:
        return None


@functools.cache
def exporter() -> HTMLExporter:
    """The HTML exporter, made once per process (loading templates and CSS is slow)."""
    made = _AppendixExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="appendix")
    made.exclude_input = True
    made.exclude_input_prompt = True
    made.exclude_output_prompt = True
    return made


def to_html(
    notebook: nbformat.NotebookNode,
    *,
    title: str,
    service: str,
    year_label: str,
    provenance: Provenance,
) -> str:
    """The executed notebook as a self-contained, code-free HTML appendix."""
    notebook.metadata["title"] = f"{title}: {year_label} ({service})"
    page, _ = exporter().from_notebook_node(notebook)
    internal = provenance.rule == "internal"
    band = (
        "<div class='appendix-internal' role='note'>INTERNAL: NOT FOR CIRCULATION</div>"
        if internal
        else ""
    )
    top = (
        f"{band}<div class='appendix-band'>{html.escape(service)} &middot; Appendix to the "
        f"annual fostering report &middot; {html.escape(title)} &middot; "
        f"{html.escape(year_label)}</div>"
    )
    entries = outline(page)
    sections = [text for kind, _, text in entries if kind == "section"]
    toc = contents(entries)
    body = page.replace("<!--appendix:top-->", top, 1)
    if internal:
        body = body.replace('<body class="jp-Notebook"', '<body class="jp-Notebook internal"', 1)
    body = _insert_contents(body, toc, after_findings=bool(sections) and _findings(sections[0]))
    body = body.replace(
        "<!--appendix:bottom-->", footer(provenance) + (band if internal else ""), 1
    )
    match = EXTERNAL.search(body)
    if match:
        raise ExportError(f"the export would load something from the network: {match.group(0)!r}")
    return body
