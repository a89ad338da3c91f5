"""Made-up published folders for tests: the real CSV format with rows the test chooses."""

import csv
from pathlib import Path

from analysis.sources.published.load import COLUMNS, SOURCE_COLUMNS, TOPICS

SOURCES = [
    {
        "source": "report-a",
        "title": "Made-up annual report A",
        "publisher": "Test council",
        "date": "2024-01-01",
        "seed_file": "a.txt",
    },
    {
        "source": "report-b",
        "title": "Made-up annual report B",
        "publisher": "Test council",
        "date": "2025-01-01",
        "seed_file": "b.txt",
    },
]


def row(
    table,
    year,
    measure,
    value,
    *,
    breakdown="",
    unit="count",
    source="report-a",
    label="label",
    section="section",
    note="",
):
    """One printed figure in the published CSV format."""
    return {
        "table": table,
        "year": year,
        "measure": measure,
        "breakdown": breakdown,
        "label": label,
        "value": value,
        "unit": unit,
        "source": source,
        "section": section,
        "note": note,
    }


def funnel(year, enquiries, eoi, stage1, stage2, approved, source="report-a"):
    """The five funnel counts of one year."""
    counts = {
        "initial_enquiries": enquiries,
        "expressions_of_interest": eoi,
        "stage1_started": stage1,
        "stage2_started": stage2,
        "households_approved": approved,
    }
    return [row("mainstream_recruitment", year, m, v, source=source) for m, v in counts.items()]


def rate(year, measure, value, source="report-a"):
    return row("mainstream_recruitment", year, measure, value, unit="percent", source=source)


def write_folder(folder: Path, rows_by_topic: dict[str, list[dict]]) -> Path:
    """Write sources.csv and every topic file (header only where no rows are given)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "sources.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, SOURCE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(SOURCES)
    for topic in TOPICS:
        with open(folder / f"{topic}.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows_by_topic.get(topic, []))
    return folder
