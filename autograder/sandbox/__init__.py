"""The sandbox: student code runs only in worker processes forked from a clean template.

Layout of the trust boundary (README § Security):

- ``bubblewrap`` — the template's filesystem view: an allowlist (system, Python installation, this
  package), built once per grader; the modes root / userns / none.
- ``zygote``  — the template process, started before any hidden test is loaded; it imports torch
  once and forks each worker (into a PID namespace of its own), so it starts in milliseconds, clean.
- ``confine`` — what a worker does before student code runs: network, IPC and mount namespaces, a
  private scratch tmpfs, its own uid or user namespace without capabilities, limits, environment.
- ``worker``  — the loop inside the sandbox: loads a task's cells, answers numbered remote calls.
- ``codec``   — plain data on the wire (byte format in ``binary``: it can express nothing else).
- ``client``  — the trusted side: ``Worker`` (one task), the submission's ``Budget``, and the
  proxies that hidden tests call (``RemoteNamespace``, ``RemoteObject``, ``call``).
- ``template`` — ``Sandbox``, the trusted side's handle on the template (and its CPU cgroup).
- ``portable`` — where no Linux sandbox can exist (macOS, Windows): unconfined workers, each a
  fresh Python process on a loopback socket, for a student's own ``autograder check``.
"""

from __future__ import annotations

import os
import sys

# Set to 1 to take the portable path on Linux too: how the tests exercise the macOS / Windows code
# here, and a way to rule the sandbox out when a student's check misbehaves on Linux.
FORCE_PORTABLE_VARIABLE = "AUTOGRADER_FORCE_PORTABLE"


def platform_supports_sandbox() -> bool:
    """Whether this machine can have the Linux sandbox at all (namespaces, a forking template,
    Unix sockets that carry file descriptors). The one place that decides between it and the
    portable workers (``portable``: a fresh process per task, no isolation), which only serve
    unconfined runs: a student's ``autograder check``, or ``grade --no-sandbox``."""
    return sys.platform.startswith("linux") and os.environ.get(FORCE_PORTABLE_VARIABLE) != "1"
