"""The wire codec: plain data round-trips, anything else is refused by the trusted decoder."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import torch

from autograder.sandbox import codec


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
