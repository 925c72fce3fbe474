"""The sandboxed worker: confinement, limits, recovery and the remote-call layer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from autograder.sandbox import bubblewrap
from autograder.sandbox.cells import CellCode, Statement
from autograder.sandbox.client import (
    Budget,
    BudgetExceeded,
    RemoteNamespace,
    ResultRejected,
    Sandbox,
    StudentError,
    Worker,
    WorkerCrashed,
    WorkerTimeout,
    call,
    call_repeatedly,
)
from autograder.sandbox.confine import Policy
from autograder.sandbox.template import UNCONFINED_VARIABLE, SandboxUnavailable

PROBES = """
import os, socket, threading, time, torch

def environment():
    return dict(os.environ)

def listing(path):
    return sorted(os.listdir(path))

def read(path):
    with open(path) as f:
        return f.read()

def connect():
    s = socket.socket()
    s.settimeout(1)
    s.connect(("127.0.0.1", 9))

def identity():
    return os.getuid(), os.getpid(), os.getcwd()

def namespace_of(link):
    return os.readlink(link)

def write(path):
    with open(path, "w") as f:
        f.write("x")

def spin():
    while True:
        pass

def hog():
    return torch.empty(64 << 30, dtype=torch.uint8).sum()

def die():
    os._exit(9)

def bump(x, by=1):
    return x + by

class Box:
    def __init__(self):
        self.items = []
    def put(self, item):
        self.items.append(item)
        return len(self.items)
    def __len__(self):
        return len(self.items)
    def __iter__(self):
        return iter(self.items)

def capabilities():
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)

def read_through_link(path):
    os.symlink(path, "link")
    try:
        return read("link")
    finally:
        os.unlink("link")

def cat(path):
    import subprocess
    return subprocess.run(["cat", path], capture_output=True, text=True).stderr

def _shmget(key, flags):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.shmget(key, 4096, flags)

def make_shm(key):
    return _shmget(key, 0o1000 | 0o666)  # IPC_CREAT

def find_shm(key):
    return _shmget(key, 0o666)

def square_sum(x):
    return (x ** 2).sum()

def scale_in_place(x, by):
    x.mul_(by)
    return None

def draw(generator=None):
    return torch.rand(2, generator=generator)

def forge_reply():
    import gc
    from autograder.sandbox import binary, protocol
    channel = next(o for o in gc.get_objects() if isinstance(o, socket.socket))
    protocol.send_message(channel, binary.encode((999, ("ok", 1))))  # a reply nobody asked for
    return 2
