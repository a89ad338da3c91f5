"""Fresh kernels, started fast: every notebook still gets its own kernel process.

Starting a Python kernel and importing pandas, matplotlib and seaborn in it costs
2 to 3 seconds per notebook, more than most of our notebooks take to run. A
:class:`Zygote` is a small process that imports those once and then, for each
notebook, forks a child that becomes a brand-new IPython kernel. The child starts
from the same state a new kernel would reach after the imports (no cell has run,
no figure exists, nothing is shared with other notebooks), so results do not
depend on what ran before. :class:`ForkedKernelManager` lets papermill/nbclient
drive such a kernel like any other.

Lifetimes: the zygote exits when its owner (a build worker) goes away, and each
kernel exits when the zygote does (ipykernel's parent poller), so an interrupted
build leaves no kernel behind.

Shutdown: nbclient stops a kernel client's channels only when it owns the kernel
manager, which it does not here; left open, a finished notebook's ZMQ sockets keep
reconnecting to its kernel's ports, and when a later kernel in the same worker is given
one of those ports they reach it while it starts, which it reports on stderr with
tracebacks (``DELIM not in msg_list``, ``_control_lock``). :meth:`ForkedKernelManager.stop`
therefore closes every client it handed out before it ends the kernel.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from jupyter_client.manager import AsyncKernelManager

PRELOAD = ("pandas", "numpy", "matplotlib", "seaborn", "ipykernel.kernelapp")
INLINE = "module://matplotlib_inline.backend_inline"


def preload() -> None:
    """Import what every kernel needs, once (before forking workers or kernels)."""
    for module in PRELOAD:
        __import__(module)


def _become_kernel(connection_file: str, cwd: str, env: dict[str, str], zygote: int) -> None:
    """In a forked child: start an IPython kernel on ``connection_file`` and never return."""
    code = 0
    try:
        # The notebook must import this project's code afresh (paths depend on the
        # environment, and the source may differ from what the build imported).
        for name in [m for m in sys.modules if m == "analysis" or m.startswith("analysis.")]:
            del sys.modules[name]
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(
            [
                "-f",
                connection_file,
                f"--IPKernelApp.parent_handle={zygote}",
                "--HistoryManager.hist_file=:memory:",
            ]
        )
        # matplotlib was imported before the kernel existed: select the inline
        # backend now, with the kernel's shell in place, as a new kernel would.
        if "matplotlib.pyplot" in sys.modules:
            # Nor may it inherit the forking process's open figures (a test's, say): the
            # inline backend would show them in the notebook's first cell that draws.
            sys.modules["matplotlib.pyplot"].close("all")
            sys.modules["matplotlib"].rcParams["backend"] = INLINE
            sys.modules["matplotlib.pyplot"].switch_backend(INLINE)
        app.start()
    except (SystemExit, KeyboardInterrupt):
        code = 1
    except BaseException:  # a kernel that cannot start: say why; the client sees it die
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _serve(requests: Connection) -> None:
    """The zygote: import once, then fork one kernel per request until the owner goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides about Ctrl-C
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    # forked by a worker that holds signals back while it starts: let them through
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    preload()
    zygote = os.getpid()
    while True:
        try:
            connection_file, cwd, env = requests.recv()
        except (EOFError, OSError):
            os._exit(0)
        child = os.fork()
        if child == 0:
            requests.close()
            _become_kernel(connection_file, cwd, env, zygote)
        requests.send(child)


class Zygote:
    """A process holding the imported libraries, forking a fresh kernel on request."""

    def __init__(self) -> None:
        ours, theirs = multiprocessing.Pipe()
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            try:
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self._requests = ours

    def fork_kernel(self, connection_file: str, cwd: str, env: dict[str, str]) -> int:
        """Start a kernel listening on ``connection_file``; return its process id."""
        self._requests.send((connection_file, cwd, env))
        return int(self._requests.recv())

    def close(self) -> None:
        """Stop the zygote (its kernels follow it)."""
        self._requests.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


class ForkedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is forked by a :class:`Zygote` (for nbclient/papermill)."""

    def __init__(self, zygote: Zygote, **kwargs: Any) -> None:
        super().__init__(kernel_name="python3", **kwargs)
        self._zygote = zygote
        self._pid: int | None = None
        self._clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        """A client for the kernel, remembered so that :meth:`stop` closes its channels."""
        kc = super().client(**kwargs)
        self._clients.append(kc)
        return kc

    @property
    def has_kernel(self) -> bool:
        return self._pid is not None

    async def start_kernel(self, **kwargs: Any) -> None:  # type: ignore[override]
        self.write_connection_file()
        cwd = kwargs.get("cwd") or os.getcwd()
        self._pid = self._zygote.fork_kernel(self.connection_file, str(cwd), dict(os.environ))

    async def is_alive(self) -> bool:  # type: ignore[override]
        if self._pid is None:
            return False
        try:
            os.kill(self._pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def interrupt_kernel(self) -> None:  # type: ignore[override]
        if self._pid is not None:
            os.kill(self._pid, signal.SIGINT)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        self.stop()

    # jupyter_client's clients call the manager's private coroutines directly.
    _async_start_kernel = start_kernel
    _async_is_alive = is_alive
    _async_interrupt_kernel = interrupt_kernel
    _async_shutdown_kernel = shutdown_kernel

    def stop(self) -> None:
        """Close the clients' channels, end the kernel (it holds nothing worth saving) and
        remove its connection file."""
        while self._clients:
            with contextlib.suppress(Exception):  # a channel already closed
                self._clients.pop().stop_channels()
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    os.kill(self._pid, 0)
                    time.sleep(0.05)
                os.kill(self._pid, signal.SIGKILL)
            self._pid = None
        self.cleanup_connection_file()
