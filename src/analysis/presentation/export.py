"""Turn an executed notebook into one self-contained HTML appendix.

The export has no code and makes no request to any other address when opened:
it uses the ``appendix`` nbconvert template (the lab layout without require.js,
MathJax, Mermaid or widget scripts), embeds charts as data URIs, and is checked for
anything that would still fetch from the network. It adds a banner (service,
analysis, year), a table of contents with anchors to every section, table and
figure, a red "internal" band on working copies, a yellow band on pages built from a
source that declares itself synthetic (:mod:`analysis.presentation.source`), and a
provenance footer. The disclosure ledger the appendix keeps in the executed notebook
(every count before suppression, for the audit) is dropped before rendering.

:class:`AppendixExporter` is the same export for ``jupyter nbconvert --to appendix``
(registered as an nbconvert exporter): it reads the parameters from the papermill
metadata and gives the file the build gives, apart from the build time.
"""

from __future__ import annotations

import ast
import copy
import functools
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from analysis.core.years import built_on
from analysis.disclosure import suppression as disclosure
from analysis.presentation import source
from analysis.presentation.appendix import ANNEX, LEDGER

TEMPLATES = Path(__file__).parent / "templates"
MISSING = "missing"  # an input's digest when the file is not there (as the build records it)
# Anything that would make a browser fetch from elsewhere when the page opens.
EXTERNAL = re.compile(
    r"""(<script[^>]+src\s*=|<link[^>]+href\s*=\s*["']?(https?:)?//|<(img|iframe|source|video|audio)"""
    r"""[^>]+src\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|import\(\s*["'](https?:)?//)""",
    re.IGNORECASE,
)


