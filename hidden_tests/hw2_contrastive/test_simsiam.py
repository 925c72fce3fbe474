"""Hidden tests of task `simsiam` (SimSiam's symmetric negative-cosine loss).

Value tests compare values (in float64, with tolerances that admit float32 arithmetic) and never fail
on the dtype; the dtype and leaving the inputs unchanged are conventions with their own small tests
(docs/authoring.md, "Credit").
"""

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

pytestmark = pytest.mark.task("simsiam")


def cos_mean(p: torch.Tensor, z: torch.Tensor) -> float:
    return (
        sum(float(a @ b) / (float(a.norm()) * float(b.norm())) for a, b in zip(p, z, strict=False))
        / p.shape[0]
    )


def oracle(p1, p2, z1, z2) -> float:
    return -0.5 * cos_mean(p1, z2) - 0.5 * cos_mean(p2, z1)


def views(base: int, b: int, d: int, dtype=torch.float64):
    g = generator(base)
    scale = lambda: torch.rand(b, 1, generator=g, dtype=dtype) * 4 + 0.2  # noqa: E731
    z1 = torch.randn(b, d, generator=g, dtype=dtype) * scale()
    z2 = (z1 + torch.randn(b, d, generator=g, dtype=dtype)) * scale()
    p1 = (z1 + 0.7 * torch.randn(b, d, generator=g, dtype=dtype)) * scale()
    p2 = (z2 + 0.7 * torch.randn(b, d, generator=g, dtype=dtype)) * scale()
    return p1, p2, z1, z2


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,d", [(1, 4), (7, 12), (32, 3)])
def test_simsiam__matches_the_papers_definition(student, b, d):
    for base in range(3):
        args = views(50 * b + base, b, d)
        loss = scalar(student.simsiam_loss(*args), "simsiam_loss")
        assert_close(loss, oracle(*args), f"simsiam_loss with B={b}, D={d}", rtol=1e-5, atol=1e-6)


@pytest.mark.weight(2)
def test_simsiam__gradient_reaches_p_but_not_z(student):
    args = [t.requires_grad_(True) for t in views(5, 6, 8)]
    loss, grads, _ = student.simsiam_loss.with_grad(*args)
    scalar(loss, "simsiam_loss")
    for name, grad in zip(("z1", "z2"), grads[2:], strict=False):
        assert no_gradient(grad), f"a gradient reaches {name}: the projections must be stop-gradient targets"
    refs = [t.detach().clone().requires_grad_(i < 2) for i, t in enumerate(args)]
    p1, p2, z1, z2 = refs
    cos = torch.nn.functional.cosine_similarity
    (-0.5 * cos(p1, z2, dim=1).mean() - 0.5 * cos(p2, z1, dim=1).mean()).backward()
    for name, got, ref in (("p1", grads[0], p1), ("p2", grads[1], p2)):
        assert got is not None, f"no gradient reaches {name}: the predictions must be trained"
        assert_close(got, ref.grad, f"the gradient with respect to {name}", rtol=1e-4, atol=1e-6)


def right_loss(args):
    """A result check: the call returned SimSiam's loss for these inputs."""

    def check(loss) -> None:
        assert_close(scalar(loss, "simsiam_loss"), oracle(*args), "simsiam_loss", rtol=1e-5, atol=1e-6)

    return check


@pytest.mark.weight(0.5)
def test_simsiam__returns_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        args = views(9, 4, 5, dtype)
        loss = student.simsiam_loss(*args)
        right_loss(args)(loss)
        assert_dtype(loss, dtype, f"simsiam_loss of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_simsiam__does_not_modify_inputs(student):
    args = views(17, 5, 6)
    assert_inputs_unchanged(student, "simsiam_loss", *args, result_check=right_loss(args))
