"""Hidden tests of task `clm` (GPT's next-token loss): a loop oracle from the definition, the shift,
the token-mean reduction, large logits, gradients; then the conventions, each its own small test: the
dtype and untouched inputs."""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("clm")


def oracle(logits: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> float:
    """Loop over every target token t + 1 with mask 1; one mean over all of them, in float64."""
    total, count = 0.0, 0
    b_size, t_size, _ = logits.shape
    for b in range(b_size):
        for t in range(t_size - 1):
            if mask[b, t + 1]:
                row = logits[b, t].double()
                peak = row.max()
                log_z = peak + torch.log(torch.exp(row - peak).sum())
                total += float(log_z - row[ids[b, t + 1]])
                count += 1
    return total / count


def reference(logits, ids, mask):
    """Differentiable float64 reference for the gradient check."""
    terms = []
    for b in range(logits.shape[0]):
        for t in range(logits.shape[1] - 1):
            if mask[b, t + 1]:
                terms.append(-torch.log_softmax(logits[b, t], dim=0)[ids[b, t + 1]])
    return torch.stack(terms).mean()


def example(
    base: int, b: int = 4, t: int = 12, v: int = 9, dtype=torch.float64, scale: float = 3.0, lengths=None
):
    g = generator(base)
    logits = torch.randn(b, t, v, generator=g, dtype=dtype) * scale  # (B, T, V)
    ids = torch.randint(v, (b, t), generator=g)  # (B, T)
    if lengths is None:
        lengths = torch.randint(2, t + 1, (b,), generator=g).tolist()
    mask = (torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]).long()  # (B, T) right padding
    return logits, ids, mask


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,t,v", [(1, 2, 3), (3, 7, 5), (4, 16, 11)])
def test_clm__matches_the_definition_with_right_padding(student, b, t, v):
    for s in range(3):
        logits, ids, mask = example(100 * b + s, b, t, v)
        loss = scalar(student.causal_lm_loss(logits, ids, mask), "causal_lm_loss")
        assert_close(loss, oracle(logits, ids, mask), f"causal_lm_loss with B={b}, T={t}, V={v}", rtol=1e-5)


@pytest.mark.weight(2)
def test_clm__position_t_predicts_token_t_plus_1(student):
    ids = torch.tensor([[1, 2, 3, 4, 0]])
    mask = torch.ones(1, 5, dtype=torch.long)
    logits = torch.full((1, 5, 5), -20.0, dtype=torch.float64)
    for t in range(4):
        logits[0, t, ids[0, t + 1]] = 20.0  # confident and right about the NEXT token
    loss = scalar(student.causal_lm_loss(logits, ids, mask), "causal_lm_loss")
    assert loss.item() < 1e-6, (
        "logits that predict the next token perfectly must give a loss near 0: "
        "are logits and targets shifted by one?"
    )


@pytest.mark.weight(2)
def test_clm__one_mean_over_all_target_tokens_not_a_mean_of_sequence_means(student):
    logits, ids, mask = example(31, b=3, t=20, lengths=[20, 3, 9])
    assert_close(
        student.causal_lm_loss(logits, ids, mask),
        oracle(logits, ids, mask),
        "causal_lm_loss on sequences of lengths 20, 3 and 9 (every target token weighs the same)",
        rtol=1e-5,
    )


@pytest.mark.weight(2)
def test_clm__the_mask_of_the_target_decides_not_the_mask_of_the_input(student):
    g = generator(41)
    logits = torch.randn(3, 10, 7, generator=g, dtype=torch.float64) * 3
    ids = torch.randint(7, (3, 10), generator=g)
    mask = torch.tensor(
        [
            [0, 0, 1, 1, 1, 1, 1, 1, 1, 1],  # left padding
            [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],  # right padding
            [0, 1, 1, 1, 1, 1, 1, 1, 1, 0],
        ]
    )
    assert_close(
        student.causal_lm_loss(logits, ids, mask),
        oracle(logits, ids, mask),
        "causal_lm_loss with left and right padding (a target t + 1 counts when its mask is 1)",
        rtol=1e-5,
    )


def test_clm__uniform_logits_give_log_v(student):
    ids = torch.randint(13, (2, 6), generator=generator(51))
    loss = student.causal_lm_loss(torch.zeros(2, 6, 13), ids, torch.ones(2, 6, dtype=torch.long))
    assert_close(scalar(loss, "causal_lm_loss"), math.log(13), "uniform logits over V=13 tokens")


@pytest.mark.weight(2)
def test_clm__finite_and_exact_for_logits_up_to_1e4_in_float32(student):
    logits, ids, mask = example(61, b=3, t=10, v=17, dtype=torch.float32, scale=1.0)
    logits = logits / logits.abs().amax() * 1e4
    loss = scalar(student.causal_lm_loss(logits, ids, mask), "causal_lm_loss")
    assert torch.isfinite(loss), "causal_lm_loss overflows for logits of size 1e4 (inf or nan)"
    # float32 rounding of logits of size 1e4 is about 1e4 * 6e-8 per term
    assert_close(
        loss, oracle(logits, ids, mask), "causal_lm_loss for logits of size 1e4", rtol=1e-5, atol=1e-2
    )


@pytest.mark.weight(2)
def test_clm__gradient_matches_the_definition(student):
    logits, ids, mask = example(81, b=3, t=8, v=6)
    logits.requires_grad_(True)
    loss, grads, _ = student.causal_lm_loss.with_grad(logits, ids, mask)
    scalar(loss, "causal_lm_loss")
    ref = logits.detach().clone().requires_grad_(True)
    reference(ref, ids, mask).backward()
    assert grads[0] is not None, "no gradient reaches the logits"
    assert_close(grads[0], ref.grad, "the gradient with respect to the logits", rtol=1e-5, atol=1e-9)


# --- conventions: each its own small test, earned only with a right value -------------------------


def right_loss(logits, ids, mask):
    def check(loss):
        assert_close(scalar(loss, "causal_lm_loss"), oracle(logits, ids, mask), "causal_lm_loss", rtol=1e-5)

    return check


@pytest.mark.weight(0.5)
def test_clm__returns_the_logits_dtype(student):
    for dtype in (torch.float32, torch.float64):
        logits, ids, mask = example(71, dtype=dtype)
        loss = student.causal_lm_loss(logits, ids, mask)
        right_loss(logits, ids, mask)(loss)
        assert_dtype(loss, dtype, f"causal_lm_loss of {dtype} logits")


@pytest.mark.weight(0.5)
def test_clm__does_not_modify_its_inputs(student):
    logits, ids, mask = example(91)
    assert_inputs_unchanged(
        student, "causal_lm_loss", logits, ids, mask, result_check=right_loss(logits, ids, mask)
    )
