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


def test_views_and_graphs__arrive_as_contiguous_leaves_that_keep_requires_grad():
    x = torch.randn(4, 4, requires_grad=True)
    back = roundtrip((x * 2).T[1:])
    assert back.is_contiguous() and back.grad_fn is None and back.is_leaf and back._base is None
    assert back.requires_grad  # the graph stays behind; that the value needs a gradient crosses
    assert torch.equal(back, ((x * 2).T[1:]).detach())


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
        (_tensor_header(0, (0, 2**64 - 1)), "shape too large"),  # no elements, but no strides either
        (_tensor_header(0, (0, 2**40, 2**40)), "shape too large"),
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


# -- issue 11: ordinary tensors both ways, faithful requires_grad, bounded decoding -------------
def assert_ordinary(t: torch.Tensor) -> None:
    """What ``torch.empty`` would give: a contiguous leaf that owns exactly its elements."""
    assert type(t) is torch.Tensor and t.is_leaf and t.grad_fn is None and t._base is None
    assert t.stride() == torch.empty(t.shape).stride() and t.storage_offset() == 0
    assert t.untyped_storage().nbytes() == t.numel() * t.element_size()
    assert t.untyped_storage().resizable() and not t.is_conj() and not t.is_neg()


@pytest.mark.parametrize(
    "tensor",
    [
        torch.ones(2, 3),
        torch.tensor(1.5),
        torch.tensor([[True], [False]]),
        torch.empty(0, 2, dtype=torch.int8),
    ],
    ids=lambda t: f"{t.dtype}-{tuple(t.shape)}",
)
def test_binary__decoded_tensors_are_ordinary_leaves_that_own_their_memory(tensor):
    back = binary.decode(binary.encode(tensor))
    assert_ordinary(back)
    back.detach_()  # a view of a decode buffer raised "Can't detach views in-place"
    back.resize_(back.numel() + 3)  # a buffer's storage (or one shared with numpy) is not resizable


def test_binary__a_one_element_view_with_a_step_encodes():
    pred = torch.arange(3).reshape(1, 3)
    column = pred[:, 0]  # one query: shape (1,), stride (3,), "contiguous" by torch's rule
    back = binary.decode(binary.encode(column))
    assert back.tolist() == [0] and back.dtype == torch.int64
    assert roundtrip(pred[:, 2:]).tolist() == [[2]] and roundtrip(pred.T[1:2, :]).tolist() == [[1]]


def test_binary__expanded_negated_and_transposed_views_encode_their_values():
    values = torch.tensor([1 + 2j, 3 - 4j])
    cases = [
        (torch.tensor(7.0).expand(2, 3), torch.full((2, 3), 7.0)),
        (values.conj().imag, torch.tensor([-2.0, 4.0])),  # a lazy negation
        (values.conj()[1:], torch.tensor([3 + 4j])),  # a lazy conjugate
        (torch.arange(12).reshape(3, 4).T[::2, 1::2], torch.tensor([[4], [6]])),
    ]
    for view, expected in cases:
        back = binary.decode(binary.encode(view))
        assert_ordinary(back)
        assert back.dtype == expected.dtype and torch.equal(back, expected)


def test_to_wire__does_not_copy_an_expanded_result_before_the_size_check():
    huge = torch.zeros(1).expand(1 << 40)  # four TiB once materialised; nothing until encoded
    wire = codec.to_wire(huge, lambda obj: codec.Handle(1, "x"))
    assert codec.tensor_bytes(wire) == 4 << 40  # the worker refuses it here, before encoding


def test_results__keep_requires_grad_whether_leaf_or_not():
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    z = torch.tensor([1 + 1j], requires_grad=True)
    loss, queue, leaf, detached, complex_leaf = roundtrip(
        [(x**2).sum(), torch.cat([x, x])[:3], x, x.detach(), z]
    )
    assert loss.requires_grad and loss.is_leaf and loss.detach().item() == 5.0  # the loss needed a gradient
    assert queue.requires_grad and queue.is_leaf and queue.tolist() == [1.0, -2.0, 1.0]
    assert leaf.requires_grad and not detached.requires_grad
    assert complex_leaf.requires_grad and complex_leaf.is_complex()
    assert not roundtrip(torch.arange(3)).requires_grad  # an integer tensor cannot require grad


