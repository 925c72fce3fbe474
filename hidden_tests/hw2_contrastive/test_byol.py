"""Hidden tests of task `byol` (BYOL's loss, EMA target update and tau schedule)."""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_inputs_unchanged, generator, no_gradient, scalar, seed

pytestmark = pytest.mark.task("byol")

MODULES = '''
import torch

def build(seed):
    """A small MLP in float64 with random weights (three parameter shapes, paired by order)."""
    g = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model

def values(model):
    return [p.detach().clone() for p in model.parameters()]

def identities(model):
    return [id(p) for p in model.parameters()]

def kinds(model):
    return [(isinstance(p, torch.nn.Parameter), p.is_leaf, p.requires_grad) for p in model.parameters()]
'''


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


@pytest.mark.weight(2)
@pytest.mark.parametrize("b,d", [(1, 3), (8, 16), (33, 5)])
def test_byol_loss__matches_the_papers_definition(student, b, d):
    for base in range(3):
        p, z = batch(100 * b + base, b, d)
        loss = scalar(student.byol_loss(p, z), "byol_loss", torch.float64)
        assert_close(loss, byol_oracle(p, z), f"byol_loss with B={b}, D={d}", rtol=1e-6)


def test_byol_loss__returns_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        p, z = batch(7, 4, 6, dtype)
        scalar(student.byol_loss(p, z), "byol_loss", dtype)


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
    assert_close(grads[0], reference.grad, "the gradient with respect to p", rtol=1e-5, atol=1e-9)


def test_byol_loss__does_not_modify_inputs(student):
    p, z = batch(13, 5, 4)
    assert_inputs_unchanged(student, "byol_loss", p, z)


@pytest.mark.weight(2)
@pytest.mark.parametrize("tau", [0.5, 0.9, 0.996])
def test_ema_update__target_becomes_tau_target_plus_1_minus_tau_online(student, tau):
    helpers = student.define(MODULES)
    online, target = helpers.build(seed(21)), helpers.build(seed(22))
    before_online, before_target = helpers.values(online), helpers.values(target)
    result = student.ema_update(online, target, tau)
    assert result is None, "ema_update updates the target in place and returns None"
    for i, (got, o, t) in enumerate(zip(helpers.values(target), before_online, before_target, strict=False)):
        assert_close(
            got,
            tau * t + (1 - tau) * o,
            f"target parameter {i} after ema_update(tau={tau})",
            rtol=1e-12,
            atol=1e-12,
        )


def test_ema_update__tau_0_copies_online_and_tau_1_keeps_target(student):
    helpers = student.define(MODULES)
    online, target = helpers.build(seed(31)), helpers.build(seed(32))
    before_target = helpers.values(target)
    student.ema_update(online, target, 1.0)
    for got, t in zip(helpers.values(target), before_target, strict=False):
        assert_close(got, t, "with tau = 1 the target must not move", rtol=0, atol=1e-12)
    student.ema_update(online, target, 0.0)
    for got, o in zip(helpers.values(target), helpers.values(online), strict=False):
        assert_close(got, o, "with tau = 0 the target becomes a copy of online", rtol=0, atol=1e-12)


def test_ema_update__target_keeps_its_parameter_objects(student):
    helpers = student.define(MODULES)
    online, target = helpers.build(seed(41)), helpers.build(seed(42))
    ids = helpers.identities(target)
    student.ema_update(online, target, 0.9)
    assert helpers.identities(target) == ids, (
        "ema_update replaced the target's Parameter objects; update them in place (an optimiser holds them)"
    )
    assert all(p and leaf and grad for p, leaf, grad in helpers.kinds(target)), (
        "after ema_update the target's parameters must still be trainable leaf Parameters (no autograd graph)"
    )


def test_ema_update__leaves_online_unchanged(student):
    helpers = student.define(MODULES)
    online, target = helpers.build(seed(51)), helpers.build(seed(52))
    before = helpers.values(online)
    student.ema_update(online, target, 0.7)
    for i, (got, want) in enumerate(zip(helpers.values(online), before, strict=False)):
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
