"""The template process: imports the heavy libraries once, then forks a keeper per worker.

Started by the trusted grader *before* it loads any hidden test, with a scrubbed environment, so
its memory holds nothing a student may not see. Control messages are JSON over a Unix socket; the
worker's channel arrives as a file descriptor (SCM_RIGHTS).

    keeper  (root if the grader is root; new PID/net/mount namespaces; waits, reports the status)
      └── worker  (PID 1 of the namespace; confined; runs student code)
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
from dataclasses import fields

from autograder.sandbox.confine import PR_SET_PDEATHSIG, Policy, enter_namespaces
from autograder.sandbox.preload import preload

_libc = ctypes.CDLL(None, use_errno=True)


def _policy_from(data: dict[str, object]) -> Policy:
    known = {f.name for f in fields(Policy)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
    return Policy(**values)  # type: ignore[arg-type]


def _keeper(channel: socket.socket, policy: Policy) -> None:
    os.setsid()  # its own process group: the grader kills the whole group on a time-out
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    namespaces = enter_namespaces(policy)
    pid = os.fork()
    if pid == 0:
        from autograder.sandbox import worker

        try:
            worker.main(channel, policy, namespaces)
        finally:
            os._exit(70)
    channel.close()
    _, status = os.waitpid(pid, 0)
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


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
            finished[pid] = os.waitstatus_to_exitcode(status)

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
            pid = os.fork()
            if pid == 0:
                control.close()
                _keeper(channel, _policy_from(request["policy"]))
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
