"""One council's configuration: ``councils/<slug>/council.toml``, checked when loaded.

Everything that differs between councils is declared in the council's folder, never in
the package: its name and service name as printed, its LA codes and region (checked
against the DfE files shipped in ``data/raw/dfe/``), its statistical neighbours (the
DfE's 2025 model unless the file overrides them), the comparators its reports quote,
its published figures (``published/``) and its extract layouts per year (``layouts/``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, comparator_year

CONFIG = "council.toml"
SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
SETTINGS = "settings.toml"
KEYS = {
    "name": str,
    "short_name": str,
    "service": str,
    "la_code": str,
    "new_la_code": str,
    "region": str,
    "neighbours": list,
    "comparators": dict,
    "extracts": dict,
    "sufficiency": dict,
}
REQUIRED = ("name", "short_name", "service", "la_code")
COMPARATOR_KEYS = {
    "value": (int, float),
    "unit": str,
    "label": str,
    "source": str,
    "note": str,
    "year": str,
    "published": str,
}
SUFFICIENCY_KEYS = {"target": int, "measure": str, "by": str, "stated_in": str, "source": str}
SUFFICIENCY_MEASURES = ("households", "approved places", "filled places")


class CouncilError(InputError):
    """A council that is not configured, or whose configuration is wrong."""

    whole_path = True

    def _shown(self) -> str:
        """From ``councils/`` on, wherever the repository is."""
        parts = self.file.parts
        if "councils" in parts:
            start = len(parts) - 1 - parts[::-1].index("councils")
            return "/".join(parts[start:])
        return super()._shown()


@dataclass(frozen=True)
class Comparator:
    """A figure the council's reports compare themselves with, and where it comes from:
    ``year`` is the financial year it is for (``2022-23``) and ``published`` when its
    source came out, so that a page of another year says which year it is
    (:meth:`when`)."""

    key: str
    value: float
    unit: str
    label: str
    source: str
    year: str
    note: str = ""
    published: str = ""

    def applies(self, page_year: str) -> bool:
        """Whether a page for ``page_year`` may quote it as context in its narrative (what
        the council's scrutiny heard): a figure for that year or an earlier one, never a
        later year's (issue 13: a 2020/21 appendix quoted minutes of October 2025). A
        comparator set beside the page's figures is quoted with its own year instead
        (:meth:`when`)."""
        return FinancialYear.parse(self.year) <= FinancialYear.parse(page_year)

    def when(self, page_year: str, what: str = "figure") -> str:
        """The comparator's year as a page for ``page_year`` says it ("for 2022/23", or
        "the nearest figure, for 2022/23 (published January 2024)")."""
        return comparator_year(self.year, page_year, self.published, what)


@dataclass(frozen=True)
class Sufficiency:
    """A sufficiency target the council has set: ``target`` mainstream ``measure`` (one of
    :data:`SUFFICIENCY_MEASURES`) at 31 March of year ``by``, stated in its report for year
    ``stated_in`` (so an appendix for an earlier year does not quote it), from ``source``."""

    target: int
    measure: str
    by: str
    stated_in: str
    source: str


@dataclass(frozen=True)
class Council:
    """A council as the analyses need it; built by :func:`load`."""

    slug: str
    folder: Path
    name: str
    short_name: str
    service: str
    la_code: str
    new_la_code: str
    region: str
    neighbours: tuple[str, ...]
    comparators: dict[str, Comparator] = field(default_factory=dict)
    unknown_to_other: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sufficiency: Sufficiency | None = None

    @property
    def published(self) -> Path:
        """The council's published figures (real, public)."""
        return self.folder / "published"

    @property
    def layouts(self) -> Path:
        """The council's extract layouts per year."""
        return self.folder / "layouts"

    def comparator(self, key: str) -> Comparator:
        """A comparator the configuration declares, or a clear error naming the file."""
        if key not in self.comparators:
            raise CouncilError(
                self.folder / CONFIG,
                f"no comparator {key!r} is declared",
                column=f"comparators.{key}",
                hint=f"add a [comparators.{key}] table with value, unit, label and source",
            )
        return self.comparators[key]


