"""Once per build: a result computed from input files or a table, reused by later appendices.

The report build gives every notebook's kernel a cache folder (the environment variable
:data:`ENV`), inside the build's own scratch space, which the build empties when it
starts and when it ends: what one appendix parsed, validated or checked is there for the
build's other appendices and never outlives the build. A notebook run by hand (papermill,
JupyterLab) has no such folder and computes everything itself, with the same result.

A result is stored under the SHA-256 of what it is computed from: the content and name of
each input file (or the content of a table), the parameters, the source of the modules that
compute it and the versions of pandas, numpy and pyarrow. A changed file, parameter or
module is a new key, so a stale result is never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analysis.core.atomic import atomic_write

if TYPE_CHECKING:
    import pandas as pd

ENV = "FOSTERING_CACHE"
LIBRARIES = ("pandas", "numpy", "pyarrow")
T = TypeVar("T")


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in blocks (the build hashes with it too)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version(*modules: str) -> list[str]:
    """The SHA-256 of each module's source, and the versions of the libraries they use."""
    found = []
    for name in modules:
        spec = util.find_spec(name)
        origin = spec.origin if spec else None
        found.append(f"{name}:{sha256_file(Path(origin)) if origin else 'missing'}")
    return found + [f"{lib}=={metadata.version(lib)}" for lib in LIBRARIES]


def files_key(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """Each file's name and the SHA-256 of its content."""
    return [(Path(p).name, sha256_file(Path(p))) for p in paths]


def extract_key(
    modules: Iterable[str],
    path: Path,
    year: str,
    layouts: Mapping[str, object],
    allowed: Iterable[str],
) -> Callable[[], list]:
    """The key (for :func:`once`) of one extract read through declared layouts: the code
    that reads it, the file, its year, the layouts and the columns whose unknown values
    the council maps to "other"."""
    return lambda: [
        code_version(*modules),
        files_key([path]),
        year,
        sorted((label, repr(layout)) for label, layout in layouts.items()),
        sorted(allowed),
    ]


def frame_key(frame: pd.DataFrame) -> str:
    """The SHA-256 of a table's content: values, index, column names and types."""
    import pandas as pd

    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    return digest.hexdigest()


def once(kind: str, key: Callable[[], list], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned earlier in this build for the same ``key()``.

    Outside a build (no cache folder) it simply computes, without working out the key
    (hashing the inputs costs time). An exception is never stored: a bad input stops
    every appendix that reads it, each with its own message."""
    folder = os.environ.get(ENV)
    if not folder:
        return compute()
    digest = hashlib.sha256(json.dumps([kind, key()], default=str).encode()).hexdigest()
    path = Path(folder) / f"{kind}-{digest}.pickle"
    if path.exists():
        with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError):
            return pickle.loads(path.read_bytes())  # written by this build, in its scratch
    value = compute()
    with contextlib.suppress(OSError):  # a full disk costs only the reuse
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
