"""One disclosure decision for counts two appendices of a year draw from the same records.

Two sets of records are counted by two appendices of the same council-year:

- mainstream households approved as foster carers in a year: recruitment's approvals
  (from the enquiry extracts) and retention's joiners (from the household register);
- children placed with connected persons carers on 31 March: the placement-stability
  snapshot (from the SSDA903 return) and retention's connected persons table (from the
  register).

Each appendix is run in its own kernel (in parallel in the build, or by hand with
papermill), so none can see another's page. Instead each calls
:func:`analysis.disclosure.shared_counts.decision`, which
reads every source of these counts and decides, deterministically from the data alone,
which of them the set of appendices withholds: every count that is 1 to 5 in any source.
Each page then registers the decision on its ledger with :func:`apply`:

- a shared count the set withholds is withheld on the page whatever its own value, and
  the page must leave an attacker at least the range :func:`protected_range` for it (not
  just a safe range of its own), so that combining the pages' ranges, which is
  intersecting them, still leaves it safe;
- a shared count the set shows is never chosen for secondary suppression on any page
  (another page shows it: it is known to the attacker, like a published figure).

Where a page's own rules (primary or secondary) would withhold a shared count the set
shows, :func:`analysis.disclosure.page.decide` stops with an error rather than show it on
one page and hide it on another. The attacker's audit of a council-year's pages as one
page (``tests/disclosure/test_built_pages.py``) maps each page's keys through
:meth:`~analysis.disclosure.page.Ledger.shared` to the shared names (:func:`combine`)
and audits the union.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from analysis.disclosure.suppression import HIGHEST, is_small

if TYPE_CHECKING:
    from analysis.disclosure.page import Ledger

APPROVALS = "approvals"
CONNECTED = "children with connected persons carers at 31 March"
# A page's keys for shared records: regex -> the records counted. The year is the regex's
# group (written 2024-25 or 2024/25), or, for a key that carries none, the page's year.
# Recruitment: any table's "Approvals" column by year (the period-versus-cohort table,
# months to approval by year of approval, events by year). Retention: the flows table's
# joiners (Approved) and the connected persons table's children. Placement stability: the
# snapshot's connected persons row (its 31 March).
PATTERNS = {
    "recruitment": {r"^[^|]+\|(\d{4}[-/]\d{2})\|Approvals$": APPROVALS},
    "retention": {
        r"^flows\|(\d{4}/\d{2})\|Approved$": APPROVALS,
        r"^connected\|(\d{4}/\d{2})\|Children placed at 31 March$": CONNECTED,
    },
    "placement_stability": {r"^snapshot\|Connected persons\|Children \(returns\)$": CONNECTED},
}


def name(records: str, year: str) -> str:
    """The shared name of a count of ``records`` in ``year`` (the same on every page,
    whether the page writes the year 2024-25 or 2024/25)."""
    return f"shared|{records}|{year.replace('/', '-')}"


def decide(values: Mapping[str, Iterable[float]]) -> dict[str, bool]:
    """Shared name -> withheld, from each source's value of that count: withheld when any
    source's value is 1 to 5 (two sources that disagree are both protected)."""
    return {key: any(is_small(v) for v in found) for key, found in values.items()}


def protected_range(value: float) -> tuple[float, float]:
    """The range an attacker must be left for a shared count the set withholds, on every
    page: [1, 6] for a count of 1 to 5 (no intersection of pages' ranges then lies within
    0 to 5 or above 1), one either side otherwise (so none pins it)."""
    return (1.0, HIGHEST + 1.0) if is_small(value) else (value - 1.0, value + 1.0)


def apply(ledger: Ledger, analysis: str, decision: Mapping[str, bool], year: str) -> None:
    """Put the set's decision on ``analysis``'s page of ``year``: its keys for shared records
    (by :data:`PATTERNS`) are mapped to their shared names, and each shared name's decision
    is recorded, for :func:`analysis.disclosure.page.decide` to hold to. Keys registered
    later are matched too (the ledger keeps the patterns)."""
    for pattern, records in PATTERNS[analysis].items():
        ledger.patterns[pattern] = records if re.compile(pattern).groups else name(records, year)
    ledger.fixed.update(decision)


def shared_name(key: str, patterns: Mapping[str, str]) -> str | None:
    """The shared name of a page key, or None when it counts no shared records."""
    for pattern, records in patterns.items():
        match = re.match(pattern, key)
        if match:
            # A page may write the year 2024/25: the shared name is the same on every page.
            return name(records, match.group(1).replace("/", "-")) if match.re.groups else records
    return None


def combine(
    pages: Mapping[str, tuple[Ledger, Iterable[str]]],
) -> tuple[Ledger, set[str], list[str]]:
    """A council-year's pages as one page, for the attacker's audit: (ledger, withheld,
    problems).

    ``pages`` maps each page's name to its ledger and withheld keys. Each page's keys are
    prefixed with its name, except keys counting shared records that every page stating
    them gives the same value: those take their shared name, so the pages' counts of the
    same records are one number to the attacker and every page's relations constrain it.
    (Two sources that disagree, say the SSDA903 return and the register, give two numbers;
    the set's decision still treats them alike.) A shared count shown on any page is known.
    Problems: a shared count one page shows and another withholds.
    """
    from analysis.disclosure.page import Ledger

    values: dict[str, set[float]] = {}
    for ledger, _ in pages.values():
        for key, shared in ledger.shared().items():
            values.setdefault(shared, set()).add(ledger.values[key])
    one = {shared for shared, found in values.items() if len(found) == 1}
    union, withheld, problems = Ledger(), set(), []
    where: dict[str, dict[str, bool]] = {}  # shared name -> page -> withheld there
    for page, (ledger, hidden) in pages.items():
        names = {k: n for k, n in ledger.shared().items() if n in one}

        def rename(key: str, page: str = page, names: dict[str, str] = names) -> str:
            return names.get(key, f"{page}:{key}")

        hidden = set(hidden)
        for key, value in ledger.values.items():
            union.add(
                rename(key), value, published=key in ledger.published, stated=key in ledger.stated
            )
        for relation in ledger.relations:
            mapped: dict[str, float] = {}
            for key, weight in relation.items():
                mapped[rename(key)] = mapped.get(rename(key), 0.0) + weight
            if mapped not in union.relations:
                union.relations.append(mapped)
        withheld |= {rename(k) for k in hidden}
        for key, shared in ledger.shared().items():
            where.setdefault(shared, {})[page] = key in hidden
    for shared, seen in sorted(where.items()):
        if shared in one and not all(seen.values()):
            withheld.discard(shared)  # one page shows it: the attacker knows it
        if len(set(seen.values())) > 1:
            shown = sorted(p for p, h in seen.items() if not h)
            held = sorted(p for p, h in seen.items() if h)
            problems.append(
                f"{shared} is shown on {', '.join(shown)}, withheld on {', '.join(held)}"
            )
    return union, withheld, problems
