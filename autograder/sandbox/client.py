"""The trusted side of the sandbox: the zygote, one ``Worker`` per task, and the proxies.

A hidden test never touches student objects: it calls ``student.nt_xent_loss(z1, z2)`` on a
``RemoteNamespace``; the call travels as plain data, runs in the worker, and the result comes back
through the safe decoder. Objects that are not plain data stay in the worker and come back as
``RemoteObject`` handles whose attributes and methods are remote too.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from autograder.sandbox import codec, protocol
from autograder.sandbox.confine import Policy
from autograder.sandbox.template import Sandbox


class SandboxError(Exception):
    """A remote call did not produce a value; the message is the readable reason."""


class StudentError(SandboxError):
    """The student's code raised an exception."""

    def __init__(self, type_name: str, mro: list[str], message: str, where: list[str]) -> None:
        location = f" ({where[-1]})" if where else ""
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


@dataclass(frozen=True)
class Statement:
    source: str
    line: int
    soft: bool  # an assignment: failing is a warning, not an import error


@dataclass(frozen=True)
class CellCode:
    label: str  # the traceback filename: "<task nt_xent, cell 14>"
    statements: tuple[Statement, ...]


def describe_exit(status: int | None) -> str:
    if status is None:
        return "the worker process ended"
    if status == 128 + signal.SIGXCPU:
        return "the worker used up its CPU-time limit"
    if status > 128:
        name = (
            signal.Signals(status - 128).name
            if status - 128 in signal.Signals._value2member_map_
            else status - 128
        )
        hint = " (out of memory?)" if status - 128 == signal.SIGKILL else ""
        return f"the worker process was killed by {name}{hint}"
    return f"the worker process exited with code {status} (sys.exit / os._exit in student code?)"


class Worker:
    """The worker that serves one task. Starts on first use; after a crash or a time-out the next
    request starts a fresh one (handles into the old one then raise)."""

    def __init__(
        self,
        sandbox: Sandbox,
        cells: tuple[CellCode, ...],
        policy: Policy,
        call_timeout: float = 20.0,
        load_timeout: float = 60.0,
    ) -> None:
        self.sandbox, self.cells, self.policy = sandbox, cells, policy
        self.call_timeout, self.load_timeout = call_timeout, load_timeout
        # The worker refuses results over the policy's cap; a forged message over it is cut here.
        self.max_result_bytes = policy.max_result_bytes + (1 << 20)
        self.generation = 0
        self.confinement: dict[str, Any] = {}
        self.warnings: list[str] = []
        self._channel: socket.socket | None = None
        self._pid = 0

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
            protocol.send_message(self._channel, codec.dumps(codec.to_wire(("load", wire_cells))))
        except OSError:
            pass  # the worker is already gone: finish() says why

    def finish(self) -> None:
        ready = self._receive(self.load_timeout, "starting the worker")
        self.confinement = ready[1] if isinstance(ready, tuple) else {}
        self.warnings = self._reply(self._receive(self.load_timeout, "loading the task cell"), "loading")

    def stop(self) -> None:
        if self._channel is None:
            return
        self._channel.close()
        self._channel = None
        try:
            os.killpg(self._pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    @property
    def alive(self) -> bool:
        return self._channel is not None

    # -- requests ----------------------------------------------------------------------------
    def request(self, message: tuple[Any, ...], what: str, timeout: float | None = None) -> Any:
        if self._channel is None:
            self.start()
        return self._roundtrip(message, timeout or self.call_timeout, what)

    def _roundtrip(self, message: tuple[Any, ...], timeout: float, what: str) -> Any:
        assert self._channel is not None
        protocol.send_message(self._channel, codec.dumps(codec.to_wire(message)))
        return self._reply(self._receive(timeout, what), what)

    def _reply(self, reply: Any, what: str) -> Any:
        if not isinstance(reply, tuple) or not reply or reply[0] not in ("ok", "err"):
            self._fail(ResultRejected(f"{what}: the worker sent a malformed reply"))
        if reply[0] == "err":
            raise StudentError(*reply[1:5])
        return reply[1] if len(reply) > 1 else None

    def _receive(self, timeout: float, what: str) -> Any:
        assert self._channel is not None
        generation = self.generation
        try:
            raw = protocol.recv_message(self._channel, timeout, self.max_result_bytes)
            return codec.from_wire(codec.loads(raw), lambda i, t: RemoteObject(self, i, t, generation))
        except protocol.ChannelTimeout:
            self._fail(WorkerTimeout(f"{what}: no answer within {timeout:g} s (an endless loop?)"))
        except protocol.MessageTooLarge as exc:
            self._fail(ResultRejected(f"{what}: the result is too large ({exc})"))
        except protocol.ChannelClosed:
            status = self.sandbox.exit_status(self._pid)
            self._fail(WorkerCrashed(f"{what}: {describe_exit(status)}"))
        except codec.DecodeError as exc:
            self._fail(ResultRejected(f"{what}: the result is not plain data ({exc})"))

    def _fail(self, error: SandboxError) -> Any:
        self.stop()
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

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._worker.request(("getattr", self._check(), name), f"reading .{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._worker.request(
            ("call", self._check(), None, list(args), kwargs, False), f"calling a {self._type_name}"
        )

    def __len__(self) -> int:
        n = self._worker.request(("call", self._check(), "__len__", [], {}, False), "len()")
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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._worker.request(("call", None, self._name, list(args), kwargs, False), f"{self._name}()")

    def with_grad(self, *args: Any, **kwargs: Any) -> tuple[Any, list[Any], dict[str, Any]]:
        """Call, then backpropagate from the (scalar) result inside the worker; returns the result
        and the ``.grad`` of every argument that was sent with ``requires_grad=True``."""
        return self._worker.request(
            ("call", None, self._name, list(args), kwargs, True), f"{self._name}() with backward()"
        )


class RemoteNamespace:
    """What a hidden test sees as ``student``: the task's names, callable remotely."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        return RemoteFunction(self._worker, name)

    def value(self, name: str) -> Any:
        """A module-level constant of the student's cell, as plain data."""
        return self._worker.request(("get", name), f"reading {name}")

    def names(self) -> list[str]:
        return self._worker.request(("names",), "listing the defined names")

    def new(self, path: str, *args: Any, **kwargs: Any) -> Any:
        """Build a library object inside the worker, e.g. ``new("torch.nn:Linear", 4, 3)``."""
        return self._worker.request(("new", path, list(args), kwargs), f"building {path}")

    def define(self, source: str) -> RemoteObject:
        """Run trusted helper code inside the worker; its functions can take student handles."""
        return self._worker.request(("define", source), "defining a grader helper")

    def generator(self, seed: int) -> RemoteObject:
        """A ``torch.Generator`` in the worker, seeded: pass it as a ``generator`` argument."""
        gen = self.new("torch:Generator")
        return gen.manual_seed(seed)
