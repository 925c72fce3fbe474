"""The sandbox: student code runs only in worker processes forked from a clean template.

Layout of the trust boundary (README § Security):

- ``zygote``  — a template process started before any hidden test is loaded; it imports torch once
  and forks each worker (into a PID namespace of its own), so it starts in milliseconds, clean.
- ``confine`` — what is done to a worker before student code runs: new PID, network and
  mount namespaces, hidden course files, private /tmp, resource limits, an unprivileged user.
- ``worker``  — the loop inside the sandbox: loads a task's cells, answers remote calls.
- ``codec``   — plain data on the wire (byte format in ``binary``: it can express nothing else).
- ``client``  — the trusted side: ``Sandbox`` (one zygote), ``Worker`` (one task) and the proxies
  that hidden tests call (``RemoteNamespace``, ``RemoteObject``).
"""
