"""Scaffold a new council's folder from the DfE files: ``python -m analysis.council new``.

The name, region, new LA code and statistical neighbours are taken from the shipped DfE
data (``data/raw/dfe/``), so a council that is not in it is refused with the nearest
matches. What the DfE files cannot know (the service name as the council prints it, the
comparators its reports quote, its published figures, its extract layouts) is left for
the analyst, with a comment saying where it goes.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core import paths
from analysis.council.config import CONFIG, SLUG, CouncilError, load
from analysis.sources.dfe import areas

TEMPLATE = """\
# {name}: scaffolded from the DfE files by `python -m analysis.council new`.
# Checked when loaded against data/raw/dfe/ (LA code, new LA code, region).
name = "{name}"
short_name = "{short_name}"
# The fostering service's name as the council's reports print it: check and correct.
service = "{name} Fostering Service"
# Old (three-digit) DfE LA code.
la_code = "{la_code}"
new_la_code = "{new_la_code}"
region = "{region}"
# Statistical neighbours: the DfE's 2025 model unless listed here as old LA codes:
# neighbours = [{neighbours}]

# Figures the council's reports compare themselves with, each with its source. Optional: the
# retention appendix draws a national retention rate the council quotes beside its own only
# when one is declared (Ofsted's LA-sector figures are shown either way), e.g.:
# [comparators.national_retention]
# value = 87.0
# unit = "%"
# label = "national retention rate"
# source = "Fostering Service Annual Report 2024/25, section 3"
# year = "2024-25"  # the year it is for: a page of another year calls it "the nearest figure"
# published = "January 2026"  # when its source came out
"""
README = """\
# Published figures for {name}

Transcribe the figures the council has published (annual fostering reports, committee
minutes) into CSV files here, one row per printed figure, with `sources.csv` listing the
documents. The column layout and the topics are described in `docs/assumptions.md`
("Published figures"). Until then the published-trends appendix is not built for this
council and the index says so.
"""


def _short_name(name: str) -> str:
    for suffix in (" City Council", " County Council", " Borough Council", " Council"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _council_name(la_name: str) -> str:
    """The DfE file names the area ('York'); the configuration wants 'York Council'."""
    return la_name if "council" in la_name.lower() else f"{la_name} Council"


def new(slug: str, la_code: str, root: Path | None = None) -> Path:
    """Create ``councils/<slug>/`` for the LA with ``la_code``; return its configuration file."""
    root = root or paths.ROOT
    folder = root / "councils" / slug
    if not SLUG.match(slug):
        raise CouncilError(
            folder / CONFIG,
            "a council's folder name is lower-case letters, digits, '-' or '_'",
            value=slug,
        )
    if (folder / CONFIG).exists():
        raise CouncilError(folder / CONFIG, "this council is already configured")
    la = areas.authority(la_code, column="--la-code")
    name = _council_name(la["name"])
    text = TEMPLATE.format(
        name=name,
        short_name=_short_name(la["name"]),
        la_code=la["la_code"],
        new_la_code=la["new_la_code"],
        region=la["region"],
        neighbours=", ".join(f'"{c}"' for c in areas.statistical_neighbours(la["la_code"])),
    )
    (folder / "published").mkdir(parents=True, exist_ok=True)
    (folder / "layouts").mkdir(exist_ok=True)
    (folder / "published" / "README.md").write_text(README.format(name=name), encoding="utf-8")
    (folder / CONFIG).write_text(text, encoding="utf-8")
    load(slug, root)  # what was written must load
    return folder / CONFIG