def test_from_wire__an_integer_tensor_marked_as_requiring_grad_arrives_without():
    back = codec.from_wire(("t", torch.arange(3), True), lambda i, t: None)
    assert not back.requires_grad and back.tolist() == [0, 1, 2]


def test_from_wire__tensors_built_in_memory_are_copied_into_ordinary_ones():
    x = torch.arange(6.0, requires_grad=True)
    back = codec.from_wire(("t", (x * 1).reshape(2, 3).T, True), lambda i, t: None)
    assert_ordinary(back)
    assert back.requires_grad and back.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def _list_header(count: int) -> bytes:
    return b"l" + struct.pack("<I", count)


def test_binary__ten_million_nodes_are_refused_at_the_list_header(monkeypatch):
    with pytest.raises(binary.FormatError, match="more than 1000000 nodes"):
        binary.decode(_list_header(10_000_000) + b"N" * 10_000_000)
    # Refused before any item is built: an item that would fail to decode is never reached.
    with pytest.raises(binary.FormatError, match="nodes"):
        binary.decode(_list_header(binary.MAX_NODES) + b"\x80" + b"N" * binary.MAX_NODES)
    monkeypatch.setattr(binary, "MAX_NODES", 10)  # the root and nine items: just enough
    assert binary.decode(_list_header(9) + b"N" * 9) == [None] * 9
    # Nested lists count together: 1 + 2 + 4 + 4 items are too many, though no list is.
    with pytest.raises(binary.FormatError, match="more than 10 nodes"):
        binary.decode(_list_header(2) + _list_header(4) + b"N" * 4 + _list_header(4) + b"N" * 4)


def test_binary__too_many_tensors_are_refused(monkeypatch):
    monkeypatch.setattr(binary, "MAX_TENSORS", 3)
    one = binary.encode(torch.tensor(True))
    assert len(binary.decode(_list_header(3) + one * 3)) == 3
    with pytest.raises(binary.FormatError, match="more than 3 tensors"):
        binary.decode(_list_header(4) + one * 4)
    with pytest.raises(ValueError, match="at most 3 tensors"):
        binary.encode([torch.tensor(True)] * 4)


def test_binary__encoding_refuses_more_nodes_than_decoding_accepts():
    with pytest.raises(ValueError, match="at most 1000000 nodes"):
        binary.encode([None] * binary.MAX_NODES)  # with the root, one node too many


def test_to_wire__a_list_that_holds_one_list_many_times_is_refused_while_converting(monkeypatch):
    monkeypatch.setattr(codec, "MAX_NODES", 1000)  # a million in use: a real worker test shows it
    shared = [None] * 100
    with pytest.raises(ValueError, match="more than a message may carry"):
        codec.to_wire([shared] * 10_000, lambda obj: codec.Handle(1, "x"))  # a million values
    monkeypatch.setattr(codec, "MAX_TENSORS", 2)
    assert len(codec.to_wire([torch.tensor(1.0)] * 2)) == 2
    with pytest.raises(ValueError, match="more than a message may carry"):
        codec.to_wire([torch.tensor(1.0)] * 3)
    # What to_wire accepts, the byte format accepts: it counts the same nodes.
    monkeypatch.setattr(codec, "MAX_NODES", 10)
    tree = codec.to_wire({"a": (1, None)})  # ("d", [("a", ("T", [1, None]))]): 10 nodes
    assert codec.from_wire(codec.loads(codec.dumps(tree)), lambda i, t: None) == {"a": (1, None)}
    with pytest.raises(ValueError, match="more than a message may carry"):
        codec.to_wire({"a": (1, None, 2)})


def test_from_wire__is_bounded_in_nodes_and_tensors(monkeypatch):
    shared = [None] * 1000
    with pytest.raises(codec.DecodeError, match="more than 1000000 values"):
        codec.from_wire([shared] * 10_000, lambda i, t: None)  # a tree built in memory, shared
    monkeypatch.setattr(codec, "MAX_TENSORS", 2)
    with pytest.raises(codec.DecodeError, match="more than 2 tensors"):
        codec.from_wire([("t", torch.ones(1), False)] * 3, lambda i, t: None)
