"""Tensors of every dtype and layout cross the wire as ordinary tensors (issue 11).

Property tests over generated dtypes, shapes and views (``as_strided`` with any strides, including
0 and overlapping ones, then transposes, slices with steps, ``select``, ``expand``, lazy conjugates
and negations), first through ``binary`` and ``codec`` directly, then through a real worker:

* what arrives has the sender's dtype, shape, elements (bit for bit: NaN payloads, -0.0) and,
  for results, ``requires_grad``;
* what a worker receives is an ordinary tensor: a contiguous, writable leaf that owns its memory,
  so ``detach_()``, ``resize_()`` and in-place writes behave as they do outside the grader.

``derandomize=True`` makes every run draw the same examples (CI is repeatable); the real-worker
tests reuse one worker per module and are bounded to a few hundred calls (about a millisecond each).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.sandbox import binary, codec
from autograder.sandbox.cells import CellCode, Statement
from autograder.sandbox.client import RemoteNamespace, Sandbox, StudentError, Worker
from autograder.sandbox.confine import Policy

# The view a spec describes, built the same way here and inside the worker (the cell runs this).
VIEWS = """
import torch


def make_view(base, spec):
    size, stride, offset, ops = spec
    view = base.as_strided(size, stride, offset)
    for op, *args in ops:
        if op == "transpose":
            view = view.transpose(args[0], args[1])
        elif op == "slice":
            dim, start, step = args
            view = view[(slice(None),) * dim + (slice(start, None, step),)]
        elif op == "select":
            view = view.select(args[0], args[1])
        elif op == "expand":
            dim, n = args
            sizes = list(view.shape)
            sizes.insert(dim, n)
            view = view.unsqueeze(dim).expand(sizes)
        elif op == "conj":
            view = view.conj()
        elif op == "neg":  # the imaginary part of a lazy conjugate: a lazy negation
            view = view.conj().imag
    return view
