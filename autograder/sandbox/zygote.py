"""The template process: imports the heavy libraries once, then forks one worker per request.

Started by the trusted grader *before* it loads any hidden test, with a scrubbed environment, so
its memory holds nothing a student may not see. Control messages are JSON over a Unix socket; the
worker's channel arrives as a file descriptor (SCM_RIGHTS).

The template runs inside bubblewrap (``bubblewrap.py``: an allowlisted filesystem view), once per
grader. Each worker is forked into a PID namespace of its own, as its PID 1: the template unshares
CLONE_NEWPID just before the fork and returns to its own namespace just after, so one fork per
worker is enough. The worker then makes its own network, IPC and mount namespaces and is confined
(``confine.py``) before any student code runs. The template's PID namespace is not the grader's,
so killing a worker and reading its exit status are requests to the template.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

from autograder.sandbox.bubblewrap import NONE
from autograder.sandbox.confine import (
    PR_SET_PDEATHSIG,
    Policy,
    end_pid_namespace_for_children,
    new_pid_namespace_for_next_child,
)
from autograder.sandbox.preload import preload

_libc = ctypes.CDLL(None, use_errno=True)


class Template:
    """The template's state: its mode, and each unconfined worker's scratch folder (removed once
    the worker is reaped; confined workers' scratch is a tmpfs that ends with them)."""

    def __init__(self, mode: str, cpu: str) -> None:
        self.mode, self.cpu = mode, cpu
        self.finished: dict[int, int] = {}
        self.scratch: dict[int, str] = {}

    def fork_worker(self, channel: socket.socket, control: socket.socket, policy: Policy) -> int:
        confined = self.mode != NONE
        scratch = None if confined else tempfile.mkdtemp(prefix="autograder-work-")
        template_pid = os.getpid()
        if confined:
            new_pid_namespace_for_next_child()
        try:
            pid = os.fork()
        finally:  # in the template, fork or no fork: the next worker needs a namespace of its own
            if confined and os.getpid() == template_pid:
                end_pid_namespace_for_children()
        if pid:
            if scratch:
                self.scratch[pid] = scratch
            return pid
        try:
            control.close()
            os.setsid()  # its own process group: the whole group is killed on a time-out
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            from autograder.sandbox import worker

            worker.main(channel, policy, self.mode, Path(scratch) if scratch else None, self.cpu)
        finally:
            os._exit(70)

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            # A worker killed by a signal reports 128 + its number, as a shell would.
            self.finished[pid] = (
                128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            )
            if pid in self.scratch:
                shutil.rmtree(self.scratch.pop(pid), ignore_errors=True)

    def kill(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)  # the worker is PID 1 of its namespace: all of it ends
        except (ProcessLookupError, PermissionError):
            pass


def serve(control: socket.socket, template: Template) -> None:
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        template.reap()
        reply: dict[str, object] = {}
        if request["op"] == "spawn":
            channel = socket.socket(fileno=fds[0])
            try:
                reply = {"pid": template.fork_worker(channel, control, Policy.from_dict(request["policy"]))}
            except OSError as exc:
                reply = {"error": f"could not start a worker: {exc}"}
            channel.close()
        elif request["op"] == "status":
            reply = {"status": template.finished.pop(request["pid"], None)}
        elif request["op"] == "kill":
            template.kill(request["pid"])
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        control.sendall(json.dumps(reply).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    options = dict(arg[2:].split("=", 1) for arg in sys.argv[2:] if arg.startswith("--"))
    preload([arg for arg in sys.argv[2:] if not arg.startswith("--")])
    import autograder.sandbox.worker  # noqa: F401 - imported here so workers never read files for it

    control.sendall(b'{"ready": true}')
    serve(control, Template(options.get("mode", NONE), options.get("cpu", "none")))


if __name__ == "__main__":
    main()