# The tiles Appendix.headlines shows (its own markup, never nested; nbconvert rewrites the
# attributes' quotes and order).
HEADLINES = re.compile(
    r"""<section[^>]*\bclass=["']appendix-headlines["'][^>]*>.*?</section>""", re.DOTALL
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
    """The table of contents: the main body's sections with their tables and figures
    beneath them, then the technical annex's sections in a list a reader opens (its tables
    and figures are found from them), so that the contents of the five-minute read fit on
    a screen however long the annex is."""
    annexed = next((n for n, (_, anchor, _) in enumerate(entries) if anchor == ANNEX), None)
    main = entries if annexed is None else entries[:annexed]
    items: list[str] = []
    children: list[str] = []

    def link(anchor: str, text: str) -> str:
        return f"<a href='#{html.escape(anchor)}'>{html.escape(text)}</a>"

    def close() -> None:
        if items and children:
            items[-1] = items[-1].replace("</li>", f"<ol>{''.join(children)}</ol></li>")
        children.clear()

    for kind, anchor, text in main:
        if kind == "section":
            close()
            items.append(f"<li>{link(anchor, text)}</li>")
        else:
            (children if items else items).append(f"<li>{link(anchor, text)}</li>")
    close()
    if annexed is not None:
        _, anchor, text = entries[annexed]
        sections = [(a, t) for kind, a, t in entries[annexed + 1 :] if kind == "section"]
        inside = "".join(f"<li>{link(a, t)}</li>" for a, t in sections)
        items.append(
            f"<li>{link(anchor, text)}<details><summary>The annex's {len(sections)} sections"
            f"</summary><ol>{inside}</ol></details></li>"
        )
    return (
        "<nav class='appendix-toc' aria-label='Contents'><h2 id='contents'>Contents</h2>"
        f"<ol>{''.join(items)}</ol></nav>"
    )


# What a reader calls each kind of input, from where the build found it: the folder it is
# in (``recruitment``, ``published``, ...) and its file name, never its path.
_EXTRACTS = {
    "enquiries": "Enquiry extract",
    "household_register": "Household register",
    "ssda903_episodes": "SSDA903 return: episodes",
    "ssda903_header": "SSDA903 return: header",
}
_LAYOUTS = {
    "recruitment": "Column layout of the enquiry extracts",
    "retention": "Column layout of the household register",
    "ssda903": "Column names of the SSDA903 returns",
}
_COUNCIL_FILES = {
    "sources.csv": "The published documents the figures come from",
    "repairs.csv": "Corrections made to the published documents' text",
    "reconciliation.toml": "The council's readings of its published figures",
    "council.toml": "The council's configuration",
    "fostering_in_england_national.csv": "Ofsted's national figures (Fostering in England)",
    "la_cla_placement_stability.csv": "DfE: placement stability by local authority",
    "sn_model_2025_wide.csv": "DfE: statistical neighbours (2025 model)",
}
_YEAR_FILE = re.compile(r"^(?P<kind>.+?)_(?P<year>\d{4}-\d{2})(?P<synthetic>_SYNTHETIC)?\.csv$")


def input_name(path: str) -> str:
    """An input as the footer names it for a reader, without the repository's folders:
    "Enquiry extract, 2018/19 (synthetic)", "Published figures: recruitment funnel",
    "Column layout of the household register"."""
    parts = Path(path).parts
    name, folder = parts[-1], parts[-2] if len(parts) > 1 else ""
    found = _YEAR_FILE.match(name)
    if found and found["kind"] in _EXTRACTS:
        label = f"{_EXTRACTS[found['kind']]}, {found['year'].replace('-', '/')}"
        return label + (" (synthetic)" if found["synthetic"] else "")
    if folder == "layouts" and Path(name).stem in _LAYOUTS:
        return _LAYOUTS[Path(name).stem]
    if name in _COUNCIL_FILES:
        return _COUNCIL_FILES[name]
    if folder == "published" and name.endswith(".csv"):
        return "Published figures: " + Path(name).stem.replace("_", " ")
    return Path(name).stem.replace("_", " ").capitalize()


def footer(provenance: Provenance) -> str:
    """The provenance footer: inputs and their hashes, code version, parameters, time, rule.

    Only the files the appendix read are listed, each by what a reader calls it
    (:func:`input_name`), not its path in the repository: an optional input that is not
    there (a layout a council has not declared) was not read, and "missing" beside its
    name would read to a director as something lost."""
    rows = (
        "".join(
            f"<tr><td>{html.escape(input_name(path))}</td><td><code>{digest}</code></td></tr>"
            for path, digest in provenance.inputs
            if digest != MISSING
        )
        or "<tr><td colspan='2'>none</td></tr>"
    )
    state = " with changes not yet committed" if provenance.dirty else ""
    flags = " ".join(
        f"-p {html.escape(str(k))} {html.escape(str(v))}" for k, v in provenance.parameters.items()
    )
    return (
        "<footer class='appendix-provenance'><h2 id='provenance'>How this appendix was made</h2>"
        f"<p><strong>Built</strong> on {html.escape(built_on(provenance.built))} from version "
        f"{html.escape(provenance.commit[:7])} of the analysis code{state}.</p>"
        "<details><summary>To rebuild it (for analysts)</summary><p>Code version "
        f"<code>{html.escape(provenance.commit)}</code>; the notebook's parameters "
        f"(papermill): <code>{flags}</code>.</p></details>"
        f"<p><strong>Disclosure rule:</strong> {html.escape(disclosure.describe(provenance.rule))}"
        "</p><table><thead><tr><th>Input</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></footer>"
    )


def _findings(heading: str) -> bool:
    return heading.lower().startswith("key findings")


def findings_first(page: str) -> bool:
    """True when the page's first section is its key findings (the build warns otherwise)."""
    sections = [text for kind, _, text in outline(page) if kind == "section"]
    return bool(sections) and _findings(sections[0])


def headlines_first(page: str) -> str:
    """Move the headline tiles to just before the first section (the key findings), so
    they open the page whichever cell showed them."""
    tiles = HEADLINES.findall(page)
    if not tiles:
        return page
    page = HEADLINES.sub("", page)
    first = re.search(r"<h2[\s>]", page)
    at = first.start() if first else page.find("<!--appendix:bottom-->")
    return page[:at] + "".join(tiles) + page[at:]


def annex_section(page: str) -> str:
    """Wrap the technical annex (from the cell that starts it to the end of the notebook)
    in its own section, set off from the main body."""
    heading = re.search(rf"<h2[^>]*\bid=[\"']{ANNEX}[\"']", page)
    if not heading:
        return page
    start = page.rfind('<div class="jp-Cell ', 0, heading.start())
    end = page.find("<!--appendix:bottom-->", heading.end())
    if start < 0 or end < 0:
        return page
    return (
        f"{page[:start]}<section class='appendix-annex' aria-labelledby='{ANNEX}'>"
        f"{page[start:end]}</section>{page[end:]}"
    )


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
    """The executed notebook as a self-contained, code-free HTML appendix.

    A public page must have been closed (:meth:`Appendix.close`, its last cell): until
    then its disclosure decision leaves out the attacker's audit."""
    for ledger in ledgers(notebook):
        if ledger.get("disclosure") == "public" and not ledger.get("closed"):
            raise ExportError(
                f"the page {ledger.get('title', '')!r} was never closed: its disclosure "
                "decision is not final (the notebook's last cell must call close() on its "
                "Appendix)"
            )
    notebook = for_reader(notebook)
    notebook.metadata["title"] = f"{title}: {year_label} ({service})"
    page, _ = exporter().from_notebook_node(notebook)
    parameters = provenance.parameters
    synthetic = source.banner(
        source.of(parameters.get("raw", "example"), parameters.get("council"))
    )
    internal = provenance.rule == "internal"
    band = (
        "<div class='appendix-internal' role='note'>INTERNAL: NOT FOR CIRCULATION</div>"
        if internal
        else ""
    )
    top = (
        f"{band}{synthetic}<div class='appendix-band'>{html.escape(service)} &middot; "
        f"Appendix to the annual fostering report &middot; {html.escape(title)} &middot; "
        f"{html.escape(year_label)}</div>"
    )
    entries = outline(page)
    sections = [text for kind, _, text in entries if kind == "section"]
    toc = contents(entries)
    body = page.replace("<!--appendix:top-->", top, 1)
    if internal:
        body = body.replace('<body class="jp-Notebook"', '<body class="jp-Notebook internal"', 1)
    body = breakable_headings(annex_section(headlines_first(without_idle_tab_stops(body))))
    body = _insert_contents(body, toc, after_findings=bool(sections) and _findings(sections[0]))
    body = body.replace(
        "<!--appendix:bottom-->", footer(provenance) + (band if internal else ""), 1
    )
    match = EXTERNAL.search(body)
    if match:
        raise ExportError(f"the export would load something from the network: {match.group(0)!r}")
    return body


_OUTPUT = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*?) tabindex="0">')


