"""The byte format of a wire tree: a small tagged encoding that only knows plain data.

A message is one node; every node starts with a one-byte tag:

    N  None          T / F  True / False     i  int (8 bytes)     I  int (u32 length + bytes)
    f  float (8 bytes)                       s  str (u32 length + UTF-8)
    b  bytes (u32 length + data)             l / u  list / tuple (u32 count + nodes)
    x  tensor: u8 dtype code, u8 ndim, ndim × u64 sizes, the elements' bytes (C order)

The decoder builds nothing but these types, checks every length against the bytes that are left
and every tensor's size against its shape, so a forged or truncated message from a worker is a
``DecodeError``, never an object of the worker's choosing. It replaced ``torch.save`` and
``torch.load(weights_only=True)``, which cost about a millisecond per message on each side, most
of a small call's round trip.
"""

from __future__ import annotations

import math
import struct
import sys
from typing import Any

import torch

MAX_DEPTH = 200  # wire trees nest at most codec.MAX_DEPTH values, each at most a few nodes deep
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
    parts: list[bytes] = []
    _encode(node, parts.append)
    return b"".join(parts)


def _encode(node: Any, out: Any) -> None:
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
        out((b"l" if kind is list else b"u") + _U32.pack(len(node)))
        for item in node:
            _encode(item, out)
    elif kind is torch.Tensor:
        code = _DTYPE_CODE.get(node.dtype)
        if code is None or node.layout != torch.strided or node.device.type != "cpu":
            raise TypeError(f"cannot send a {node.dtype} {node.layout} tensor on {node.device}")
        flat = node.resolve_conj().resolve_neg().contiguous().reshape(-1)
        out(b"x" + bytes((code, node.dim())) + b"".join(_U64.pack(s) for s in node.shape))
        out(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"")
    else:
        raise TypeError(f"cannot encode a {kind.__name__}")


def decode(data: bytes) -> Any:
    reader = _Reader(memoryview(data))
    node = reader.node(0)
    if reader.at != len(data):
        raise FormatError("trailing bytes after the message")
    return node


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

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
            items = [self.node(depth + 1) for _ in range(count)]
            return items if tag == b"l" else tuple(items)
        if tag == b"x":
            return self.tensor()
        raise FormatError(f"unknown tag {tag!r}")

    def tensor(self) -> torch.Tensor:
        code, ndim = self.take(2)
        if code >= len(_DTYPES):
            raise FormatError("unknown tensor dtype")
        shape = [self.unpack(_U64) for _ in range(ndim)]
        dtype = _DTYPES[code]
        size = math.prod(shape) * dtype.itemsize
        if size > len(self.data) - self.at or size > sys.maxsize:
            raise FormatError("tensor larger than the message")
        raw = bytearray(self.take(size))  # a private, writable copy the tensor owns
        if not raw:
            return torch.empty(shape, dtype=dtype)
        elements = torch.frombuffer(raw, dtype=torch.uint8)
        if dtype is torch.bool:  # a byte other than 0 or 1 would be an invalid bool: normalise
            return elements.ne(0).reshape(shape)
        return elements.view(dtype).reshape(shape)
