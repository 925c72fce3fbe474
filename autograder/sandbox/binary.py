"""The byte format of a wire tree: a small tagged encoding that only knows plain data.

A message is one node; every node starts with a one-byte tag:

    N  None          T / F  True / False     i  int (8 bytes)     I  int (u32 length + bytes)
    f  float (8 bytes)                       s  str (u32 length + UTF-8)
    b  bytes (u32 length + data)             l / u  list / tuple (u32 count + nodes)
    x  tensor: u8 dtype code, u8 ndim, ndim × u64 sizes, the elements' bytes (C order)

The decoder builds nothing but these types, checks every length against the bytes that are left
and every tensor's size against its shape, and refuses a message of more than ``MAX_NODES`` nodes
before building them, so a forged or truncated message from a worker is a ``DecodeError``, never
an object of the worker's choosing, nor ten million of them.

Any tensor encodes, whatever its layout (a view with any strides, an expanded or transposed one,
one element seen through a step, a lazy conjugate or negation): its elements are written in C
order. A decoded tensor is an ordinary one: a fresh, contiguous, writable leaf that owns its
memory (no ``._base``, a resizable storage of exactly its elements), like one from ``torch.empty``.

It replaced ``torch.save`` and ``torch.load(weights_only=True)``, which cost about a millisecond
per message on each side, most of a small call's round trip.
"""

from __future__ import annotations

import math
import struct
import sys
from typing import Any

import torch

MAX_DEPTH = 200  # wire trees nest at most codec.MAX_DEPTH values, each at most a few nodes deep
# Nodes in one message: a root plus every list's items (a tensor is one node). Real results hold a
# few thousand at most; a worker that answers with ten million ``None`` is refused at the header of
# the list that would exceed this, before any of its items is built.
MAX_NODES = 1_000_000
# Tensors among them: building one costs about a hundred times a ``None`` (10-20 µs here), so a
# message of a million 0-d tensors would hold the grader for half a minute. Refused as they come.
MAX_TENSORS = 100_000
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_DTYPES = [
    getattr(torch, name)
    for name in (
        "float32", "float64", "float16", "bfloat16", "complex64", "complex128", "int8", "int16",
        "int32", "int64", "uint8", "bool", "uint16", "uint32", "uint64",
    )
    if isinstance(getattr(torch, name, None), torch.dtype)
]  # fmt: skip
_DTYPE_CODE = {dtype: code for code, dtype in enumerate(_DTYPES)}


class FormatError(Exception):
    """The bytes are not a well-formed message."""


def encode(node: Any) -> bytes:
    """The message for a tree of plain data; ``TypeError`` for anything else, ``ValueError`` for a
    tree of more than ``MAX_NODES`` nodes or ``MAX_TENSORS`` tensors (which ``decode`` refuses)."""
    parts: list[bytes] = []
    _encode(node, parts.append, [MAX_NODES - 1, MAX_TENSORS])
    return b"".join(parts)


