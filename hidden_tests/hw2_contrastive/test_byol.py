"""Hidden tests of task `byol` (BYOL's loss, EMA target update and tau schedule).

Value tests compare values (in float64, with tolerances that admit float32 arithmetic) and never fail
on the dtype; the dtype and leaving the inputs unchanged are conventions with their own small tests
(docs/authoring.md, "Credit"). The EMA pairs *parameters* in `parameters()` order; the text leaves
buffers (BatchNorm's running statistics) free, so no test reads them.
"""

import math

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    generator,
    no_gradient,
    scalar,
)

pytestmark = pytest.mark.task("byol")

SHAPES = {"0.weight": (3, 4), "0.bias": (3,), "2.weight": (2, 3), "2.bias": (2,)}


def build(student, base: int):
    """A small MLP in float64 in the worker, built from torch.nn (three parameter shapes, paired
    by order); its random weights are drawn here and loaded into it."""
    model = student.new(
        "torch.nn:Sequential",
        student.new("torch.nn:Linear", 4, 3, dtype=torch.float64),
        student.new("torch.nn:Tanh"),
        student.new("torch.nn:Linear", 3, 2, dtype=torch.float64),
    )
    g = generator(base)
    model.load_state_dict({k: torch.randn(s, generator=g, dtype=torch.float64) for k, s in SHAPES.items()})
    return model


BN_SHAPES = {
    "0.weight": (3, 4),
    "0.bias": (3,),
    "1.weight": (3,),
    "1.bias": (3,),
    "3.weight": (3, 3),
    "3.bias": (3,),
}


def build_with_batch_norm(student, base: int):
    """Linear, BatchNorm1d, Tanh, Linear in float64: BatchNorm's buffers (running statistics and an
    int64 counter) sit between the parameters in `state_dict()` order but not in `parameters()`."""
    model = student.new(
        "torch.nn:Sequential",
        student.new("torch.nn:Linear", 4, 3, dtype=torch.float64),
        student.new("torch.nn:BatchNorm1d", 3, dtype=torch.float64),
        student.new("torch.nn:Tanh"),
        student.new("torch.nn:Linear", 3, 3, dtype=torch.float64),
    )
    g = generator(base)
    state = {k: torch.randn(s, generator=g, dtype=torch.float64) for k, s in BN_SHAPES.items()}
    state["1.running_mean"] = torch.randn(3, generator=g, dtype=torch.float64)
    state["1.running_var"] = torch.rand(3, generator=g, dtype=torch.float64) + 0.5
    state["1.num_batches_tracked"] = torch.randint(1, 100, (), generator=g)
    model.load_state_dict(state)
    return model


def values(model) -> list[torch.Tensor]:
    """The model's parameters in ``parameters()`` order, as plain tensors."""
    return [p.detach() for p in model.parameters()]


def library(student, module: str, name: str):
    """A handle to a library function or class in the worker (not called)."""
    return getattr(student.new("importlib:import_module", module), name)


def mapped(student, fn, *iterables) -> list:
    """``list(map(fn, *iterables))`` with library ``fn`` in the worker, returned as plain data."""
    return student.new("builtins:list", student.new("builtins:map", fn, *iterables))


def identities(student, parameters) -> list[int]:
    """``id`` of each object of ``parameters`` (a handle to an iterable in the worker)."""
    return mapped(student, library(student, "builtins", "id"), parameters)


def kinds(student, model) -> list[tuple[bool, bool, bool]]:
    """For each parameter: (is an nn.Parameter, is a leaf, requires grad), read in the worker."""
    parameter = student.new("itertools:repeat", library(student, "torch.nn", "Parameter"))
    is_parameter = mapped(student, library(student, "builtins", "isinstance"), model.parameters(), parameter)
    flags_of = student.new("operator:attrgetter", "is_leaf", "requires_grad")
    flags = mapped(student, flags_of, model.parameters())
    return [(p, *f) for p, f in zip(is_parameter, flags, strict=True)]


def byol_oracle(p: torch.Tensor, z: torch.Tensor) -> float:
    """Mean over the batch of 2 - 2 cos(p_i, z_i), one row at a time."""
    total = 0.0
    for pi, zi in zip(p.double(), z.double(), strict=False):
        total += 2 - 2 * float(pi @ zi) / (float(pi.norm()) * float(zi.norm()))
    return total / p.shape[0]


def batch(base: int, b: int, d: int, dtype=torch.float64):
    g = generator(base)
    scale = torch.rand(b, 1, generator=g, dtype=dtype) * 5 + 0.2  # rows of different norms
    p = torch.randn(b, d, generator=g, dtype=dtype) * scale
    z = p + torch.randn(b, d, generator=g, dtype=dtype)
    return p, z


def right_loss(p: torch.Tensor, z: torch.Tensor):
    """A result check: the call returned BYOL's loss for these inputs."""

    def check(loss) -> None:
        assert_close(scalar(loss, "byol_loss"), byol_oracle(p, z), "byol_loss", rtol=1e-5, atol=1e-6)

    return check


@pytest.mark.weight(2)
@pytest.mark.parametrize("b,d", [(1, 3), (8, 16), (33, 5)])
def test_byol_loss__matches_the_papers_definition(student, b, d):
    for base in range(3):
        p, z = batch(100 * b + base, b, d)
        loss = scalar(student.byol_loss(p, z), "byol_loss")
        assert_close(loss, byol_oracle(p, z), f"byol_loss with B={b}, D={d}", rtol=1e-5, atol=1e-6)


@pytest.mark.weight(0.5)
def test_byol_loss__returns_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        p, z = batch(7, 4, 6, dtype)
        loss = student.byol_loss(p, z)
        right_loss(p, z)(loss)
        assert_dtype(loss, dtype, f"byol_loss of {dtype} inputs")


