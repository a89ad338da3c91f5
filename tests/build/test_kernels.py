"""Forked kernels: a finished notebook's client leaves no socket open behind it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from analysis.build.kernels import ForkedKernelManager, Zygote

pytestmark = pytest.mark.notebook


def test_stopping_a_forked_kernel_closes_its_clients_channels(tmp_path):
    """Left open, a client's sockets reconnect to whichever later kernel gets its ports
    and reach it while it starts (``DELIM not in msg_list`` tracebacks on stderr)."""
    zygote = Zygote()
    found: dict[str, object] = {}

    def body() -> None:
        # On a thread of its own: an earlier test in the process may leave an event loop
        # running on the main thread, where asyncio.run() would refuse to start.
        try:
            km = ForkedKernelManager(zygote)
            asyncio.run(km.start_kernel(cwd=str(tmp_path)))
            kc = km.client()
            kc.start_channels()
            asyncio.run(kc.wait_for_ready(timeout=60))
            found["running"] = kc.channels_running
            km.stop()
            found["after"] = kc.channels_running
            found["alive"] = asyncio.run(km.is_alive())
        except BaseException as error:  # re-raised on the test's thread
            found["error"] = error

    try:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(120)
        if "error" in found:
            raise found["error"]
        assert found == {"running": True, "after": False, "alive": False}
    finally:
        zygote.close()


def test_a_forked_kernel_starts_with_none_of_the_forking_processs_figures(tmp_path):
    """A figure a test left open in the process that forks the kernels would otherwise be
    shown, with no alt text, by the notebook's first cell that draws."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    left_open = plt.figure()
    zygote = Zygote()
    found: dict[str, object] = {}

    def body() -> None:
        try:
            km = ForkedKernelManager(zygote)
            asyncio.run(km.start_kernel(cwd=str(tmp_path)))
            kc = km.client()
            kc.start_channels()

            async def run() -> None:
                await kc.wait_for_ready(timeout=60)
                seen: list[str] = []

                def hook(message: dict) -> None:
                    if message["msg_type"] == "stream":
                        seen.append(message["content"]["text"])

                await kc.execute_interactive(
                    "import matplotlib.pyplot as plt; print(len(plt.get_fignums()))",
                    output_hook=hook,
                    timeout=60,
                )
                found["figures"] = "".join(seen).strip()

            asyncio.run(run())
            km.stop()
        except BaseException as error:
            found["error"] = error

    try:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(120)
        if "error" in found:
            raise found["error"]
        assert found == {"figures": "0"}
    finally:
        zygote.close()
        plt.close(left_open)
