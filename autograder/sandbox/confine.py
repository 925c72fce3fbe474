"""What the template and the worker do before any student code runs.

The template already lives in bubblewrap's allowlisted filesystem view (``bubblewrap.py``): the
course, the submissions and the grader's working folder are not in it. Each worker then adds its own
layers (``Confinement`` records which were in force; it is copied into every result):

1. a new PID namespace, as its PID 1 (made by the template just before the fork): killing it kills
   every process it started, and it sees no other process;
2. new network, IPC and mount namespaces: no interface but a down loopback, no System V or POSIX
   shared memory of anyone else's, and a private tmpfs scratch folder (/tmp, /dev/shm) that
   disappears with the worker;
3. a user of its own: as root, a uid of its own (so the process-count limit is per worker); in a
   user namespace, a nested user namespace of its own, with every capability dropped;
4. resource limits: address space, CPU seconds, processes, file size, open files, no core dumps;
   and, in a user namespace where no cgroup can be had, a lower CPU priority;
5. a scrubbed environment (no tokens or keys) and the scratch folder as working directory.

In mode ``none`` (the instructor's explicit ``--no-sandbox``, or a student's own ``check``) none of
this holds: the worker only gets limits, a scrubbed environment and a scratch folder.
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from autograder.sandbox.bubblewrap import NONE, ROOT, python_folders

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x40000000, 0x20000000
CLONE_NEWIPC, CLONE_NEWUSER = 0x08000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
MS_REC, MS_PRIVATE = 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 1, 38, 24, 28
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 1 << 0, 1 << 1
_CAP_LAST = 63
_WORKER_UIDS = (200_000, 1 << 30)  # root mode: each worker a uid of its own from this range
SCRATCH = Path("/tmp/work")
UNCONFINED_NOTE = "no sandbox: the student's code ran with the grader's rights"
# The trusted side imports Policy from here on every platform; Windows has no C library to open this
# way (nor ``resource``, imported where limits are set): only the Linux workers use either.
_libc: Any = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None


@dataclass(frozen=True)
class Policy:
    """Limits for one worker; every field has one default, here."""

    memory_bytes: int = 6 << 30
    cpu_seconds: int = 600
    max_processes: int = 256
    max_file_bytes: int = 64 << 20
    max_open_files: int = 256
    tmp_bytes: int = 256 << 20
    max_result_bytes: int = 256 << 20
    threads: int = 1
    seed: int = 0  # torch / numpy / random global seeds of the worker (drawn per submission)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Policy:
        """A policy sent as JSON (``asdict``); unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Confinement:
    """Which layers are in force; copied into every result as ``sandbox``."""

    mode: str  # "root" | "userns" | "none"
    namespaces: tuple[str, ...]
    filesystem: str
    network: str
    user: str
    cpu: str = "none"
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


_own_pid_namespace: int | None = None  # the template's own PID namespace, to return to


def new_pid_namespace_for_next_child() -> None:
    """In the template, just before it forks a worker: the child starts a new PID namespace, as its
    PID 1. ``end_pid_namespace_for_children`` must follow the fork in the template, so that the
    next worker gets a namespace of its own again."""
    global _own_pid_namespace
    if _own_pid_namespace is None:
        _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    _check(_libc.unshare(CLONE_NEWPID), "unshare a PID namespace")


def end_pid_namespace_for_children() -> None:
    if _own_pid_namespace is not None:
        _check(_libc.setns(_own_pid_namespace, CLONE_NEWPID), "setns back to the template's PID namespace")


def confine_worker(policy: Policy, mode: str, scratch: Path | None, cpu: str) -> Confinement:
    """In the worker, before student code. Any step that fails in a sandboxed mode raises: the
    worker then exits before loading anything (fail closed)."""
    notes: list[str] = []
    if mode == NONE:
        assert scratch is not None  # the template makes an unconfined worker's scratch folder
        namespaces: tuple[str, ...] = ()
        user, cpu = "unchanged", "none"
        notes.append(UNCONFINED_NOTE)
    else:
        if _own_pid_namespace is not None:
            os.close(_own_pid_namespace)
        _check(_libc.unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS), "unshare namespaces")
        _private_mounts(policy)
        scratch = SCRATCH
        scratch.mkdir()
        namespaces = ("pid", "net", "ipc", "mount")
        if mode == ROOT:
            user = _become_own_uid(scratch)
        else:
            user, namespaces = _own_user_namespace(), (*namespaces, "user")
        if cpu == "none":  # no cgroup (no root): at least yield to the grader and other jobs
            os.setpriority(os.PRIO_PROCESS, 0, 10)
            cpu = "nice 10"
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after a uid change, which clears it
    _set_limits(policy)
    _scrub_environment(scratch, policy.threads)
    os.chdir(scratch)
    return Confinement(
        mode=mode,
        namespaces=namespaces,
        filesystem="allowlist" if mode != NONE else "none",
        network="namespace" if mode != NONE else "none",
        user=user,
        cpu=cpu,
        notes=tuple(notes),
    )


def _mount(source: bytes, target: bytes, fstype: bytes | None, flags: int, data: bytes | None = None) -> None:
    _check(_libc.mount(source, target, fstype, flags, data), f"mount {target.decode()}")


def _private_mounts(policy: Policy) -> None:
    """A private tmpfs /tmp and /dev/shm (size-capped) and a /proc of the worker's PID namespace.
    A Python installation that lives under /tmp (a clone of the course there, with its .venv) is
    held open across the new tmpfs and bound back read-only at its path."""
    _mount(b"none", b"/", None, MS_REC | MS_PRIVATE)
    under_tmp = [f for f in python_folders() if f.is_relative_to("/tmp")]
    held = {folder: os.open(folder, os.O_PATH) for folder in under_tmp}
    size = f"size={policy.tmp_bytes},mode=1777".encode()
    _mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, size)
    for folder, fd in held.items():
        folder.mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}".encode(), str(folder).encode(), None, MS_BIND | MS_REC)
        _mount(b"none", str(folder).encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    _mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, size)
    _mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _drop_bounding_set() -> None:
    for cap in range(_CAP_LAST + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap: ignored


def _become_own_uid(scratch: Path) -> str:
    """Root mode: a uid no other worker has (the process-count limit counts per uid)."""
    uid = random.SystemRandom().randrange(*_WORKER_UIDS)
    os.chown(scratch, uid, uid)
    _drop_bounding_set()
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # a non-zero uid: every capability is gone
    return f"uid {uid}"


def _own_user_namespace() -> str:
    """User-namespace mode: a nested user namespace per worker (so the process-count limit counts
    for this worker alone), then every capability dropped, for good (bounding set, securebits)."""
    uid, gid = os.getuid(), os.getgid()
    nested = _libc.unshare(CLONE_NEWUSER) == 0
    if nested:
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    _check(_libc.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0), "securebits")
    _drop_bounding_set()
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    _clear_capabilities()
    return "own user namespace, no capabilities" if nested else "no capabilities"


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _clear_capabilities() -> None:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _set_limits(policy: Policy) -> None:
    import resource

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
    sys.dont_write_bytecode = True
