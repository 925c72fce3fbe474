"""The sandboxed worker: confinement, limits, recovery and the remote-call layer."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

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


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(("torch",)) as sb:
        yield sb


@pytest.fixture
def secret_dir(tmp_path: Path) -> Path:
    (tmp_path / "hidden_test.py").write_text("ANSWER = 42\n")
    return tmp_path


def make_worker(sandbox: Sandbox, hidden: Path, budget: Budget | None = None, **policy) -> Worker:
    cell = CellCode("<task probe, cell 1>", (Statement(PROBES, 1, False),))
    return Worker(
        sandbox,
        (cell,),
        Policy(hidden=(str(hidden),), **policy),
        call_timeout=3,
        load_timeout=10,
        budget=budget,
    )


@pytest.fixture
def student(sandbox, secret_dir) -> Iterator[RemoteNamespace]:
    worker = make_worker(sandbox, secret_dir)
    yield RemoteNamespace(worker)
    worker.stop()


def test_environment__is_scrubbed(student, monkeypatch):
    env = student.environment()
    assert not any("KEY" in k or "TOKEN" in k or "SECRET" in k for k in env)
    assert env["HOME"] == os.getcwd() or env["HOME"]


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")
def test_hidden_paths__are_empty_inside_the_worker(student, secret_dir):
    try:
        assert student.listing(str(secret_dir)) == []
    except StudentError as exc:  # under /tmp the folder is not there at all: /tmp is private
        assert exc.is_a("FileNotFoundError")
    with pytest.raises(StudentError, match="No such file"):
        student.read(str(secret_dir / "hidden_test.py"))


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")
def test_worker__runs_as_nobody_as_pid_1_without_network(student):
    uid, pid, cwd = student.identity()
    assert uid == 65534 and pid == 1 and cwd == "/tmp/work"
    with pytest.raises(StudentError, match="unreachable|refused|Permission"):
        student.connect()


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")
def test_workers_alive_together__each_see_only_their_own_pid_namespace(sandbox, secret_dir):
    workers = [make_worker(sandbox, secret_dir) for _ in range(3)]
    try:
        for worker in workers:
            worker.start()
        seen = [RemoteNamespace(w) for w in workers]
        processes = [[e for e in s.listing("/proc") if e.isdigit()] for s in seen]
        namespaces = {s.namespace_of("/proc/self/ns/pid") for s in seen}
    finally:
        for worker in workers:
            worker.stop()
    assert processes == [["1"]] * 3  # not each other, not the grader, not the template
    assert len(namespaces) == 3 and os.readlink("/proc/self/ns/pid") not in namespaces


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")
def test_writes_outside_scratch__are_refused(student, tmp_path):
    with pytest.raises(StudentError, match="Permission denied|Read-only|No such file"):
        student.write("/etc/autograder-probe")
    assert not Path("/etc/autograder-probe").exists()


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
    assert float(value) == 5.0 and torch.equal(grads[0], torch.tensor([2.0, -4.0]))


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


def test_fallback_without_namespaces__says_so_and_still_blocks_network_and_hidden_files(sandbox, secret_dir):
    worker = make_worker(sandbox, secret_dir, force_fallback=True)
    try:
        student = RemoteNamespace(worker)
        assert student.bump(1) == 2
        assert worker.confinement["network"] == "audit-hook" and not worker.confinement["namespaces"]
        with pytest.raises(StudentError, match="network access is disabled"):
            student.connect()
        with pytest.raises(StudentError, match="not available while grading"):
            student.read(str(secret_dir / "hidden_test.py"))
        assert "KEY" not in " ".join(student.environment())
    finally:
        worker.stop()
