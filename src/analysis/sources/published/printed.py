"""Numbers as the council's reports print them, read into values.

A printed cell can hold one figure (``1,798``, ``1798``, ``4.04%``, ``172 days``,
``Seven``), a figure with a hedge (``just over 93%``, ``around 2%``), several
labelled figures (``12% (any contact) 41% (expression of interest)``;
``Connected Person 33 Mainstream 16 (including 2 partners ...)``), a share with
its parts (``35% (39 of 112)``), or nothing (blank or a dash: missing; ``c``:
suppressed). :func:`parse` returns one :class:`Reading` per figure, keeping the
number of decimals printed so a check can tell rounding from disagreement.
Text that is none of these raises :class:`PrintedFormError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MISSING = {"", "-", "\u2013", "\u2014", "n/a", "na", ".."}  # hyphen, en and em dash
SUPPRESSED = {"c", "x"}

# Hedges printed before a figure, mapped to the word the checks use.
QUALIFIERS = {
    "just over": "just over",
    "over": "over",
    "around": "around",
    "approximately": "around",
    "about": "around",
    "nearly": "nearly",
    "almost": "nearly",
}

WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

# Labels in brackets after a rate: which denominator the rate uses.
BASES = {
    "any contact": "enquiries",
    "contact": "enquiries",
    "expression of interest": "expressions_of_interest",
    "eoi": "expressions_of_interest",
}

# Multipliers that turn a value in a printed unit into pounds.
POUNDS = {"£": 1, "£000": 1_000, "£m": 1_000_000}

_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT = r"(?P<unit>\s*%|\s+days|\s+weeks|\s+months|\s+years|st|nd|rd|th)?"
_QUALIFIER = r"(?P<qualifier>" + "|".join(sorted(QUALIFIERS, key=len, reverse=True)) + r")?\s*"
_FIGURE = re.compile(
    r"^\s*" + _QUALIFIER + r"£?" + _NUMBER + _UNIT + r"\s*(?:\((?P<bracket>[^)]*)\))?\s*",
    re.IGNORECASE,
)
_SHARE = re.compile(r"^(?P<part>\d+) of (?P<whole>\d+)$")
_OUT_OF = re.compile(r"^out of (?P<whole>\d+)$")
_LABELLED = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z ]*?)\s*:?\s*" + _NUMBER + r"\s*")
_INCLUDING = re.compile(r"^\s*\(including (?P<number>\d+) (?P<label>[^)]*)\)\s*", re.IGNORECASE)


class PrintedFormError(ValueError):
    """Printed text that is not a figure in any form the reports use."""


@dataclass(frozen=True)
class Reading:
    """One figure read from a printed cell.

    ``value`` is the number as printed (a percentage stays in percent, so ``4.04%``
    reads 4.04); ``decimals`` how many decimal places were printed; ``basis`` the
    label that says what the figure is of (``enquiries``, ``part``, ``mainstream``)
    or ``""``; ``qualifier`` a hedge such as ``around``; ``status`` is ``value``,
    ``missing`` or ``suppressed``; ``unit`` overrides the cell's unit when a
    figure inside the cell is of another kind (the ``39`` in ``35% (39 of 112)``).
    """

    value: float | None
    decimals: int = 0
    basis: str = ""
    qualifier: str = ""
    status: str = "value"
    unit: str | None = None


def number(text: str) -> tuple[float, int]:
    """``1,798`` or ``1798`` -> (1798.0, 0); ``4.04`` -> (4.04, 2)."""
    plain = text.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return float(plain), decimals


def basis_name(label: str) -> str:
    """The checks' name for a figure's label (``EOI`` -> ``expressions_of_interest``)."""
    key = " ".join(label.lower().split())
    if key in BASES:
        return BASES[key]
    return re.sub(r"[^a-z0-9]+", "_", key).strip("_")


def pounds(value: float, unit: str) -> float:
    """A value in a printed money unit (``£000``) in pounds."""
    if unit not in POUNDS:
        raise PrintedFormError(f"{unit!r} is not a money unit; use one of {sorted(POUNDS)}")
    return value * POUNDS[unit]


def parse(text: object) -> list[Reading]:
    """Every figure in one printed cell, in printed order."""
    raw = "" if text is None else str(text)
    cleaned = " ".join(raw.split())
    if cleaned.lower() in MISSING:
        return [Reading(None, status="missing")]
    if cleaned.lower() in SUPPRESSED:
        return [Reading(None, status="suppressed")]
    word = re.fullmatch(r"(?P<qualifier>[a-z ]+?\s)?(?P<word>[a-z]+)", cleaned.lower())
    if word and word.group("word") in WORDS:
        qualifier = (word.group("qualifier") or "").strip()
        if not qualifier or qualifier in QUALIFIERS:
            return [
                Reading(float(WORDS[word.group("word")]), qualifier=QUALIFIERS.get(qualifier, ""))
            ]
    if _FIGURE.match(cleaned):
        return _figures(cleaned, raw)
    if _LABELLED.match(cleaned):
        return _labelled(cleaned, raw)
    raise PrintedFormError(f"{raw!r} is not a printed figure")


def _figures(text: str, raw: str) -> list[Reading]:
    """``12% (any contact) 41% (EOI)``, ``35% (39 of 112)``, ``9th (out of 43)``, ``4.04%``."""
    readings: list[Reading] = []
    rest = text
    while rest:
        match = _FIGURE.match(rest)
        if not match:
            raise PrintedFormError(f"{raw!r}: cannot read {rest!r} as a figure")
        value, decimals = number(match.group("number"))
        qualifier = QUALIFIERS.get((match.group("qualifier") or "").lower(), "")
        bracket = (match.group("bracket") or "").strip()
        share = _SHARE.match(bracket)
        out_of = _OUT_OF.match(bracket)
        if share:
            readings += [
                Reading(value, decimals, "", qualifier),
                Reading(float(share.group("part")), 0, "part", unit="count"),
                Reading(float(share.group("whole")), 0, "whole", unit="count"),
            ]
        elif out_of:
            readings += [
                Reading(value, decimals, "", qualifier),
                Reading(float(out_of.group("whole")), 0, "out_of", unit="count"),
            ]
        else:
            readings.append(Reading(value, decimals, basis_name(bracket), qualifier))
        rest = rest[match.end() :]
    return readings


def _labelled(text: str, raw: str) -> list[Reading]:
    """``Connected Person 33 Mainstream 16 (including 2 partners who left the household)``."""
    readings: list[Reading] = []
    rest = text
    while rest:
        including = _INCLUDING.match(rest)
        match = including or _LABELLED.match(rest)
        if not match:
            raise PrintedFormError(f"{raw!r}: cannot read {rest!r} as labelled figures")
        label = ("including " if including else "") + match.group("label")
        value, decimals = number(match.group("number"))
        readings.append(Reading(value, decimals, basis_name(label)))
        rest = rest[match.end() :]
    return readings
