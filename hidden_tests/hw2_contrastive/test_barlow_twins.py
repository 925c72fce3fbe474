"""Hidden tests of bonus task `barlow_twins` (redundancy reduction loss)."""

import pytest
import torch

from autograder.testing import assert_close, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("barlow_twins")


def oracle(z1: torch.Tensor, z2: torch.Tensor, lambd: float) -> float:
    """Eq. 1-2 of the paper, entry by entry, in float64."""
    z1, z2 = z1.double(), z2.double()
    n, d = z1.shape

    def standardise(z):
        mean = z.sum(dim=0) / n
        var = ((z - mean) ** 2).sum(dim=0) / n
        return (z - mean) / torch.sqrt(var + 1e-5)

    a, b = standardise(z1), standardise(z2)
    loss = 0.0
    for i in range(d):
        for j in range(d):
            c = float((a[:, i] * b[:, j]).sum()) / n
            loss += (1 - c) ** 2 if i == j else lambd * c * c
    return loss


def views(base: int, n: int, d: int, dtype=torch.float64, scale: float = 1.0):
    g = generator(base)
    z1 = torch.randn(n, d, generator=g, dtype=dtype) * scale + 3 * scale
    z2 = z1 + torch.randn(n, d, generator=g, dtype=dtype) * scale
    return z1, z2


@pytest.mark.weight(3)
@pytest.mark.parametrize("n,d,lambd", [(8, 3, 0.0051), (32, 10, 0.1), (5, 6, 1.0)])
def test_barlow_twins__matches_the_papers_definition(student, n, d, lambd):
    for base in range(3):
        z1, z2 = views(10 * n + base, n, d)
        loss = scalar(student.barlow_twins_loss(z1, z2, lambd=lambd), "barlow_twins_loss", torch.float64)
        assert_close(
            loss, oracle(z1, z2, lambd), f"barlow_twins_loss with N={n}, D={d}, lambd={lambd}", rtol=1e-6
        )


def test_barlow_twins__default_lambda_is_0_0051(student):
    z1, z2 = views(3, 16, 4)
    assert_close(
        student.barlow_twins_loss(z1, z2),
        oracle(z1, z2, 0.0051),
        "barlow_twins_loss with the default lambd",
        rtol=1e-6,
    )


@pytest.mark.weight(2)
def test_barlow_twins__epsilon_1e_5_inside_the_square_root(student):
    z1, z2 = views(5, 16, 4, scale=0.003)  # feature variances about 1e-5: the epsilon matters
    z2[:, 0] = 1.0  # a constant feature: only the epsilon keeps the loss finite
    assert_close(
        student.barlow_twins_loss(z1, z2),
        oracle(z1, z2, 0.0051),
        "barlow_twins_loss for features with tiny variance (the standardisation's epsilon)",
        rtol=1e-6,
    )


@pytest.mark.weight(2)
def test_barlow_twins__gradient_reaches_both_views(student):
    z1, z2 = (t.requires_grad_(True) for t in views(7, 6, 3))
    loss, grads, _ = student.barlow_twins_loss.with_grad(z1, z2, 0.0051)
    scalar(loss, "barlow_twins_loss")
    a, b = z1.detach().clone().requires_grad_(True), z2.detach().clone().requires_grad_(True)
    na = (a - a.mean(0)) / torch.sqrt(a.var(0, unbiased=False) + 1e-5)
    nb = (b - b.mean(0)) / torch.sqrt(b.var(0, unbiased=False) + 1e-5)
    c = na.T @ nb / 6
    ((1 - c.diagonal()) ** 2).sum().add(0.0051 * (c**2).sum() - 0.0051 * (c.diagonal() ** 2).sum()).backward()
    for name, got, ref in (("z1", grads[0], a), ("z2", grads[1], b)):
        assert got is not None, f"no gradient reaches {name}: both views are trained"
        assert_close(got, ref.grad, f"the gradient with respect to {name}", rtol=1e-5, atol=1e-9)


def test_barlow_twins__does_not_modify_inputs(student):
    assert_inputs_unchanged(student, "barlow_twins_loss", *views(9, 8, 3))
