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


class DecodeError(Exception):
    """A message from the worker is not plain data (or is malformed): the call fails."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the worker (a queue, a module, a transform)."""

    id: int
    type_name: str


def _plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """Copy out of any subclass, view or autograd graph into a contiguous plain CPU tensor."""
    if type(t) is not torch.Tensor:
        t = t.as_subclass(torch.Tensor)
    return t.detach().to("cpu").contiguous().clone()


def to_wire(value: Any, make_handle: Callable[[Any], Handle] | None = None, depth: int = 0) -> Any:
    """Turn a value into wire form. Objects that are not plain data become handles (worker side)
    or raise ``TypeError`` when ``make_handle`` is None (trusted side sends only plain data)."""
    if depth > MAX_DEPTH:
        raise TypeError("value is nested too deeply to send")
    if value is None or type(value) in (bool, int, float, str, bytes):
        return value
    as_handle = getattr(type(value), "as_handle", None)  # a trusted-side proxy (RemoteObject)
    if as_handle is not None:
        value = as_handle(value)
    if isinstance(value, Handle):
        return ("h", value.id, value.type_name)
    if isinstance(value, torch.Tensor):
        leaf_grad = bool(value.requires_grad and value.is_leaf)
        return ("t", _plain_tensor(value), leaf_grad)
    if isinstance(value, torch.dtype):
        return ("dt", str(value).removeprefix("torch."))
    if isinstance(value, torch.device):
        return ("dev", str(value))
    if isinstance(value, slice):
        return ("sl", *(to_wire(v, make_handle, depth + 1) for v in (value.start, value.stop, value.step)))
    np = _numpy()
    if np is not None:
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            return ("nd", torch.from_numpy(np.ascontiguousarray(value).copy()))
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return value.item()
    if isinstance(value, bool | int | float | str) and make_handle is not None:
        # Subclasses of plain types (IntEnum, float subclasses): keep the value, drop the class.
        for base in (bool, int, float, str):
            if isinstance(value, base):
                return base(value)
    if type(value) in (list, tuple) or (make_handle is not None and isinstance(value, list | tuple)):
        items = [to_wire(v, make_handle, depth + 1) for v in value]
        return items if isinstance(value, list) else ("T", items)
    if type(value) is dict or (make_handle is not None and isinstance(value, dict)):
        return (
            "d",
            [
                (to_wire(k, make_handle, depth + 1), to_wire(v, make_handle, depth + 1))
                for k, v in value.items()
            ],
        )
    if make_handle is None:
        raise TypeError(f"cannot send a {type(value).__name__} to the worker: only plain data")
    handle = make_handle(value)
    return ("h", handle.id, handle.type_name)


def from_wire(node: Any, resolve_handle: Callable[[int, str], Any], depth: int = 0) -> Any:
    """Rebuild a value from wire form, accepting only the exact types listed in the module doc."""
    if depth > MAX_DEPTH:
        raise DecodeError("message nested too deeply")
    kind = type(node)
    if node is None or kind in (bool, int, str, bytes):
        return node
    if kind is float:
        return node
    if kind is list:
        return [from_wire(v, resolve_handle, depth + 1) for v in node]
    if kind is not tuple or not node or type(node[0]) is not str:
        raise DecodeError(f"unexpected {kind.__name__} in message")
    tag, rest = node[0], node[1:]
    if tag == "T" and len(rest) == 1 and type(rest[0]) is list:
        return tuple(from_wire(v, resolve_handle, depth + 1) for v in rest[0])
    if tag == "d" and len(rest) == 1 and type(rest[0]) is list:
        out = {}
        for pair in rest[0]:
            if type(pair) is not tuple or len(pair) != 2:
                raise DecodeError("malformed dict entry")
            key = from_wire(pair[0], resolve_handle, depth + 1)
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise DecodeError("unhashable dict key")
            out[key] = from_wire(pair[1], resolve_handle, depth + 1)
        return out
    if tag in ("t", "nd"):
        tensor = rest[0] if rest else None
        if (
            not isinstance(tensor, torch.Tensor)
            or type(tensor) not in (torch.Tensor, torch.nn.Parameter)
            or tensor.layout != torch.strided
        ):
            raise DecodeError("malformed tensor")
        plain = tensor.detach().clone() if type(tensor) is not torch.Tensor else tensor
        if tag == "nd":
            return plain.numpy()
        if len(rest) == 2 and rest[1] is True and plain.is_floating_point():
            plain.requires_grad_(True)
        return plain
    if tag == "h" and len(rest) == 2 and type(rest[0]) is int and type(rest[1]) is str:
        return resolve_handle(rest[0], rest[1])
    if tag == "dt" and len(rest) == 1 and type(rest[0]) is str:
        dtype = getattr(torch, rest[0], None)
        if not isinstance(dtype, torch.dtype):
            raise DecodeError(f"unknown dtype {rest[0]!r}")
        return dtype
    if tag == "dev" and len(rest) == 1 and type(rest[0]) is str:
        return torch.device(rest[0])
    if tag == "sl" and len(rest) == 3:
        parts = [from_wire(v, resolve_handle, depth + 1) for v in rest]
        if any(p is not None and type(p) is not int for p in parts):
            raise DecodeError("malformed slice")
        return slice(*parts)
    raise DecodeError(f"unknown tag {tag!r} in message")


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
