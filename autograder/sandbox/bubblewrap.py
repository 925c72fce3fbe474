"""The template's filesystem view, built by bubblewrap (Debian package ``bubblewrap``).

The template process runs once per grader inside ``bwrap``; every worker is forked from it, so
bubblewrap's cost is paid once per grader, not once per worker. The view is an allowlist: an empty
root plus read-only binds of exactly what Python needs, and nothing else:

- the system (``/usr`` and the ``/bin``, ``/lib``, ``/lib64``, ``/sbin`` links or folders), a few
  files of ``/etc`` (the loader cache, passwd/group, fonts), a fresh ``/proc``, a minimal ``/dev``;
- the Python installation: its base prefix, the virtual environment and its site-packages, and the
  ``autograder`` package itself (for an editable install: that one folder, never the course root
  around it);
- an empty tmpfs ``/tmp``. Each worker mounts its own scratch tmpfs over it.

Course files, hidden tests, solutions, the gradebook, the submissions (this student's and every
classmate's), the grader's working folder and the outputs are simply absent, wherever they live.

Modes (``detect_mode``), strongest first:
- ``root``:   the grader is root with CAP_SYS_ADMIN; workers drop to a uid of their own;
- ``userns``: an unprivileged user namespace (the grader's uid is root inside it, with
  capabilities that only reach the sandbox's own namespaces); workers drop every capability;
- ``none``:   neither works (no bwrap, or user namespaces refused, as for root without
  CAP_SYS_ADMIN in a container): ``autograder grade`` refuses unless the instructor passes
  ``--no-sandbox``.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.sandbox import FORCE_PORTABLE_VARIABLE, platform_supports_sandbox

ROOT, USERNS, NONE = "root", "userns", "none"
# Where the grader's own ``autograder`` package appears inside the sandbox: the template imports it
# from there, whichever copy the grader runs (an editable install, a Gradescope bundle's source/).
KIT = Path("/opt/autograder-kit")
_SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
_ETC = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/etc/fonts",
    "/etc/mime.types",
)
# CPU topology only (torch reads it to size its thread pools); nothing about the host's processes.
_SYS = ("/sys/devices/system/cpu",)


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def package_folder() -> Path:
    import autograder

    return Path(autograder.__file__).resolve().parent


def python_folders() -> list[Path]:
    """The folders a worker imports from: the base installation, the virtual environment and its
    site-packages. The autograder package is bound apart, at ``KIT`` (an editable install points
    into the course root: only the package folder is bound, never the folder around it)."""
    import site

    folders = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.exec_prefix)}
    folders |= {Path(p) for p in site.getsitepackages()}
    resolved = {f.resolve() for f in folders if f.is_dir()}
    # Keep the real paths and the paths Python uses (a venv's lib64 link, pyenv's symlinks).
    resolved |= {f for f in folders if f.is_dir()}
    return sorted(resolved)


def command(mode: str, inner: list[str]) -> list[str]:
    """``inner`` (the template's command line) run inside bubblewrap in ``mode``."""
    bwrap = bwrap_path()
    assert bwrap is not None and mode in (ROOT, USERNS)
    args = [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if mode == USERNS:
        args += ["--unshare-user", "--uid", "0", "--gid", "0"]
    # Workers make namespaces and mounts of their own (forked from the template), so the template
    # keeps its capabilities: as root the real ones, in a user namespace ones that only reach it.
    args += ["--cap-add", "ALL", "--die-with-parent", "--new-session"]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
    args += ["--ro-bind", "/usr", "/usr"]
    for link in _SYSTEM_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    for path in (*_ETC, *_SYS):
        args += ["--ro-bind-try", path, path]
    folders = [f for f in python_folders() if not f.is_relative_to("/usr")]
    # Parents that bubblewrap would create are private (0700) and a worker's own uid could not walk
    # through them: make them walkable first. They hold nothing but the bound folders.
    targets = [*folders, KIT / "autograder"]
    parents = sorted({p for f in targets for p in f.parents if p != Path("/")} - set(targets))
    for parent in parents:
        args += ["--perms", "0755", "--dir", str(parent)]
    for folder in folders:
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--ro-bind", str(package_folder()), str(KIT / "autograder")]
    # The root tmpfs bubblewrap builds is shared by every worker of this template: read-only, so no
    # worker can leave anything there for the next one (/tmp and /dev/shm are each worker's own).
    args += ["--remount-ro", "/"]
    return [*args, "--chdir", "/tmp", "--", *inner]


def detect_mode() -> str:
    """The strongest mode that works on this machine."""
    if not platform_supports_sandbox():  # before os.geteuid, which Windows lacks
        return NONE
    candidates = (ROOT, USERNS) if os.geteuid() == 0 else (USERNS,)
    return next((mode for mode in candidates if works(mode)), NONE)


def works(mode: str) -> bool:
    """Whether ``mode`` works here. ``userns`` also works as root: tests use it to run the
    unprivileged code path."""
    return platform_supports_sandbox() and _probe(mode)  # the guard is read afresh, the probe once


@functools.cache
def _probe(mode: str) -> bool:
    """A tiny bubblewrap run that makes the namespaces and mounts a worker needs (once per process)."""
    if bwrap_path() is None or mode not in (ROOT, USERNS):
        return False
    if mode == ROOT and os.geteuid() != 0:
        return False
    probe = [sys.executable, "-I", "-S", "-c", _PROBE]
    try:
        done = subprocess.run(command(mode, probe), capture_output=True, timeout=30, env={})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == b"ok"


# What a worker does first: new PID, network, IPC and mount namespaces, then a tmpfs and /proc.
_PROBE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
assert libc.unshare(0x20000000 | 0x40000000 | 0x08000000 | 0x00020000) == 0
pid = os.fork()
if pid == 0:
    ok = libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=1m") == 0
    ok = ok and libc.mount(b"proc", b"/proc", b"proc", 0, None) == 0
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print("ok" if status == 0 else "no")
"""


def why_none() -> str:
    """The instructor's explanation when no sandbox can be had."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux namespaces (this is {sys.platform})"
    if not platform_supports_sandbox():
        return f"the sandbox is turned off ({FORCE_PORTABLE_VARIABLE}=1)"
    if bwrap_path() is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    if os.geteuid() == 0:
        return (
            "bubblewrap could not create namespaces: root without CAP_SYS_ADMIN (a container?) and "
            "user namespaces refused; run the container with --cap-add SYS_ADMIN or as a normal user "
            "where unprivileged user namespaces are enabled"
        )
    return (
        "unprivileged user namespaces are disabled here (sysctl kernel.unprivileged_userns_clone or "
        "user.max_user_namespaces, or an AppArmor policy); enable them or run the grader as root"
    )
