"""Plain data on the wire between the trusted grader and a sandboxed worker.

Values are turned into a tree of tagged tuples that holds only tensors, numbers, strings, bytes and
lists, then written in the byte format of ``binary`` (which can encode nothing else). The trusted
side reads it back with ``binary.decode`` — which builds no object of an arbitrary class — and
then checks every node's *exact* type, so nothing the student defined (a subclass that lies through
``__eq__`` or ``__torch_function__``, a ``__reduce__`` payload) can reach the grader.

Tags (the first item of every tuple on the wire):
    ("T", [items])            a tuple            ("d", [(key, value), ...])  a dict
    ("t", tensor, req_grad)   a tensor           ("nd", tensor)              a numpy array
    ("h", id, type_name)      a handle to an object that stays in the worker
    ("dt", "float32")         a torch.dtype      ("dev", "cpu")              a torch.device
    ("sl", start, stop, step) a slice
Lists, None, bool, int, float, str and bytes travel as themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from autograder.sandbox import binary

MAX_DEPTH = 64
# Values in one message: the same bound as the byte format's (``to_wire`` counts the wire nodes it
# builds, as ``binary.decode`` does), so a result of ten million ``None`` — or a list that holds
# the same big list a million times — is refused while it is being converted, not sent.
MAX_NODES, MAX_TENSORS = binary.MAX_NODES, binary.MAX_TENSORS


class DecodeError(Exception):
    """A message from the worker is not plain data (or is malformed): the call fails."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the worker (a queue, a module, a transform)."""

    id: int
    type_name: str


def _plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """Out of any subclass and autograd graph, on the CPU. Not copied: ``binary.encode`` writes
    the elements in C order whatever the layout, so an expanded view is materialised (once) only
    after ``tensor_bytes`` has checked it against the size cap."""
    return t.detach().to("cpu")


def to_wire(value: Any, make_handle: Callable[[Any], Handle] | None = None) -> Any:
    """Turn a value into wire form. Objects that are not plain data become handles (worker side)
    or raise ``TypeError`` when ``make_handle`` is None (trusted side sends only plain data).
    A value of more than ``MAX_NODES`` wire nodes or ``MAX_TENSORS`` tensors raises ``ValueError``."""
    return _Sender(make_handle).convert(value, 0)


