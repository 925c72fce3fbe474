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
"""
