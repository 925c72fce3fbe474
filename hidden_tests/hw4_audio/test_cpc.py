"""Hidden tests of task `cpc` (CPC's InfoNCE over k = 1..K): a float64 oracle with explicit loops
over k, the positions (b, t) with t + k < T and every candidate (b', t') of that k; the gradient
into z, c and the predictors against a differentiable float64 reference; closed forms; then the
conventions, each its own small test: the dtype, untouched inputs.

Value tests compare values in float64 with tolerances that admit float32 arithmetic.
"""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("cpc")

TOL = {"rtol": 1e-5, "atol": 1e-5}


def oracle(z: torch.Tensor, c: torch.Tensor, w: torch.Tensor) -> float:
    """The text's loss, one score at a time."""
    z, c, w = z.double(), c.double(), w.double()
    batch, steps, _ = z.shape
    per_k = []
    for k in range(1, w.shape[0] + 1):
        positions = [(b, t) for b in range(batch) for t in range(steps - k)]
        losses = []
        for b, t in positions:
            prediction = w[k - 1] @ c[b, t]  # (D,)
            scores = [float(prediction @ z[b2, t2 + k]) for b2, t2 in positions]
            peak = max(scores)
            log_sum = peak + math.log(sum(math.exp(s - peak) for s in scores))
            losses.append(log_sum - float(prediction @ z[b, t + k]))
        per_k.append(sum(losses) / len(losses))
    return sum(per_k) / len(per_k)


def reference(z: torch.Tensor, c: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """The same loss as differentiable torch operations, for the gradient check."""
    batch, steps, _ = z.shape
    per_k = []
    for k in range(1, w.shape[0] + 1):
        positions = [(b, t) for b in range(batch) for t in range(steps - k)]
        candidates = torch.stack([z[b, t + k] for b, t in positions])  # (N_k, D)
        losses = []
        for i, (b, t) in enumerate(positions):
            scores = candidates @ (w[k - 1] @ c[b, t])  # (N_k,)
            losses.append(torch.logsumexp(scores, 0) - scores[i])
        per_k.append(torch.stack(losses).mean())
    return torch.stack(per_k).mean()


def inputs(base: int, batch: int, steps: int, dim: int, ctx: int, k: int, dtype=torch.float64):
    g = generator(base)
    z = torch.randn(batch, steps, dim, generator=g, dtype=dtype)
    c = torch.randn(batch, steps, ctx, generator=g, dtype=dtype)
    w = 0.5 * torch.randn(k, dim, ctx, generator=g, dtype=dtype)
    return z, c, w


def right_loss(z, c, w):
    def check(loss) -> None:
        assert_close(scalar(loss, "cpc_loss"), oracle(z, c, w), "cpc_loss", **TOL)

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    "batch,steps,dim,ctx,k", [(2, 6, 4, 3, 2), (3, 8, 5, 6, 3), (1, 7, 3, 3, 6), (4, 5, 6, 2, 1)]
)
def test_cpc__matches_the_papers_infonce_over_every_position_of_each_k(student, batch, steps, dim, ctx, k):
    for s in range(2):
        z, c, w = inputs(100 * steps + s, batch, steps, dim, ctx, k)
        assert_close(
            scalar(student.cpc_loss(z, c, w), "cpc_loss"),
            oracle(z, c, w),
            f"cpc_loss with B={batch}, T={steps}, D={dim}, C={ctx}, K={k}",
            **TOL,
        )


def test_cpc__equal_scores_give_the_mean_of_log_n_k(student):
    """All-zero z: every candidate scores 0, so L_k = log(B (T - k))."""
    z, c, w = inputs(1, 3, 6, 4, 5, 4)
    loss = student.cpc_loss(torch.zeros_like(z), c, w)
    want = sum(math.log(3 * (6 - k)) for k in range(1, 5)) / 4
    assert_close(
        scalar(loss, "cpc_loss"),
        want,
        "with z = 0 every score is equal: L_k must be log of the number of candidates B (T - k)",
        **TOL,
    )


@pytest.mark.weight(2)
def test_cpc__gradient_reaches_z_c_and_the_predictors(student):
    z, c, w = inputs(2, 2, 6, 4, 3, 3)
    sent = [t.clone().requires_grad_(True) for t in (z, c, w)]
    loss, grads, _ = student.cpc_loss.with_grad(*sent)
    right_loss(z, c, w)(loss)
    mine = [t.clone().requires_grad_(True) for t in (z, c, w)]
    reference(*mine).backward()
    for name, got, want in zip(("z", "c", "predictors"), grads, mine, strict=True):
        assert got is not None, f"no gradient reaches {name}"
        assert_close(got, want.grad, f"the gradient of cpc_loss with respect to {name}", rtol=1e-4, atol=1e-6)


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_cpc__returns_a_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        z, c, w = inputs(3, 2, 5, 4, 3, 2, dtype=dtype)
        loss = student.cpc_loss(z, c, w)
        right_loss(z, c, w)(loss)
        assert_dtype(loss, dtype, f"cpc_loss of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_cpc__does_not_modify_its_inputs(student):
    z, c, w = inputs(4, 2, 5, 4, 3, 2)
    assert_inputs_unchanged(student, "cpc_loss", z, c, w, result_check=right_loss(z, c, w))