def _encode(node: Any, out: Any, budget: list[int]) -> None:
    kind = type(node)
    if node is None:
        out(b"N")
    elif kind is bool:
        out(b"T" if node else b"F")
    elif kind is int:
        if -(1 << 63) <= node < (1 << 63):
            out(b"i" + _I64.pack(node))
        else:
            data = node.to_bytes((node.bit_length() + 8) // 8, "little", signed=True)
            out(b"I" + _U32.pack(len(data)) + data)
    elif kind is float:
        out(b"f" + _F64.pack(node))
    elif kind is str:
        data = node.encode("utf-8", "surrogatepass")
        out(b"s" + _U32.pack(len(data)) + data)
    elif kind is bytes:
        out(b"b" + _U32.pack(len(node)) + node)
    elif kind is list or kind is tuple:
        budget[0] -= len(node)
        if budget[0] < 0:
            raise ValueError(f"a message holds at most {MAX_NODES} nodes")
        out((b"l" if kind is list else b"u") + _U32.pack(len(node)))
        for item in node:
            _encode(item, out, budget)
    elif kind is torch.Tensor:
        code = _DTYPE_CODE.get(node.dtype)
        if code is None or node.layout != torch.strided or node.device.type != "cpu":
            raise TypeError(f"cannot send a {node.dtype} {node.layout} tensor on {node.device}")
        budget[1] -= 1
        if budget[1] < 0:
            raise ValueError(f"a message holds at most {MAX_TENSORS} tensors")
        out(b"x" + bytes((code, node.dim())) + b"".join(_U64.pack(s) for s in node.shape))
        out(_element_bytes(node))
    else:
        raise TypeError(f"cannot encode a {kind.__name__}")


def _element_bytes(tensor: torch.Tensor) -> bytes:
    """The elements in C order, whatever the layout: strides of any kind (a step, stride 0 of an
    ``expand``, a transpose, a one-element view with a step) and the lazy conjugate and negative
    bits are all resolved by a copy when needed."""
    n = tensor.numel()
    if n == 0:
        return b""
    dense = tensor.resolve_conj().resolve_neg().contiguous()
    # ``contiguous`` ignores the strides of size-1 dimensions (``x[:, 0]`` of a 1×3 tensor is
    # "contiguous" with stride 3), which ``view(torch.uint8)`` refuses; the elements of a
    # contiguous tensor are n consecutive ones from its offset, so restride them as such.
    flat = dense.as_strided((n,), (1,))
    return flat.view(torch.uint8).numpy().tobytes()


def decode(data: bytes) -> Any:
    reader = _Reader(memoryview(data))
    node = reader.node(0)
    if reader.at != len(data):
        raise FormatError("trailing bytes after the message")
    return node


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0
        self.nodes = 1  # the root; every list adds its count when its header is read
        self.tensors = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.at + n > len(self.data):
            raise FormatError("message ends early")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def unpack(self, fmt: struct.Struct) -> Any:
        return fmt.unpack(self.take(fmt.size))[0]

    def node(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise FormatError("message nested too deeply")
        tag = bytes(self.take(1))
        if tag == b"N":
            return None
        if tag in (b"T", b"F"):
            return tag == b"T"
        if tag == b"i":
            return self.unpack(_I64)
        if tag == b"I":
            return int.from_bytes(self.take(self.unpack(_U32)), "little", signed=True)
        if tag == b"f":
            return self.unpack(_F64)
        if tag == b"s":
            try:
                return str(self.take(self.unpack(_U32)), "utf-8", "surrogatepass")
            except UnicodeDecodeError:
                raise FormatError("malformed text") from None
        if tag == b"b":
            return bytes(self.take(self.unpack(_U32)))
        if tag in (b"l", b"u"):
            count = self.unpack(_U32)
            if count > len(self.data) - self.at:  # every node takes at least one byte
                raise FormatError("list longer than the message")
            self.nodes += count
            if self.nodes > MAX_NODES:
                raise FormatError(f"message of more than {MAX_NODES} nodes")
            items = [self.node(depth + 1) for _ in range(count)]
            return items if tag == b"l" else tuple(items)
        if tag == b"x":
            return self.tensor()
        raise FormatError(f"unknown tag {tag!r}")

    def tensor(self) -> torch.Tensor:
        self.tensors += 1
        if self.tensors > MAX_TENSORS:
            raise FormatError(f"message of more than {MAX_TENSORS} tensors")
        code, ndim = self.take(2)
        if code >= len(_DTYPES):
            raise FormatError("unknown tensor dtype")
        shape = [self.unpack(_U64) for _ in range(ndim)]
        dtype = _DTYPES[code]
        if math.prod(max(s, 1) for s in shape) > sys.maxsize:  # even with no elements: no strides
            raise FormatError("tensor shape too large")
        size = math.prod(shape) * dtype.itemsize
        if size > len(self.data) - self.at or size > sys.maxsize:
            raise FormatError("tensor larger than the message")
        raw = self.take(size)
        if not size:
            return torch.empty(shape, dtype=dtype)
        # An ordinary tensor: fresh, contiguous, writable, a leaf whose storage is its own (copied
        # by torch, resizable), not a view of a buffer (whose in-place ``detach_`` fails) nor one
        # shared with numpy (whose ``resize_`` fails).
        storage = torch.UntypedStorage.from_buffer(raw, dtype=torch.uint8)
        strides = [math.prod(shape[i + 1 :]) for i in range(ndim)]  # C order (no size is 0 here)
        if dtype is torch.bool:  # a byte other than 0 or 1 would be an invalid bool: normalise
            return torch.empty(0, dtype=torch.uint8).set_(storage, 0, shape, strides).ne(0)
        return torch.empty(0, dtype=dtype).set_(storage, 0, shape, strides)
