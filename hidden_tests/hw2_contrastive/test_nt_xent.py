"""Hidden tests of task `nt_xent` (SimCLR's NT-Xent loss): oracle plus properties.

Value tests compare values (in float64) and never fail on the dtype: a loss computed in float32
from float64 inputs is as right as the float32 arithmetic allows, so value tolerances admit float32
rounding (``tolerance``); the dtype, like leaving the inputs unchanged, is a convention with its
own small test (docs/authoring.md, "Credit").
"""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("nt_xent")

EPS32 = torch.finfo(torch.float32).eps


def tolerance(temperature: float) -> dict[str, float]:
    """Admits float32 rounding: similarities of size 1/t, each off by about eps/t, a few dozen of
    them in the sums."""
    return {"rtol": 1e-5, "atol": 50 * EPS32 / temperature}


def oracle(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> float:
    """The paper's algorithm as a plain loop over anchors, in float64."""
    z = torch.cat([z1, z2]).double()
    u = z / z.norm(dim=1, keepdim=True)
    two_n = u.shape[0]
    total = 0.0
    for i in range(two_n):
        positive = (i + two_n // 2) % two_n
        s = [float(u[i] @ u[k]) / temperature for k in range(two_n)]
        others = [s[k] for k in range(two_n) if k != i]
        peak = max(others)
        total += -s[positive] + peak + math.log(sum(math.exp(v - peak) for v in others))
    return total / two_n


def reference(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> torch.Tensor:
    """A differentiable float64 reference for gradient checks (independent of the oracle loop)."""
    z = torch.cat([z1, z2])
    u = z / z.norm(dim=1, keepdim=True)
    n = z1.shape[0]
    sim = u @ u.T / temperature
    per_anchor = []
    for i in range(2 * n):
        keep = torch.arange(2 * n) != i
        per_anchor.append(-sim[i, (i + n) % (2 * n)] + torch.logsumexp(sim[i, keep], dim=0))
    return torch.stack(per_anchor).mean()


def views(seed: int, n: int, d: int, dtype=torch.float64, scale: float = 1.0):
    g = generator(seed)
    z1 = torch.randn(n, d, generator=g, dtype=dtype) * scale
    z2 = z1 + 0.5 * torch.randn(n, d, generator=g, dtype=dtype) * scale
    return z1, z2


def right_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float):
    """A result check: the call returned the paper's loss for these inputs."""

    def check(loss) -> None:
        assert_close(
            scalar(loss, "nt_xent_loss"),
            oracle(z1, z2, temperature),
            "nt_xent_loss",
            **tolerance(temperature),
        )

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize("n,d,temperature", [(2, 3, 0.5), (5, 8, 0.1), (16, 32, 1.0), (9, 4, 0.07)])
def test_nt_xent__matches_the_papers_definition(student, n, d, temperature):
    for seed in range(3):
        z1, z2 = views(seed, n, d)
        loss = scalar(student.nt_xent_loss(z1, z2, temperature=temperature), "nt_xent_loss")
        assert_close(
            loss,
            oracle(z1, z2, temperature),
            f"nt_xent_loss with N={n}, D={d}, temperature={temperature}",
            **tolerance(temperature),
        )


def test_nt_xent__default_temperature_is_0_5(student):
    z1, z2 = views(7, 6, 10)
    assert_close(
        student.nt_xent_loss(z1, z2),
        oracle(z1, z2, 0.5),
        "nt_xent_loss without a temperature argument (default 0.5)",
        **tolerance(0.5),
    )


@pytest.mark.parametrize("n", [2, 5])
def test_nt_xent__collapsed_embeddings_give_log_2n_minus_1(student, n):
    row = torch.randn(1, 7, generator=generator(n), dtype=torch.float64)
    z = row.repeat(n, 1)
    assert_close(
        student.nt_xent_loss(z, z.clone(), temperature=0.3),
        math.log(2 * n - 1),
        f"when all 2N rows are identical (N={n}) every anchor's loss is log(2N - 1)",
        **tolerance(0.3),
    )


def test_nt_xent__single_pair_gives_zero(student):
    z1, z2 = views(3, 1, 5)
    assert_close(
        student.nt_xent_loss(z1, z2, temperature=0.2),
        0.0,
        "with N = 1 the only negative is the positive itself, so the loss is 0",
        atol=1e-6,
    )


def test_nt_xent__invariant_to_rescaling_rows(student):
    z1, z2 = views(11, 6, 9)
    g = generator(12)
    s1 = torch.rand(6, 1, generator=g, dtype=torch.float64) * 10 + 0.1
    s2 = torch.rand(6, 1, generator=g, dtype=torch.float64) * 10 + 0.1
    plain = student.nt_xent_loss(z1, z2, temperature=0.5)
    rescaled = student.nt_xent_loss(z1 * s1, z2 * s2, temperature=0.5)
    assert_close(plain, oracle(z1, z2, 0.5), "nt_xent_loss", **tolerance(0.5))
    assert_close(
        rescaled,
        oracle(z1, z2, 0.5),
        "rows are L2-normalised, so rescaling a row must not change the loss",
        **tolerance(0.5),
    )


@pytest.mark.weight(2)
def test_nt_xent__finite_and_correct_at_temperature_0_01_in_float32(student):
    z1, z2 = views(21, 12, 16, dtype=torch.float32, scale=30.0)
    loss = scalar(student.nt_xent_loss(z1, z2, temperature=0.01), "nt_xent_loss")
    assert torch.isfinite(loss), "nt_xent_loss overflows at temperature 0.01 in float32 (inf or nan)"
    assert_close(loss, oracle(z1, z2, 0.01), "nt_xent_loss at temperature 0.01 in float32", **tolerance(0.01))


@pytest.mark.weight(2)
def test_nt_xent__gradient_reaches_both_views(student):
    z1, z2 = views(31, 5, 6)
    z1.requires_grad_(True)
    z2.requires_grad_(True)
    loss, grads, _ = student.nt_xent_loss.with_grad(z1, z2, 0.5)
    scalar(loss, "nt_xent_loss")
    a, b = z1.detach().clone().requires_grad_(True), z2.detach().clone().requires_grad_(True)
    reference(a, b, 0.5).backward()
    for name, got, want in (("z1", grads[0], a.grad), ("z2", grads[1], b.grad)):
        assert got is not None, f"no gradient reaches {name}: both views must be trained"
        assert_close(got, want, f"the gradient with respect to {name}", rtol=1e-4, atol=1e-6)


@pytest.mark.weight(0.5)
def test_nt_xent__returns_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        z1, z2 = views(5, 4, 6, dtype=dtype)
        loss = student.nt_xent_loss(z1, z2, temperature=0.5)
        right_loss(z1, z2, 0.5)(loss)
        assert_dtype(loss, dtype, f"nt_xent_loss of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_nt_xent__does_not_modify_inputs(student):
    z1, z2 = views(41, 4, 5)
    assert_inputs_unchanged(
        student, "nt_xent_loss", z1 * 3, z2 * 3, temperature=0.5, result_check=right_loss(z1, z2, 0.5)
    )
