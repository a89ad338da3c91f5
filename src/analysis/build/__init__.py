"""The report build: plan what is out of date, run it on workers, record it, index it.

- :mod:`analysis.build.plan`: jobs and their content hashes;
- :mod:`analysis.build.worker`: one notebook executed and exported, in a worker;
- :mod:`analysis.build.manifest`: what was built from what;
- :mod:`analysis.build.index`: the index page;
- :mod:`analysis.build.runner`: running the jobs, writing only from the parent;
- :mod:`analysis.build.cli`: ``python -m analysis.build``.
"""

from analysis.build.cli import main
from analysis.build.manifest import MANIFEST, Manifest
from analysis.build.plan import plan, reports_dir, sha256_file
from analysis.build.runner import run
from analysis.build.worker import CHROMIUM_FLAGS, find_chromium

__all__ = [
    "CHROMIUM_FLAGS",
    "MANIFEST",
    "Manifest",
    "find_chromium",
    "main",
    "plan",
    "reports_dir",
    "run",
    "sha256_file",
]
