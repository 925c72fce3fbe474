"""The trusted side of the sandbox: the zygote, one ``Worker`` per task, and the proxies.

A hidden test never touches student objects: it calls ``student.nt_xent_loss(z1, z2)`` on a
``RemoteNamespace``; the call travels as plain data, runs in the worker, and the result comes back
through the safe decoder. Objects that are not plain data stay in the worker and come back as
``RemoteObject`` handles whose attributes and methods are remote too.
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from typing import Any, NoReturn

from autograder.sandbox import codec, protocol
from autograder.sandbox.cells import CellCode
from autograder.sandbox.confine import Policy
from autograder.sandbox.template import Sandbox


class SandboxError(Exception):
    """A remote call did not produce a value; the message is the readable reason."""


class StudentError(SandboxError):
    """The student's code raised an exception."""

    MAX_MESSAGE = 200  # the student's own exception text, shown truncated (it may be a whole tensor)

    def __init__(self, type_name: str, mro: list[str], message: str, where: list[str]) -> None:
        location = f" ({where[-1]})" if where else ""
        message = str(message)  # from the worker: plain data, but not necessarily a string
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE - 1] + "…"
        super().__init__(f"{message}{location}")
        self.type_name, self.mro, self.where = type_name, mro, where

    def is_a(self, type_name: str) -> bool:
        return type_name in self.mro


class WorkerTimeout(SandboxError):
    pass


class WorkerCrashed(SandboxError):
    pass


class ResultRejected(SandboxError):
    """The worker's reply was too large or was not plain data."""


class BudgetExceeded(WorkerTimeout):
    """The submission used up its wall-clock budget."""


def describe_exit(status: int | None) -> str:
    if status is None:
        return "the worker process ended"
    cpu_limit = getattr(signal, "SIGXCPU", None)  # Windows has no SIGXCPU (nor SIGKILL)
    if cpu_limit is not None and status == 128 + cpu_limit:
        return "the worker used up its CPU-time limit"
    if status > 128:
        name = (
            signal.Signals(status - 128).name
            if status - 128 in signal.Signals._value2member_map_
            else status - 128
        )
        hint = " (out of memory?)" if status - 128 == getattr(signal, "SIGKILL", None) else ""
        return f"the worker process was killed by {name}{hint}"
    return f"the worker process exited with code {status} (sys.exit / os._exit in student code?)"


