"""What a data source says about itself: ``SOURCE.toml`` in the folder a notebook reads.

A folder of synthetic data declares it (``synthetic = true`` and a ``description``);
every page built from it then carries a banner saying so, however the folder was
named or passed (a synthetic folder given by path is still synthetic). A folder with
no declaration is treated as real data (no banner) unless its files are named synthetic.
"""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import InputError

DECLARATION = "SOURCE.toml"


@dataclass(frozen=True)
class Source:
    """A data source's own declaration."""

    synthetic: bool
    description: str = ""


def _named_synthetic(folder: Path) -> Path | None:
    """The first file under ``folder`` whose name says it is synthetic (``*_SYNTHETIC.*``)."""
    if not folder.is_dir():
        return None
    return next((f for f in sorted(folder.rglob("*SYNTHETIC*")) if f.is_file()), None)


def declaration(folder: Path) -> Source:
    """Read ``folder/SOURCE.toml``. A folder without one is real data unless its files are
    named synthetic (a synthetic folder copied without its declaration is still synthetic:
    issue 12's red team); a declaration of real data beside such files is an error."""
    file = folder / DECLARATION
    named = _named_synthetic(folder)
    if not file.exists():
        if named is not None:
            return Source(
                True, "The data's files are named as synthetic (for example " + named.name + ")."
            )
        return Source(synthetic=False)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(file, f"not valid TOML ({error})") from None
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise InputError(file, f"'synthetic' must be true or false, not {synthetic!r}")
    if not synthetic and named is not None:
        raise InputError(
            file,
            "declares real data, but the folder holds files named as synthetic",
            column="synthetic",
            value=named.name,
            hint="Remove the synthetic files, or declare synthetic = true.",
        )
    return Source(synthetic, str(data.get("description", "")))


def of(raw: str, council: str | None) -> Source:
    """The declaration of the folder a notebook with these parameters reads."""
    return declaration(paths.raw_dir(raw, council or None))


def banner(source: Source) -> str:
    """The coloured banner a page built from synthetic data opens with ('' for real data)."""
    if not source.synthetic:
        return ""
    detail = f" {html.escape(source.description)}" if source.description else ""
    return (
        "<div class='appendix-synthetic' role='note' style='background:#ffd24d;color:#000;"
        "font:700 0.9rem/1.4 system-ui,-apple-system,Roboto,Arial,sans-serif;"
        "text-align:center;padding:0.3rem;border:2px solid #8a6d00'>"
        f"SYNTHETIC DATA: not real people.{detail}</div>"
    )
