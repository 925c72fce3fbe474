"""The template process: imports the heavy libraries once, then forks one worker per request.

Started by the trusted grader *before* it loads any hidden test, with a scrubbed environment, so
its memory holds nothing a student may not see. Control messages are JSON over a Unix socket; the
worker's channel arrives as a file descriptor (SCM_RIGHTS).

Each worker is forked into a PID namespace of its own, as its PID 1 (root only): the template
unshares CLONE_NEWPID just before the fork and returns to its own namespace just after, so one
fork per worker is enough. (A separate keeper process per worker used to hold the namespace; its
extra fork of a template with torch loaded cost about 13 ms of CPU per worker.) The worker then
enters new network and mount namespaces itself and is confined before any student code runs.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
from dataclasses import fields

from autograder.sandbox.confine import (
    PR_SET_PDEATHSIG,
    Policy,
    end_pid_namespace_for_children,
    enter_namespaces,
    new_pid_namespace_for_next_child,
)
from autograder.sandbox.preload import preload

_libc = ctypes.CDLL(None, use_errno=True)


def _policy_from(data: dict[str, object]) -> Policy:
    known = {f.name for f in fields(Policy)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
    return Policy(**values)  # type: ignore[arg-type]


def _fork_worker(channel: socket.socket, control: socket.socket, policy: Policy) -> int:
    template_pid = os.getpid()
    namespaced = new_pid_namespace_for_next_child(policy)
    try:
        pid = os.fork()
    finally:  # in the template, fork or no fork: the next worker needs a namespace of its own
        if namespaced and os.getpid() == template_pid:
            end_pid_namespace_for_children()
    if pid:
        return pid
    try:
        control.close()
        os.setsid()  # its own process group: the grader kills the whole group on a time-out
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        namespaces = namespaced and enter_namespaces()
        from autograder.sandbox import worker

        worker.main(channel, policy, namespaces)
    finally:
        os._exit(70)


def serve(control: socket.socket) -> None:
    finished: dict[int, int] = {}

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            # A worker killed by a signal reports 128 + its number, as a shell would.
            finished[pid] = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        reap()
        if request["op"] == "spawn":
            channel = socket.socket(fileno=fds[0])
            pid = _fork_worker(channel, control, _policy_from(request["policy"]))
            channel.close()
            reply: dict[str, object] = {"pid": pid}
        elif request["op"] == "status":
            reply = {"status": finished.pop(request["pid"], None)}
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        control.sendall(json.dumps(reply).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload([arg for arg in sys.argv[2:] if not arg.startswith("--tag=")])
    import autograder.sandbox.worker  # noqa: F401 - imported here so workers never read files for it

    control.sendall(b'{"ready": true}')
    serve(control)


if __name__ == "__main__":
    main()
