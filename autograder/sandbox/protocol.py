"""Length-prefixed messages over a stream socket (Unix; loopback TCP on the portable path), with a
deadline and a size cap on reads."""

from __future__ import annotations

import socket
import struct
import time

HEADER = struct.Struct("!Q")


class ChannelClosed(Exception):
    """The other end went away (the worker exited, crashed or was killed)."""


class ChannelTimeout(Exception):
    """No complete message arrived before the deadline."""


class MessageTooLarge(Exception):
    """The other end announced a message above the cap."""

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"{size} bytes, over the {cap}-byte cap")
        self.size, self.cap = size, cap


def send_message(sock: socket.socket, payload: bytes) -> None:
    sock.settimeout(None)
    sock.sendall(HEADER.pack(len(payload)) + payload)


def recv_message(sock: socket.socket, timeout: float | None = None, max_bytes: int = 1 << 40) -> bytes:
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size, deadline))
    if size > max_bytes:
        raise MessageTooLarge(size, max_bytes)
    return _recv_exactly(sock, size, deadline)


def _recv_exactly(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = n
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout()
            sock.settimeout(left)
        try:
            chunk = sock.recv(min(remaining, 1 << 20))
        except TimeoutError:
            raise ChannelTimeout() from None
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):  # aborted: Windows
            raise ChannelClosed() from None
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
