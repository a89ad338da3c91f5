"""The analyses the report build knows: one notebook each, and the years it has data for.

Each entry says which notebook to run, which years have data, and which input
files a year depends on (for provenance and for deciding what to rebuild).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import paths


@dataclass(frozen=True)
class Analysis:
    """A notebook and the data it needs.

    ``years(raw)`` lists the year labels with data; ``inputs(year, raw)`` lists every
    file that year's notebook reads (hashed to decide what to rebuild, and printed with
    SHA-256 in the export's footer). ``raw`` is the notebook parameter of the same name
    ("example", "extracts" or a folder): the data source the build was asked for.
    """

    name: str
    title: str
    years: Callable[..., list[str]]
    inputs: Callable[..., list[Path]]

    @property
    def notebook(self) -> Path:
        return paths.NOTEBOOKS / f"{self.name}.ipynb"


def _published_years(raw: str = "example") -> list[str]:
    """Published figures are the same whatever the extract source."""
    from analysis import published

    return published.available_years()


def _published_inputs(year: str, raw: str = "example") -> list[Path]:
    return sorted(paths.PUBLISHED.glob("*.csv"))


def _recruitment_years(raw: str = "example") -> list[str]:
    from analysis import recruitment_load

    return recruitment_load.available_years(raw)


def _recruitment_inputs(year: str, raw: str = "example") -> list[Path]:
    """The year's enquiry extract, every earlier one (households carried across years and
    the cohort and trend views), and the published tables it reconciles against."""
    from analysis import recruitment_load

    extracts = recruitment_load.extract_files(raw)
    published = ["recruitment_funnel", "panel_business", "children_in_care_and_capacity", "sources"]
    return [p for y, p in sorted(extracts.items()) if y <= year] + [
        paths.PUBLISHED / f"{name}.csv" for name in published
    ]


def _retention_years(raw: str = "example") -> list[str]:
    from analysis import retention_register

    return retention_register.available_years(raw)


def _retention_inputs(year: str, raw: str = "example") -> list[Path]:
    """Every register extract up to ``year`` (survival uses the whole history)."""
    from analysis import retention_register

    return [p for y, p in retention_register.available_files(raw).items() if y <= year]


def _stability_years(raw: str = "example") -> list[str]:
    from analysis import stability_report

    return stability_report.available_years(stability_report.folder(raw))


def _stability_inputs(year: str, raw: str = "example") -> list[Path]:
    from analysis import stability_report

    return stability_report.inputs(stability_report.folder(raw), year)


ANALYSES: dict[str, Analysis] = {
    "published_trends": Analysis(
        name="published_trends",
        title="Published fostering figures and trends",
        years=_published_years,
        inputs=_published_inputs,
    ),
    "recruitment": Analysis(
        name="recruitment",
        title="Recruitment drop-off: from enquiry to approval",
        years=_recruitment_years,
        inputs=_recruitment_inputs,
    ),
    "retention": Analysis(
        name="retention",
        title="Carer retention and capacity",
        years=_retention_years,
        inputs=_retention_inputs,
    ),
    "placement_stability": Analysis(
        name="placement_stability",
        title="Placement stability (DfE indicators from the SSDA903 return)",
        years=_stability_years,
        inputs=_stability_inputs,
    ),
}
