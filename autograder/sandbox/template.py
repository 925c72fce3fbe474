"""The sandbox template process, seen from the trusted grader.

This module imports neither torch nor anything heavy, so the CLI can start the template first and
let it import torch while the grader imports its own modules: the two start-ups overlap.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict

from autograder.sandbox.confine import Policy

DEFAULT_PRELOAD = ("torch", "numpy")


class Sandbox:
    """One zygote for the grader's lifetime; call ``spawn`` for each worker."""

    def __init__(self, preload: tuple[str, ...] = DEFAULT_PRELOAD) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # A run tag in the template's command line is inherited by every worker it
        # forks, so an operator (or a test) can find all processes of one grading run with `ps`.
        tag = [f"--tag={os.environ['AUTOGRADER_RUN_TAG']}"] if os.environ.get("AUTOGRADER_RUN_TAG") else []
        env = {k: os.environ[k] for k in ("PATH", "LANG", "OMP_NUM_THREADS") if k in os.environ}
        debug = os.environ.get("AUTOGRADER_DEBUG") == "1"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno()), *preload, *tag],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=None if debug else subprocess.DEVNULL,
            stderr=None if debug else subprocess.DEVNULL,
        )
        theirs.close()
        self._ready = False  # the template imports torch while the grader loads its own modules

    def _wait_ready(self) -> None:
        if self._ready:
            return
        self._control.settimeout(120)
        if json.loads(self._control.recv(1 << 16) or b"{}").get("ready") is not True:
            raise RuntimeError("the sandbox template process failed to start")
        self._ready = True

    def spawn(self, policy: Policy) -> tuple[socket.socket, int]:
        self._wait_ready()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = json.dumps({"op": "spawn", "policy": asdict(policy)}).encode()
        socket.send_fds(self._control, [request], [theirs.fileno()])
        theirs.close()
        return ours, int(json.loads(self._control.recv(1 << 16))["pid"])

    def kill(self, worker_pid: int) -> None:
        """Kill a worker and everything it started (it is PID 1 of its own namespace)."""
        try:
            os.killpg(worker_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def exit_status(self, worker_pid: int, wait: float = 0.5) -> int | None:
        deadline = time.monotonic() + wait
        while True:
            self._control.sendall(json.dumps({"op": "status", "pid": worker_pid}).encode())
            status = json.loads(self._control.recv(1 << 16)).get("status")
            if status is not None or time.monotonic() > deadline:
                return status
            time.sleep(0.02)

    def close(self) -> None:
        """The template holds nothing worth a clean shutdown (tearing down torch takes a second);
        its workers die with it (parent-death signals)."""
        self._control.close()
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
