"""The wire codec: plain data round-trips, anything else is refused by the trusted decoder."""

from __future__ import annotations

import io
import pickle
import struct

import numpy as np
import pytest
import torch

from autograder.sandbox import binary, codec


def roundtrip(value):
    handles = {}

    def make_handle(obj):
        handles[id(obj)] = obj
        return codec.Handle(id(obj) % 1000, type(obj).__name__)

    wire = codec.to_wire(value, make_handle)
    return codec.from_wire(codec.loads(codec.dumps(wire)), lambda i, t: ("handle", i, t))


def test_plain_values__round_trip_with_their_types():
    value = {
        "a": [1, 2.5, None, True, "s", b"b"],
        3: (torch.arange(4), torch.float64, torch.device("cpu")),
        "sl": slice(1, None, 2),
    }
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s", b"b"]
    assert isinstance(back[3], tuple) and torch.equal(back[3][0], torch.arange(4))
    assert back[3][1] is torch.float64 and back["sl"] == slice(1, None, 2)


def test_numpy__arrays_and_scalars_arrive_as_numpy_and_python_numbers():
    back = roundtrip([np.arange(3.0), np.float64(1.5), np.int64(7)])
    assert isinstance(back[0], np.ndarray) and back[0].tolist() == [0.0, 1.0, 2.0]
    assert back[1] == 1.5 and type(back[1]) is float and back[2] == 7 and type(back[2]) is int


def test_tensor_subclass__arrives_as_a_plain_tensor():
    class Sneaky(torch.Tensor):
        pass

    back = roundtrip(torch.ones(2).as_subclass(Sneaky))
    assert type(back) is torch.Tensor and torch.equal(back, torch.ones(2))


def test_views_and_graphs__arrive_detached_and_contiguous():
    x = torch.randn(4, 4, requires_grad=True)
    back = roundtrip((x * 2).T[1:])
    assert back.is_contiguous() and back.grad_fn is None and not back.requires_grad


def test_unknown_objects__become_handles():
    class Queue:
        pass

    assert roundtrip(Queue())[0] == "handle"


def test_trusted_side__refuses_to_send_objects():
    with pytest.raises(TypeError, match="only plain data"):
        codec.to_wire(object())


class _Payload:
    def __reduce__(self):
        return (print, ("pwned",))


def test_forged_pickle__is_rejected_by_the_decoder():
    buffer = io.BytesIO()
    torch.save(_Payload(), buffer)
    with pytest.raises(codec.DecodeError):
        codec.loads(buffer.getvalue())
    with pytest.raises(codec.DecodeError):
        codec.loads(pickle.dumps(_Payload()))
    with pytest.raises(codec.DecodeError):
        codec.loads(b"not a message")


@pytest.mark.parametrize("wire", [("zz", 1), {"dict": "raw"}, ("h", "1", "x"), ("t", [1, 2]), 1j])
def test_malformed_wire__is_rejected(wire):
    with pytest.raises(codec.DecodeError):
        codec.from_wire(wire, lambda i, t: None)


# -- the byte format -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tensor",
    [
        torch.arange(6, dtype=torch.float32).reshape(2, 3),
        torch.tensor(2.5, dtype=torch.float64),  # 0-d
        torch.empty(0, 4, dtype=torch.int64),  # no elements
        torch.tensor([True, False, True]),
        torch.tensor([1 + 2j, -3j], dtype=torch.complex64).conj(),  # a lazy conjugate
        torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
        torch.tensor([0, 255], dtype=torch.uint8),
        torch.tensor([[1, -2]], dtype=torch.int16).T,  # a non-contiguous view
    ],
    ids=lambda t: f"{t.dtype}-{tuple(t.shape)}",
)
def test_binary__tensors_round_trip_with_dtype_shape_and_values(tensor):
    back = binary.decode(binary.encode(tensor))
    assert type(back) is torch.Tensor and back.dtype == tensor.dtype and back.shape == tensor.shape
    assert torch.equal(back, tensor.resolve_conj())
    assert back.untyped_storage().nbytes() == tensor.numel() * tensor.element_size()  # its own copy


def test_binary__scalars_round_trip_exactly():
    numbers = [0, -1, 2**63 - 1, -(2**63), 2**200, -(3**90), 0.1, float("inf")]
    values = [None, True, False, *numbers, "é\ud800", b"\0x"]
    back = binary.decode(binary.encode(values))
    assert back == values and [type(v) for v in back] == [type(v) for v in values]
    assert binary.decode(binary.encode(("t", [1, (2,)]))) == ("t", [1, (2,)])


def test_binary__every_truncation_of_a_message_is_refused():
    data = binary.encode(["x", (1, 2.0), torch.ones(3), b"raw"])
    for cut in range(len(data)):
        with pytest.raises(binary.FormatError):
            binary.decode(data[:cut])
    with pytest.raises(binary.FormatError, match="trailing"):
        binary.decode(data + b"N")


def _tensor_header(code: int, shape: tuple[int, ...]) -> bytes:
    return b"x" + bytes((code, len(shape))) + b"".join(struct.pack("<Q", s) for s in shape)


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"l" + struct.pack("<I", 2**31), "longer than the message"),  # a count that would allocate
        (_tensor_header(0, (2**40, 2**20)) + b"\0" * 8, "larger than the message"),
        (_tensor_header(0, (3,)) + b"\0" * 8, "larger than the message"),  # 3 floats need 12 bytes
        (_tensor_header(250, (1,)) + b"\0", "unknown tensor dtype"),
        (b"s" + struct.pack("<I", 1) + b"\xff", "malformed text"),
        (b"l\x01\x00\x00\x00" * 300 + b"N", "nested too deeply"),
        (b"\x80\x04", "unknown tag"),  # a pickle
    ],
)
def test_binary__malformed_messages_are_refused_with_the_reason(data, problem):
    with pytest.raises(binary.FormatError, match=problem):
        binary.decode(data)


def test_binary__bool_tensors_hold_only_true_and_false():
    forged = _tensor_header(binary._DTYPE_CODE[torch.bool], (3,)) + bytes((0, 1, 7))
    back = binary.decode(forged)
    assert back.tolist() == [False, True, True] and back.view(torch.uint8).tolist() == [0, 1, 1]


def test_binary__refuses_to_encode_anything_but_plain_data():
    for value in (object(), {"a": 1}, torch.ones(2).to_sparse(), 1j):
        with pytest.raises(TypeError):
            binary.encode(value)
