"""Forked kernels: a finished notebook's client leaves no socket open behind it, and a
kernel starts with nothing of the process that forked it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analysis.build.kernels import ForkedKernelManager, Zygote

pytestmark = pytest.mark.notebook


def _with_kernel(cwd: Path, use: Callable[[ForkedKernelManager, Any], dict]) -> dict:
    """Fork a kernel from a new zygote, start a client's channels, wait until it is ready
    and return what ``use(manager, client)`` finds. Run on a thread of its own: an earlier
    test in the process may leave an event loop running on the main thread, where
    asyncio.run() would refuse to start. An error there is raised here."""
    zygote = Zygote()
    found: dict[str, object] = {}

    def body() -> None:
        try:
            km = ForkedKernelManager(zygote)
            asyncio.run(km.start_kernel(cwd=str(cwd)))
            kc = km.client()
            kc.start_channels()
            asyncio.run(kc.wait_for_ready(timeout=60))
            found.update(use(km, kc))
        except BaseException as error:  # re-raised on the test's thread
            found["error"] = error

    try:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(120)
        if "error" in found:
            raise found["error"]
        return found
    finally:
        zygote.close()


def test_stopping_a_forked_kernel_closes_its_clients_channels(tmp_path):
    """Left open, a client's sockets reconnect to whichever later kernel gets its ports
    and reach it while it starts (``DELIM not in msg_list`` tracebacks on stderr)."""

    def stop(km: ForkedKernelManager, kc: Any) -> dict:
        running = kc.channels_running
        km.stop()
        alive = asyncio.run(km.is_alive())
        return {"running": running, "after": kc.channels_running, "alive": alive}

    assert _with_kernel(tmp_path, stop) == {"running": True, "after": False, "alive": False}


def test_a_forked_kernel_starts_with_none_of_the_forking_processs_figures(tmp_path):
    """A figure a test left open in the process that forks the kernels would otherwise be
    shown, with no alt text, by the notebook's first cell that draws."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def figures(km: ForkedKernelManager, kc: Any) -> dict:
        seen: list[str] = []

        def hook(message: dict) -> None:
            if message["msg_type"] == "stream":
                seen.append(message["content"]["text"])

        asyncio.run(
            kc.execute_interactive(
                "import matplotlib.pyplot as plt; print(len(plt.get_fignums()))",
                output_hook=hook,
                timeout=60,
            )
        )
        km.stop()
        return {"figures": "".join(seen).strip()}

    left_open = plt.figure()
    try:
        assert _with_kernel(tmp_path, figures) == {"figures": "0"}
    finally:
        plt.close(left_open)
