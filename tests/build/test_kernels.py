"""Forked kernels: a finished notebook's client leaves no socket open behind it."""

from __future__ import annotations

import asyncio

import pytest

from analysis.build.kernels import ForkedKernelManager, Zygote

pytestmark = pytest.mark.notebook


def test_stopping_a_forked_kernel_closes_its_clients_channels(tmp_path):
    """Left open, a client's sockets reconnect to whichever later kernel gets its ports
    and reach it while it starts (``DELIM not in msg_list`` tracebacks on stderr)."""
    zygote = Zygote()
    try:
        km = ForkedKernelManager(zygote)
        asyncio.run(km.start_kernel(cwd=str(tmp_path)))
        kc = km.client()
        kc.start_channels()
        asyncio.run(kc.wait_for_ready(timeout=60))
        assert kc.channels_running
        km.stop()
        assert not kc.channels_running
        assert not asyncio.run(km.is_alive())
    finally:
        zygote.close()
