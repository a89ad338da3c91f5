"""Find identifiers from the raw data in exported appendices.

Generic on purpose: every CSV and XLSX under a raw-data folder is read as text,
and every column whose header looks like an identifier (ids and references, SSDA903
CHILD, UPN, household/carer/enquiry numbers, dates of birth, postcodes such as
HOME_POST and PL_POST, names), or whose values look like UK postcodes, contributes
its values. An export "hits" when any such
value appears in its visible text or attributes as a whole token. Embedded images
(``data:`` URIs) and style sheets are left out of the search: they hold base64 and
CSS, not text a reader sees.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

IDENTIFYING = re.compile(
    r"(^|[^a-z])(id|ids|identifier|ref|reference|urn|upn|uln|nhs|ni_?number|dob|child|post)"
    r"([^a-z]|$)"
    r"|date.?of.?birth|birth.?date|post.?code|surname|forename|first.?name|last.?name|full.?name"
    r"|(^|[^a-z])name([^a-z]|$)",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
SHORTEST = 4  # shorter values (e.g. "12") would match ordinary counts
# Written out in words, a date on which a financial year starts or ends is how every page
# names its period ("31 March 2025"): a date of birth on such a day is looked for only in
# its figures (31/03/2019, 2019-03-31).
YEAR_ENDS = {(3, 31), (4, 1)}
EMBEDDED = re.compile(
    r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+|<style[^>]*>.*?</style>", re.S | re.I
)


def _sheets(path: Path) -> Iterable[pd.DataFrame]:
    if path.suffix.lower() == ".csv":
        yield pd.read_csv(path, dtype=str, header=None, keep_default_na=False)
    else:
        yield from pd.read_excel(path, dtype=str, header=None, sheet_name=None).values()


def _columns(sheet: pd.DataFrame) -> Iterable[pd.Series]:
    """Identifying columns of a sheet whose header sits in one of its first five rows."""
    for _, column in sheet.items():
        values = column.fillna("").astype(str).str.strip()
        header_at = next(
            (i for i, v in enumerate(values.head(5)) if v and IDENTIFYING.search(v)), None
        )
        body = values.iloc[header_at + 1 :] if header_at is not None else values
        looks_like_postcodes = (
            body[body != ""].str.match(POSTCODE).mean() > 0.5 if len(body) else False
        )
        if header_at is not None or looks_like_postcodes:
            yield body


def _forms(value: str) -> set[str]:
    """The value, plus the usual ways of printing it if it is a date (ISO or dd/mm/yyyy)."""
    forms = {value}
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        try:
            day = datetime.strptime(value[:10], "%d/%m/%Y").date()
        except ValueError:
            return forms
    forms |= {day.isoformat(), day.strftime("%d/%m/%Y")}
    if (day.month, day.day) not in YEAR_ENDS:
        forms |= {f"{day.day} {day:%B %Y}", f"{day:%d %B %Y}"}
    return forms


def identifiers(raw: Path) -> set[str]:
    """Every identifying value in the CSV and XLSX files under ``raw``."""
    found: set[str] = set()
    for path in sorted([*raw.rglob("*.csv"), *raw.rglob("*.xlsx")]):
        for sheet in _sheets(path):
            for column in _columns(sheet):
                for value in column.unique():
                    if len(value) >= SHORTEST:
                        found |= _forms(value)
    return found


def hits(page: str, values: set[str]) -> list[str]:
    """The identifying values that occur in ``page`` as whole tokens."""
    text = EMBEDDED.sub(" ", page)
    return sorted(
        v
        for v in values
        if v in text and re.search(rf"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])", text)
    )


# What no exported page may show a reader: Python's own output and the machine's paths.
LEAKED_TEXT = {
    "a traceback": re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"),
    "a Python warning": re.compile(
        r"\b\w*(Warning|Error): |\b(Future|Deprecation|User|Runtime|SettingWithCopy|Pandas\w*)"
        r"Warning\b"
    ),
    "an absolute path": re.compile(r"(?<![\w/.])/(work|home|tmp|root|Users)/[\w.-]"),
    "a missing value printed": re.compile(r"<NA>|\bNaN\b|\bnan\b|\bNaT\b"),
}
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S | re.I)
MISSING = {"None", "nan", "NaN", "<NA>", "NaT", "null"}
SCRIPT = re.compile(r"<script[^>]*>.*?</script>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles, embedded images or markup."""
    return html.unescape(TAG.sub(" ", SCRIPT.sub(" ", EMBEDDED.sub(" ", page))))


def leaked_text(page: str) -> dict[str, list[str]]:
    """Per kind of leak (a traceback, a warning, a path, a missing value printed), the
    snippets of ``page``'s visible text that show one."""
    text = visible_text(page)
    found = {}
    for kind, pattern in LEAKED_TEXT.items():
        snippets = [
            " ".join(text[max(0, m.start() - 40) : m.end() + 40].split())
            for m in pattern.finditer(text)
        ]
        if snippets:
            found[kind] = snippets[:3]
    cells = [html.unescape(TAG.sub("", c)).strip() for c in CELL.findall(SCRIPT.sub(" ", page))]
    empty = [c for c in cells if c in MISSING]
    if empty:
        found.setdefault("a missing value printed", []).extend(empty[:3])
    return found