"""

CELL = '''
def echo(x):
    return x


def detach_in_place(z):
    z.detach_()
    return z


def first_column(pred):
    return pred[:, 0]


def loss(x):
    return (x ** 2).sum()


def enqueue(queue, z):
    return torch.cat([z, queue])[: len(queue)]


def broadcast(n):
    return torch.zeros(1).expand(n)


def many_nones(n):
    return [None] * n


def many_tensors(n):
    return [torch.tensor(1.0)] * n


def inspect(x):
    """What the worker sees of an argument."""
    storage = x.untyped_storage()
    facts = {
        "type": type(x).__name__,
        "leaf": x.is_leaf and x.grad_fn is None and x._base is None,
        "requires_grad": x.requires_grad,
        "dtype": str(x.dtype),
        "shape": list(x.shape),
        "strides": list(x.stride()) == list(torch.empty(x.shape).stride()),
        "owns": x.storage_offset() == 0 and storage.nbytes() == x.numel() * x.element_size(),
        "resizable": storage.resizable(),
        "lazy": x.is_conj() or x.is_neg(),
    }
    with torch.no_grad():
        y = x.detach()
        saved = y.clone()
        y.zero_()
        facts["writable"] = bool((y == 0).all())
        y.copy_(saved)
    return facts
'''

_namespace: dict[str, Any] = {}
exec(compile(VIEWS, "<views>", "exec"), _namespace)
make_view = _namespace["make_view"]

DTYPES = list(binary._DTYPES)
_GRAD_DTYPES = [d for d in DTYPES if d.is_floating_point or d.is_complex]
_SIGNED = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


# -- strategies --------------------------------------------------------------------------------
@st.composite
def views(draw: st.DrawFn) -> tuple[torch.dtype, bytes, tuple[Any, ...]]:
    """A dtype, the bytes of a flat base tensor and the spec of a view of it (plain data)."""
    dtype = draw(st.sampled_from(DTYPES))
    ndim = draw(st.integers(0, 3))
    size = draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim))
    stride = draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim))  # 0: overlapping
    offset = draw(st.integers(0, 3))
    extent = sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1 if math.prod(size) else 0
    length = offset + extent + draw(st.integers(0, 2))
    if dtype is torch.bool:
        raw = bytes(draw(st.lists(st.integers(0, 1), min_size=length, max_size=length)))
    else:
        nbytes = length * dtype.itemsize
        raw = draw(st.binary(min_size=nbytes, max_size=nbytes))  # any bits: NaNs, -0.0, subnormals
    shape, complex_, ops = list(size), dtype.is_complex, []
    for _ in range(draw(st.integers(0, 3))):
        choices = ["expand"] + (["transpose", "slice"] if shape else [])
        choices += ["select"] if any(shape) else []
        choices += ["conj", "neg"] if complex_ else []
        op = draw(st.sampled_from(choices))
        if op == "transpose":
            ops.append((op, draw(st.integers(0, len(shape) - 1)), draw(st.integers(0, len(shape) - 1))))
            i, j = ops[-1][1:]
            shape[i], shape[j] = shape[j], shape[i]
        elif op == "slice":
            dim = draw(st.integers(0, len(shape) - 1))
            start, step = draw(st.integers(0, shape[dim])), draw(st.integers(1, 3))
            ops.append((op, dim, start, step))
            shape[dim] = len(range(start, shape[dim], step))
        elif op == "select":
            dim = draw(st.sampled_from([d for d, n in enumerate(shape) if n]))
            ops.append((op, dim, draw(st.integers(0, shape[dim] - 1))))
            del shape[dim]
        elif op == "expand" and len(shape) < 5:
            dim, n = draw(st.integers(0, len(shape))), draw(st.integers(0, 3))
            ops.append((op, dim, n))
            shape.insert(dim, n)
        elif op in ("conj", "neg"):
            ops.append((op,))
            complex_ = op == "conj"
    return dtype, raw, (size, stride, offset, ops)


def base_of(dtype: torch.dtype, raw: bytes) -> torch.Tensor:
    if not raw:
        return torch.empty(0, dtype=dtype)
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype).clone()


def bits(t: torch.Tensor) -> torch.Tensor:
    """The elements as integers of the same width: equal bits, not merely equal values."""
    t = t.detach().resolve_conj().resolve_neg()
    if t.is_complex():
        t = torch.view_as_real(t)
    return t if t.dtype is torch.bool else t.view(_SIGNED[t.element_size()])


def assert_same(back: Any, sent: torch.Tensor) -> None:
    assert type(back) is torch.Tensor
    assert back.dtype == sent.dtype and back.shape == sent.shape
    assert torch.equal(bits(back), bits(sent))


def assert_ordinary(t: torch.Tensor) -> None:
    assert t.is_leaf and t.grad_fn is None and t._base is None and not (t.is_conj() or t.is_neg())
    assert t.stride() == torch.empty(t.shape).stride() and t.storage_offset() == 0
    assert t.untyped_storage().nbytes() == t.numel() * t.element_size() and t.untyped_storage().resizable()


def through_codec(value: Any) -> Any:
    wire = codec.to_wire(value, lambda obj: codec.Handle(1, type(obj).__name__))
    return codec.from_wire(codec.loads(codec.dumps(wire)), lambda i, t: None)


# -- (a) the byte format and the codec, directly -------------------------------------------------
@settings(derandomize=True, deadline=None, max_examples=400, database=None)
@given(views())
def test_binary__any_view_round_trips_as_an_ordinary_tensor(case):
    dtype, raw, spec = case
    view = make_view(base_of(dtype, raw), spec)
    back = binary.decode(binary.encode(view))
    assert_same(back, view)
    assert_ordinary(back)


@settings(derandomize=True, deadline=None, max_examples=200, database=None)
@given(views(), st.booleans())
def test_codec__any_view_round_trips_with_its_requires_grad(case, requires_grad):
    dtype, raw, spec = case
    base = base_of(dtype, raw)
    base.requires_grad_(requires_grad and (dtype.is_floating_point or dtype.is_complex))
    view = make_view(base, spec)  # a non-leaf when the base requires grad
    back = through_codec([view, (view,)])
    assert_same(back[0], view)
    assert_same(back[1][0], view)
    assert back[0].requires_grad == view.requires_grad and back[0] is not back[1][0]
    assert_ordinary(back[0])


# -- (b) through a real worker ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def student() -> Iterator[RemoteNamespace]:
    cell = CellCode("<task wire, cell 1>", (Statement(VIEWS + CELL, 1, False),))
    # The best confinement this machine has; none at all is fine here (the wire is under test).
    with Sandbox(("torch",), allow_unconfined=True) as sandbox:
        worker = Worker(sandbox, (cell,), Policy(), call_timeout=20, load_timeout=60)
        try:
            yield RemoteNamespace(worker)
        finally:
            worker.stop()


_WORKER = settings(
    derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@settings(_WORKER, max_examples=120)
@given(views(), st.booleans())
def test_worker__any_view_it_returns_crosses(student, case, requires_grad):
    dtype, raw, spec = case
    base = base_of(dtype, raw).requires_grad_(requires_grad and dtype in _GRAD_DTYPES)
    expected = make_view(base, spec)
    back = student.make_view(base, spec)  # built in the worker from an ordinary input
    assert_same(back, expected)
    assert back.requires_grad == expected.requires_grad
    assert_ordinary(back)


@settings(_WORKER, max_examples=80)
@given(views(), st.booleans())
def test_worker__any_view_it_receives_is_an_ordinary_writable_leaf(student, case, requires_grad):
    dtype, raw, spec = case
    base = base_of(dtype, raw).requires_grad_(requires_grad and dtype in _GRAD_DTYPES)
    sent = make_view(base, spec)
    facts = student.inspect(sent)
    assert facts == {
        "type": "Tensor",
        "leaf": True,
        "requires_grad": sent.requires_grad,
        "dtype": str(sent.dtype),
        "shape": list(sent.shape),
        "strides": True,
        "owns": True,
        "resizable": True,
        "lazy": False,
        "writable": True,
    }
    echoed = student.echo(sent)
    assert_same(echoed, sent)
    assert echoed.requires_grad == sent.requires_grad
    detached = student.detach_in_place(sent)
    assert_same(detached, sent)
    assert not detached.requires_grad


# -- regressions, through a real worker --------------------------------------------------------------
def test_worker__inputs_can_be_detached_in_place(student):
    z = torch.randn(3, 2, requires_grad=True)
    back = student.detach_in_place(z[:, 1])  # a view here; an ordinary leaf in the worker
    assert torch.equal(back, z[:, 1].detach()) and not back.requires_grad


def test_worker__a_one_element_column_of_one_query_crosses(student):
    pred = torch.arange(3).reshape(1, 3)
    back = student.first_column(pred)  # shape (1,), stride (3,)
    assert back.tolist() == [0] and back.dtype == torch.int64


def test_worker__results_that_need_a_gradient_say_so(student):
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    value = student.loss(x)
    assert value.requires_grad and value.is_leaf and value.detach().item() == 5.0
    queue = student.enqueue(torch.zeros(4), x)  # a queue stored without detach
    assert queue.requires_grad and queue.tolist() == [1.0, -2.0, 0.0, 0.0]
    assert not student.enqueue(torch.zeros(4), x.detach()).requires_grad


def test_worker__an_expanded_result_is_held_to_the_size_cap_before_it_is_copied(student):
    assert torch.equal(student.broadcast(5), torch.zeros(5))
    with pytest.raises(StudentError, match="MiB a result may carry"):
        student.broadcast(1 << 40)  # four TiB once materialised
    assert student.echo(1) == 1


def test_worker__results_of_millions_of_values_are_refused_with_a_reason(student):
    with pytest.raises(StudentError, match="more than a message may carry"):
        student.many_nones(10_000_000)
    with pytest.raises(StudentError, match="more than a message may carry"):
        student.many_tensors(codec.MAX_TENSORS + 1)
    assert len(student.many_nones(1000)) == 1000 and student.echo(2) == 2