def without_idle_tab_stops(page: str) -> str:
    """Take the tab stop nbconvert gives every output off those that cannot scroll (text,
    images): a keyboard user then tabs through links and tables, not every paragraph.
    An output holding a table keeps it, since a table may scroll in a narrow window."""
    found = list(_OUTPUT.finditer(page))
    ends = [m.start() for m in found[1:]] + [len(page)]
    out, at = [], 0
    for match, end in zip(found, ends, strict=True):
        keep = "<table" in page[match.end() : end]
        out += [page[at : match.start()], match[0] if keep else match[1] + ">"]
        at = match.end()
    return "".join(out) + page[at:]


# Where a long word of a table heading may break, with a hyphen, when a wide table must
# wrap to the page (a browser offline has no hyphenation dictionary for CSS to use).
_BREAKS = {"households": "house&shy;holds", "assessment": "assess&shy;ment"}
_HEADING = re.compile(r"(<th\b[^>]*>)(.*?)(</th>)", re.DOTALL)


def breakable_headings(page: str) -> str:
    """Let a wide table's headings wrap inside their long words ("house-holds"), so a table
    of 19 columns fits 1280 pixels and a printed page rather than scrolling sideways."""

    def soften(match: re.Match[str]) -> str:
        text = match[2]
        for word, broken in _BREAKS.items():
            text = re.sub(rf"\b({word[0]}|{word[0].upper()}){word[1:]}\b",
                          lambda m, b=broken: m[1] + b[1:], text)  # fmt: skip
        return match[1] + text + match[3]

    return _HEADING.sub(soften, page)


def for_reader(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with only what the appendix displayed for its reader.

    Dropped: the disclosure ledger (unsuppressed counts), a cell's value (the frame an
    ``appendix.table(...)`` on a cell's last line returns would print again, raw and
    unsuppressed by later decisions) and printed or warning text (developer output).
    """
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.get("outputs"):
            cell.outputs = [
                o
                for o in cell.outputs
                if o.get("output_type") in ("display_data", "update_display_data")
                and LEDGER not in o.get("data", {})
            ]
    return notebook


def ledgers(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every appendix ledger in an executed notebook (for the audit)."""
    return [
        output["data"][LEDGER]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if LEDGER in output.get("data", {})
    ]


def parameters(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The notebook's parameters as run: its defaults, overridden by papermill's."""
    from papermill.inspection import _infer_parameters

    values: dict[str, Any] = {}
    for parameter in _infer_parameters(notebook):
        try:
            values[parameter.name] = ast.literal_eval(parameter.default)
        except (ValueError, SyntaxError):
            continue
    values.update(notebook.metadata.get("papermill", {}).get("parameters", {}))
    return {k: str(values.get(k, "")) for k in ("year", "disclosure", "raw", "council")}


class AppendixExporter(HTMLExporter):
    """``jupyter nbconvert --to appendix out.ipynb``: the build's export, by hand.

    Title, council, inputs (hashed now) and code version are worked out as the build
    works them out, from the parameters papermill recorded in the notebook.
    """

    export_from_notebook = "Fostering appendix"

    def from_notebook_node(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        from analysis.build.plan import _relative, git_state, sha256_file
        from analysis.core import paths
        from analysis.core.years import FinancialYear
        from analysis.council import config
        from analysis.registry import ANALYSES

        resources = self._init_resources(resources)
        resources["output_extension"] = ".html"
        given = parameters(nb)
        council = config.load(given["council"] or None)
        given["council"] = council.slug
        name = Path(nb.metadata.get("papermill", {}).get("input_path", "")).stem
        analysis = next((a for a in ANALYSES if a.name == name), None)
        found = ledgers(nb)
        title = analysis.title if analysis else (found[0]["title"] if found else name)
        inputs = (
            [
                (_relative(p, paths.ROOT), sha256_file(p) if p.exists() else MISSING)
                for p in sorted(set(analysis.inputs(council, given["year"], given["raw"])))
            ]
            if analysis
            else []
        )
        commit, dirty = git_state(paths.ROOT)
        page = to_html(
            nb,
            title=title,
            service=council.service,
            year_label=FinancialYear.parse(given["year"]).report_label,
            provenance=Provenance(
                inputs=inputs,
                commit=commit,
                dirty=dirty,
                parameters=given,
                built=datetime.now(UTC).isoformat(timespec="seconds"),
                rule=given["disclosure"],
            ),
        )
        return page, resources
