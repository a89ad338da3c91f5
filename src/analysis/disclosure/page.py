"""One disclosure decision for a whole page.

Every count a page shows is registered here under a key saying what it counts, with
the linear relations the page implies between counts (a table's totals, breakdowns of
a named group, stocks and flows). :func:`decide` then withholds, for the page as a
whole:

1. *Primary*: every count of 1 to 5 not already published by the council.
2. *Secondary*: in any relation with exactly one withheld count, the smallest positive
   count that is not published is withheld too; repeated until no relation has one.
3. *Audit*: the attacker's audit (:mod:`analysis.disclosure.audit`) is run; for each
   withheld count it can still pin down or bound too narrowly (:func:`audit.is_exposed`:
   within 1 to 5, or 0 to 4), the smallest count beside
   it (in a relation with it, or sharing records with it) whose withholding makes it safe
   is withheld too (a positive count if one will do, else a zero), and the audit run
   again, until it finds nothing (or nothing is left to withhold, which :func:`decide`
   reports).
4. *A second reader*: the same, for a reader with a pencil who takes every "c" to be at
   least 1 where the page allows it (:meth:`Ledger._pencil`): a shown zero is withheld
   first, for it is the shown zeros that leave that reader as many c's as households.

Published figures stay as printed and are known to the attacker, and so is any count of
more than 5 of exactly the records of a printed figure (:meth:`Ledger.printed`: the
extract's count of the year's approvals where it equals the printed number is that
printed number). What the printed figures alone already say of a count is not the page's
disclosure: a withheld count they bound within 0 to 3 (a breakdown of a printed 3) is
exposed only where the page narrows it further (:meth:`Ledger._printed_already`).
Counts the page shares with another appendix of the year (:mod:`analysis.disclosure.shared`)
follow the set's decision: withheld when the set withholds them, never chosen when it
shows them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from analysis.disclosure import audit, shared
from analysis.disclosure.suppression import HIGHEST, is_small

EARLIER = "last year|"  # a count as last year's page showed it (:meth:`Ledger.follow`)


class DisclosureError(ValueError):
    """The page states two different values for one count, or cannot be made safe."""


@dataclass
class Ledger:
    """Every count on one page (key -> value), which are published, and their relations."""

    values: dict[str, float] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    relations: list[dict[str, float]] = field(default_factory=list)
    stated: set[str] = field(default_factory=set)
    # Counts shared with other appendices of the year (:mod:`analysis.disclosure.shared`):
    # key patterns -> the records they count, and shared name -> withheld by the set.
    patterns: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, bool] = field(default_factory=dict)
    # The records each count counts (:mod:`analysis.disclosure.members`), in memory only:
    # the JSON keeps the atoms they make, never the records.
    members: dict[str, frozenset[str]] = field(default_factory=dict)
    # Sets of records the council has printed a count of (:meth:`printed`), in memory only.
    printouts: set[frozenset[str]] = field(default_factory=set)
    _near: tuple[tuple[int, ...], _Nearby] | None = field(default=None, repr=False, compare=False)
    _atoms: tuple[tuple[int, ...], dict[str, float], list[dict[str, float]]] | None = field(
        default=None, repr=False, compare=False
    )
    _model: tuple[tuple[int, ...], audit.Model] | None = field(
        default=None, repr=False, compare=False
    )
    _shared: tuple[tuple[object, ...], dict[str, str]] | None = field(
        default=None, repr=False, compare=False
    )
    # Differences of two shown counts of nested records (:meth:`differences`), kept in the
    # JSON by key and value (a ledger read back has no records to find them from).
    derived: dict[str, float] = field(default_factory=dict)
    _diff: tuple[tuple[int, ...], dict[str, tuple[str, str, float]]] | None = field(
        default=None, repr=False, compare=False
    )
    # What the printed figures alone relate (:meth:`_printed_view`), as read back from the
    # JSON (a ledger read back has no records to work it out from).
    printed_view: dict[str, Any] | None = None
    # Longer chains of shown counts found by the reader's search (:func:`decide`,
    # :mod:`analysis.disclosure.search`), protected as the differences are.
    chains: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)
    _declared: tuple[tuple[int, ...], audit.Model] | None = field(
        default=None, repr=False, compare=False
    )
    # What the reader's search has found and searched (:func:`decide`), in memory only, for
    # the records as they were: a decision taken again goes on from there.
    _searches: tuple[int, list[frozenset[str]], list[Any]] | None = field(
        default=None, repr=False, compare=False
    )
    _edits: int = field(default=0, repr=False, compare=False)  # changes to ``members``
    # Last year's page of the same appendix (:mod:`analysis.disclosure.earlier`): each of
    # its counts -> (value, withheld there); the keys whose counts only grow from one year
    # to the next (patterns); and this page's keys held to that page's decision -> withheld.
    before: dict[str, tuple[float, bool]] = field(default_factory=dict)
    growing: list[str] = field(default_factory=list)
    held: dict[str, bool] = field(default_factory=dict)
    # Held counts withheld last year that this page cannot keep from being worked out
    # (:func:`_protecting`): shown, as a count withheld to protect another would be.
    released: set[str] = field(default_factory=set)

    def add(
        self,
        key: str,
        value: float,
        *,
        published: bool = False,
        stated: bool = True,
        records: Iterable[str] | None = None,
    ) -> None:
        """Register one count; the same key must always carry the same value.

        ``stated=False`` registers a count the page does not show but that relations
        involve (the size of a group two tables break down). ``records`` are the records
        it counts (:mod:`analysis.disclosure.members`): there must be ``value`` of them.
        A count of more than 5 of exactly the records of a published count is published
        (it is that printed figure), whichever is registered first (:meth:`printed`). A
        published count of 1 to 5 keeps no records: the audit knows its value and the
        relations declared with it.
        """
        value = float(value)
        if key in self.values and self.values[key] != value:
            raise DisclosureError(
                f"the page states {key!r} as both {self.values[key]:g} and {value:g}"
            )
        published = published or key in self.published
        if records is not None:
            found = frozenset(records)
            if len(found) != value:
                raise DisclosureError(
                    f"the page states {key!r} as {value:g} but it counts {len(found)} records"
                )
            if self.members.get(key, found) != found:
                raise DisclosureError(f"the page states {key!r} for two different sets of records")
            published = published or self._reprints(found)
            if published:
                self.printed([found])
            if not (published and is_small(value)) and key not in self.members:
                self.members[key] = found
                self._edits += 1
        if published and is_small(value) and key in self.members:
            # A printed count of 1 to 5 is known by its value only: its records would tell
            # the audit which other counts hold exactly its few households (the one carer
            # who resigned is the one leaver after five years), which no reader can tell.
            self.members.pop(key)
            self._edits += 1
        self.values[key] = value
        if stated:
            self.stated.add(key)
        if published:
            self.published.add(key)
        if stated and key in self.before:
            self._follow(key)

    def follow(self, before: Mapping[str, tuple[float, bool]], growing: Iterable[str] = ()) -> None:
        """Hold this page to last year's page of the same appendix (:mod:`.earlier`):
        ``before`` is each count that page stated -> (its value, whether it withheld it);
        ``growing`` are patterns of keys whose counts only grow from year to year (a
        cumulative count: households that left within 5 years, as at each 31 March).
        Counts registered before and after are matched alike."""
        self.before.update(before)
        self.growing.extend(p for p in growing if p not in self.growing)
        for key in sorted(self.stated & set(self.before)):
            self._follow(key)

    def _follow(self, key: str) -> None:
        """Hold ``key`` to last year's page: the same count of the same value is the same
        figure (a past year's row, a closed cohort), shown or withheld as it was there; a
        growing count that grew is last year's count plus this year's increment, and an
        increment of 1 to 5 is protected as a count of 1 to 5 (red team 20: life table, 10
        years or more, 41 ceased by 2025 less 36 by 2024 is 5 of this year's leavers)."""
        value, withheld = self.before[key]
        if key.startswith(EARLIER):
            return
        if value == self.values[key]:
            self.held[key] = withheld
            if not withheld:  # public since last year: what it alone says is not this page's
                self.published.add(key)
            return
        if value > self.values[key] or not any(re.match(p, key) for p in self.growing):
            return
        last = EARLIER + key
        if last in self.values:
            return
        self.values[last] = value
        self.stated.add(last)
        self.held[last] = withheld
        if not withheld:
            self.published.add(last)
        gap = self.values[key] - value
        if is_small(gap):
            self.chains[f"increment|{key}"] = ({key: 1.0, last: -1.0}, gap)
        else:  # known to grow: last year's count lies within this year's
            self.add(f"increment|{key}", gap, stated=False)
            self.relate(key, [last, f"increment|{key}"])

    def printed(self, records: Iterable[Iterable[str]]) -> None:
        """The council has printed a count of each of these sets of records (the extract
        reproduces its published figure): every count of more than 5 of exactly one of
        them, on the page now or registered later, is published.

        Not a count of 1 to 5: a breakdown's cell that happens to hold exactly the few
        households of a printed count ("transferred to an agency", 1) says something of
        them the council did not print (that it had fostered under a year), which the
        audit must judge; a table that restates the printed figure itself (a
        reconciliation's register column) marks its own cells published."""
        new = {frozenset(r) for r in records} - self.printouts - {frozenset()}
        if not new:
            return
        self.printouts |= new
        for key, found in self.members.items():
            if found in new and self._reprints(found):
                self.published.add(key)

    def _reprints(self, records: frozenset[str]) -> bool:
        """Whether a count of ``records`` is a printed figure (:meth:`printed`)."""
        return len(records) > HIGHEST and records in self.printouts

    def relate(self, total: str, plus: Iterable[str], minus: Iterable[str] = ()) -> None:
        """Register ``total = sum(plus) - sum(minus)`` (keys may be registered later)."""
        relation: dict[str, float] = {total: -1.0}
        for key in plus:
            relation[key] = relation.get(key, 0.0) + 1.0
        for key in minus:
            relation[key] = relation.get(key, 0.0) - 1.0
        relation = {k: v for k, v in relation.items() if v}
        if relation and relation not in self.relations:
            self.relations.append(relation)

    def state(self) -> tuple[int, ...]:
        """Changes whenever a count, relation, record or shared decision is added."""
        return (
            len(self.values),
            len(self.relations),
            len(self.members),
            sum(len(m) for m in self.members.values()),
            len(self.published),
            len(self.fixed),
            len(self.patterns),
            len(self.chains),
            len(self.held),
            len(self.released),
        )

    def searches(self) -> tuple[list[frozenset[str]], list[frozenset[frozenset[str]]]]:
        """The sets of atoms the reader's search has found on this page, and what each
        search that found every set there was combined (:func:`_chains`), kept while the
        records stay as they are (the atoms are theirs; any change to them starts afresh):
        lists that the search extends."""
        if self._searches is None or self._searches[0] != self._edits:
            self._searches = (self._edits, [], [])
        return self._searches[1], self._searches[2]

    def atoms(self) -> tuple[dict[str, float], list[dict[str, float]]]:
        """The atoms of the counts with records: (atom -> its number of records, and one
        relation per count: the count is the sum of its atoms).

        An atom is the set of records that belong to exactly the same counts. Every count
        with records is a sum of atoms, so the atoms, unknown to the attacker and never
        negative, carry every relation between those counts: sums, overlaps, subsets.
        """
        version = self.state()
        if self._atoms is None or self._atoms[0] != version:
            self._atoms = (version, *_atomise(self.members, "atom"))
        return self._atoms[1], self._atoms[2]

    def differences(self) -> dict[str, tuple[dict[str, float], float]]:
        """Every count of 1 to 5 records the page never states that a reader reads by adding
        and subtracting two or three stated counts whose records nest (``diff|...`` -> (each
        count -> +1 or -1, the value)).

        Two counts: one's records hold the other's (approvals in the year less those from
        earlier enquiries are the 3 approved in the year they enquired; a cumulative count
        at 3 months less that at 1 month). Three: a third count holds such a difference, or
        lies within it, by 1 to 5 (connected-persons households ceasing to foster less those
        who left within 5 years are the late leavers; the households observed at 5 years
        less those are the 5 still fostering after 5 years). Each is protected as a count of
        1 to 5 is: :func:`decide` withholds what it takes for the attacker's audit to leave it
        unpinned and not within 1 to 5. Not one whose counts the council printed all of (the
        difference is then its own publication), nor one of the same records as a stated
        count or an earlier difference (protected as that is)."""
        version = self.state()
        if self._diff is not None and self._diff[0] == version:
            return dict(self._diff[1])
        by_records: dict[frozenset[str], str] = {}
        for key in sorted(self.members):
            if key in self.stated and self.members[key]:  # none less a count is the count
                by_records.setdefault(self.members[key], key)
        index = {r: i for i, r in enumerate(sorted(set().union(*by_records)))}
        sets = sorted(
            ((len(m), sum(1 << index[r] for r in m), key) for m, key in by_records.items()),
        )
        sized: dict[int, list[tuple[int, str]]] = {}
        for size, bits, key in sets:
            sized.setdefault(size, []).append((bits, key))
        seen = {bits for _, bits, _ in sets}
        found: dict[str, tuple[dict[str, float], float]] = {}

        def note(name: str, terms: dict[str, float], bits: int, gap: int) -> None:
            if bits in seen or all(k in self.published for k in terms):
                return
            seen.add(bits)
            found[name] = (terms, float(gap))

        # Pairs whose difference a third count may hold or lie within: every set more than 5
        # records, since a set of 1 to 5 lies within many others by chance (one household
        # leaving a scheme is in some cohort's count), a nesting no reader can know.
        nested: list[tuple[int, int, str, str]] = []  # (size, records, outer, inner)
        for i, (small, inner_bits, inner) in enumerate(sets):
            for big, outer_bits, outer in sets[i + 1 :]:
                if big > small and inner_bits & outer_bits == inner_bits:
                    gap, bits = big - small, outer_bits & ~inner_bits
                    if gap <= HIGHEST:
                        note(f"diff|{outer}|{inner}", {outer: 1.0, inner: -1.0}, bits, gap)
                    elif small > HIGHEST:
                        nested.append((gap, bits, outer, inner))
        for size, bits, outer, inner in nested:
            for other in range(max(HIGHEST + 1, size - HIGHEST), size + HIGHEST + 1):
                for third_bits, third in sized.get(other, ()):
                    if third in (outer, inner):
                        continue
                    if other > size and bits & third_bits == bits:
                        terms = {third: 1.0, outer: -1.0, inner: 1.0}
                        name = f"diff|{third}|{outer}-{inner}"
                        note(name, terms, third_bits & ~bits, other - size)
                    elif other < size and bits & third_bits == third_bits:
                        terms = {outer: 1.0, inner: -1.0, third: -1.0}
                        name = f"diff|{outer}-{inner}|{third}"
                        note(name, terms, bits & ~third_bits, size - other)
        found.update(self.chains)
        self._diff = (version, found)
        return dict(found)

    def _everything(self) -> tuple[dict[str, float], list[dict[str, float]]]:
        """Every value (the atoms' and the differences' too) and every relation (each count
        as its atoms', each difference as its two counts')."""
        values, relations = self.atoms()
        found = self.differences()
        derived = {**self.derived, **{d: gap for d, (_, gap) in found.items()}}
        between = [{d: -1.0, **terms} for d, (terms, _) in found.items()]
        return {**self.values, **values, **derived}, [*self.relations, *relations, *between]

    def virtual(self) -> set[str]:
        """The keys of the differences the page must protect (:meth:`differences`)."""
        return set(self.derived) | set(self.differences())

    def as_json(self) -> dict[str, Any]:
        """The ledger as plain JSON (kept in the executed notebook, never in the HTML): the
        atoms are unstated counts, their relations written out; no record goes in."""
        values, relations = self._everything()
        return {
            "values": values,
            "published": sorted(self.published),
            "relations": relations,
            "stated": sorted(self.stated),
            "patterns": self.patterns,
            "fixed": self.fixed,
            "derived": {d: gap for d, (_, gap) in self.differences().items()},
            "printed_view": self._printed_view(),
            "held": self.held,
            "released": sorted(self.released),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ledger:
        return cls(
            dict(data["values"]),
            set(data["published"]),
            [dict(r) for r in data["relations"]],
            set(data["stated"]),
            dict(data.get("patterns", {})),
            dict(data.get("fixed", {})),
            derived=dict(data.get("derived", {})),
            printed_view=data.get("printed_view"),
            held=dict(data.get("held", {})),
            released=set(data.get("released", [])),
        )

    def shared(self) -> dict[str, str]:
        """Each stated key that counts records shared with another appendix -> its shared
        name (the same name on every page of the year)."""
        version = (self.state(), len(self.stated))
        if self._shared is None or self._shared[0] != version:
            names = {k: shared.shared_name(k, self.patterns) for k in self.stated}
            self._shared = (version, {k: n for k, n in names.items() if n is not None})
        return dict(self._shared[1])

    def fixed_keys(self, withheld: bool) -> set[str]:
        """The page's keys whose shared records the set withholds (or shows), and those
        held to last year's page (:meth:`follow`) that it withheld (or showed)."""
        held = {
            k
            for k, w in self.held.items()
            if w is withheld and k in self.stated and k not in self.released
        }
        return self._set_keys(withheld) | held

    def _set_keys(self, withheld: bool) -> set[str]:
        """The page's keys whose shared records the year's set withholds (or shows)."""
        return {k for k, n in self.shared().items() if self.fixed.get(n) is withheld}

    def _live(self) -> list[dict[str, float]]:
        """Relations all of whose counts the page has registered (atoms' relations too)."""
        values, relations = self._everything()
        return [r for r in relations if all(k in values for k in r)]

    def neighbours(self, key: str) -> set[str]:
        """The counts an attacker could use against ``key``: those in a relation with it
        (directly or through one count the page does not state: an atom, a group's size),
        and theirs (the other rows of a total that contains it)."""
        version = self.state()
        if self._near is None or self._near[0] != version:
            self._near = (version, _Nearby.of(self._live(), self.stated))
        return set(self._near[1].around(key))

    def model(self) -> audit.Model:
        """The page's relations as one model for the attacker's audit, built again only
        when the ledger has changed."""
        version = self.state()
        if self._model is None or self._model[0] != version:
            values, _ = self._everything()
            self._model = (version, audit.Model(values, self._live()))
        return self._model[1]

    def exposures(
        self,
        hidden: Iterable[str],
        targets: Iterable[str] | None = None,
        at_least_one: bool = True,
    ) -> list[audit.Exposure]:
        """What the attacker's audit can recover when ``hidden`` are withheld (about the
        withheld counts in ``targets`` only, when given), beyond what the published
        figures alone say (:meth:`_printed_already`): read with every withheld count at
        least 0, and (``at_least_one``) read again with every "c" at least 1 where the page
        allows it (:meth:`audit.Model.view_at_least_one`). The first reader knows which
        records each count holds (:meth:`atoms`); the second reads the page with a pencil:
        its declared relations and the printed figures (:meth:`_printed_model`), for no
        reader both knows the records and is misled by a withheld zero."""
        hidden = set(hidden) & self.stated
        virtual = self.virtual()
        aim = hidden if targets is None else (hidden | virtual) & set(targets)
        known = {k: v for k, v in self.values.items() if k in self.stated and k not in hidden}
        model = self.model()
        model.view(known)
        values, _ = self._everything()
        found = audit.exposed(model, aim, {k: values[k] for k in self.values.keys() | virtual})
        seen = {e.key for e in found}
        # The year's pages each leave a shared count a range wide enough that no two
        # intersect too narrowly; a count held to last year's page is judged as any other
        # here, with last year's shown counts known (:meth:`follow`).
        for key in sorted((self._set_keys(True) & aim) - seen - self.published):
            low, high = model.bound(key, 1.0), model.bound(key, -1.0)
            want_low, want_high = shared.protected_range(self.values[key])
            if low > want_low + audit.TOLERANCE or high < want_high - audit.TOLERANCE:
                found.append(audit.Exposure(key, low, high))
        if at_least_one:  # judged apart: a range the printed figures alone give one
            found += self._pencil(hidden, aim, values)  # reader may be narrower for the other
        kept: dict[str, audit.Exposure] = {}
        for e in self._printed_already(found, known):
            kept.setdefault(e.key, e)
        return list(kept.values())

    def _pencil(
        self, hidden: set[str], aim: set[str], values: Mapping[str, float]
    ) -> list[audit.Exposure]:
        """What the reader who takes each "c" to be at least 1 reads of ``aim`` with a
        pencil (the declared relations and the printed figures), less what a reader who
        takes each "c" to be at least 0 would read with every count the page could withhold
        withheld (and the printed figures alone do not say): that is the printed figures'
        (or the year's other appendices') disclosure, which nothing on this page can undo.

        Judged at least 0, not at least 1 (red team 18): for the trusting reader
        withholding more can narrow a range (a withheld zero read as at least 1), so what
        they read with everything withheld says nothing of other choices; the first
        reader's ranges only widen as more is withheld, and this reader's lie inside them."""
        pencil = self._printed_model()
        known = {k: v for k, v in self.values.items() if k in self.stated and k not in hidden}
        pencil.view_at_least_one(known, hidden)
        found = audit.exposed(pencil, aim, {k: values[k] for k in aim}, at_least_one=True)
        if not found:
            return found
        everything = hidden | set(_open(self, hidden, self.stated, zeros=True))
        rest = {k: v for k, v in known.items() if k not in everything}
        pencil.view(rest)
        keys = {e.key for e in found}
        values = {k: values[k] for k in keys}
        left = audit.exposed(pencil, keys, values, at_least_one=False)
        for_good = {e.key for e in self._printed_already(left, rest)}
        return [e for e in found if e.key not in for_good]

    def _printed_already(
        self, found: list[audit.Exposure], known: Mapping[str, float]
    ) -> list[audit.Exposure]:
        """``found`` less the counts the published figures alone already bound within 0
        to 5, as widely as the page does: the register's leavers for a reason the council
        printed as 3, by length of service, are each 0 to 3 from the printed 3 alone.

        Not a count the published figures pin to one value: that is a breakdown's cell
        holding all of a printed count's few households ("transferred to an agency",
        1, all under a year's service), which says of them what the council did not;
        unless only the records' structure pins it and nothing the page declares
        narrows it (a withheld zero beside printed stocks).

        Judged twice: with the records' structure (which households are in which counts)
        and without it (:meth:`_printed_model`: the declared relations alone). The second
        catches what the structure hides: a scheme's printed stocks of 7 and 11 two years
        apart and no leaver in the register make its joiners add to 4, yet with the
        structure the printed stocks alone seem to say so (no household left, so none of
        the first 7 is missing from the second count), and the page's shown zeros, which
        are what says it, would never be withheld."""
        if not found or not self.published:
            return found
        printed = {k: self.values[k] for k in self.published}
        model = self.model()
        model.view(printed)
        alone = {e.key: (model.bound(e.key, 1.0), model.bound(e.key, -1.0)) for e in found}
        declared = self._printed_model()
        declared.view(printed)
        before = {e.key: (declared.bound(e.key, 1.0), declared.bound(e.key, -1.0)) for e in found}
        declared.view(known)
        kept = []
        for e in found:
            low, high = alone[e.key]
            pinned = math.isfinite(high) and math.ceil(low - audit.TOLERANCE) >= math.floor(
                high + audit.TOLERANCE
            )
            as_printed = (
                audit.is_exposed(low, high)
                and e.low <= low + audit.TOLERANCE
                and e.high >= high - audit.TOLERANCE
            )
            page = declared.bound(e.key, 1.0), declared.bound(e.key, -1.0)
            narrowed = audit.is_exposed(*page) and (
                page[0] > before[e.key][0] + audit.TOLERANCE
                or page[1] < before[e.key][1] - audit.TOLERANCE
            )
            # pinned by the printed figures through the records' structure alone, and
            # left open by everything the page declares: not the page's disclosure
            structural = pinned and not audit.is_exposed(*page)
            if narrowed or not (as_printed or structural):
                kept.append(e)
        return kept

    def _printed_model(self) -> audit.Model:
        """The page's counts as the published figures alone relate them
        (:meth:`_printed_view`), for the attacker's audit."""
        version = self.state()
        if self._declared is None or self._declared[0] != version:
            view = self._printed_view()
            values, _ = self._everything()
            names = {**values, **view["values"]}
            self._declared = (version, audit.Model(names, view["relations"]))
        return self._declared[1]

    def _printed_view(self) -> dict[str, Any]:
        """What relates the page's counts when only the published figures are known: the
        relations the page declares, the differences' definitions, and what the printed
        figures' own records say of each other (one printed set within another), never
        the structure of the other counts' records (which households are in both of two
        shown counts, or in none: a leaver the register does not have)."""
        if self.printed_view is not None:
            return self.printed_view
        printed = {k: m for k, m in self.members.items() if k in self.published}
        atoms, parts = _atomise(printed, "printed-atom")
        values, _ = self._everything()
        between = [{d: -1.0, **terms} for d, (terms, _) in self.differences().items()]
        names = {**values, **atoms}
        declared = [r for r in [*self.relations, *between] if all(k in names for k in r)]
        return {"values": atoms, "relations": [*declared, *parts]}


def _atomise(
    members: Mapping[str, frozenset[str]], prefix: str
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The atoms of counts with records (atom -> its number of records) and one relation
    per count (the count is the sum of its atoms): see :meth:`Ledger.atoms`."""
    belongs: dict[str, list[str]] = {}
    for key in sorted(members):
        for record in members[key]:
            belongs.setdefault(record, []).append(key)
    sizes: dict[tuple[str, ...], int] = {}
    for keys in belongs.values():
        sizes[tuple(keys)] = sizes.get(tuple(keys), 0) + 1
    values: dict[str, float] = {}
    parts: dict[str, dict[str, float]] = {}
    for n, signature in enumerate(sorted(sizes)):
        atom = f"{prefix}|{n}"
        values[atom] = float(sizes[signature])
        for key in signature:
            parts.setdefault(key, {})[atom] = 1.0
    return values, [{key: -1.0, **parts[key]} for key in sorted(parts)]


@dataclass(frozen=True)
class _Nearby:
    """Which keys share a relation, as the relations-by-keys incidence matrix (and its
    transpose), and which keys are stated: a step from a set of keys to the keys beside
    them is two sparse products, whatever the size of the relations."""

    names: dict[str, int]
    member: sparse.csr_array
    by_key: sparse.csr_array
    said: np.ndarray
    # :meth:`around` for each key asked so far: a decision asks again for the same keys
    # round after round (the relations are fixed while it decides).
    _around: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, relations: Iterable[Mapping[str, float]], stated: set[str]) -> _Nearby:
        names: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for n, relation in enumerate(relations):
            for k in relation:
                rows.append(n)
                cols.append(names.setdefault(k, len(names)))
        member = sparse.csr_array(
            (np.ones(len(rows)), (rows, cols)), shape=(max(rows, default=-1) + 1, len(names))
        )
        said = np.array([k in stated for k in names], dtype=bool)
        return cls(names, member, member.T.tocsr(), said)

    def beside(self, keys: np.ndarray) -> np.ndarray:
        """The keys in a relation with any of ``keys`` (a mask; themselves included)."""
        relations = (self.member @ keys.astype(float)) > 0
        return (self.by_key @ relations.astype(float)) > 0

    def near(self, keys: np.ndarray) -> np.ndarray:
        """The stated keys beside any of ``keys``, directly or through one unstated key."""
        first = self.beside(keys)
        return self.said & (first | self.beside(first & ~self.said))

    def around(self, key: str) -> frozenset[str]:
        """The stated keys near ``key`` (:meth:`near`) and near those, ``key`` itself not."""
        if key not in self._around:
            row = self.names.get(key)
            if row is None:
                self._around[key] = frozenset()
            else:
                start = np.zeros(len(self.names), dtype=bool)
                start[row] = True
                first = self.near(start)
                found = np.flatnonzero(first | self.near(first))
                keys = list(self.names)
                self._around[key] = frozenset(keys[i] for i in found) - {key}
        return self._around[key]


def _open(ledger: Ledger, hidden: set[str], keys: Iterable[str], zeros: bool = False) -> list[str]:
    """Counts in ``keys`` that could still be withheld: shown, positive (or zero, with
    ``zeros``), not published, and not shared with another appendix (the set decides those)."""
    fixed = ledger.fixed_keys(True) | ledger.fixed_keys(False)
    least = 0 if zeros else 1
    return [
        k
        for k in keys
        if k in ledger.stated
        and k not in hidden
        and k not in ledger.published
        and k not in fixed
        and ledger.values.get(k, 0) >= least
    ]


def pinned_for_good(ledger: Ledger, key: str) -> bool:
    """Whether ``key`` is pinned even with every count that could be withheld withheld."""
    everything = {key, *_open(ledger, set(), ledger.stated, zeros=True)}
    return bool(ledger.exposures(everything, targets={key}, at_least_one=False))


TRIED = 12  # candidates tried, smallest first, for the one that protects an exposed count


def _helping(
    ledger: Ledger,
    hidden: set[str],
    key: str,
    near: set[str],
    barred: set[str],
    at_least_one: bool = False,
) -> str | None:
    """The count to withhold next to protect exposed ``key``.

    Candidates are first the counts that hold ``key``'s maximum down (those the attacker
    reads with a non-zero reduced cost where it is reached: withholding one is what can
    raise it), else every count beside it; of the :data:`TRIED` smallest, the smallest
    whose withholding leaves ``key`` (and itself) safe, else the smallest (the next round
    adds another). Zeros come after every positive count: a zero is withheld only where
    no positive count will do (beside a printed figure, often). Against the reader who
    takes every "c" to be at least 1 (``at_least_one``), zeros come first: it is the shown
    zeros that leave that reader as many c's as households (red team 17), and a withheld
    zero among them makes the reading fail.
    """
    known = {k: v for k, v in ledger.values.items() if k in ledger.stated and k not in hidden}
    if at_least_one:
        model = ledger._printed_model()
        model.view_at_least_one(known, hidden)
    else:
        model = ledger.model()
        model.view(known)
    pinning = set(_open(ledger, hidden, model.pinning(key), zeros=True)) - barred
    pool = pinning or set(_open(ledger, hidden, near, zeros=True)) - barred
    zero_first = -1 if at_least_one else 1
    candidates = sorted(
        pool, key=lambda k: (zero_first * (ledger.values[k] == 0), ledger.values[k], k)
    )
    tried = candidates[:TRIED]
    # Withholding more only widens the ranges of the reader who takes a "c" to be at
    # least 0: if all of them together leave ``key`` exposed, no one of them alone
    # protects it. Not so for the other reader: a withheld zero can narrow what they read.
    if at_least_one or (tried and not ledger.exposures(hidden | set(tried), {key}, False)):
        for candidate in tried:
            if not ledger.exposures(hidden | {candidate}, {key, candidate}, at_least_one):
                return candidate
    return candidates[0] if candidates else None


def _chains(
    ledger: Ledger,
    hidden: set[str],
    seen: list[frozenset[str]],
    searched: list[frozenset[frozenset[str]]],
) -> list[str]:
    """The reader's search (:mod:`analysis.disclosure.search`) on the page as it would be
    shown: each new set of 1 to 5 records that a chain of shown counts makes, registered as
    a derived count (``chain|...``) to protect; ``seen`` (the sets found before) grows, and
    ``searched`` (what each search that found every set combined) too."""
    from analysis.disclosure import search

    found: list[str] = []
    while True:
        batch = search.combinations(
            ledger, hidden, limit=search.MOST_FOUND, exclude=seen, beyond=searched
        )
        if len(batch) < search.MOST_FOUND:
            searched.append(search.shown(ledger, hidden))
        for chain in batch:
            seen.append(chain.atoms)
            if chain.printed:
                continue
            key = "chain|" + "|".join(f"{'+' if s > 0 else '-'}{k}" for k, s in chain.terms.items())
            ledger.chains[key] = ({k: float(s) for k, s in chain.terms.items()}, float(chain.value))
            found.append(key)
        # a full batch of printed figures' own sets may hide a chain behind them (red team 16)
        if found or len(batch) < search.MOST_FOUND:
            return found


def _shown_again(
    ledger: Ledger, hidden: set[str], primary: set[str], derived: set[str]
) -> set[str]:
    """``hidden`` less the counts withheld only to protect others whose very records a count
    the page shows counts too: such a "c" protects nothing and hides a figure printed beside
    it (review 14: the 167 households at 1 April 2018 shown in the flows table and "c" in the
    retention-rate table, and the tile withholding the rate a finding quoted). The strongest
    reader already knows the two are one set of records, so showing it changes nothing they
    can work out; each is shown again only if the audit (of the withheld counts and the
    ``derived`` ones: differences and chains) still finds nothing."""
    shown: dict[frozenset[str], str] = {}
    for key, records in ledger.members.items():
        if records and key in ledger.stated and key not in hidden:
            shown.setdefault(records, key)
    fewer = set(hidden)
    for key in sorted(hidden - primary - ledger.fixed_keys(True)):
        if ledger.members.get(key) in shown and not ledger.exposures(
            fewer - {key}, targets=(fewer - {key}) | derived
        ):
            fewer.discard(key)
    return fewer


def _releasable(ledger: Ledger, key: str) -> bool:
    """Whether ``key`` is withheld only because last year's page withheld it, and is no
    count of 1 to 5 (:meth:`Ledger.follow`)."""
    return bool(ledger.held.get(key)) and not is_small(ledger.values[key])


def _protecting(
    ledger: Ledger,
    hidden: set[str],
    exposed: list[audit.Exposure],
    barred: set[str],
    at_least_one: bool = False,
    why: dict[str, str] | None = None,
) -> set[str]:
    """One more count to withhold for each exposure this round (:func:`_helping`), unless
    one chosen this round for another already lies beside it (the audit then says whether
    that was enough); ``hidden`` grows as they are chosen, and ``why`` says for which."""
    why = {} if why is None else why
    chosen: set[str] = set()
    for exposure in exposed:
        near = ledger.neighbours(exposure.key)
        if near & chosen:
            continue
        choice = _helping(ledger, hidden, exposure.key, near, barred, at_least_one)
        if choice is not None:
            hidden.add(choice)
            chosen.add(choice)
            why[choice] = exposure.key
    if not chosen:
        # A count withheld only because last year's page withheld it, that this page can no
        # longer keep from being worked out, is shown, and so is what was withheld to
        # protect it: a "c" that everyone can undo hides nothing, and last year's counts
        # of 1 to 5 are protected here as this page's own.
        released = {e.key for e in exposed if _releasable(ledger, e.key)}
        if released and released == {e.key for e in exposed}:
            ledger.released |= released
            undone = set(released)
            while extra := {c for c, k in why.items() if k in undone} - undone:
                undone |= extra
            hidden -= undone
            return released
        reader = (
            "a reader who takes each to be at least 1" if at_least_one else "what the page shows"
        )
        raise DisclosureError(
            f"cannot protect withheld counts from {reader}: " + "; ".join(str(e) for e in exposed)
        )
    return chosen


def decide(ledger: Ledger, audit: bool = True, search: bool = True) -> set[str]:
    """The keys to withhold on the page (see the module docstring); without the
    attacker's audit (steps 1 and 2 only) when ``audit`` is False; without the reader's
    search for longer chains of shown counts (:func:`_chains`) when ``search`` is False."""
    shown = ledger.fixed_keys(False)
    hidden = {
        k
        for k, v in ledger.values.items()
        if k in ledger.stated and k not in ledger.published and is_small(v)
    } | (ledger.fixed_keys(True) - ledger.published)
    if hidden & shown:
        raise DisclosureError(
            "the year's other appendices, or last year's page, show counts this page must "
            "withhold: " + ", ".join(sorted(hidden & shown))
        )
    relations = ledger._live()
    primary = set(hidden)
    barred: set[str] = set()  # chosen once, then found pinned by what is shown: futile
    safe: set[str] = set()  # withheld counts the audit found safe
    for_good: dict[str, bool] = {}  # whether a count is pinned whatever is withheld
    seen, searched = ledger.searches()  # what the reader's search found, and searched
    why: dict[str, str] = {}  # a count withheld to protect another -> that other
    search = search and audit
    # Differences of two nested shown counts that are 1 to 5 are protected like a count of
    # 1 to 5, except where counts the page can never withhold (published, or shown by
    # another appendix) pin them: the council's own publication, not the page's.
    found = ledger.differences() if audit else {}
    derived = {d for d in found if not pinned_for_good(ledger, d)}
    for key in derived:
        for_good[key] = False

    def smallest(keys: Iterable[str]) -> str | None:
        candidates = [k for k in _open(ledger, hidden, keys) if k not in barred]
        return min(candidates, key=lambda k: (ledger.values[k], k)) if candidates else None

    while True:
        changed = True
        while changed:
            changed = False
            for relation in relations:
                unknown = [k for k in relation if k in hidden or k not in ledger.stated]
                if len(unknown) == 1 and unknown[0] in hidden:
                    choice = smallest(relation)
                    if choice is not None:
                        hidden.add(choice)
                        changed = True
        if not audit:
            return hidden
        # Withholding more only widens what the attacker can say of each withheld count,
        # so a count found safe stays safe while counts are only added: audit the rest.
        aim = (hidden | derived) - safe
        exposed = ledger.exposures(hidden, targets=aim, at_least_one=False) if aim else []
        safe |= aim - {e.key for e in exposed}
        if not exposed:
            chains = _chains(ledger, hidden, seen, searched) if search else []
            for key in chains:
                if not pinned_for_good(ledger, key):
                    derived.add(key)
                    for_good[key] = False
            if chains:
                continue
            # Settled for the reader who takes a "c" to be at least 0: now the one who
            # takes it to be at least 1 (withholding more never narrows the first reader's
            # ranges, so what is safe for them stays safe).
            trusting = ledger.exposures(hidden, targets=hidden | derived)
            if not trusting:
                fewer = _shown_again(ledger, hidden, primary, derived)
                # a count shown again may make a chain with counts shown already: protected
                # as the others are (the loop keeps what it takes withheld), then asked again
                again = _chains(ledger, fewer, seen, searched) if search and fewer != hidden else []
                for key in again:
                    if not pinned_for_good(ledger, key):
                        derived.add(key)
                        for_good[key] = False
                if not again:
                    return fewer
                continue
            if _protecting(ledger, hidden, trusting, barred, True, why) <= ledger.released:
                safe = set()  # a count shown again narrows the others' ranges
            continue
        # A count withheld only to protect others that the page pins from counts it can
        # never withhold (published, or shown by another appendix) protects nothing: it is
        # shown again and never chosen again.
        for e in exposed:
            if e.key not in primary and e.key not in for_good:
                for_good[e.key] = pinned_for_good(ledger, e.key)
        futile = {e.key for e in exposed if e.key not in primary and for_good[e.key]}
        if futile:
            hidden -= futile
            barred |= futile
            safe = set()  # showing a count again narrows the others' ranges: audit them all
            continue
        if _protecting(ledger, hidden, exposed, barred, why=why) <= ledger.released:
            safe = set()