@pytest.mark.weight(2)
def test_byol_loss__no_gradient_reaches_the_target_projection(student):
    p, z = batch(11, 6, 5)
    p.requires_grad_(True)
    z.requires_grad_(True)
    loss, grads, _ = student.byol_loss.with_grad(p, z)
    scalar(loss, "byol_loss")
    assert no_gradient(grads[1]), (
        "a gradient reaches z: the target projection must be a constant (stop-gradient)"
    )
    assert grads[0] is not None, "no gradient reaches p: the prediction must be trained"
    reference = p.detach().clone().requires_grad_(True)
    u, v = reference / reference.norm(dim=1, keepdim=True), z.detach() / z.detach().norm(dim=1, keepdim=True)
    (2 - 2 * (u * v).sum(dim=1)).mean().backward()
    assert_close(grads[0], reference.grad, "the gradient with respect to p", rtol=1e-4, atol=1e-6)


@pytest.mark.weight(0.5)
def test_byol_loss__does_not_modify_inputs(student):
    p, z = batch(13, 5, 4)
    assert_inputs_unchanged(student, "byol_loss", p, z, result_check=right_loss(p, z))


def assert_ema(
    got: list[torch.Tensor], online: list[torch.Tensor], target: list[torch.Tensor], tau: float, what: str
) -> None:
    assert len(got) == len(target), f"{what}: the target lost or gained parameters"
    for i, (g, o, t) in enumerate(zip(got, online, target, strict=True)):
        assert_close(g, tau * t + (1 - tau) * o, f"{what}: target parameter {i}", rtol=1e-12, atol=1e-12)


@pytest.mark.weight(2)
@pytest.mark.parametrize("tau", [0.5, 0.9, 0.996])
def test_ema_update__target_becomes_tau_target_plus_1_minus_tau_online(student, tau):
    online, target = build(student, 21), build(student, 22)
    before_online, before_target = values(online), values(target)
    result = student.ema_update(online, target, tau)
    assert result is None, "ema_update updates the target in place and returns None"
    assert_ema(values(target), before_online, before_target, tau, f"after ema_update(tau={tau})")


@pytest.mark.weight(2)
def test_ema_update__pairs_parameters_in_order_through_batch_norm(student):
    online, target = build_with_batch_norm(student, 23), build_with_batch_norm(student, 24)
    before_online, before_target = values(online), values(target)
    student.ema_update(online, target, 0.8)
    assert_ema(
        values(target),
        before_online,
        before_target,
        0.8,
        "after ema_update(tau=0.8) of a network with BatchNorm (pair every parameter, BatchNorm's "
        "weight and bias too, in parameters() order)",
    )


def test_ema_update__tau_0_copies_online_and_tau_1_keeps_target(student):
    online, target = build(student, 31), build(student, 32)
    before_target = values(target)
    student.ema_update(online, target, 1.0)
    for got, t in zip(values(target), before_target, strict=False):
        assert_close(got, t, "with tau = 1 the target must not move", rtol=0, atol=1e-12)
    student.ema_update(online, target, 0.0)
    for got, o in zip(values(target), values(online), strict=False):
        assert_close(got, o, "with tau = 0 the target becomes a copy of online", rtol=0, atol=1e-12)


def test_ema_update__target_keeps_its_parameter_objects(student):
    online, target = build(student, 41), build(student, 42)
    before_online, before_target = values(online), values(target)
    # The old parameters stay referenced in the worker (as an optimiser would hold them), so a
    # replacement cannot reuse a freed object's id.
    held = student.new("collections:deque", target.parameters())
    ids = identities(student, held)
    student.ema_update(online, target, 0.9)
    assert_ema(values(target), before_online, before_target, 0.9, "after ema_update(tau=0.9)")
    assert identities(student, target.parameters()) == ids, (
        "ema_update replaced the target's Parameter objects; update them in place (an optimiser holds them)"
    )
    assert all(p and leaf and grad for p, leaf, grad in kinds(student, target)), (
        "after ema_update the target's parameters must still be trainable leaf Parameters (no autograd graph)"
    )


@pytest.mark.weight(0.5)
def test_ema_update__leaves_online_unchanged(student):
    online, target = build(student, 51), build(student, 52)
    before, before_target = values(online), values(target)
    student.ema_update(online, target, 0.7)
    assert_ema(values(target), before, before_target, 0.7, "after ema_update(tau=0.7)")
    for i, (got, want) in enumerate(zip(values(online), before, strict=False)):
        assert torch.equal(got, want), f"ema_update modified online parameter {i}; only the target moves"


def tau_oracle(step: int, total: int, base: float) -> float:
    return 1 - (1 - base) * (math.cos(math.pi * step / total) + 1) / 2


@pytest.mark.weight(2)
@pytest.mark.parametrize("total,base", [(100, 0.996), (37, 0.99), (1000, 0.9)])
def test_byol_tau__follows_the_cosine_schedule(student, total, base):
    for step in sorted({0, 1, total // 3, total // 2, total - 1, total}):
        got = student.byol_tau(step, total, tau_base=base)
        assert isinstance(got, float | int | torch.Tensor), "byol_tau should return a float"
        assert_close(
            torch.tensor(float(got), dtype=torch.float64),
            tau_oracle(step, total, base),
            f"byol_tau(step={step}, total_steps={total}, tau_base={base})",
            rtol=1e-9,
            atol=1e-12,
        )


def test_byol_tau__default_tau_base_is_0_996(student):
    assert_close(
        torch.tensor(float(student.byol_tau(0, 10)), dtype=torch.float64),
        0.996,
        "byol_tau at step 0 with the default tau_base",
        rtol=1e-12,
        atol=1e-12,
    )
