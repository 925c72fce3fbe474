"""Hidden tests of bonus task `electra` (replaced-token detection): an oracle from the definition,
the mask-mean reduction, exactness at logits of +-50, gradients; then the conventions, each its own
small test: the dtype (a loss in float32 for float64 logits loses only that test) and untouched inputs."""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("electra")


def oracle(logits, original, corrupted, mask) -> float:
    """sum over masked positions of log(1 + e^s) - y s, divided by their count, in float64."""
    total, count = 0.0, 0
    for s, o, c, m in zip(
        logits.flatten().tolist(),
        original.flatten().tolist(),
        corrupted.flatten().tolist(),
        mask.flatten().tolist(),
        strict=True,
    ):
        if m:
            y = 1.0 if c != o else 0.0
            softplus = max(s, 0.0) + math.log1p(math.exp(-abs(s)))
            total += softplus - y * s
            count += 1
    return total / count


def example(base: int, b: int = 4, t: int = 10, dtype=torch.float64, scale: float = 3.0):
    g = generator(base)
    logits = torch.randn(b, t, generator=g, dtype=dtype) * scale  # (B, T)
    original = torch.randint(5, 50, (b, t), generator=g)  # (B, T)
    replaced = torch.rand(b, t, generator=g) < 0.3
    corrupted = torch.where(replaced, torch.randint(5, 50, (b, t), generator=g), original)  # (B, T)
    lengths = torch.randint(1, t + 1, (b,), generator=g)
    mask = (torch.arange(t)[None, :] < lengths[:, None]).long()  # (B, T)
    return logits, original, corrupted, mask


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,t", [(1, 3), (4, 10), (8, 33)])
def test_electra__matches_the_definition(student, b, t):
    for s in range(3):
        args = example(10 * b + s, b, t)
        loss = scalar(student.electra_discriminator_loss(*args), "electra_discriminator_loss")
        assert_close(loss, oracle(*args), f"electra_discriminator_loss with B={b}, T={t}", rtol=1e-5)


@pytest.mark.weight(2)
def test_electra__averages_over_positions_with_attention_mask_1(student):
    logits, original, corrupted, _ = example(50, 3, 12)
    mask = torch.zeros(3, 12, dtype=torch.long)
    mask[0, :12] = 1
    mask[1, :2] = 1
    mask[2, 3:8] = 1
    assert_close(
        student.electra_discriminator_loss(logits, original, corrupted, mask),
        oracle(logits, original, corrupted, mask),
        "electra_discriminator_loss with 12, 2 and 5 unmasked positions (one mean over all of them)",
        rtol=1e-5,
    )


@pytest.mark.weight(2)
def test_electra__exact_and_finite_for_logits_of_50_in_float32(student):
    logits, original, corrupted, mask = example(60, 4, 16, dtype=torch.float32)
    logits = torch.sign(logits) * 50.0  # confident, often wrong: log(sigmoid) underflows here
    loss = scalar(
        student.electra_discriminator_loss(logits, original, corrupted, mask),
        "electra_discriminator_loss",
    )
    assert torch.isfinite(loss), "electra_discriminator_loss is inf or nan for logits of +-50"
    assert_close(
        loss,
        oracle(logits, original, corrupted, mask),
        "electra_discriminator_loss for logits of +-50",
        rtol=1e-5,
        atol=1e-5,
    )


def test_electra__label_is_1_where_the_token_was_replaced(student):
    original = torch.tensor([[5, 6, 7, 8]])
    corrupted = torch.tensor([[5, 9, 7, 3]])
    logits = torch.tensor([[-30.0, 30.0, -30.0, 30.0]], dtype=torch.float64)
    loss = scalar(
        student.electra_discriminator_loss(logits, original, corrupted, torch.ones(1, 4)),
        "electra_discriminator_loss",
    )
    assert loss.item() < 1e-9, (
        "confident logits on the right side must give a loss near 0 "
        "(label 1 where corrupted_ids differs from original_ids)"
    )


@pytest.mark.weight(2)
def test_electra__gradient_matches_the_definition(student):
    logits, original, corrupted, mask = example(80, 3, 7)
    logits.requires_grad_(True)
    loss, grads, _ = student.electra_discriminator_loss.with_grad(logits, original, corrupted, mask)
    scalar(loss, "electra_discriminator_loss")
    ref = logits.detach().clone().requires_grad_(True)
    y = (corrupted != original).double()
    keep = mask.bool()
    (torch.nn.functional.softplus(ref[keep]) - y[keep] * ref[keep]).mean().backward()
    assert grads[0] is not None, "no gradient reaches the logits"
    assert_close(grads[0], ref.grad, "the gradient with respect to the logits", rtol=1e-5, atol=1e-9)


# --- conventions: each its own small test, earned only with a right value -------------------------


def right_loss(args):
    def check(loss):
        assert_close(
            scalar(loss, "electra_discriminator_loss"), oracle(*args), "electra_discriminator_loss", rtol=1e-5
        )

    return check


@pytest.mark.weight(0.5)
def test_electra__returns_the_logits_dtype(student):
    for dtype in (torch.float32, torch.float64):
        args = example(70, dtype=dtype)
        loss = student.electra_discriminator_loss(*args)
        right_loss(args)(loss)
        assert_dtype(loss, dtype, f"electra_discriminator_loss of {dtype} logits")


@pytest.mark.weight(0.5)
def test_electra__does_not_modify_its_inputs(student):
    args = example(90)
    assert_inputs_unchanged(student, "electra_discriminator_loss", *args, result_check=right_loss(args))