"""


MODES = [m for m in (bubblewrap.ROOT, bubblewrap.USERNS) if bubblewrap.works(m)]


def test_a_sandbox_mode_works_here():
    """CI installs bubblewrap (.ci/run): every confinement test below must run, not skip."""
    assert MODES, bubblewrap.why_none()


@pytest.fixture(scope="module", params=MODES)
def sandbox(request) -> Iterator[Sandbox]:
    with Sandbox(("torch",), mode=request.param) as sb:
        yield sb


@pytest.fixture
def secret_dir(real_folder: Path, request) -> Path:
    """A course-like folder outside /tmp, with a hidden test in it."""
    folder = real_folder / f"secret-{request.node.name[:40]}"
    folder.mkdir(exist_ok=True)
    (folder / "hidden_test.py").write_text("ANSWER = 42\n")
    return folder


def make_worker(sandbox: Sandbox, hidden: Path, budget: Budget | None = None, **policy) -> Worker:
    cell = CellCode("<task probe, cell 1>", (Statement(PROBES, 1, False),))
    return Worker(sandbox, (cell,), Policy(**policy), call_timeout=3, load_timeout=10, budget=budget)


@pytest.fixture
def student(sandbox, secret_dir) -> Iterator[RemoteNamespace]:
    worker = make_worker(sandbox, secret_dir)
    yield RemoteNamespace(worker)
    worker.stop()


def test_environment__is_scrubbed(student, monkeypatch):
    env = student.environment()
    assert not any("KEY" in k or "TOKEN" in k or "SECRET" in k for k in env)
    assert env["HOME"] == "/tmp/work"


def test_filesystem__is_an_allowlist_course_grader_folder_and_classmates_are_absent(student, secret_dir):
    """Folders outside /tmp (a course in /srv), the grader's working folder (the course root when it
    is started there) and the repository are simply not there."""
    course_root = Path(__file__).resolve().parents[1]
    for path in (secret_dir / "hidden_test.py", Path.cwd() / "hidden_tests", course_root / "solutions"):
        with pytest.raises(StudentError, match="No such file"):
            student.read(str(path))
    assert student.listing("/") == sorted(student.listing("/"))  # readable, and nothing of ours:
    assert not {"srv", "home", "run", "var", "mnt"} & set(student.listing("/"))
    assert student.listing("/opt") == ["autograder-kit"] and student.listing("/opt/autograder-kit") == [
        "autograder"
    ]
    for sneaky in (f"/proc/self/root{secret_dir}/hidden_test.py", f"/proc/1/root{secret_dir}/hidden_test.py"):
        with pytest.raises(StudentError, match="No such file"):
            student.read(sneaky)
    with pytest.raises(StudentError, match="No such file"):
        student.read_through_link(str(secret_dir / "hidden_test.py"))
    assert "No such file" in student.cat(str(secret_dir / "hidden_test.py"))  # a child process too


def test_python_installation__is_read_only(student):
    for folder in (os.path.dirname(torch.__file__), sys.prefix, sys.base_prefix):
        with pytest.raises(StudentError, match="Read-only|Permission denied"):
            student.write(os.path.join(folder, "autograder-probe.py"))
    with pytest.raises(StudentError, match="Read-only|Permission denied|No such file"):
        student.write("/etc/autograder-probe")
    assert not Path("/etc/autograder-probe").exists()


def test_worker__is_pid_1_without_network_or_privileges(sandbox, student):
    uid, pid, cwd = student.identity()
    assert pid == 1 and cwd == "/tmp/work"
    assert student.capabilities() == 0  # no capability at all, in any mode
    if sandbox.mode == bubblewrap.ROOT:
        assert uid >= 200_000  # a uid of its own, not root and not shared with other workers
    with pytest.raises(StudentError, match="unreachable|refused|Permission"):
        student.connect()


def test_workers_alive_together__each_see_only_their_own_pid_and_ipc_namespace(sandbox, secret_dir):
    workers = [make_worker(sandbox, secret_dir) for _ in range(3)]
    try:
        for worker in workers:
            worker.start()
        seen = [RemoteNamespace(w) for w in workers]
        processes = [[e for e in s.listing("/proc") if e.isdigit()] for s in seen]
        namespaces = {s.namespace_of("/proc/self/ns/pid") for s in seen}
        ipc = {s.namespace_of("/proc/self/ns/ipc") for s in seen}
        uids = {s.identity()[0] for s in seen}
        users = {s.namespace_of("/proc/self/ns/user") for s in seen}
    finally:
        for worker in workers:
            worker.stop()
    assert processes == [["1"]] * 3  # not each other, not the grader, not the template
    assert len(namespaces) == 3 and os.readlink("/proc/self/ns/pid") not in namespaces
    assert len(ipc) == 3 and os.readlink("/proc/self/ns/ipc") not in ipc
    if sandbox.mode == bubblewrap.ROOT:
        assert len(uids) == 3  # the process-count limit counts per worker
    else:
        assert len(users) == 3  # a user namespace each: the process count is per worker there too


def test_shared_memory__does_not_outlive_the_worker(sandbox, secret_dir):
    first, second = make_worker(sandbox, secret_dir), make_worker(sandbox, secret_dir)
    try:
        assert RemoteNamespace(first).make_shm(0x5EED) >= 0
        assert RemoteNamespace(second).find_shm(0x5EED) == -1  # a later worker does not see it
    finally:
        first.stop()
        second.stop()
    assert "5eed" not in Path("/proc/sysvipc/shm").read_text().lower()  # nor does the host


def test_endless_loop__times_out_and_later_calls_fail_at_once_with_the_same_reason(student):
    with pytest.raises(WorkerTimeout, match="no answer within 3 s"):
        student.spin()
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match="no answer within 3 s.*earlier call"):
        student.bump(1)
    assert time.monotonic() - started < 1.5  # not another wait of the call limit


def test_exit__is_reported_and_later_calls_fail_with_the_same_reason(student):
    with pytest.raises(WorkerCrashed, match="exited with code 9"):
        student.die()
    with pytest.raises(WorkerCrashed, match="exited with code 9.*earlier call"):
        student.bump(2, by=5)


def test_submission_budget__cuts_a_call_short_and_ends_every_worker_of_the_submission(sandbox, secret_dir):
    budget = Budget(1.0)
    workers = [make_worker(sandbox, secret_dir, budget=budget) for _ in range(2)]
    try:
        first, second = (RemoteNamespace(w) for w in workers)
        assert second.bump(1) == 2
        started = time.monotonic()
        with pytest.raises(BudgetExceeded, match="time budget of 1 s"):
            first.spin()  # the call limit is 3 s; the budget ends it after 1 s
        assert time.monotonic() - started < 2.5
        with pytest.raises(BudgetExceeded):
            second.bump(1)  # another task of the same submission: nothing is left for it
    finally:
        for worker in workers:
            worker.stop()


def test_reply_nobody_asked_for__is_rejected_and_ends_the_worker(student):
    with pytest.raises(ResultRejected, match="nobody asked for"):
        student.forge_reply()
    with pytest.raises(ResultRejected):
        student.bump(1)


def test_memory_hog__fails_the_call_not_the_grader(sandbox, secret_dir):
    worker = make_worker(sandbox, secret_dir, memory_bytes=3 << 30)
    try:
        with pytest.raises((StudentError, WorkerCrashed)):
            RemoteNamespace(worker).hog()
    finally:
        worker.stop()


def test_handles__keep_state_in_the_worker_and_go_stale_once_it_ends(student):
    box = student.Box()
    assert box.put(torch.ones(2)) == 1 and box.put("x") == 2
    assert len(box) == 2
    first, second = list(box)
    assert torch.equal(first, torch.ones(2)) and second == "x"
    with pytest.raises(WorkerTimeout):
        student.spin()
    with pytest.raises(WorkerCrashed, match="ended"):
        box.put(1)


def test_with_grad__returns_gradients_of_arguments(student):
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    value, grads, _ = student.square_sum.with_grad(x)
    assert value.item() == 5.0 and torch.equal(grads[0], torch.tensor([2.0, -4.0]))


def test_inspect__returns_the_arguments_as_the_call_left_them(student):
    x = torch.ones(3)
    result, args, kwargs = call(student.scale_in_place, (x,), {"by": 2.0}, mode="inspect")
    assert result is None and torch.equal(args[0], torch.full((3,), 2.0)) and kwargs == {"by": 2.0}
    assert torch.equal(x, torch.ones(3))  # the grader's own copy is untouched


def test_repeat__draws_from_a_generator_handle_in_turn(student):
    draws = call_repeatedly(student.draw, 3, (), {"generator": student.generator(0)})
    expected = torch.Generator().manual_seed(0)
    assert all(torch.equal(d, torch.rand(2, generator=expected)) for d in draws)


def test_new__builds_and_calls_library_objects_in_the_worker(student):
    layer = student.new("torch.nn:Linear", 3, 2)
    assert layer.weight.shape == (2, 3)
    assert sum(p.numel() for p in layer.parameters()) == 8
    assert student.new("torch:zeros", 2).tolist() == [0.0, 0.0]
    assert student.generator(0).initial_seed() == 0


def test_no_sandbox__is_refused_unless_asked_for(monkeypatch):
    monkeypatch.setattr(bubblewrap, "detect_mode", lambda: bubblewrap.NONE)
    monkeypatch.delenv(UNCONFINED_VARIABLE, raising=False)
    with pytest.raises(SandboxUnavailable, match="--no-sandbox"):
        Sandbox(("torch",))


def test_no_sandbox__when_asked_for_says_so_and_cleans_its_scratch(real_folder):
    with Sandbox(("torch",), allow_unconfined=True, mode=bubblewrap.NONE) as sandbox:
        worker = make_worker(sandbox, real_folder)
        student = RemoteNamespace(worker)
        assert student.bump(1) == 2
        scratch = student.identity()[2]
        assert worker.confinement["mode"] == "none" and worker.confinement["filesystem"] == "none"
        assert os.path.isdir(scratch)
        worker.stop()
        deadline = time.monotonic() + 5
        while os.path.isdir(scratch) and time.monotonic() < deadline:
            sandbox.exit_status(0, wait=0)  # any request lets the template reap and clean up
            time.sleep(0.05)
        assert not os.path.isdir(scratch)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_root_without_cap_sys_admin__fails_closed():
    """Root in a container without CAP_SYS_ADMIN: no namespaces can be had, so no sandbox."""
    probe = "from autograder.sandbox import bubblewrap; print(bubblewrap.detect_mode())"
    done = subprocess.run(
        ["setpriv", "--inh-caps=-all", "--bounding-set=-all", sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "none", done.stderr
