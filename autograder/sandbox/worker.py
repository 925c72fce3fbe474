"""The loop inside the sandbox: load a task's cells, then answer remote calls until told to stop.

Everything here runs *after* ``confine_worker``: it is untrusted territory. Requests from the
trusted side are decoded with the same safe codec; replies are plain data or handles.
"""

from __future__ import annotations

import builtins
import importlib
import io
import os
import random
import socket
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

import numpy
import torch

from autograder.sandbox import codec, protocol
from autograder.sandbox.confine import Confinement, Policy, confine_worker

MAX_TEXT = 2000  # characters of a student's exception message (the grader caps it again)
MAX_TYPE_NAME = 100
MAX_MRO = 20  # base classes named, so a test can ask "is it a ValueError?"
MAX_FRAMES = 5  # the student's innermost traceback frames


class ResultTooLarge(Exception):
    pass


class _Sink(io.TextIOBase):
    """Student prints go nowhere (tens of megabytes of output cost nothing)."""

    def write(self, s: str) -> int:
        return len(s)

    def writable(self) -> bool:
        return True


class WorkerState:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.objects: dict[int, Any] = {}
        self.next_id = 1

    def handle(self, obj: Any) -> codec.Handle:
        for known_id, known in self.objects.items():
            if known is obj:
                return codec.Handle(known_id, _type_name(obj))
        self.objects[self.next_id] = obj
        self.next_id += 1
        return codec.Handle(self.next_id - 1, _type_name(obj))

    def resolve(self, handle_id: int, _type_name: str) -> Any:
        if handle_id not in self.objects:
            raise KeyError(f"unknown handle {handle_id}")
        return self.objects[handle_id]

    # -- operations ---------------------------------------------------------------------------
    def load(self, cells: list[tuple[str, list[tuple[str, int, bool]]]]) -> list[str]:
        """Run each cell's kept statements. A 'soft' statement (an assignment) that fails is a
        warning; an import or definition that fails makes the whole task fail at import."""
        warnings = []
        for label, statements in cells:
            for source, line, soft in statements:
                # As Jupyter compiles the cell: not with this module's own `from __future__ import
                # annotations`; a cell's future imports travel in `source` (extract puts them there).
                code = compile("\n" * (line - 1) + source, label, "exec", dont_inherit=True)
                try:
                    exec(code, self.namespace)
                except BaseException as exc:  # noqa: B036 - SystemExit in a cell is the cell's error
                    if not soft or not isinstance(exc, Exception):  # exiting at import is fatal
                        raise
                    warnings.append(f"{label}, line {line}: skipped ({_describe(exc)})")
        return warnings

    def call(
        self, target: int | None, attr: str | None, args: list[Any], kwargs: dict[str, Any], mode: str
    ) -> Any:
        fn = self._lookup(target, attr)
        result = fn(*args, **kwargs)
        if mode == "inspect":  # the arguments as the call left them; the grader compares
            return result, args, kwargs
        if mode != "grad":
            return result
        if isinstance(result, torch.Tensor) and result.requires_grad:
            result.backward()
        grad = [a.grad if isinstance(a, torch.Tensor) and a.requires_grad else None for a in args]
        kgrad = {
            k: v.grad if isinstance(v, torch.Tensor) and v.requires_grad else None for k, v in kwargs.items()
        }
        return result, grad, kgrad

    def repeat(
        self, target: int | None, attr: str | None, times: int, args: list[Any], kwargs: dict[str, Any]
    ) -> list[Any]:
        fn = self._lookup(target, attr)
        return [fn(*args, **kwargs) for _ in range(times)]

    def _lookup(self, target: int | None, attr: str | None) -> Any:
        if target is None:
            if attr not in self.namespace:
                raise NameError(f"name {attr!r} is not defined")
            return self.namespace[attr]
        obj = self.objects[target]
        return obj if attr is None else getattr(obj, attr)

    def new(self, path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module_name, _, rest = path.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in filter(None, rest.split(".")):
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    def serve(self, request: tuple[Any, ...]) -> Any:
        op, *rest = request
        if op == "load":
            return self.load(*rest)
        if op == "call":
            return self.call(*rest)
        if op == "repeat":
            return self.repeat(*rest)
        if op == "get":
            return self._lookup(None, rest[0])
        if op == "getattr":
            return getattr(self._lookup(rest[0], None), rest[1])
        if op == "list":
            return list(self._lookup(rest[0], None))
        if op == "new":
            return self.new(*rest)
        raise ValueError(f"unknown request {op!r}")


def _type_name(obj: Any) -> str:
    try:
        return str(type(obj).__name__)[:MAX_TYPE_NAME]
    except Exception:
        return "object"


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<unprintable message>"
    return f"{_type_name(exc)}: {text[:MAX_TEXT]}" if text else _type_name(exc)


def _error_reply(exc: BaseException) -> tuple[Any, ...]:
    try:
        mro = [c.__name__ for c in type(exc).__mro__][:MAX_MRO]
    except Exception:
        mro = []
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<task")]
    where = [f"{f.filename}, line {f.lineno}, in {f.name}" for f in frames[-MAX_FRAMES:]]
    return ("err", _type_name(exc), [str(m) for m in mro], _describe(exc), where)


def main(channel: socket.socket, policy: Policy, mode: str, scratch: Path | None, cpu: str) -> NoReturn:
    """Entered in the forked worker; never returns."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    serve(channel, policy, confine_worker(policy, mode, scratch, cpu))


def serve(channel: socket.socket, policy: Policy, confinement: Confinement) -> NoReturn:
    """The loop, once the worker is confined (``main``) or, on the portable path, set up
    (``portable.worker_main``); never returns."""
    sys.stdout = sys.stderr = _Sink()
    torch.set_num_threads(policy.threads)
    torch.manual_seed(policy.seed)  # forked workers would otherwise all share the template's state
    numpy.random.seed(policy.seed % 2**32)
    random.seed(policy.seed)
    state = WorkerState()
    protocol.send_message(channel, codec.dumps((0, codec.to_wire(("ready", confinement.as_dict())))))
    while True:
        try:
            raw = protocol.recv_message(channel)
        except protocol.ChannelClosed:
            os._exit(0)
        number = 0
        try:
            number, wire_request = codec.loads(raw)
            request = codec.from_wire(wire_request, state.resolve)
            reply: Any = ("ok", state.serve(request))
        except BaseException as exc:  # noqa: B036 - every student exception becomes a reply
            reply = _error_reply(exc)
        try:
            wire = codec.to_wire(reply, state.handle)
            size = codec.tensor_bytes(wire)
            if size > policy.max_result_bytes:
                raise ResultTooLarge(
                    f"the result holds {size >> 20} MiB of tensors, over the "
                    f"{policy.max_result_bytes >> 20} MiB a result may carry"
                )
            payload = codec.dumps((number, wire))
        except BaseException as exc:  # noqa: B036 - e.g. a result whose conversion raises
            payload = codec.dumps((number, codec.to_wire(_error_reply(exc), state.handle)))
        protocol.send_message(channel, payload)