def available(root: Path | None = None) -> list[str]:
    """The slugs of every configured council."""
    base = (root or paths.ROOT) / "councils"
    return sorted(p.parent.name for p in base.glob(f"*/{CONFIG}"))


def default_slug(root: Path | None = None) -> str:
    """The council used when none is named: ``default`` in ``councils/settings.toml``."""
    root = root or paths.ROOT
    path = root / "councils" / SETTINGS
    settings = _read(path)
    unknown = sorted(set(settings) - {"default"})
    if unknown:
        raise CouncilError(path, f"unknown key(s) {', '.join(unknown)}", column=unknown[0])
    slug = settings.get("default")
    if not isinstance(slug, str) or not slug:
        raise CouncilError(path, "no default council is set", column="default")
    if slug not in available(root):
        raise CouncilError(
            path,
            "names a council that is not configured",
            column="default",
            value=slug,
            hint=f"configured councils: {', '.join(available(root)) or 'none'}",
        )
    return slug


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise CouncilError(path, "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise CouncilError(path, f"not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CouncilError(path, f"cannot be read: {error}") from None


def _check_types(data: dict, path: Path) -> None:
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise CouncilError(
            path,
            f"unknown key(s) {', '.join(unknown)}",
            column=unknown[0],
            hint=f"known keys: {', '.join(KEYS)}",
        )
    for key, kind in KEYS.items():
        if key in data and not isinstance(data[key], kind):
            raise CouncilError(path, f"must be a {kind.__name__}", column=key, value=data[key])
    for key in REQUIRED:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise CouncilError(path, "a required key is missing or empty", column=key)


def _comparators(data: dict, path: Path) -> dict[str, Comparator]:
    out = {}
    for key, spec in data.get("comparators", {}).items():
        where = f"comparators.{key}"
        if not isinstance(spec, dict):
            raise CouncilError(path, "must be a table", column=where)
        unknown = sorted(set(spec) - set(COMPARATOR_KEYS))
        if unknown:
            raise CouncilError(path, f"unknown key(s) {', '.join(unknown)}", column=where)
        for name in ("value", "unit", "label", "source", "year"):
            if name not in spec:
                raise CouncilError(path, f"missing {name!r}", column=where)
        for name, kind in COMPARATOR_KEYS.items():
            if name in spec and (not isinstance(spec[name], kind) or isinstance(spec[name], bool)):
                raise CouncilError(path, "wrong type", column=f"{where}.{name}", value=spec[name])
        try:
            FinancialYear.parse(spec["year"])
        except ValueError:
            raise CouncilError(
                path,
                "is not a financial year such as 2024-25",
                column=f"{where}.year",
                value=spec["year"],
            ) from None
        out[key] = Comparator(key=key, **spec)
    return out


def _extracts(data: dict, path: Path) -> dict[str, tuple[str, ...]]:
    """``[extracts.<kind>] unknown_to_other = [columns]``: new values map to "other"."""
    out = {}
    for kind, spec in data.get("extracts", {}).items():
        where = f"extracts.{kind}"
        if not isinstance(spec, dict) or set(spec) - {"unknown_to_other"}:
            raise CouncilError(path, "only 'unknown_to_other' may be set here", column=where)
        columns = spec.get("unknown_to_other", [])
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise CouncilError(path, "must be a list of column names", column=where)
        out[kind] = tuple(columns)
    return out


def _sufficiency(data: dict, path: Path) -> Sufficiency | None:
    """``[sufficiency]``: the council's target, all of its keys given, or None if absent."""
    if "sufficiency" not in data:
        return None
    spec, where = data["sufficiency"], "sufficiency"
    unknown = sorted(set(spec) - set(SUFFICIENCY_KEYS))
    if unknown:
        raise CouncilError(
            path,
            f"unknown key(s) {', '.join(unknown)}",
            column=where,
            hint=f"known keys: {', '.join(SUFFICIENCY_KEYS)}",
        )
    for name, kind in SUFFICIENCY_KEYS.items():
        if name not in spec:
            raise CouncilError(path, f"missing {name!r}", column=where)
        if not isinstance(spec[name], kind) or isinstance(spec[name], bool):
            raise CouncilError(path, "wrong type", column=f"{where}.{name}", value=spec[name])
    if spec["target"] <= 0:
        raise CouncilError(
            path, "must be a positive number", column=f"{where}.target", value=spec["target"]
        )
    if spec["measure"] not in SUFFICIENCY_MEASURES:
        raise CouncilError(
            path,
            "is not a measure the projection gives",
            column=f"{where}.measure",
            value=spec["measure"],
            hint=f"one of: {', '.join(SUFFICIENCY_MEASURES)}",
        )
    for name in ("by", "stated_in"):
        try:
            FinancialYear.parse(spec[name])
        except ValueError:
            raise CouncilError(
                path,
                "is not a financial year such as 2024-25",
                column=f"{where}.{name}",
                value=spec[name],
            ) from None
    if not spec["source"].strip():
        raise CouncilError(path, "must name where the target is stated", column=f"{where}.source")
    return Sufficiency(**spec)


def _authority(code: str, path: Path, key: str) -> dict[str, str]:
    """The DfE's record of an LA code, or an error naming the configuration file and key."""
    from analysis.sources.dfe import areas

    try:
        return areas.authority(code)
    except InputError as error:
        raise CouncilError(path, error.problem, column=key, value=code, hint=error.hint) from None


def load(slug: str | None = None, root: Path | None = None) -> Council:
    """Read and check ``councils/<slug>/council.toml`` (the default council if ``slug`` is None)."""
    from analysis.sources.dfe import areas

    root = root or paths.ROOT
    slug = slug or default_slug(root)
    folder = root / "councils" / slug
    path = folder / CONFIG
    if not SLUG.match(slug):
        raise CouncilError(
            root / "councils" / CONFIG,
            "a council is named by its folder under councils/: lower-case letters, digits, "
            "'-' or '_'",
            value=slug,
        )
    if not path.exists():
        raise CouncilError(
            path,
            f"no council {slug!r} is configured",
            hint=f"configured councils: {', '.join(available(root)) or 'none'}; "
            f"add one with `python -m analysis.council new {slug} --la-code NNN`",
        )
    data = _read(path)
    _check_types(data, path)
    la = _authority(data["la_code"], path, "la_code")
    for key in ("new_la_code", "region"):
        if key in data and data[key] != la[key]:
            raise CouncilError(
                path,
                f"disagrees with the DfE files, which give {la[key]!r} for LA {la['la_code']}",
                column=key,
                value=data[key],
            )
    if "neighbours" in data:
        neighbours = data["neighbours"]
        if not neighbours:
            raise CouncilError(
                path, "an empty list: leave the key out to use the DfE's model", column="neighbours"
            )
        if data["la_code"] in neighbours or len(set(neighbours)) != len(neighbours):
            raise CouncilError(
                path, "lists the council itself or a council twice", column="neighbours"
            )
    else:
        neighbours = areas.statistical_neighbours(data["la_code"])
    for code in neighbours:
        _authority(str(code), path, "neighbours")
    return Council(
        slug=slug,
        folder=folder,
        name=data["name"],
        short_name=data["short_name"],
        service=data["service"],
        la_code=data["la_code"],
        new_la_code=la["new_la_code"],
        region=la["region"],
        neighbours=tuple(str(c) for c in neighbours),
        comparators=_comparators(data, path),
        unknown_to_other=_extracts(data, path),
        sufficiency=_sufficiency(data, path),
    )