class Budget:
    """The wall-clock time one submission may use, loading and every test together: an endless
    loop in every task costs the budget once, not the call limit once per test."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self._deadline - time.monotonic()


class Worker:
    """The worker that serves one task. It is started once; after its first time-out or crash
    every later request fails at once with the same reason (a fresh worker per failed test let
    one endless loop cost the call limit once per test of the task)."""

    def __init__(
        self,
        sandbox: Sandbox,
        cells: tuple[CellCode, ...],
        policy: Policy,
        call_timeout: float,
        load_timeout: float,
        budget: Budget | None = None,
    ) -> None:
        self.sandbox, self.cells, self.policy = sandbox, cells, policy
        self.call_timeout, self.load_timeout = call_timeout, load_timeout
        self.budget = budget
        # The worker refuses results over the policy's cap; a forged message over it is cut here.
        self.max_result_bytes = policy.max_result_bytes + (1 << 20)
        self.generation = 0
        self.confinement: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.failure: SandboxError | None = None  # why the worker ended, once it has
        self._channel: socket.socket | None = None
        self._pid = 0
        self._sequence = 0  # every request carries a number its reply must echo

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> None:
        self.begin()
        self.finish()

    def begin(self) -> None:
        """Fork the worker and queue its cells; ``finish`` waits for them to load. Beginning all
        of a submission's workers before finishing any lets them start up side by side."""
        self.stop()
        self.generation += 1
        self._channel, self._pid = self.sandbox.spawn(self.policy)
        wire_cells = [(c.label, [(s.source, s.line, s.soft) for s in c.statements]) for c in self.cells]
        try:  # read by the worker once it is confined; waits in the socket until then
            self._send(("load", wire_cells))
        except OSError:
            pass  # the worker is already gone: finish() says why

    def finish(self) -> None:
        ready = self._receive(self._limit(self.load_timeout), "starting the worker", expect=0)
        self.confinement = ready[1] if isinstance(ready, tuple) and len(ready) > 1 else {}
        if not isinstance(self.confinement, dict):
            self.confinement = {}
        reply = self._receive(self._limit(self.load_timeout), "loading the task cell", expect=self._sequence)
        self.warnings = self._reply(reply, "loading")

    def stop(self) -> None:
        if self._channel is None:
            return
        self._channel.close()
        self._channel = None
        self.sandbox.kill(self._pid)

    @property
    def alive(self) -> bool:
        return self._channel is not None

    # -- requests ----------------------------------------------------------------------------
    def request(self, message: tuple[Any, ...], what: str) -> Any:
        if self.failure is not None:
            raise type(self.failure)(f"{self.failure} (in an earlier call; this one was not run)")
        if self._channel is None:
            self.start()
        timeout = self._limit(self.call_timeout)
        try:
            self._send(message)
        except OSError:
            self._fail(WorkerCrashed(f"{what}: {describe_exit(self.sandbox.exit_status(self._pid))}"))
        return self._reply(self._receive(timeout, what, expect=self._sequence), what)

    def _limit(self, seconds: float) -> float:
        """A call's time limit, cut to what is left of the submission's budget."""
        if self.budget is None:
            return seconds
        left = self.budget.left()
        if left <= 0:
            self._fail(BudgetExceeded(self._budget_text()))
        return min(seconds, left)

    def _budget_text(self) -> str:
        seconds = self.budget.seconds if self.budget else 0
        return f"the submission's time budget of {seconds:g} s ran out (an endless loop in some task?)"

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self._channel is not None
        self._sequence += 1
        protocol.send_message(self._channel, codec.dumps((self._sequence, codec.to_wire(message))))

    def _reply(self, reply: Any, what: str) -> Any:
        if not isinstance(reply, tuple) or not reply or reply[0] not in ("ok", "err"):
            self._fail(ResultRejected(f"{what}: the worker sent a malformed reply"))
        if reply[0] == "err":
            raise StudentError(*reply[1:5])
        return reply[1] if len(reply) > 1 else None

    def _receive(self, timeout: float, what: str, expect: int) -> Any:
        """One reply, which must answer request number ``expect``: a worker that sends replies
        nobody asked for is cut off, never read from until the outer limit."""
        assert self._channel is not None
        generation = self.generation
        try:
            raw = protocol.recv_message(self._channel, timeout, self.max_result_bytes)
            numbered = codec.loads(raw)
            if type(numbered) is not tuple or len(numbered) != 2 or numbered[0] != expect:
                self._fail(ResultRejected(f"{what}: the worker sent a reply nobody asked for"))
            return codec.from_wire(numbered[1], lambda i, t: RemoteObject(self, i, t, generation))
        except protocol.ChannelTimeout:
            if self.budget is not None and self.budget.left() <= 0:
                self._fail(BudgetExceeded(f"{what}: {self._budget_text()}"))
            self._fail(WorkerTimeout(f"{what}: no answer within {timeout:g} s (an endless loop?)"))
        except protocol.MessageTooLarge as exc:
            self._fail(ResultRejected(f"{what}: the result is too large ({exc})"))
        except protocol.ChannelClosed:
            status = self.sandbox.exit_status(self._pid)
            self._fail(WorkerCrashed(f"{what}: {describe_exit(status)}"))
        except codec.DecodeError as exc:
            self._fail(ResultRejected(f"{what}: the result is not plain data ({exc})"))

    def _fail(self, error: SandboxError) -> NoReturn:
        self.stop()
        self.failure = error
        raise error