class _Sender:
    def __init__(self, make_handle: Callable[[Any], Handle] | None) -> None:
        self.make_handle, self.nodes, self.tensors = make_handle, 0, 0

    def spend(self, nodes: int, tensors: int = 0) -> None:
        self.nodes += nodes
        self.tensors += tensors
        if self.nodes > MAX_NODES or self.tensors > MAX_TENSORS:
            raise ValueError(
                f"the value holds more than a message may carry ({MAX_NODES} items, {MAX_TENSORS} tensors)"
            )

    def convert(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise TypeError("value is nested too deeply to send")
        make_handle = self.make_handle
        if value is None or type(value) in (bool, int, float, str, bytes):
            self.spend(1)
            return value
        as_handle = getattr(type(value), "as_handle", None)  # a trusted-side proxy (RemoteObject)
        if as_handle is not None:
            value = as_handle(value)
        if isinstance(value, Handle):
            self.spend(4)
            return ("h", value.id, value.type_name)
        if isinstance(value, torch.Tensor):
            self.spend(4, tensors=1)
            plain = value if type(value) is torch.Tensor else value.as_subclass(torch.Tensor)
            # Faithful for every tensor, not only leaves: a loss, or a queue kept without
            # ``detach``, arrives requiring grad (as a fresh leaf: its graph stays behind).
            return ("t", _plain_tensor(plain), plain.requires_grad)
        if isinstance(value, torch.dtype):
            self.spend(3)
            return ("dt", str(value).removeprefix("torch."))
        if isinstance(value, torch.device):
            self.spend(3)
            return ("dev", str(value))
        if isinstance(value, slice):
            self.spend(2)
            return ("sl", *(self.convert(v, depth + 1) for v in (value.start, value.stop, value.step)))
        np = _numpy()
        if np is not None:
            if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
                self.spend(3, tensors=1)
                return ("nd", torch.from_numpy(np.ascontiguousarray(value).copy()))
            if isinstance(value, np.generic) and value.dtype.kind in "biuf":
                self.spend(1)
                return value.item()
        if isinstance(value, bool | int | float | str) and make_handle is not None:
            # Subclasses of plain types (IntEnum, float subclasses): keep the value, drop the class.
            for base in (bool, int, float, str):
                if isinstance(value, base):
                    self.spend(1)
                    return base(value)
        if type(value) in (list, tuple) or (make_handle is not None and isinstance(value, list | tuple)):
            is_list = isinstance(value, list)
            self.spend(1 if is_list else 3)
            items = [self.convert(v, depth + 1) for v in value]
            return items if is_list else ("T", items)
        if type(value) is dict or (make_handle is not None and isinstance(value, dict)):
            self.spend(3)
            pairs = []
            for k, v in value.items():
                self.spend(1)
                pairs.append((self.convert(k, depth + 1), self.convert(v, depth + 1)))
            return ("d", pairs)
        if make_handle is None:
            raise TypeError(f"cannot send a {type(value).__name__} to the worker: only plain data")
        self.spend(4)
        handle = make_handle(value)
        return ("h", handle.id, handle.type_name)


def from_wire(node: Any, resolve_handle: Callable[[int, str], Any]) -> Any:
    """Rebuild a value from wire form, accepting only the exact types listed in the module doc.
    Bounded: at most ``MAX_DEPTH`` deep, ``MAX_NODES`` nodes visited and ``MAX_TENSORS`` tensors
    (a tree that shares a subtree many times is refused, not walked once per path)."""
    return _Receiver(resolve_handle).rebuild(node, 0)


class _Receiver:
    def __init__(self, resolve_handle: Callable[[int, str], Any]) -> None:
        self.resolve_handle, self.nodes, self.tensors = resolve_handle, 0, 0

    def rebuild(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise DecodeError("message nested too deeply")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DecodeError(f"message of more than {MAX_NODES} values")
        kind = type(node)
        if node is None or kind in (bool, int, float, str, bytes):
            return node
        if kind is list:
            return [self.rebuild(v, depth + 1) for v in node]
        if kind is not tuple or not node or type(node[0]) is not str:
            raise DecodeError(f"unexpected {kind.__name__} in message")
        tag, rest = node[0], node[1:]
        if tag == "T" and len(rest) == 1 and type(rest[0]) is list:
            return tuple(self.rebuild(v, depth + 1) for v in rest[0])
        if tag == "d" and len(rest) == 1 and type(rest[0]) is list:
            out = {}
            for pair in rest[0]:
                if type(pair) is not tuple or len(pair) != 2:
                    raise DecodeError("malformed dict entry")
                key = self.rebuild(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool, tuple) and key is not None:
                    raise DecodeError("unhashable dict key")
                out[key] = self.rebuild(pair[1], depth + 1)
            return out
        if (tag == "t" and len(rest) == 2 and type(rest[1]) is bool) or (tag == "nd" and len(rest) == 1):
            self.tensors += 1
            if self.tensors > MAX_TENSORS:
                raise DecodeError(f"message of more than {MAX_TENSORS} tensors")
            plain = _received_tensor(rest[0])
            if tag == "nd":
                return plain.numpy()
            if rest[1] and (plain.is_floating_point() or plain.is_complex()):
                plain.requires_grad_(True)
            return plain
        if tag == "h" and len(rest) == 2 and type(rest[0]) is int and type(rest[1]) is str:
            return self.resolve_handle(rest[0], rest[1])
        if tag == "dt" and len(rest) == 1 and type(rest[0]) is str:
            dtype = getattr(torch, rest[0], None)
            if not isinstance(dtype, torch.dtype):
                raise DecodeError(f"unknown dtype {rest[0]!r}")
            return dtype
        if tag == "dev" and len(rest) == 1 and type(rest[0]) is str:
            return torch.device(rest[0])
        if tag == "sl" and len(rest) == 3:
            parts = [self.rebuild(v, depth + 1) for v in rest]
            if any(p is not None and type(p) is not int for p in parts):
                raise DecodeError("malformed slice")
            return slice(*parts)
        raise DecodeError(f"unknown tag {tag!r} in message")


def _received_tensor(tensor: Any) -> torch.Tensor:
    """An ordinary tensor for the receiving side: a fresh, contiguous, writable leaf that owns its
    memory. ``binary.decode`` builds exactly that; a tensor that is not (a view, one in a graph or
    with a lazy conjugate: only in a tree built in memory, never read from bytes) is copied into
    one. Anything but an exact ``torch.Tensor`` (a subclass, a Parameter) is refused."""
    if type(tensor) is not torch.Tensor or tensor.layout != torch.strided:
        raise DecodeError("malformed tensor")
    if (
        tensor.requires_grad
        or tensor._base is not None
        or not tensor.is_contiguous()
        or tensor.is_conj()
        or tensor.is_neg()
    ):
        return tensor.detach().resolve_conj().resolve_neg().clone(memory_format=torch.contiguous_format)
    return tensor


def tensor_bytes(wire: Any) -> int:
    """Bytes of tensor data in a wire tree (checked before a large result is serialised)."""
    if isinstance(wire, torch.Tensor):
        return wire.numel() * wire.element_size()
    if isinstance(wire, list | tuple):
        return sum(tensor_bytes(v) for v in wire)
    return 0


def dumps(wire: Any) -> bytes:
    return binary.encode(wire)


def loads(data: bytes) -> Any:
    """The safe decoder: no arbitrary class is ever constructed."""
    try:
        return binary.decode(data)
    except Exception as exc:  # a forged or truncated message
        raise DecodeError(f"message could not be decoded safely ({type(exc).__name__}: {exc})") from None


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy ships with torch
        return None
    return numpy
