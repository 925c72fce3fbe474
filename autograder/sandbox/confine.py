"""What the template and the worker do before any student code runs.

Layers (strongest available first; ``Confinement`` records which ones are in force):

1. new PID namespace  — the worker is PID 1 there, so killing it kills every process it forked;
2. new network namespace — no interface but a down loopback: no connection anywhere;
3. new mount namespace — fresh empty tmpfs over the course root, /tmp, /var/tmp, /dev/shm, the
   submission and output folders, and any non-traversable ancestor of the Python installation;
   only the Python installation is bound back. Hidden tests, solutions, the gradebook and other
   students' work are simply not there;
4. an unprivileged user (``nobody``) when the grader runs as root;
5. resource limits: address space, CPU seconds, processes, file size, open files, no core dumps;
6. a scrubbed environment (no tokens or keys) and a scratch working directory.

Without root the namespaces are unavailable; the worker then gets the limits, the scrubbed
environment and an audit hook that refuses sockets and reads of the hidden paths (a weaker
fallback, named as such in every result).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x40000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
NOBODY = 65534
_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Policy:
    """Limits for one worker; every field has one default, here."""

    memory_bytes: int = 6 << 30
    cpu_seconds: int = 600
    max_processes: int = 512
    max_file_bytes: int = 64 << 20
    max_open_files: int = 256
    tmp_bytes: int = 256 << 20
    max_result_bytes: int = 256 << 20
    threads: int = 1
    hidden: tuple[str, ...] = ()  # course root, submissions, outputs: absent inside the sandbox
    force_fallback: bool = False  # tests use this to exercise the no-namespace path
    seed: int = 0  # torch / numpy / random global seeds of the worker (varied by the seed sweep)


@dataclass(frozen=True)
class Confinement:
    """Which layers are in force; copied into every result as ``sandbox``."""

    namespaces: bool
    network: str
    filesystem: str
    user: str
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


_own_pid_namespace: int | None = None  # the template's own PID namespace, to return to


def new_pid_namespace_for_next_child(policy: Policy) -> bool:
    """In the template, just before it forks a worker: the child starts a new PID namespace, as its
    PID 1 (root only). ``end_pid_namespace_for_children`` must follow the fork in the template, so
    that the next worker gets a namespace of its own again."""
    global _own_pid_namespace
    if policy.force_fallback or os.geteuid() != 0:
        return False
    if _own_pid_namespace is None:
        _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    return _libc.unshare(CLONE_NEWPID) == 0


def end_pid_namespace_for_children() -> None:
    if _own_pid_namespace is not None:
        _check(_libc.setns(_own_pid_namespace, CLONE_NEWPID), "setns back to the template's PID namespace")


def enter_namespaces() -> bool:
    """In the worker, first thing (it is PID 1 of its PID namespace): new network and mount
    namespaces. Also drops the template's handle on its own PID namespace."""
    if _own_pid_namespace is not None:
        os.close(_own_pid_namespace)
    return _libc.unshare(CLONE_NEWNET | CLONE_NEWNS) == 0


def confine_worker(policy: Policy, namespaces: bool) -> Confinement:
    """In the worker, before student code: filesystem, limits, user, environment, in this order
    (mounts need root; the limits and the user change come after them)."""
    notes: list[str] = []
    if namespaces:
        _hide_filesystem(policy)
        _mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV)
        scratch = Path("/tmp/work")
    else:
        scratch = Path(os.environ.get("AUTOGRADER_SCRATCH", "/tmp")) / f"autograder-work-{os.getpid()}"
        notes.append("no namespaces (not root): network and file access blocked by an audit hook")
    scratch.mkdir(parents=True, exist_ok=True)
    user = "unchanged"
    if os.geteuid() == 0 and not namespaces and _blocked_ancestors():
        notes.append(
            "kept the grader's user: the Python installation is not readable by 'nobody' "
            "and, without a mount namespace, cannot be bound back"
        )
    elif os.geteuid() == 0:
        os.chown(scratch, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        user = "nobody"
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    _set_limits(policy)
    _scrub_environment(scratch, policy.threads)
    os.chdir(scratch)
    if not namespaces:
        _install_audit_hook(policy.hidden)
    return Confinement(
        namespaces=namespaces,
        network="namespace" if namespaces else "audit-hook",
        filesystem="hidden" if namespaces else "audit-hook",
        user=user,
        notes=tuple(notes),
    )


def _mount(source: bytes, target: bytes, fstype: bytes | None, flags: int, data: bytes | None = None) -> None:
    _check(_libc.mount(source, target, fstype, flags, data), f"mount {target.decode()}")


def _python_paths() -> list[Path]:
    """Everything the worker may still need to import from: the Python installation and sys.path."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *[p for p in sys.path if p]}
    return sorted({Path(p).resolve() for p in roots if Path(p).is_dir()})


def _blocked_ancestors() -> set[Path]:
    """Folders above the Python installation that other users cannot walk through (e.g. /root)."""
    return {
        ancestor
        for path in _python_paths()
        for ancestor in path.parents
        if ancestor != Path("/") and not os.stat(ancestor).st_mode & 0o001
    }


def _hide_filesystem(policy: Policy) -> None:
    """Fresh tmpfs over every hidden place; bind the Python installation back from held fds."""
    _mount(b"none", b"/", None, MS_REC | MS_PRIVATE)
    keep = _python_paths()
    hide = {Path(p).resolve() for p in policy.hidden} | {Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")}
    hide |= _blocked_ancestors()  # covered by a walkable tmpfs, the installation bound back inside
    hide = {h for h in hide if h.is_dir() and not any(o in h.parents for o in hide)}
    # Hold the kept directories open: once a tmpfs covers their parent, these fds still reach them.
    held = {k: os.open(k, os.O_PATH) for k in keep if any(h in k.parents for h in hide)}
    for target in sorted(hide):
        world_writable = target in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
        options = f"size={policy.tmp_bytes},mode={'1777' if world_writable else '755'}"
        _mount(b"tmpfs", str(target).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode())
    for path, fd in held.items():
        path.mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}".encode(), str(path).encode(), None, MS_BIND | MS_REC)
        os.close(fd)


def _set_limits(policy: Policy) -> None:
    limits = {
        resource.RLIMIT_AS: policy.memory_bytes,
        resource.RLIMIT_CPU: policy.cpu_seconds,
        resource.RLIMIT_NPROC: policy.max_processes,
        resource.RLIMIT_FSIZE: policy.max_file_bytes,
        resource.RLIMIT_NOFILE: policy.max_open_files,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, cap))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with EFBIG instead


def _scrub_environment(scratch: Path, threads: int) -> None:
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(scratch),
            "TMPDIR": str(scratch),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": str(threads),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )


def _install_audit_hook(hidden: tuple[str, ...]) -> None:
    """Fallback without namespaces: refuse sockets and reads under hidden paths. An audit hook
    cannot be removed from Python code; native code can still get around it (hence 'fallback')."""
    prefixes = tuple(str(Path(h).resolve()) + os.sep for h in hidden)

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event.startswith("socket.") and event != "socket.gethostname":
            raise PermissionError("network access is disabled while grading")
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], str | bytes):
            path = os.path.abspath(os.fsdecode(args[0])) + os.sep
            if path.startswith(prefixes):
                raise PermissionError("this file is not available while grading")
        if event in ("ctypes.dlopen", "ctypes.dlsym"):
            raise PermissionError("loading native code is disabled while grading")

    sys.addaudithook(hook)