class RemoteObject:
    """A handle to an object in the worker. Attribute reads, calls, ``len`` and iteration are
    remote; what comes back is plain data or another handle."""

    def __init__(self, worker: Worker, handle_id: int, type_name: str, generation: int) -> None:
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_id", handle_id)
        object.__setattr__(self, "_type_name", type_name)
        object.__setattr__(self, "_generation", generation)

    def _check(self) -> int:
        if self._generation != self._worker.generation or not self._worker.alive:
            raise WorkerCrashed(f"this {self._type_name} lived in a worker that has since ended")
        return self._id

    def as_handle(self) -> codec.Handle:
        """How the codec sends this proxy back to its worker as an argument."""
        return codec.Handle(self._check(), self._type_name)

    def _target(self) -> tuple[Worker, int | None, str | None, str]:
        return self._worker, self._check(), None, f"calling a {self._type_name}"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._worker.request(("getattr", self._check(), name), f"reading .{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self, args, kwargs)

    def __len__(self) -> int:
        try:
            n = self._worker.request(("call", self._check(), "__len__", [], {}, "plain"), "len()")
        except StudentError as exc:  # no __len__ (a generator, a map): as len() of it would say
            if exc.is_a("AttributeError"):
                raise TypeError(f"object of type {self._type_name!r} has no len()") from None
            raise
        if type(n) is not int or n < 0:
            raise ResultRejected(f"len() of a {self._type_name} returned {n!r}, not an int")
        return n

    def __iter__(self) -> Iterator[Any]:
        items = self._worker.request(("list", self._check()), f"iterating a {self._type_name}")
        return iter(items)

    def __repr__(self) -> str:
        return f"<remote {self._type_name} #{self._id}>"


class RemoteFunction:
    def __init__(self, worker: Worker, name: str) -> None:
        self._worker, self._name = worker, name

    def _target(self) -> tuple[Worker, int | None, str | None, str]:
        return self._worker, None, self._name, f"{self._name}()"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self, args, kwargs)

    def with_grad(self, *args: Any, **kwargs: Any) -> tuple[Any, list[Any], dict[str, Any]]:
        """Call, then backpropagate from the (scalar) result inside the worker; returns the result
        and the ``.grad`` of every argument that was sent with ``requires_grad=True``."""
        return call(self, args, kwargs, mode="grad")


Callee = RemoteFunction | RemoteObject


def call(callee: Callee, args: tuple[Any, ...], kwargs: dict[str, Any], mode: str = "plain") -> Any:
    """One call of a student function or object in its worker. ``mode``: "plain" returns the
    result; "grad" also backpropagates from it and returns ``(result, arg_grads, kwarg_grads)``;
    "inspect" returns ``(result, args_after, kwargs_after)``, the arguments as the call left them
    (every comparison with what was sent is made by the caller, in the trusted process)."""
    worker, target, attr, what = callee._target()
    return worker.request(("call", target, attr, list(args), kwargs, mode), what)


def call_repeatedly(callee: Callee, times: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """``times`` calls in one round trip (for rates measured over many random draws); the
    results come back as plain data, to be measured in the trusted process."""
    worker, target, attr, what = callee._target()
    return worker.request(("repeat", target, attr, times, list(args), kwargs), f"{what} x{times}")


_REMOVED = {
    "define": "no test code runs in a worker any more; build objects with student.new(...), draw "
    "with call_repeatedly(...), and compute every check in the test (docs/authoring.md)",
    "names": "read the names a task must define from tasks.toml",
}


class RemoteNamespace:
    """What a hidden test sees as ``student``: the task's names, callable remotely."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _REMOVED:  # a hidden test of an older kit: the course's problem, not the student's
            raise AttributeError(f"student.{name} no longer exists: {_REMOVED[name]}")
        return RemoteFunction(self._worker, name)

    def value(self, name: str) -> Any:
        """A module-level constant of the student's cell, as plain data."""
        return self._worker.request(("get", name), f"reading {name}")

    def new(self, path: str, *args: Any, **kwargs: Any) -> Any:
        """Build or call a library object inside the worker, e.g. ``new("torch.nn:Linear", 4, 3)``
        or ``new("torch:rand", 3)``; library code only, never test code."""
        return self._worker.request(("new", path, list(args), kwargs), f"building {path}")

    def generator(self, seed: int) -> RemoteObject:
        """A ``torch.Generator`` in the worker, seeded: pass it as a ``generator`` argument."""
        gen = self.new("torch:Generator")
        return gen.manual_seed(seed)
