"""Workers where no Linux sandbox can exist (macOS, Windows): a student's own ``autograder check``.

The Linux path forks every worker from a template that has imported torch, and hands it a Unix
socket as a file descriptor; neither can be had everywhere (Windows cannot fork, macOS must not
fork a process that has loaded torch, and only Unix sockets carry descriptors). Here each worker is
a fresh Python process (``subprocess``: a spawn, never a fork) that connects back to the grader on
a loopback TCP socket and then runs the same worker loop (``worker.serve``) with the same wire
protocol, unconfined: it runs only the student's own code, on the student's own machine.

A fresh process imports torch itself, which takes seconds. So ``warm`` processes are started with
the grader and import it while the grader collects its tests; ``wait_ready`` waits for them, so
that, as with the Linux template, this start is not charged to a submission's time budget. Each
is told its task's ``Policy`` when it is handed out. A worker asked for once they are used up
starts cold, with its policy on the command line.

Which path runs is decided in one place, ``autograder.sandbox.platform_supports_sandbox``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from typing import NoReturn

from autograder.sandbox import protocol
from autograder.sandbox.bubblewrap import NONE, package_folder
from autograder.sandbox.confine import UNCONFINED_NOTE, Confinement, Policy

START_SECONDS = 120.0  # for the warm workers' import of torch, as for the Linux template's
CONNECT_SECONDS = 60.0  # for a cold worker's first connection (a slow disk, an antivirus scan)
_SPARE = "-"  # in place of a policy on the command line: a warm worker, told its policy later
_WARM = b"warm"
_BOOTSTRAP = "import sys; sys.path.insert(0, {kit!r}); import autograder.sandbox.portable as p; p.main()"


class PortableWorkers:
    """The grader's side: starts worker processes and hands each out with its connection.

    The listening socket is on 127.0.0.1 only; each process proves it is the one started for this
    grader with a random token from its command line (any local program may connect to the port)."""

    def __init__(self, preload: tuple[str, ...], warm: int) -> None:
        self._preload = preload
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        self._scratch: dict[int, str] = {}  # each worker's working folder, removed once it ends
        self._tokens: dict[str, int] = {}  # token → pid, until that process has connected
        self._connected: dict[int, socket.socket] = {}  # connected, not yet handed out
        self._warm = [self._start(None) for _ in range(warm)]
        self._ready = False

    def _start(self, policy: Policy | None) -> int:
        token = secrets.token_hex(16)
        scratch = tempfile.mkdtemp(prefix="autograder-work-")
        host, port = self._listener.getsockname()[:2]
        policy_arg = json.dumps(asdict(policy)) if policy else _SPARE
        bootstrap = _BOOTSTRAP.format(kit=str(package_folder().parent))
        argv = [sys.executable, "-c", bootstrap, host, str(port), token, str(os.getpid()), policy_arg]
        debug = os.environ.get("AUTOGRADER_DEBUG") == "1"
        # No -I: the student's own installation (user site-packages, PYTHONPATH) is where torch is.
        # The working folder is an empty scratch folder, so "-c" puts nothing on sys.path.
        process = subprocess.Popen(
            [*argv, *self._preload],
            cwd=scratch,
            stdin=subprocess.DEVNULL,
            stdout=None if debug else subprocess.DEVNULL,
            stderr=None if debug else subprocess.DEVNULL,
            start_new_session=True,  # POSIX: a process group of its own, killed whole (Ctrl-C spares it)
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows: no console pops up
        )
        self._processes[process.pid] = process
        self._scratch[process.pid] = scratch
        self._tokens[token] = process.pid
        return process.pid

    def _connection(self, pid: int, deadline: float) -> socket.socket | None:
        """The connection of process ``pid`` (None if it ended or missed the deadline); the
        connections of other processes that arrive meanwhile are kept for them."""
        while pid not in self._connected:
            left = deadline - time.monotonic()
            if left <= 0 or self._processes[pid].poll() is not None:
                return None
            self._listener.settimeout(min(left, 0.2))
            try:
                channel, _ = self._listener.accept()
            except TimeoutError:
                continue
            try:
                token = protocol.recv_message(channel, timeout=10, max_bytes=64).decode("ascii", "replace")
            except (protocol.ChannelClosed, protocol.ChannelTimeout, protocol.MessageTooLarge, OSError):
                token = ""
            owner = self._tokens.pop(token, None)
            if owner is None:
                channel.close()  # not one of ours
                continue
            channel.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small requests, answered at once
            self._connected[owner] = channel
        return self._connected[pid]

    def wait_ready(self) -> None:
        """Wait once for the warm workers to have imported the libraries; one that fails is
        dropped (a worker asked for later then starts cold, and says why it could not start)."""
        with self._lock:
            if self._ready:
                return
            deadline = time.monotonic() + START_SECONDS
            for pid in list(self._warm):
                channel = self._connection(pid, deadline)
                try:
                    left = max(deadline - time.monotonic(), 0.01)
                    warm = channel is not None and protocol.recv_message(channel, left, 64) == _WARM
                except (protocol.ChannelClosed, protocol.ChannelTimeout, protocol.MessageTooLarge, OSError):
                    warm = False
                if not warm:
                    self._warm.remove(pid)
                    self._end(pid)
            self._ready = True

    def spawn(self, policy: Policy) -> tuple[socket.socket, int]:
        self.wait_ready()
        with self._lock:
            if self._warm:
                pid = self._warm.pop(0)
                channel = self._connected.pop(pid)
                with contextlib.suppress(OSError):  # a worker already gone: the client says why
                    protocol.send_message(channel, json.dumps(asdict(policy)).encode())
                return channel, pid
            pid = self._start(policy)
            connected = self._connection(pid, time.monotonic() + CONNECT_SECONDS)
            if connected is None:
                status = self.exit_status(pid, wait=0)
                self._end(pid)
                raise OSError(f"could not start a worker (python exited with {status})")
            return self._connected.pop(pid), pid

    def kill(self, pid: int) -> None:
        self._end(pid)

    def exit_status(self, pid: int, wait: float = 0.5) -> int | None:
        process = self._processes.get(pid)
        if process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
        code = process.returncode
        # As the Linux template reports it: a worker killed by a signal is 128 + its number.
        return None if code is None else 128 - code if code < 0 else code

    def _end(self, pid: int) -> None:
        """Kill a worker (its whole process group on POSIX) and remove its working folder."""
        process = self._processes.get(pid)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(OSError):
                if os.name == "posix":
                    os.killpg(pid, signal.SIGKILL)
                else:
                    process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        if pid in self._connected:
            self._connected.pop(pid).close()
        shutil.rmtree(self._scratch.pop(pid, ""), ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for pid in list(self._processes):
                self._end(pid)
            self._listener.close()


# -- the worker process ------------------------------------------------------------------------
def main() -> NoReturn:
    """Entered in a fresh worker process: ``host port token parent policy|- preload...``."""
    try:
        host, port, token, parent, policy_arg, *preloads = sys.argv[1:]
        channel = socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS)
        channel.settimeout(None)  # the worker loop waits for requests as long as the grader likes
        channel.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        protocol.send_message(channel, token.encode("ascii"))
        _exit_with(int(parent))
        from autograder.sandbox.preload import preload

        preload(preloads)
        from autograder.sandbox import worker  # torch and numpy, if the preload did not have them

        if policy_arg == _SPARE:  # a warm worker: ready, and waiting to be handed out
            protocol.send_message(channel, _WARM)
            policy_arg = protocol.recv_message(channel, max_bytes=1 << 16).decode()
        policy = Policy.from_dict(json.loads(policy_arg))
        worker.serve(channel, policy, _set_up(policy))
    finally:
        os._exit(70)


def _set_up(policy: Policy) -> Confinement:
    """No isolation, only what keeps a check tidy: temporary files in the worker's working folder
    (removed with it), no plot windows, no downloads, a CPU-time limit where the platform has one.
    The environment is otherwise the student's own (Windows needs its variables to run Python)."""
    scratch = os.getcwd()
    os.environ.update(
        {
            "TMPDIR": scratch,
            "TEMP": scratch,
            "TMP": scratch,
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": str(policy.threads),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    tempfile.tempdir = scratch
    sys.dont_write_bytecode = True
    cpu = "none"
    with contextlib.suppress(ImportError, ValueError, OSError):  # Windows has no resource module
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (policy.cpu_seconds, policy.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = f"{policy.cpu_seconds} CPU seconds"
    return Confinement(
        mode=NONE,
        namespaces=(),
        filesystem="none",
        network="none",
        user="unchanged",
        cpu="none",
        notes=(UNCONFINED_NOTE, f"portable worker on {sys.platform} (a fresh process; limit: {cpu})"),
    )


def _exit_with(parent: int) -> None:
    """End this worker when the grader ends, even in an endless loop (a restarted Jupyter kernel
    must not leave workers running): the Linux path has PR_SET_PDEATHSIG for this."""

    def watch() -> None:
        if os.name == "nt":  # wait on a handle of the parent process
            import ctypes

            kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
            handle = kernel32.OpenProcess(0x00100000, False, parent)  # SYNCHRONIZE
            if not handle:
                return
            kernel32.WaitForSingleObject(handle, 0xFFFFFFFF)  # INFINITE
        else:  # a POSIX orphan is adopted by another process
            while os.getppid() == parent:
                time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-grader", daemon=True).start()
