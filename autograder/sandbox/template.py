"""The sandbox template process, seen from the trusted grader.

This module imports neither torch nor anything heavy, so the CLI can start the template first and
let it import torch while the grader imports its own modules: the two start-ups overlap.

The template runs inside bubblewrap (``bubblewrap.py``) in the strongest mode this machine allows;
where none works, ``Sandbox`` refuses to start unless it is told that unconfined workers are
acceptable (``autograder grade --no-sandbox``; ``autograder check`` on a student's own machine).
Where no Linux sandbox can exist at all (macOS, Windows: ``platform_supports_sandbox``), there is
no template either: the same unconfined workers are fresh processes (``portable.py``).
As root, the template and its workers share a CPU cgroup whose quota is the grading job's share of
the machine, so a worker that starts busy processes slows only its own submission.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from autograder.errors import KitError
from autograder.sandbox import bubblewrap, platform_supports_sandbox
from autograder.sandbox.confine import Policy
from autograder.sandbox.portable import PortableWorkers

UNCONFINED_VARIABLE = "AUTOGRADER_NO_SANDBOX"  # set by `autograder grade --no-sandbox`
_CGROUP_PERIOD_US = 100_000
_CGROUP_ROOT = Path("/sys/fs/cgroup")


class SandboxUnavailable(KitError):
    """No isolation can be had here and unconfined grading was not asked for."""


class Sandbox:
    """One zygote for the grader's lifetime; call ``spawn`` for each worker.

    ``allow_unconfined``: run workers without isolation when no sandbox can be had (default: when
    AUTOGRADER_NO_SANDBOX=1). ``cores``: the CPU share of this grader's workers (default: the whole
    machine; a batch of N jobs gives each 1/N). ``mode``: force one (tests). ``warm_workers``: on
    the portable path only, how many workers to start ahead (a check starts one per task at once)."""

    def __init__(
        self,
        preload: tuple[str, ...] = ("torch", "numpy"),
        *,
        allow_unconfined: bool | None = None,
        cores: float | None = None,
        mode: str | None = None,
        warm_workers: int = 4,
    ) -> None:
        if allow_unconfined is None:
            allow_unconfined = os.environ.get(UNCONFINED_VARIABLE) == "1"
        self.mode = mode or bubblewrap.detect_mode()  # tests choose a mode; graders take the best
        if mode not in (None, bubblewrap.NONE) and not bubblewrap.works(mode):
            raise SandboxUnavailable(f"sandbox mode {mode!r} does not work here: {bubblewrap.why_none()}")
        if self.mode == bubblewrap.NONE and not allow_unconfined:
            raise SandboxUnavailable(
                f"no sandbox can be had here: {bubblewrap.why_none()}. Student code would run with "
                "your rights; pass --no-sandbox to grade anyway (results then say sandbox: none)"
            )
        self._portable: PortableWorkers | None = None
        if not platform_supports_sandbox():  # no namespaces, no fork, no descriptor passing here
            self._portable = PortableWorkers(preload, warm_workers)
            return
        self._cgroup, cpu = (
            _cpu_cgroup(cores or float(os.cpu_count() or 1))
            if self.mode == bubblewrap.ROOT
            else (None, "none")
        )
        self._lock = threading.Lock()  # control requests come from the grading and the test threads
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # A run tag in the template's command line is inherited by every worker it
        # forks, so an operator (or a test) can find all processes of one grading run with `ps`.
        tag = [f"--tag={os.environ['AUTOGRADER_RUN_TAG']}"] if os.environ.get("AUTOGRADER_RUN_TAG") else []
        # -I: no current folder on sys.path, no PYTHON* variables, no user site-packages; the kit
        # is imported from the folder that holds this very package (bound at KIT in the sandbox).
        kit = bubblewrap.package_folder().parent if self.mode == bubblewrap.NONE else bubblewrap.KIT
        bootstrap = (
            f"import sys; sys.path.insert(0, {str(kit)!r}); import autograder.sandbox.zygote as z; z.main()"
        )
        inner = [
            sys.executable, "-I", "-c", bootstrap, str(theirs.fileno()), *preload,
            f"--mode={self.mode}", f"--cpu={cpu}", *tag,
        ]  # fmt: skip
        argv = inner if self.mode == bubblewrap.NONE else bubblewrap.command(self.mode, inner)
        env = {k: os.environ[k] for k in ("PATH", "LANG", "OMP_NUM_THREADS") if k in os.environ}
        debug = os.environ.get("AUTOGRADER_DEBUG") == "1"
        self._process = subprocess.Popen(
            argv,
            pass_fds=[theirs.fileno()],
            env=env,
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=None if debug else subprocess.DEVNULL,
            stderr=None if debug else subprocess.DEVNULL,
            preexec_fn=_join(self._cgroup) if self._cgroup else None,
        )
        theirs.close()
        self._ready = False  # the template imports torch while the grader loads its own modules

    def wait_ready(self) -> None:
        """Wait for the template's one-off start (its import of torch), once per grader."""
        if self._portable is not None:
            return self._portable.wait_ready()
        if self._ready:
            return
        self._control.settimeout(120)
        try:
            ready = json.loads(self._control.recv(1 << 16) or b"{}").get("ready") is True
        except (OSError, ValueError):
            ready = False
        if not ready:
            raise RuntimeError(
                f"the sandbox template process failed to start (mode {self.mode}); "
                "rerun with AUTOGRADER_DEBUG=1 to see its output"
            )
        self._ready = True

    def _ask(self, request: dict[str, object], fds: list[int] | None = None) -> dict[str, object]:
        with self._lock:
            self.wait_ready()
            data = json.dumps(request).encode()
            if fds:
                socket.send_fds(self._control, [data], fds)
            else:
                self._control.sendall(data)
            reply: dict[str, object] = json.loads(self._control.recv(1 << 16))
        return reply

    def spawn(self, policy: Policy) -> tuple[socket.socket, int]:
        if self._portable is not None:
            return self._portable.spawn(policy)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            reply = self._ask({"op": "spawn", "policy": asdict(policy)}, [theirs.fileno()])
        finally:
            theirs.close()
        if "error" in reply:
            ours.close()
            raise OSError(str(reply["error"]))
        return ours, int(reply["pid"])  # type: ignore[call-overload]

    def kill(self, worker_pid: int) -> None:
        """Kill a worker and everything it started (it is PID 1 of its own namespace)."""
        if self._portable is not None:
            return self._portable.kill(worker_pid)
        with contextlib.suppress(OSError, ValueError):
            self._ask({"op": "kill", "pid": worker_pid})

    def exit_status(self, worker_pid: int, wait: float = 0.5) -> int | None:
        if self._portable is not None:
            return self._portable.exit_status(worker_pid, wait)
        deadline = time.monotonic() + wait
        while True:
            try:
                status = self._ask({"op": "status", "pid": worker_pid}).get("status")
            except (OSError, ValueError):
                return None
            if status is not None or time.monotonic() > deadline:
                return status if isinstance(status, int) else None
            time.sleep(0.02)

    def close(self) -> None:
        """The template holds nothing worth a clean shutdown (tearing down torch takes a second);
        its workers die with it (parent-death signals, and bubblewrap's PID namespace)."""
        if self._portable is not None:
            return self._portable.close()
        self._control.close()
        self._process.kill()
        self._process.wait()
        if self._cgroup is not None:
            _remove_cgroup(self._cgroup)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cpu_cgroup(cores: float) -> tuple[Path | None, str]:
    """A CPU cgroup with a quota of ``cores`` for this grader's template and workers (root only;
    cgroup v2 ``cpu.max`` where the cpu controller is delegated, else cgroup v1's CFS quota)."""
    quota = max(int(cores * _CGROUP_PERIOD_US), 1000)
    name = f"autograder-{os.getpid()}-{time.monotonic_ns()}"
    own = _own_v2_cgroup()
    attempts: list[tuple[Path, dict[str, str]]] = []
    if own is not None and "cpu" in _read(own / "cgroup.subtree_control").split():
        attempts.append((own / name, {"cpu.max": f"{quota} {_CGROUP_PERIOD_US}"}))
    v1 = _CGROUP_ROOT / "cpu"
    if (v1 / "cgroup.procs").is_file():
        attempts.append(
            (
                v1 / name,
                {"cpu.cfs_period_us": str(_CGROUP_PERIOD_US), "cpu.cfs_quota_us": str(quota)},
            )
        )
    for group, settings in attempts:
        try:
            group.mkdir()
            for key, value in settings.items():
                (group / key).write_text(value)
            return group, f"cgroup {cores:g} cores"
        except OSError:
            _remove_cgroup(group)
    return None, "none"


def _own_v2_cgroup() -> Path | None:
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        if line.startswith("0::"):
            path = _CGROUP_ROOT / line[3:].lstrip("/")
            return path if (path / "cgroup.controllers").is_file() else None
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _join(group: Path) -> Callable[[], None]:
    procs = str(group / "cgroup.procs")

    def join() -> None:  # in the child before exec: bubblewrap and all it starts are in the group
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))

    return join


def _remove_cgroup(group: Path) -> None:
    for _ in range(50):  # its last processes may take a moment to be reaped
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)
