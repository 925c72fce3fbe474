"""Hidden tests of bonus task `barlow_twins` (redundancy reduction loss).

The text promises float32 features (as a projector gives them), so every input is float32 and the
float64 oracle's value is matched within float32 rounding: an implementation that standardises
with a float32 ``nn.BatchNorm1d`` (solo-learn, the paper's code) is as right as a formula.
"""

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("barlow_twins")

# float32 rounding (about 1e-7 per operation) through the standardisation and the D x D sum
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}


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


def views(base: int, n: int, d: int, scale: float = 1.0):
    g = generator(base)
    z1 = torch.randn(n, d, generator=g) * scale + 3 * scale
    z2 = z1 + torch.randn(n, d, generator=g) * scale
    return z1, z2


def loss_check(z1: torch.Tensor, z2: torch.Tensor, lambd: float = 0.0051):
    """A check of ``barlow_twins_loss(z1, z2, lambd)``'s value."""
    want = oracle(z1, z2, lambd)

    def check(loss) -> None:
        what = f"barlow_twins_loss with N={z1.shape[0]}, D={z1.shape[1]}, lambd={lambd}"
        assert_close(scalar(loss, "barlow_twins_loss"), want, what, **FLOAT32)

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize("n,d,lambd", [(8, 3, 0.0051), (32, 10, 0.1), (5, 6, 1.0)])
def test_barlow_twins__matches_the_papers_definition(student, n, d, lambd):
    for base in range(3):
        z1, z2 = views(10 * n + base, n, d)
        loss_check(z1, z2, lambd)(student.barlow_twins_loss(z1, z2, lambd=lambd))


def test_barlow_twins__default_lambda_is_0_0051(student):
    z1, z2 = views(3, 16, 4)
    loss_check(z1, z2)(student.barlow_twins_loss(z1, z2))


@pytest.mark.weight(2)
def test_barlow_twins__epsilon_1e_5_inside_the_square_root(student):
    z1, z2 = views(5, 16, 4, scale=0.003)  # feature variances about 1e-5: the epsilon matters
    z2[:, 0] = 1.0  # a constant feature: only the epsilon keeps the loss finite
    loss_check(z1, z2)(student.barlow_twins_loss(z1, z2))


@pytest.mark.weight(2)
def test_barlow_twins__gradient_reaches_both_views(student):
    z1, z2 = (t.requires_grad_(True) for t in views(7, 6, 3))
    loss, grads, _ = student.barlow_twins_loss.with_grad(z1, z2, 0.0051)
    loss_check(z1.detach(), z2.detach())(loss)
    a, b = z1.detach().double().requires_grad_(True), z2.detach().double().requires_grad_(True)
    na = (a - a.mean(0)) / torch.sqrt(a.var(0, unbiased=False) + 1e-5)
    nb = (b - b.mean(0)) / torch.sqrt(b.var(0, unbiased=False) + 1e-5)
    c = na.T @ nb / 6
    ((1 - c.diagonal()) ** 2).sum().add(0.0051 * (c**2).sum() - 0.0051 * (c.diagonal() ** 2).sum()).backward()
    for name, got, ref in (("z1", grads[0], a), ("z2", grads[1], b)):
        assert got is not None, f"no gradient reaches {name}: both views are trained"
        assert_close(got, ref.grad, f"the gradient with respect to {name}", rtol=1e-3, atol=1e-5)


@pytest.mark.weight(0.5)
def test_barlow_twins__returns_a_float32_loss_for_float32_features(student):
    z1, z2 = views(11, 8, 3)
    loss = student.barlow_twins_loss(z1, z2)
    loss_check(z1, z2)(loss)
    assert_dtype(loss, torch.float32, "barlow_twins_loss of float32 features")


@pytest.mark.weight(0.5)
def test_barlow_twins__does_not_modify_inputs(student):
    z1, z2 = views(9, 8, 3)
    assert_inputs_unchanged(student, "barlow_twins_loss", z1, z2, result_check=loss_check(z1, z2))
